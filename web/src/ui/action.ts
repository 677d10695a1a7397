import { ApiError, isAbortError } from "../api/client";
import type { FieldError } from "../api/types";
import { apiErrorMessage, fieldErrorMessage } from "../i18n/errors";
import { h } from "./dom";
import { createAlert, type Field } from "./form";

export interface FormSpec {
  readonly fields: ReadonlyMap<string, { field: Field; label: string; max?: number }>;
  readonly submitLabel: string;
  readonly busyLabel?: string;
  readonly signal: AbortSignal;
  readonly extra?: readonly Node[];
  /** Returns false (after marking fields) to stop the submit. */
  readonly validate?: () => boolean;
  readonly submit: () => Promise<string | void>;
  /** A field-specific Japanese message for a server field error (default: by rule and label). */
  readonly messageFor?: (error: FieldError) => string | null;
}

/**
 * A form that calls the API: aria-busy while sending, the server's field errors (problem+json
 * `errors[].field`/`rule`) on their inputs in Japanese, a summary in a role="alert" box, success
 * text in a role="status" region.
 */
export function apiForm(spec: FormSpec): { element: HTMLFormElement; alert: ReturnType<typeof createAlert>; status: HTMLElement } {
  const alert = createAlert();
  const status = h("p", { class: "form-status", role: "status", "aria-live": "polite" });
  const button = h("button", { type: "submit", class: "button button-primary" }, spec.submitLabel);
  let busy = false;
  for (const { field } of spec.fields.values()) field.control.addEventListener("input", () => field.setError(null));

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    alert.show(null);
    status.textContent = "";
    if (spec.validate && !spec.validate()) return;
    busy = true;
    button.setAttribute("aria-disabled", "true");
    form.setAttribute("aria-busy", "true");
    if (spec.busyLabel) status.textContent = spec.busyLabel;
    try {
      const message = await spec.submit();
      status.textContent = message ?? "";
    } catch (err) {
      if (spec.signal.aborted || isAbortError(err)) return;
      status.textContent = "";
      let focused = false;
      for (const error of err instanceof ApiError ? err.fieldErrors : []) {
        const target = spec.fields.get(error.field);
        if (!target) continue;
        target.field.setError(spec.messageFor?.(error) ?? fieldErrorMessage(error, target.label, target.max));
        if (!focused) {
          target.field.focus();
          focused = true;
        }
      }
      alert.show(apiErrorMessage(err));
    } finally {
      busy = false;
      button.removeAttribute("aria-disabled");
      form.removeAttribute("aria-busy");
    }
  };

  const form = h(
    "form",
    { class: "stack", novalidate: true, onsubmit: (e) => void onSubmit(e) },
    alert.element,
    ...[...spec.fields.values()].map((f) => f.field.element),
    ...(spec.extra ?? []),
    h("div", { class: "form-actions" }, button),
    status,
  );
  return { element: form, alert, status };
}

/** A button that runs an API action once at a time and reports in Japanese. */
export function actionButton(
  label: string,
  run: () => Promise<void>,
  report: (message: string | null, isError: boolean) => void,
  signal: AbortSignal,
  className = "button button-secondary",
  attrs: Record<string, string> = {},
): HTMLButtonElement {
  let busy = false;
  const button = h("button", { type: "button", class: className, ...attrs }, label);
  button.addEventListener("click", () => {
    if (busy) return;
    busy = true;
    button.setAttribute("aria-disabled", "true");
    report(null, false);
    run().then(
      () => undefined,
      (err: unknown) => {
        if (!signal.aborted && !isAbortError(err)) report(apiErrorMessage(err), true);
      },
    ).finally(() => {
      busy = false;
      button.removeAttribute("aria-disabled");
    });
  });
  return button;
}

/** A labelled native input (datetime-local, number, select…) with an error line. */
export function plainField(
  name: string,
  label: string,
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
): Field {
  const id = `${name}-${Math.random().toString(36).slice(2)}`;
  const errorId = `${id}-error`;
  control.id = id;
  control.name = name;
  const error = h("p", { id: errorId, class: "field-error", hidden: true });
  const element = h("div", { class: "field" }, h("label", { for: id }, label), control, error);
  return {
    name,
    element,
    control: control as HTMLInputElement,
    get value() {
      return control.value;
    },
    setValue(value: string) {
      control.value = value;
    },
    setError(message: string | null) {
      error.textContent = message ?? "";
      error.hidden = message === null;
      if (message === null) {
        control.removeAttribute("aria-invalid");
        control.removeAttribute("aria-describedby");
      } else {
        control.setAttribute("aria-invalid", "true");
        control.setAttribute("aria-describedby", errorId);
      }
    },
    focus() {
      control.focus();
    },
  };
}
