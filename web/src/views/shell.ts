import type { User } from "../auth/jwt";
import { ja } from "../i18n/ja";
import { h, replaceChildren } from "../ui/dom";

export interface ShellOptions {
  readonly environment: string;
  readonly onSignOut: () => void;
}

export interface Shell {
  readonly element: DocumentFragment;
  /** Where pages are rendered. */
  readonly outlet: HTMLElement;
  setUser(user: User | null): void;
}

export function groupLabels(groups: readonly string[]): string {
  return groups.map((g) => ja.groups[g] ?? g).join("・");
}

/** The page frame: skip link, header with product name and the signed-in user, main area. */
export function createShell(options: ShellOptions): Shell {
  const userArea = h("div", { class: "user-area" });
  const outlet = h("main", { id: "main", class: "container main", tabindex: "-1" });
  const showEnv = options.environment !== "production";

  const header = h(
    "header",
    { class: "site-header" },
    h(
      "div",
      { class: "container header-inner" },
      h(
        "div",
        { class: "brand-row" },
        h("a", { class: "brand", href: "/" }, ja.appName),
        showEnv
          ? h("span", { class: "env-badge", title: ja.header.environment(options.environment) }, options.environment)
          : null,
      ),
      userArea,
    ),
  );

  const fragment = document.createDocumentFragment();
  fragment.append(h("a", { class: "skip-link", href: "#main" }, ja.skipToContent), header, outlet);

  return {
    element: fragment,
    outlet,
    setUser(user) {
      if (!user) {
        replaceChildren(userArea);
        return;
      }
      const groups = groupLabels(user.groups);
      const nav = h(
        "nav",
        { class: "main-nav", "aria-label": ja.nav.label },
        h("a", { href: "/courses" }, ja.nav.courses),
        h("a", { href: "/account" }, ja.settings.nav),
        user.groups.includes("admins") ? h("a", { href: "/admin/users" }, ja.nav.admin) : null,
      );
      replaceChildren(
        userArea,
        nav,
        h(
          "p",
          { class: "user-info" },
          h("span", { class: "visually-hidden" }, ja.header.userMenu),
          h("span", { class: "user-email" }, user.email),
          groups ? h("span", { class: "user-groups" }, groups) : null,
        ),
        h("button", { type: "button", class: "button button-secondary", onclick: options.onSignOut }, ja.header.signOut),
      );
    },
  };
}
