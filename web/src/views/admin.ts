import type { AdminUser, GroupName, Page } from "../api/types";
import type { ApiClient } from "../api/client";
import { ja } from "../i18n/ja";
import type { RouteContext, View } from "../router";
import { actionButton } from "../ui/action";
import type { Announcer } from "../ui/announcer";
import { asyncRegion, timeEl } from "../ui/async";
import { h } from "../ui/dom";
import { createAlert } from "../ui/form";
import { loadMore } from "../ui/more";

const GROUPS: readonly GroupName[] = ["learners", "teachers", "admins"];

/** ユーザー管理: list users, change their group, disable and enable (admins). */
export function adminUsersView(ctx: RouteContext, deps: { api: ApiClient; announcer: Announcer }): View {
  const a = ja.admin;
  const alert = createAlert();

  const row = (user: AdminUser): HTMLTableRowElement => {
    const tr = h("tr", { "data-username": user.username });
    const fill = (u: AdminUser): void => {
      const selectId = `group-${u.username}`;
      const select = h(
        "select",
        { id: selectId, "aria-label": a.groupOf(u.email) },
        ...GROUPS.map((g) => h("option", { value: g, selected: u.groups.includes(g) }, ja.groups[g] ?? g)),
      );
      const report = (message: string | null): void => alert.show(message);
      const change = actionButton(
        a.changeGroup,
        async () => {
          const updated = await deps.api.setUserGroup(u.username, select.value as GroupName, { signal: ctx.signal });
          fill(updated);
          deps.announcer.announce(a.groupChanged(u.email));
        },
        report,
        ctx.signal,
        "button button-small",
        { "aria-label": `${a.groupOf(u.email)}を${a.changeGroup}` },
      );
      const toggle = actionButton(
        u.enabled ? a.disable : a.enable,
        async () => {
          const updated = await deps.api.setUserEnabled(u.username, !u.enabled, { signal: ctx.signal });
          fill(updated);
          deps.announcer.announce(updated.enabled ? a.enabledDone(u.email) : a.disabledDone(u.email));
        },
        report,
        ctx.signal,
        "button button-small",
        { "aria-label": `${u.email} を${u.enabled ? a.disable : a.enable}` },
      );
      tr.replaceChildren(
        h("th", { scope: "row" }, u.email),
        h("td", null, h("div", { class: "inline-form" }, select, change)),
        h("td", null, h("span", { class: `badge ${u.enabled ? "badge-done" : "badge-off"}` }, u.enabled ? a.enabled : a.disabled)),
        h("td", null, timeEl(u.createdAt)),
        h("td", null, toggle),
      );
    };
    fill(user);
    return tr;
  };

  const render = (page: Page<AdminUser>): Node => {
    if (page.items.length === 0) return h("p", { class: "empty" }, a.empty);
    const body = h("tbody", null, ...page.items.map(row));
    const more = loadMore(
      page.nextCursor,
      (cursor) => deps.api.listUsers({ cursor }, { signal: ctx.signal }),
      (items) => body.append(...items.map(row)),
    );
    return h(
      "div",
      null,
      h(
        "div",
        { class: "table-wrap", tabindex: 0, role: "region", "aria-label": a.title },
        h(
          "table",
          { "data-testid": "users-table" },
          h("thead", null, h("tr", null, ...[a.email, a.group, a.state, ja.courses.createdAt, a.actions].map((t) => h("th", { scope: "col" }, t)))),
          body,
        ),
      ),
      more,
    );
  };
  const region = asyncRegion(ctx.signal, () => deps.api.listUsers({}, { signal: ctx.signal }), render, { label: a.loadError });
  const element = h("div", { class: "page" }, h("div", { class: "page-header" }, h("h1", null, a.title)), alert.element, region.element);
  return { title: a.title, element };
}
