import { ja } from "../i18n/ja";
import { h } from "../ui/dom";

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly body: string;
  readonly code: string;
  readonly kind: string;
  readonly sentAt: string;
}

export const MAILBOX_URL = "/_local/mailbox";

export function parseMessages(raw: unknown): MailMessage[] {
  if (typeof raw !== "object" || raw === null) return [];
  const list = (raw as Record<string, unknown>)["messages"];
  if (!Array.isArray(list)) return [];
  return list
    .filter((m): m is Record<string, unknown> => typeof m === "object" && m !== null)
    .map((m) => ({
      to: String(m["to"] ?? ""),
      subject: String(m["subject"] ?? ""),
      body: String(m["body"] ?? ""),
      code: String(m["code"] ?? ""),
      kind: String(m["kind"] ?? ""),
      sentAt: String(m["sent_at"] ?? ""),
    }));
}

/**
 * Local mode only: the messages the system would have e-mailed to `email` (newest first), read
 * from the local runtime's mailbox every second while the panel is on the page.
 */
export function createMailboxPanel(
  email: () => string,
  signal: AbortSignal,
  fetchFn: typeof fetch = (input, init) => fetch(input, init),
  intervalMs = 1000,
): HTMLElement {
  const list = h("ol", { class: "mailbox-list" });
  const empty = h("p", { class: "mailbox-empty" }, ja.mailbox.empty);
  const element = h(
    "aside",
    { class: "card card-narrow mailbox", "aria-labelledby": "mailbox-heading", "data-testid": "local-mailbox" },
    h("h2", { id: "mailbox-heading" }, ja.mailbox.title),
    h("p", { class: "mailbox-lead" }, ja.mailbox.lead),
    empty,
    list,
  );
  let shown = "";
  const render = (messages: MailMessage[]): void => {
    const key = JSON.stringify(messages);
    if (key === shown) return;
    shown = key;
    empty.hidden = messages.length > 0;
    list.replaceChildren(
      ...[...messages].reverse().map((m) =>
        h(
          "li",
          { class: "mailbox-message" },
          h("p", { class: "mailbox-meta" }, `${ja.mailbox.to}: ${m.to}`),
          h("p", { class: "mailbox-meta" }, `${ja.mailbox.subject}: ${m.subject}`),
          h("p", { class: "mailbox-body" }, m.body),
        ),
      ),
    );
  };
  const poll = async (): Promise<void> => {
    const address = email().trim();
    if (!address) {
      render([]);
      return;
    }
    try {
      const response = await fetchFn(`${MAILBOX_URL}?to=${encodeURIComponent(address)}`, {
        cache: "no-store",
        signal,
      });
      if (response.ok) render(parseMessages(await response.json()));
    } catch {
      // The next poll tries again; the mailbox is a local convenience only.
    }
  };
  void poll();
  const timer = setInterval(() => {
    if (signal.aborted) clearInterval(timer);
    else void poll();
  }, intervalMs);
  signal.addEventListener("abort", () => clearInterval(timer));
  return element;
}
