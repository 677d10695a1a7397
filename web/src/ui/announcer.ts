import { h } from "./dom";

/**
 * A visually hidden live region for short status messages ("ログアウトしました。", "…を作成しました。")
 * that screen readers should read out even when focus is elsewhere.
 */
export class Announcer {
  readonly element: HTMLElement;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.element = h("div", {
      id: "announcer",
      class: "visually-hidden",
      role: "status",
      "aria-live": "polite",
      "aria-atomic": "true",
    });
  }

  announce(message: string): void {
    // Clear first so that the same message twice is announced twice.
    this.element.textContent = "";
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.element.textContent = message;
    }, 50);
  }
}
