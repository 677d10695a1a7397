import { describe, expect, it, vi } from "vitest";
import type { ApiClient } from "../src/api/client";
import { ApiError } from "../src/api/client";
import type { User } from "../src/auth/jwt";
import type { RouteContext } from "../src/router";
import { Announcer } from "../src/ui/announcer";
import { courseView } from "../src/views/course";
import { course } from "./helpers";

const learner: User = { sub: "l-1", email: "learner@example.com", groups: ["learners"] };
const outline = {
  courseId: "c-1",
  version: 1,
  lessons: [
    { lessonId: "a", title: "変数と型", position: 1, updatedAt: "2025-04-01T00:00:00Z", version: 1 },
    { lessonId: "b", title: "条件分岐", position: 2, updatedAt: "2025-04-01T00:00:00Z", version: 1 },
  ],
};
const flush = () => new Promise((r) => setTimeout(r, 0));

function ctx(): RouteContext {
  return { path: "/courses/c-1", params: { courseId: "c-1" }, query: new URLSearchParams(), signal: new AbortController().signal };
}

function fakeApi(enrolled: boolean, overrides: Partial<Record<keyof ApiClient, unknown>> = {}): ApiClient {
  return {
    getCourse: vi.fn(async () => course({ status: "published" })),
    listMyEnrolments: vi.fn(async () => ({ items: enrolled ? [{ courseId: "c-1" }] : [], nextCursor: null })),
    getMyProgress: vi.fn(async () => ({ courseId: "c-1", learnerId: "l-1", completedLessonIds: ["a"], completedLessons: 1, totalLessons: 2, percent: 50 })),
    listLessons: vi.fn(async () => outline),
    listAssignments: vi.fn(async () => ({ items: [], nextCursor: null })),
    enrol: vi.fn(async () => ({})),
    ...overrides,
  } as unknown as ApiClient;
}

describe("courseView (learner)", () => {
  it("offers enrolment when not enrolled, without asking for progress", async () => {
    const api = fakeApi(false);
    const view = courseView(ctx(), { api, user: learner, announcer: new Announcer() });
    await flush();
    await flush();
    expect(view.element.querySelector("h1")?.textContent).toBe("はじめてのPython");
    const enrol = [...view.element.querySelectorAll("button")].find((b) => b.textContent === "受講登録する");
    expect(enrol).toBeDefined();
    expect(api.getMyProgress).not.toHaveBeenCalled();
    expect(view.element.querySelectorAll(".lesson-item a")).toHaveLength(0); // lessons open after enrolling
  });

  it("shows progress, completed lessons and the empty assignment list when enrolled", async () => {
    const view = courseView(ctx(), { api: fakeApi(true), user: learner, announcer: new Announcer() });
    await flush();
    await flush();
    const bar = view.element.querySelector('[role="progressbar"]');
    expect(bar?.getAttribute("aria-valuenow")).toBe("50");
    expect(view.element.textContent).toContain("1 / 2 レッスン完了（50%）");
    expect(view.element.querySelector('[data-lesson-id="a"] .badge')?.textContent).toBe("完了");
    expect(view.element.querySelector('[data-lesson-id="b"] .badge')?.textContent).toBe("未完了");
    expect(view.element.textContent).toContain("課題はまだありません。");
  });

  it("shows a Japanese error with 再試行 when the course cannot be loaded", async () => {
    const api = fakeApi(true, { getCourse: vi.fn(async () => { throw new ApiError(404, null); }) });
    const view = courseView(ctx(), { api, user: learner, announcer: new Announcer() });
    await flush();
    expect(view.element.querySelector('[role="alert"]')?.textContent).toContain("お探しの情報が見つかりませんでした。");
    expect([...view.element.querySelectorAll("button")].some((b) => b.textContent === "再試行")).toBe(true);
  });
});
