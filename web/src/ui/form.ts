import { ja } from "../i18n/ja";
import { charCount, h, uid } from "./dom";

export interface FieldOptions {
  readonly name: string;
  readonly label: string;
  readonly type?: "text" | "email" | "password";
  readonly multiline?: boolean;
  readonly required?: boolean;
  readonly autocomplete?: string;
  readonly hint?: string;
  /** Shows a live "n / max" counter (in code points); validation is up to the caller. */
  readonly maxLength?: number;
  readonly rows?: number;
}

export interface Field {
  readonly name: string;
  readonly element: HTMLElement;
  readonly control: HTMLInputElement | HTMLTextAreaElement;
  readonly value: string;
  setValue(value: string): void;
  setError(message: string | null): void;
  focus(): void;
}

/**
 * A labelled input with hint, optional counter and an error message that is tied to the control
 * through aria-describedby / aria-invalid. The <label> holds exactly the field name, so the
 * control's accessible name is that name.
 */
export function createField(options: FieldOptions): Field {
  const id = uid(`field-${options.name}`);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const counterId = `${id}-counter`;

  const common = {
    id,
    name: options.name,
    required: options.required ?? false,
    autocomplete: options.autocomplete,
  };
  const control = options.multiline
    ? h("textarea", { ...common, rows: options.rows ?? 5 })
    : h("input", { ...common, type: options.type ?? "text", spellcheck: options.type === "text" ? null : "false" });

  const error = h("p", { id: errorId, class: "field-error", hidden: true });
  const counter =
    options.maxLength !== undefined
      ? h("span", { id: counterId, class: "field-counter", "aria-hidden": "true" })
      : null;
  const updateCounter = (): void => {
    if (!counter || options.maxLength === undefined) return;
    const n = charCount(control.value);
    counter.textContent = ja.createCourse.counter(n, options.maxLength);
    counter.classList.toggle("is-over", n > options.maxLength);
  };
  control.addEventListener("input", updateCounter);
  updateCounter();

  const describedBy = (withError: boolean): string =>
    [options.hint ? hintId : null, withError ? errorId : null].filter(Boolean).join(" ");
  const initialDescribedBy = describedBy(false);
  if (initialDescribedBy) control.setAttribute("aria-describedby", initialDescribedBy);

  const element = h(
    "div",
    { class: "field" },
    h(
      "div",
      { class: "field-label-row" },
      h("label", { for: id }, options.label),
      options.required
        ? h("span", { class: "field-badge", "aria-hidden": "true" }, ja.createCourse.required)
        : null,
    ),
    control,
    options.hint || counter
      ? h(
          "div",
          { class: "field-meta" },
          options.hint ? h("span", { id: hintId, class: "field-hint" }, options.hint) : null,
          counter,
        )
      : null,
    error,
  );

  return {
    name: options.name,
    element,
    control,
    get value() {
      return control.value;
    },
    setValue(value: string) {
      control.value = value;
      updateCounter();
    },
    setError(message: string | null) {
      error.textContent = message ?? "";
      error.hidden = message === null;
      if (message === null) control.removeAttribute("aria-invalid");
      else control.setAttribute("aria-invalid", "true");
      const value = describedBy(message !== null);
      if (value) control.setAttribute("aria-describedby", value);
      else control.removeAttribute("aria-describedby");
    },
    focus() {
      control.focus();
    },
  };
}

/** An error summary box (role="alert") shown above a form or a list. */
export function createAlert(): { element: HTMLElement; show(message: string | null): void } {
  const element = h("div", { class: "alert alert-error", role: "alert", hidden: true });
  return {
    element,
    show(message) {
      element.textContent = message ?? "";
      element.hidden = message === null;
    },
  };
}
