import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, NetworkError } from "../src/api/client";
import type { Course, NewCourse, Page } from "../src/api/types";
import type { User } from "../src/auth/jwt";
import type { RouteContext } from "../src/router";
import { coursesView, type CoursesApi } from "../src/views/courses";
import { course } from "./helpers";

const teacher: User = { sub: "u-1", email: "teacher@example.com", groups: ["teachers"] };
const learner: User = { sub: "u-2", email: "learner@example.com", groups: ["learners"] };

function ctx(): RouteContext {
  return { path: "/courses", params: {}, query: new URLSearchParams(), signal: new AbortController().signal };
}

function fakeApi(pages: Array<Page<Course> | Error>, create?: (c: NewCourse) => Promise<Course>) {
  return {
    listCourses: vi.fn(async () => {
      const next = pages.shift();
      if (!next) throw new Error("no more pages");
      if (next instanceof Error) throw next;
      return next;
    }),
    createCourse: vi.fn(create ?? (async (c: NewCourse) => course({ courseId: "new", ...c }))),
  } satisfies CoursesApi;
}

const flush = () => new Promise((r) => setTimeout(r, 0));

function mount(api: CoursesApi, user: User | null) {
  const view = coursesView(ctx(), { api, user });
  document.body.replaceChildren(view.element);
  return view.element;
}

const byLabel = (root: HTMLElement, text: string) => {
  const label = [...root.querySelectorAll("label")].find((l) => l.textContent === text);
  return root.querySelector<HTMLInputElement | HTMLTextAreaElement>(`#${label?.htmlFor}`)!;
};
const button = (root: HTMLElement, text: string) =>
  [...root.querySelectorAll("button")].find((b) => b.textContent === text);
const titles = (root: HTMLElement) => [...root.querySelectorAll(".course-title")].map((e) => e.textContent);

afterEach(() => document.body.replaceChildren());

describe("コース一覧", () => {
  it("shows 読み込み中… and then the courses with Japanese status labels", async () => {
    const api = fakeApi([
      {
        items: [
          course({ courseId: "a", title: "A", status: "draft" }),
          course({ courseId: "b", title: "B", status: "published" }),
          course({ courseId: "c", title: "C", status: "archived" }),
        ],
        nextCursor: null,
      },
    ]);
    const root = mount(api, learner);
    expect(root.querySelector(".list-status")?.textContent).toBe("読み込み中…");
    await flush();

    expect(titles(root)).toEqual(["A", "B", "C"]);
    expect([...root.querySelectorAll(".status")].map((e) => e.textContent)).toEqual(["下書き", "公開中", "アーカイブ"]);
    expect(api.listCourses).toHaveBeenCalledWith({ limit: 20, cursor: null }, expect.anything());
    expect(button(root, "さらに読み込む")?.hidden).toBe(true);
  });

  it("says so when there are no courses", async () => {
    const root = mount(fakeApi([{ items: [], nextCursor: null }]), learner);
    await flush();
    expect(root.querySelector(".list-status")?.textContent).toBe("コースはまだありません。");
  });

  it("shows an error with a retry button", async () => {
    const api = fakeApi([new NetworkError("down"), { items: [course()], nextCursor: null }]);
    const root = mount(api, learner);
    await flush();
    expect(root.querySelector('[role="alert"]')?.textContent).toContain("コースを読み込めませんでした。");

    button(root, "再試行")!.click();
    await flush();
    expect(titles(root)).toEqual(["はじめてのPython"]);
    expect(root.querySelector<HTMLElement>('[role="alert"]')?.hidden).toBe(true);
  });

  it("loads the next page with nextCursor", async () => {
    const api = fakeApi([
      { items: [course({ courseId: "a", title: "A" })], nextCursor: "cur-1" },
      { items: [course({ courseId: "b", title: "B" })], nextCursor: null },
    ]);
    const root = mount(api, learner);
    await flush();
    const more = button(root, "さらに読み込む")!;
    expect(more.hidden).toBe(false);

    more.click();
    await flush();
    expect(api.listCourses).toHaveBeenLastCalledWith({ limit: 20, cursor: "cur-1" }, expect.anything());
    expect(titles(root)).toEqual(["A", "B"]);
    expect(more.hidden).toBe(true);
  });

  it("has no create form for learners", async () => {
    const root = mount(fakeApi([{ items: [], nextCursor: null }]), learner);
    await flush();
    expect(button(root, "コースを作成")).toBeUndefined();
  });
});

describe("コースを作成", () => {
  it("creates a course and puts it at the top of the list", async () => {
    const api = fakeApi([{ items: [course({ courseId: "old", title: "Old" })], nextCursor: null }]);
    const root = mount(api, teacher);
    await flush();

    byLabel(root, "タイトル").value = "  新しいコース ";
    byLabel(root, "説明").value = "説明文";
    root.querySelector("form")!.requestSubmit();
    await flush();

    expect(api.createCourse).toHaveBeenCalledWith({ title: "新しいコース", description: "説明文" }, expect.anything());
    expect(titles(root)).toEqual(["新しいコース", "Old"]);
    expect(byLabel(root, "タイトル").value).toBe("");
  });

  it("checks the title before sending", async () => {
    const api = fakeApi([{ items: [], nextCursor: null }]);
    const root = mount(api, teacher);
    await flush();

    root.querySelector("form")!.requestSubmit();
    await flush();
    const title = byLabel(root, "タイトル");
    expect(api.createCourse).not.toHaveBeenCalled();
    expect(title.getAttribute("aria-invalid")).toBe("true");
    const errorId = title.getAttribute("aria-describedby")!.split(" ").at(-1)!;
    expect(document.getElementById(errorId)?.textContent).toBe("タイトルを入力してください。");

    title.value = "あ".repeat(121);
    root.querySelector("form")!.requestSubmit();
    await flush();
    expect(document.getElementById(errorId)?.textContent).toBe("タイトルは120文字以内で入力してください。");
  });

  it("shows the API's field errors next to the field", async () => {
    const api = fakeApi([{ items: [], nextCursor: null }], async () => {
      throw new ApiError(400, {
        status: 400,
        errors: [{ field: "description", message: "must be shorter", rule: "maxLength" }],
      });
    });
    const root = mount(api, teacher);
    await flush();

    byLabel(root, "タイトル").value = "T";
    root.querySelector("form")!.requestSubmit();
    await flush();

    const description = byLabel(root, "説明");
    expect(description.getAttribute("aria-invalid")).toBe("true");
    expect(description.closest(".field")?.querySelector(".field-error")?.textContent).toBe(
      "説明は2000文字以内で入力してください。",
    );
    expect(root.querySelector(".create-course [role='alert']")?.textContent).toBe("入力内容を確認してください。");
    expect(document.activeElement).toBe(description);
  });
});
