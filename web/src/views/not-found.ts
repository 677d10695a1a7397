import { ja } from "../i18n/ja";
import type { View } from "../router";
import { h } from "../ui/dom";

export function notFoundView(): View {
  return {
    title: ja.notFound.title,
    element: h(
      "section",
      { class: "card" },
      h("h1", null, ja.notFound.title),
      h("p", null, ja.notFound.body),
      h("p", null, h("a", { href: "/" }, ja.notFound.home)),
    ),
  };
}
