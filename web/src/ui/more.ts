import { apiErrorMessage } from "../i18n/errors";
import { ja } from "../i18n/ja";
import { h } from "./dom";

/**
 * もっと見る: a button that asks for the next page of a list by its opaque cursor and appends
 * the rows; it goes away once the list has no further page. Errors show beside it in Japanese.
 */
export function loadMore<T>(
  first: string | null,
  next: (cursor: string) => Promise<{ items: readonly T[]; nextCursor: string | null }>,
  append: (items: readonly T[]) => void,
): HTMLElement {
  let cursor = first;
  const status = h("p", { class: "list-status", role: "status" });
  const button = h("button", { type: "button", class: "button button-secondary", "data-testid": "load-more" }, ja.learners.loadMore);
  const element = h("div", { class: "load-more" }, button, status);
  const update = (): void => {
    element.hidden = cursor === null;
  };
  button.addEventListener("click", () => {
    if (cursor === null || button.disabled) return;
    button.disabled = true;
    status.textContent = ja.loading;
    next(cursor).then(
      (page) => {
        append(page.items);
        cursor = page.nextCursor;
        status.textContent = "";
        button.disabled = false;
        update();
      },
      (err: unknown) => {
        status.textContent = apiErrorMessage(err);
        button.disabled = false;
      },
    );
  });
  update();
  return element;
}

/** Saves text as a file the browser downloads (the CSV keeps its BOM: Response.text() drops it). */
export function downloadText(text: string, fileName: string, type: string): void {
  const blob = new Blob(["\ufeff" + text.replace(/^\ufeff/, "")], { type });
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: fileName });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
