import { describe, expect, it, vi } from "vitest";
import { ApiClient } from "../src/api/client";
import type { Submission } from "../src/api/types";
import { apiErrorMessage } from "../src/i18n/errors";
import { ApiError } from "../src/api/client";
import { progressBar } from "../src/ui/async";
import { renderMarkdown } from "../src/ui/markdown";
import { scanBadge, scanLabel } from "../src/views/assignment";
import { localToIso } from "../src/views/course";
import { forbiddenView } from "../src/views/forbidden";
import { jsonResponse, queueFetch } from "./helpers";

// DOMPurify does not work under happy-dom (it drops allowed tags and keeps others), so here it is
// a pass-through: these tests prove the renderer's own allow-list is safe on its own. The browser
// tests (tests/e2e) run the real DOMPurify in Chromium.
vi.mock("dompurify", () => ({ default: { sanitize: (html: string) => html } }));

function html(markdown: string): HTMLElement {
  const div = document.createElement("div");
  div.append(renderMarkdown(markdown));
  return div;
}

describe("renderMarkdown", () => {
  it("renders headings, lists and code", () => {
    const el = html("# 見出し\n\n- a\n- b\n\n```python\nprint(1)\n```\n\n`x = 1`");
    expect(el.querySelector("h2")?.textContent).toBe("見出し"); // h1 is the page's
    expect(el.querySelector("h1")).toBeNull();
    expect(el.querySelectorAll("li")).toHaveLength(2);
    expect(el.querySelector("pre code")?.textContent).toContain("print(1)");
  });

  it("drops scripts, event handlers and javascript: links", () => {
    const el = html(
      '<script>alert(1)</script>\n\n<img src="x" onerror="alert(2)">\n\n[a](javascript:alert(3))\n\n<a href="https://example.com" onclick="x()">ok</a>\n\n<iframe srcdoc="x"></iframe>\n\n<p onmouseover="y()">p</p>',
    );
    expect(el.querySelector("script")).toBeNull();
    expect(el.querySelector("iframe")).toBeNull();
    expect(el.querySelector("img")?.hasAttribute("onerror")).toBe(false);
    for (const a of el.querySelectorAll("a")) {
      expect(a.getAttribute("href") ?? "").not.toMatch(/^javascript:/i);
      expect(a.hasAttribute("onclick")).toBe(false);
    }
    const safe = [...el.querySelectorAll("a")].find((a) => a.textContent === "ok");
    expect(safe?.getAttribute("rel")).toBe("noopener noreferrer");
  });
});

describe("scan status", () => {
  it("is shown in Japanese", () => {
    expect(["PENDING", "CLEAN", "INFECTED", "ERROR"].map(scanLabel)).toEqual(["検査中", "安全", "危険", "エラー"]);
    const badge = scanBadge("INFECTED" satisfies Submission["status"]);
    expect(badge.textContent).toBe("危険");
    expect(badge.dataset["scanStatus"]).toBe("INFECTED");
  });
});

describe("progressBar", () => {
  it("is an accessible progressbar with a visible label", () => {
    const el = progressBar(67, "2 / 3 レッスン完了（67%）");
    const bar = el.querySelector('[role="progressbar"]');
    expect(bar?.getAttribute("aria-valuenow")).toBe("67");
    const labelId = bar?.getAttribute("aria-labelledby") ?? "";
    expect(el.querySelector(`#${labelId}`)?.textContent).toBe("2 / 3 レッスン完了（67%）");
    expect(progressBar(150, "x").querySelector('[role="progressbar"]')?.getAttribute("aria-valuenow")).toBe("100");
  });
});

describe("errors", () => {
  it("explains a stale version and forbidden pages in Japanese", () => {
    const stale = new ApiError(409, { type: "https://manabi.example/problems/stale-version", status: 409 });
    expect(apiErrorMessage(stale)).toContain("他の人が先に変更しました");
    expect(forbiddenView().element.textContent).toContain("権限がありません");
  });
});

describe("localToIso", () => {
  it("adds seconds and the local offset", () => {
    expect(localToIso("2099-12-01T23:59")).toMatch(/^2099-12-01T23:59:00[+-]\d\d:\d\d$/);
  });
});

describe("ApiClient routes", () => {
  const auth = { getIdToken: vi.fn(async () => "tok"), refreshIdToken: vi.fn(async () => "tok"), expireSession: vi.fn() };

  it("sends versions, percent-encodes identifiers (the API decodes them) and parses pages", async () => {
    const fetchFn = queueFetch(
      jsonResponse(200, { items: [], nextCursor: null }),
      jsonResponse(200, { lessonIds: ["b", "a"], version: 3 }),
      jsonResponse(200, { username: "learner@example.com" }),
    );
    const api = new ApiClient({ baseUrl: "http://api/", auth, fetchFn: fetchFn.fn });
    await api.listUsers();
    await api.reorderLessons("c-1", ["b", "a"], 2);
    await api.setUserGroup("learner@example.com", "teachers");
    expect(fetchFn.calls.map((c) => `${c.init.method} ${c.url}`)).toEqual([
      "GET http://api/admin/users?limit=60",
      "PUT http://api/courses/c-1/lesson-order",
      "PUT http://api/admin/users/learner%40example.com/group",
    ]);
    expect(JSON.parse(String(fetchFn.calls[1]?.init.body))).toEqual({ lessonIds: ["b", "a"], version: 2 });
    const headers = fetchFn.calls[0]?.init.headers as Record<string, string>;
    expect("Idempotency-Key" in headers).toBe(false); // reads carry no key
  });

  it("sends one Idempotency-Key per create, the same on the retry after a refresh", async () => {
    const fetchFn = queueFetch(
      jsonResponse(401, { message: "Unauthorized" }),
      jsonResponse(201, { courseId: "c-1" }),
      jsonResponse(201, { courseId: "c-2" }),
    );
    const api = new ApiClient({ baseUrl: "http://api/", auth, fetchFn: fetchFn.fn });
    await api.createCourse({ title: "T", description: "" });
    await api.createCourse({ title: "T", description: "" });
    const keys = fetchFn.calls.map((c) => (c.init.headers as Record<string, string>)["Idempotency-Key"]);
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]); // the retry is the same logical create
    expect(keys[2]).toBeTruthy();
    expect(keys[2]).not.toBe(keys[0]); // a new create gets a new key
  });
});
