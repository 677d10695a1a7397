import { isAbortError } from "../api/client";
import { apiErrorMessage } from "../i18n/errors";
import { ja } from "../i18n/ja";
import { h, replaceChildren } from "./dom";

/**
 * A region that loads data: shows 読み込み中…, then the content, or a Japanese error with a
 * 再試行 button. `aria-busy` while loading; status and errors are live regions.
 */
export function asyncRegion<T>(
  signal: AbortSignal,
  load: () => Promise<T>,
  render: (data: T, reload: () => Promise<void>) => Node,
  options: { label?: string } = {},
): { element: HTMLElement; reload: () => Promise<void> } {
  const element = h("div", { class: "async-region" });
  const reload = (): Promise<void> => {
    element.setAttribute("aria-busy", "true");
    // Keep the old content while reloading (no flash, focus stays put); first load shows 読み込み中….
    if (!element.hasChildNodes()) replaceChildren(element, h("p", { class: "list-status", role: "status" }, ja.loading));
    return load().then(
      (data) => {
        if (signal.aborted) return;
        element.removeAttribute("aria-busy");
        replaceChildren(element, render(data, reload));
      },
      (err: unknown) => {
        if (signal.aborted || isAbortError(err)) return;
        element.removeAttribute("aria-busy");
        const retry = h("button", { type: "button", class: "button button-secondary", onclick: () => void reload() }, ja.retry);
        replaceChildren(
          element,
          h("div", { class: "alert alert-error", role: "alert" }, options.label ? `${options.label}${apiErrorMessage(err)}` : apiErrorMessage(err)),
          retry,
        );
      },
    );
  };
  void reload();
  return { element, reload };
}

/** An accessible progress bar with a visible label ("2 / 3 レッスン完了（67%）"). */
export function progressBar(percent: number, label: string): HTMLElement {
  const value = Math.max(0, Math.min(100, Math.round(percent)));
  const fill = h("div", { class: "progress-fill" });
  fill.style.width = `${value}%`;
  const id = `progress-label-${Math.random().toString(36).slice(2)}`;
  return h(
    "div",
    { class: "progress" },
    h("p", { id, class: "progress-label" }, label),
    h(
      "div",
      {
        class: "progress-track",
        role: "progressbar",
        "aria-valuemin": 0,
        "aria-valuemax": 100,
        "aria-valuenow": value,
        "aria-labelledby": id,
      },
      fill,
    ),
  );
}

const dateTime = new Intl.DateTimeFormat("ja-JP", { dateStyle: "medium", timeStyle: "short", timeZone: "Asia/Tokyo" });

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

export function timeEl(iso: string): HTMLTimeElement {
  return h("time", { datetime: iso }, formatDateTime(iso));
}
