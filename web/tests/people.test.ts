import { describe, expect, it, vi } from "vitest";
import { ApiClient } from "../src/api/client";
import { CognitoError } from "../src/auth/cognito";
import type { NamedProgress } from "../src/api/types";
import type { RouteContext } from "../src/router";
import { Announcer } from "../src/ui/announcer";
import { learnersView } from "../src/views/learners";
import { settingsView } from "../src/views/settings";
import { myCoursesSection } from "../src/views/home";
import { jsonResponse, queueFetch } from "./helpers";

function ctx(params: Record<string, string> = {}): RouteContext {
  return { params, query: new URLSearchParams(), signal: new AbortController().signal } as RouteContext;
}
const flush = () => new Promise((r) => setTimeout(r, 0));

function progress(n: number, name = `受講者${n}`): NamedProgress {
  return {
    courseId: "c-1",
    learnerId: `l-${n}`,
    completedLessonIds: [],
    completedLessons: 1,
    totalLessons: 2,
    percent: 50,
    learnerName: name,
    learnerEmail: `l${n}@example.com`,
  };
}

describe("受講者と進捗 (APP-CRS-03)", () => {
  it("shows learners by name and e-mail and loads more pages by cursor", async () => {
    const listCourseEnrolments = vi
      .fn()
      .mockResolvedValueOnce({ items: [progress(1), progress(2, "")], nextCursor: "next" })
      .mockResolvedValueOnce({ items: [progress(3)], nextCursor: null });
    const api = {
      getCourse: vi.fn(async () => ({ courseId: "c-1", title: "Python 入門" })),
      listLessons: vi.fn(async () => ({ courseId: "c-1", lessons: [], version: 0 })),
      listCourseEnrolments,
      exportGrades: vi.fn(),
    };
    const view = learnersView(ctx({ courseId: "c-1" }), { api: api as unknown as ApiClient, user: null, announcer: new Announcer() });
    document.body.replaceChildren(view.element);
    await flush();
    const names = () => [...view.element.querySelectorAll("tbody th")].map((th) => th.textContent);
    expect(names()).toEqual(["受講者1", "（氏名未登録）"]);
    expect(view.element.textContent).toContain("l1@example.com");
    view.element.querySelector<HTMLButtonElement>("[data-testid=load-more]")!.click();
    await flush();
    expect(listCourseEnrolments).toHaveBeenLastCalledWith("c-1", { cursor: "next" }, expect.anything());
    expect(names()).toEqual(["受講者1", "（氏名未登録）", "受講者3"]);
    expect(view.element.querySelector<HTMLElement>(".load-more")!.hidden).toBe(true);
  });
});

describe("ApiClient (APP-ASG-04, APP-ACC-01)", () => {
  it("reads the grade CSV as text and sends the profile and deletions", async () => {
    const csv = "\ufeff氏名,メールアドレス\r\n山田 花子,h@example.com\r\n";
    const { fn, calls } = queueFetch(
      new Response(csv, { status: 200, headers: { "Content-Type": "text/csv; charset=utf-8" } }),
      jsonResponse(200, { userId: "u", name: "山田", email: "h@example.com" }),
      new Response(null, { status: 204 }),
    );
    const auth = { getIdToken: async () => "t", refreshIdToken: async () => "t", expireSession: () => undefined };
    const api = new ApiClient({ baseUrl: "https://api", auth, fetchFn: fn });
    expect((await api.exportGrades("c-1")).replace(/^\ufeff/, "")).toContain("山田 花子");
    await api.updateMyProfile("山田");
    await api.deleteAssignment("c-1", "a-1", 3);
    expect(calls.map((c) => `${c.init.method} ${c.url}`)).toEqual([
      "GET https://api/courses/c-1/grades.csv",
      "PUT https://api/me/profile",
      "DELETE https://api/courses/c-1/assignments/a-1?version=3",
    ]);
  });
});

describe("受講中のコース", () => {
  it("lists the learner's courses with their current title, progress and next lesson", async () => {
    const row = {
      courseId: "c-1",
      learnerId: "l-1",
      courseTitle: "Python 実践",
      courseStatus: "archived",
      enrolledAt: "2026-01-01T00:00:00Z",
      updatedAt: "2026-01-01T00:00:00Z",
      completedLessonIds: ["x"],
      progress: { courseId: "c-1", learnerId: "l-1", completedLessonIds: ["x"], completedLessons: 1, totalLessons: 3, percent: 33 },
      nextLessonId: "y",
    };
    const api = { listMyEnrolments: vi.fn(async () => ({ items: [row], nextCursor: null })) };
    const section = myCoursesSection(new AbortController().signal, api as never);
    document.body.replaceChildren(section);
    await flush();
    expect(section.querySelector("h3")?.textContent).toBe("Python 実践");
    expect(section.textContent).toContain("このコースは終了しました");
    expect(section.textContent).toContain("1 / 3 レッスン完了（33%）");
    expect(section.querySelector<HTMLAnchorElement>("a[href='/courses/c-1/lessons/y']")).not.toBeNull();
  });
});

