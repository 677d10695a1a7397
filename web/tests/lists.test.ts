import { describe, expect, it, vi } from "vitest";
import type { ApiClient } from "../src/api/client";
import type { AdminUser, Assignment, MyCourse } from "../src/api/types";
import type { User } from "../src/auth/jwt";
import type { RouteContext } from "../src/router";
import { Announcer } from "../src/ui/announcer";
import { adminUsersView } from "../src/views/admin";
import { courseView } from "../src/views/course";
import { DUE_SOON_DAYS, dueSoon, dueSoonSection } from "../src/views/due-soon";
import { course } from "./helpers";

const flush = async (times = 4) => {
  for (let i = 0; i < times; i++) await new Promise((r) => setTimeout(r, 0));
};
const NOW = Date.parse("2026-12-04T00:00:00Z");
const DAY = 24 * 60 * 60 * 1000;

function assignment(id: string, dueInDays: number, mySubmission?: Assignment["mySubmission"], courseId = "c-1"): Assignment {
  return {
    courseId,
    assignmentId: id,
    title: `課題 ${id}`,
    instructions: "",
    dueAt: new Date(NOW + dueInDays * DAY).toISOString(),
    createdAt: "2026-11-01T00:00:00Z",
    updatedAt: "2026-11-01T00:00:00Z",
    version: 1,
    ...(mySubmission === undefined ? {} : { mySubmission }),
  };
}

function myCourse(courseId: string, courseTitle: string, courseStatus: MyCourse["courseStatus"] = "published"): MyCourse {
  const progress = { courseId, learnerId: "l-1", completedLessonIds: [], completedLessons: 0, totalLessons: 2, percent: 0 };
  return { courseId, learnerId: "l-1", courseTitle, courseStatus, enrolledAt: "2026-11-01T00:00:00Z", updatedAt: "2026-11-01T00:00:00Z", completedLessonIds: [], progress, nextLessonId: null };
}

describe("APP-CRS-04, APP-ASG-02: 期限が近い課題 on the learner home", () => {
  const byCourse: Record<string, Assignment[]> = {
    "c-1": [
      assignment("later", 40, null),
      assignment("graded", 3, { status: "CLEAN", grade: 90 }),
      assignment("past", -1, null),
    ],
    "c-2": [assignment("waiting", 7, { status: "CLEAN", grade: null }, "c-2"), assignment("infected", 1, { status: "INFECTED", grade: null }, "c-2")],
    "c-3": [assignment("archived", 2, null, "c-3")],
  };
  const api = {
    listMyEnrolments: vi.fn(async () => ({
      items: [myCourse("c-1", "はじめてのPython"), myCourse("c-2", "Webのしくみ入門"), myCourse("c-3", "終了したコース", "archived")],
      nextCursor: null,
    })),
    listAssignments: vi.fn(async (courseId: string) => ({ items: byCourse[courseId] ?? [], nextCursor: null })),
  };

  it("lists the open assignments due within the window, soonest first, of published courses only", async () => {
    const items = await dueSoon(api as never, new AbortController().signal, NOW);
    expect(items.map((i) => i.assignment.assignmentId)).toEqual(["infected", "graded", "waiting"]);
    expect(DUE_SOON_DAYS).toBeLessThan(40);
    expect(api.listAssignments).not.toHaveBeenCalledWith("c-3", expect.anything(), expect.anything());
  });

  it("shows each with its course, due date and the learner's own submission state", async () => {
    const section = dueSoonSection(new AbortController().signal, api as never, () => NOW);
    document.body.replaceChildren(section);
    await flush();
    expect(section.querySelector("h2")?.textContent).toBe("期限が近い課題");
    const rows = [...section.querySelectorAll<HTMLLIElement>("[data-testid=due-soon] li")];
    expect(rows.map((r) => r.querySelector(".badge")?.textContent)).toEqual([
      "危険なファイル（再提出してください）",
      "評価済み（90点）",
      "提出済み（評価待ち）",
    ]);
    expect(rows[1]?.textContent).toContain("はじめてのPython");
    expect(rows[1]?.querySelector("a")?.getAttribute("href")).toBe("/courses/c-1/assignments/graded");
    expect(rows[1]?.querySelector("time")).not.toBeNull();
  });

  it("says so when nothing is due soon", async () => {
    const empty = { ...api, listAssignments: vi.fn(async () => ({ items: [assignment("later", 40, null)], nextCursor: null })) };
    const section = dueSoonSection(new AbortController().signal, empty as never, () => NOW);
    await flush();
    expect(section.textContent).toContain(`${DUE_SOON_DAYS}日以内に締切の課題はありません。`);
  });
});

