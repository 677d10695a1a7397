import { checkPassword, PASSWORD_RULES } from "../auth/password-policy";
import { ja } from "../i18n/ja";
import { h } from "./dom";

/**
 * The password policy as a checklist that follows the input while the user types. Each rule
 * carries its state in text too (not only colour), for screen readers and high-contrast modes.
 */
export function createPasswordRules(control: HTMLInputElement | HTMLTextAreaElement): HTMLElement {
  const items = PASSWORD_RULES.map((rule) => {
    const state = h("span", { class: "visually-hidden" });
    const item = h("li", { class: "password-rule", "data-rule": rule }, ja.password.rules[rule] ?? rule, state);
    return { rule, item, state };
  });
  const update = (): void => {
    const result = checkPassword(control.value);
    for (const { rule, item, state } of items) {
      const met = result[rule];
      item.classList.toggle("is-met", met);
      item.setAttribute("data-met", String(met));
      state.textContent = met ? ja.password.met : ja.password.unmet;
    }
  };
  control.addEventListener("input", update);
  update();
  const headingId = `password-rules-${Math.random().toString(36).slice(2, 8)}`;
  const element = h(
    "div",
    { class: "password-rules" },
    h("p", { id: headingId, class: "password-rules-heading" }, ja.password.rulesHeading),
    h("ul", { "aria-labelledby": headingId }, ...items.map((i) => i.item)),
  );
  const describedBy = control.getAttribute("aria-describedby");
  control.setAttribute("aria-describedby", [describedBy, headingId].filter(Boolean).join(" "));
  return element;
}