describe("アカウント設定 (APP-ACC-01)", () => {
  const byLabel = (root: HTMLElement, text: string) => {
    const label = [...root.querySelectorAll("label")].find((l) => l.textContent?.startsWith(text));
    return root.querySelector<HTMLInputElement>(`#${label?.htmlFor}`)!;
  };
  const type = (el: HTMLInputElement, value: string) => {
    el.value = value;
    el.dispatchEvent(new Event("input"));
  };

  it("changes the name in Cognito and the profile, and the password with ChangePassword", async () => {
    const deps = {
      api: { updateMyProfile: vi.fn(async () => ({ userId: "u", name: "山田 華子", email: "h@example.com" })) },
      auth: {
        user: { sub: "u", email: "h@example.com", groups: ["learners"], name: "山田 花子" },
        getAccessToken: vi.fn(async () => "access"),
        refreshIdToken: vi.fn(async () => "id"),
      },
      cognito: { changePassword: vi.fn(async () => undefined), updateName: vi.fn(async () => undefined), globalSignOut: vi.fn(async () => undefined) },
      announcer: new Announcer(),
      signOut: vi.fn(),
    };
    const view = settingsView(ctx(), deps as never);
    document.body.replaceChildren(view.element);
    const name = byLabel(view.element, "氏名");
    expect(name.value).toBe("山田 花子");
    type(name, "山田 華子");
    view.element.querySelectorAll("form")[0]!.requestSubmit();
    await flush();
    expect(deps.cognito.updateName).toHaveBeenCalledWith("access", "山田 華子");
    expect(deps.api.updateMyProfile).toHaveBeenCalledWith("山田 華子");
    expect(deps.auth.refreshIdToken).toHaveBeenCalled();
    type(byLabel(view.element, "現在のパスワード"), "Kokoro-2026");
    type(byLabel(view.element, "新しいパスワード"), "weak");
    view.element.querySelectorAll("form")[1]!.requestSubmit();
    await flush();
    expect(deps.cognito.changePassword).not.toHaveBeenCalled();
    type(byLabel(view.element, "新しいパスワード"), "Sakura-2027!");
    view.element.querySelectorAll("form")[1]!.requestSubmit();
    await flush();
    expect(deps.cognito.changePassword).toHaveBeenCalledWith("access", "Kokoro-2026", "Sakura-2027!");
    expect(view.element.textContent).toContain("パスワードを変更しました。");
    view.element.querySelectorAll("form")[2]!.requestSubmit();
    await flush();
    expect(deps.cognito.globalSignOut).toHaveBeenCalledWith("access");
    expect(deps.signOut).toHaveBeenCalledTimes(1);
  });

  it("ログアウト ends the session through the app's sign-out (which shows the sign-in page)", () => {
    const signOut = vi.fn();
    const deps = {
      api: { updateMyProfile: vi.fn() },
      auth: { user: { sub: "u", email: "h@example.com", groups: ["learners"], name: "山田 花子" }, getAccessToken: vi.fn(), refreshIdToken: vi.fn() },
      cognito: { changePassword: vi.fn(), updateName: vi.fn(), globalSignOut: vi.fn() },
      announcer: new Announcer(),
      signOut,
    };
    const view = settingsView(ctx(), deps as never);
    document.body.replaceChildren(view.element);
    const button = [...view.element.querySelectorAll("button")].find((b) => b.textContent === "ログアウト")!;
    button.click();
    expect(signOut).toHaveBeenCalledTimes(1);
    expect(deps.cognito.globalSignOut).not.toHaveBeenCalled();
  });

  it("refuses a wrong current password in Japanese and keeps the form", async () => {
    const refused = new CognitoError("NotAuthorizedException", "Incorrect username or password.", 400);
    const deps = {
      api: { updateMyProfile: vi.fn() },
      auth: { user: { sub: "u", email: "h@example.com", groups: ["learners"], name: "山田 花子" }, getAccessToken: vi.fn(async () => "access"), refreshIdToken: vi.fn() },
      cognito: { changePassword: vi.fn(async () => Promise.reject(refused)), updateName: vi.fn(), globalSignOut: vi.fn() },
      announcer: new Announcer(),
      signOut: vi.fn(),
    };
    const view = settingsView(ctx(), deps as never);
    document.body.replaceChildren(view.element);
    type(byLabel(view.element, "現在のパスワード"), "Wrong-2026!");
    type(byLabel(view.element, "新しいパスワード"), "Sakura-2027!");
    view.element.querySelectorAll("form")[1]!.requestSubmit();
    await flush();
    await flush();
    const alert = view.element.querySelectorAll("form")[1]!.querySelector('[role="alert"]');
    expect(alert?.textContent).toBe("現在のパスワードが正しくありません。確認して、もう一度入力してください。");
    expect(view.element.textContent).not.toContain("パスワードを変更しました。");
    expect(deps.signOut).not.toHaveBeenCalled();
  });
});
