import { ja } from "../i18n/ja";
import type { View } from "../router";
import { h } from "../ui/dom";

/** Shown when a signed-in user opens a page of another group (e.g. a learner on /admin/users). */
export function forbiddenView(): View {
  return {
    title: ja.forbidden.title,
    element: h(
      "section",
      { class: "card", "data-testid": "forbidden" },
      h("h1", null, ja.forbidden.title),
      h("p", { role: "alert" }, ja.forbidden.body),
      h("p", null, h("a", { href: "/courses" }, ja.forbidden.home)),
    ),
  };
}