describe("APP-ASG-01, APP-ASG-02: もっと見る and the own state on the course page's assignments", () => {
  const learner: User = { sub: "l-1", email: "learner@example.com", groups: ["learners"] };
  const ctx = (): RouteContext => ({ path: "/courses/c-1", params: { courseId: "c-1" }, query: new URLSearchParams(), signal: new AbortController().signal });

  it("shows the learner's state per assignment and appends the next page by its cursor", async () => {
    const listAssignments = vi.fn(async (_courseId: string, params: { cursor?: string | null } = {}) =>
      params.cursor === "opaque-2"
        ? { items: [assignment("a3", 20, { status: "PENDING", grade: null })], nextCursor: null }
        : { items: [assignment("a1", 3, null), assignment("a2", 10, { status: "CLEAN", grade: 75 })], nextCursor: "opaque-2" },
    );
    const api = {
      getCourse: vi.fn(async () => course({ status: "published" })),
      listMyEnrolments: vi.fn(async () => ({ items: [{ courseId: "c-1" }], nextCursor: null })),
      getMyProgress: vi.fn(async () => ({ courseId: "c-1", learnerId: "l-1", completedLessonIds: [], completedLessons: 0, totalLessons: 0, percent: 0 })),
      listLessons: vi.fn(async () => ({ courseId: "c-1", version: 0, lessons: [] })),
      listAssignments,
    } as unknown as ApiClient;
    const view = courseView(ctx(), { api, user: learner, announcer: new Announcer() });
    document.body.replaceChildren(view.element);
    await flush();
    const states = () => [...view.element.querySelectorAll(".assignment-list li")].map((li) => li.querySelector(".badge")?.textContent);
    expect(states()).toEqual(["未提出", "評価済み（75点）"]);
    const more = view.element.querySelector<HTMLButtonElement>("[data-testid=load-more]");
    expect(more?.textContent).toBe("もっと見る");
    more?.click();
    await flush();
    expect(listAssignments).toHaveBeenLastCalledWith("c-1", { cursor: "opaque-2" }, expect.anything());
    expect(states()).toEqual(["未提出", "評価済み（75点）", "検査中"]);
    expect(view.element.querySelector<HTMLElement>(".load-more")?.hidden).toBe(true);
  });

  it("shows no state badge to the course's teacher (the list carries no mySubmission)", async () => {
    const teacher: User = { sub: "u-1", email: "teacher@example.com", groups: ["teachers"] };
    const api = {
      getCourse: vi.fn(async () => course({ status: "published" })),
      listLessons: vi.fn(async () => ({ courseId: "c-1", version: 0, lessons: [] })),
      listAssignments: vi.fn(async () => ({ items: [assignment("a1", 3)], nextCursor: null })),
      listMyEnrolments: vi.fn(async () => ({ items: [], nextCursor: null })),
    } as unknown as ApiClient;
    const view = courseView(ctx(), { api, user: teacher, announcer: new Announcer() });
    await flush();
    expect(view.element.querySelectorAll(".assignment-list li")).toHaveLength(1);
    expect(view.element.querySelector(".assignment-list .badge")).toBeNull();
    expect(view.element.querySelector<HTMLElement>(".load-more")?.hidden).toBe(true);
  });
});

describe("APP-ADM-01: もっと見る on ユーザー管理", () => {
  const user = (n: number): AdminUser =>
    ({ username: `u${n}`, email: `u${n}@example.com`, groups: ["learners"], enabled: true, createdAt: "2026-11-01T00:00:00Z" }) as AdminUser;

  it("appends the next page of users by its opaque cursor", async () => {
    const listUsers = vi.fn(async (params: { cursor?: string | null } = {}) =>
      params.cursor ? { items: [user(3)], nextCursor: null } : { items: [user(1), user(2)], nextCursor: "next-users" },
    );
    const ctx: RouteContext = { path: "/admin/users", params: {}, query: new URLSearchParams(), signal: new AbortController().signal };
    const view = adminUsersView(ctx, { api: { listUsers } as unknown as ApiClient, announcer: new Announcer() });
    document.body.replaceChildren(view.element);
    await flush();
    expect(view.element.querySelectorAll("tbody tr")).toHaveLength(2);
    view.element.querySelector<HTMLButtonElement>("[data-testid=load-more]")?.click();
    await flush();
    expect(listUsers).toHaveBeenLastCalledWith({ cursor: "next-users" }, expect.anything());
    expect([...view.element.querySelectorAll("tbody tr")].map((tr) => tr.getAttribute("data-username"))).toEqual(["u1", "u2", "u3"]);
  });
});
