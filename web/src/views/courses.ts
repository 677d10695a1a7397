import { ApiError, isAbortError, type ApiClient } from "../api/client";
import type { Course } from "../api/types";
import { hasAnyGroup, type User } from "../auth/jwt";
import { apiErrorMessage, fieldErrorMessage } from "../i18n/errors";
import { ja } from "../i18n/ja";
import type { RouteContext, View } from "../router";
import { charCount, h, uid } from "../ui/dom";
import { createAlert, createField, type Field } from "../ui/form";
import { dueSoonSection, type DueSoonApi } from "./due-soon";
import { myCoursesSection, type HomeApi } from "./home";

export const PAGE_SIZE = 20;
export const TITLE_MAX = 120;
export const DESCRIPTION_MAX = 2000;

export type CoursesApi = Pick<ApiClient, "listCourses" | "createCourse"> & Partial<HomeApi> & Partial<DueSoonApi>;

export interface CoursesDeps {
  readonly api: CoursesApi;
  readonly user: User | null;
}

const dateFormat = new Intl.DateTimeFormat("ja-JP", { dateStyle: "medium" });

export function statusLabel(status: string): string {
  return ja.courses.status[status] ?? status;
}

function courseItem(course: Course): HTMLLIElement {
  const headingId = uid("course");
  const created = new Date(course.createdAt);
  return h(
    "li",
    { class: "course", "data-course-id": course.courseId },
    h(
      "article",
      { "aria-labelledby": headingId },
      h(
        "div",
        { class: "course-head" },
        h("h3", { id: headingId, class: "course-title" }, h("a", { href: `/courses/${encodeURIComponent(course.courseId)}` }, course.title)),
        h("span", { class: `status status-${course.status}` }, statusLabel(course.status)),
      ),
      course.description ? h("p", { class: "course-description" }, course.description) : null,
      Number.isNaN(created.getTime())
        ? null
        : h(
            "p",
            { class: "course-meta" },
            `${ja.courses.createdAt}: `,
            h("time", { datetime: course.createdAt }, dateFormat.format(created)),
          ),
    ),
  );
}

/** コース一覧: the list with "load more", plus the create form for teachers and admins. */
export function coursesView(ctx: RouteContext, deps: CoursesDeps): View {
  const { api } = deps;
  const known = new Set<string>();
  let nextCursor: string | null = null;
  let count = 0;

  // ---- list -------------------------------------------------------------------------------
  const listStatus = h("p", { class: "list-status", role: "status", "aria-live": "polite" });
  const listAlert = createAlert();
  const retryButton = h("button", { type: "button", class: "button button-secondary", hidden: true }, ja.retry);
  const list = h("ul", { class: "course-list", "aria-labelledby": "course-list-heading" });
  const moreStatus = h("span", { class: "more-status", role: "status", "aria-live": "polite" });
  const moreButton = h("button", { type: "button", class: "button button-secondary", hidden: true }, ja.courses.loadMore);

  const showListStatus = (text: string, visible: boolean): void => {
    listStatus.textContent = text;
    listStatus.classList.toggle("visually-hidden", !visible);
  };
  const updateSummary = (): void => {
    if (count === 0) showListStatus(ja.courses.empty, true);
    else showListStatus(ja.courses.loaded(count), false);
  };
  const addCourses = (courses: readonly Course[], position: "start" | "end"): HTMLLIElement[] => {
    const items = courses.filter((c) => !known.has(c.courseId)).map((c) => {
      known.add(c.courseId);
      return courseItem(c);
    });
    if (position === "start") list.prepend(...items);
    else list.append(...items);
    count += items.length;
    return items;
  };

  const loadPage = async (cursor: string | null): Promise<void> => {
    const first = cursor === null;
    listAlert.show(null);
    retryButton.hidden = true;
    if (first) showListStatus(ja.loading, true);
    else {
      moreButton.setAttribute("aria-disabled", "true");
      moreStatus.textContent = ja.loading;
    }
    list.setAttribute("aria-busy", "true");
    try {
      const page = await api.listCourses({ limit: PAGE_SIZE, cursor }, { signal: ctx.signal });
      const added = addCourses(page.items, "end");
      nextCursor = page.nextCursor;
      updateSummary();
      // Keyboard users who pressed "さらに読み込む" continue at the first new course.
      const firstNew = added[0]?.querySelector("h3");
      if (!first && firstNew && document.activeElement === moreButton) {
        firstNew.setAttribute("tabindex", "-1");
        firstNew.focus();
      }
    } catch (err) {
      if (ctx.signal.aborted || isAbortError(err)) return;
      listAlert.show(`${ja.courses.loadError}${apiErrorMessage(err)}`);
      if (first) {
        showListStatus("", false);
        retryButton.hidden = false;
      }
    } finally {
      if (!ctx.signal.aborted) {
        list.removeAttribute("aria-busy");
        moreStatus.textContent = "";
        moreButton.removeAttribute("aria-disabled");
        moreButton.hidden = nextCursor === null;
      }
    }
  };

  retryButton.addEventListener("click", () => void loadPage(null));
  moreButton.addEventListener("click", () => {
    if (moreButton.getAttribute("aria-disabled") !== "true") void loadPage(nextCursor);
  });

  const listSection = h(
    "section",
    { class: "course-list-section", "aria-labelledby": "course-list-heading" },
    h("h2", { id: "course-list-heading", class: "visually-hidden" }, ja.courses.listLabel),
    listStatus,
    listAlert.element,
    retryButton,
    list,
    h("div", { class: "list-footer" }, moreButton, moreStatus),
  );

  // ---- create form (teachers, admins) ------------------------------------------------------
  const createSection = hasAnyGroup(deps.user, "teachers", "admins")
    ? createCourseForm(ctx, deps, (course) => {
        const [item] = addCourses([course], "start");
        updateSummary();
        if (item) {
          item.classList.add("is-new");
          item.addEventListener("animationend", () => item.classList.remove("is-new"), { once: true });
        }
      })
    : null;

  const element = h(
    "div",
    { class: "page" },
    h("div", { class: "page-header" }, h("h1", null, ja.courses.title)),
    // A learner's own courses come before the catalogue.
    hasAnyGroup(deps.user, "learners") && api.listMyEnrolments
      ? myCoursesSection(ctx.signal, { listMyEnrolments: api.listMyEnrolments.bind(api) })
      : null,
    // Then what is due soon, with the state of their own submissions.
    hasAnyGroup(deps.user, "learners") && api.listMyEnrolments && api.listAssignments
      ? dueSoonSection(ctx.signal, { listMyEnrolments: api.listMyEnrolments.bind(api), listAssignments: api.listAssignments.bind(api) })
      : null,
    // The form comes first in the DOM (and so in focus and reading order); wide screens show it
    // as a column to the right of the list.
    h("div", { class: createSection ? "layout-with-aside" : "layout" }, createSection, listSection),
  );

  void loadPage(null);
  return { title: ja.courses.title, element };
}

function createCourseForm(
  ctx: RouteContext,
  deps: CoursesDeps,
  onCreated: (course: Course) => void,
): HTMLElement {
  const title = createField({
    name: "title",
    label: ja.createCourse.fieldTitle,
    required: true,
    autocomplete: "off",
    hint: ja.createCourse.titleHint,
    maxLength: TITLE_MAX,
  });
  const description = createField({
    name: "description",
    label: ja.createCourse.fieldDescription,
    multiline: true,
    autocomplete: "off",
    hint: ja.createCourse.descriptionHint,
    maxLength: DESCRIPTION_MAX,
    rows: 5,
  });
  /** API field name → form field, for the problem+json `errors[].field` of a failed create. */
  const fields = new Map<string, { field: Field; label: string; max: number }>([
    ["title", { field: title, label: ja.createCourse.fieldTitle, max: TITLE_MAX }],
    ["description", { field: description, label: ja.createCourse.fieldDescription, max: DESCRIPTION_MAX }],
  ]);
  const alert = createAlert();
  const status = h("p", { class: "form-status", role: "status", "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "button button-primary" }, ja.createCourse.submit);

  for (const field of [title, description]) {
    field.control.addEventListener("input", () => field.setError(null));
  }

  const validate = (t: string, d: string): boolean => {
    const rules = ja.fieldRules;
    const { fieldTitle, fieldDescription } = ja.createCourse;
    title.setError(
      t === "" ? rules.required(fieldTitle) : charCount(t) > TITLE_MAX ? rules.tooLong(fieldTitle, TITLE_MAX) : null,
    );
    description.setError(charCount(d) > DESCRIPTION_MAX ? rules.tooLong(fieldDescription, DESCRIPTION_MAX) : null);
    const firstInvalid = [title, description].find((f) => f.control.getAttribute("aria-invalid") === "true");
    firstInvalid?.focus();
    return firstInvalid === undefined;
  };

  let busy = false;
  const setBusy = (value: boolean): void => {
    busy = value;
    // aria-disabled rather than disabled: a disabled button drops keyboard focus to <body>.
    submit.setAttribute("aria-disabled", String(value));
    form.setAttribute("aria-busy", String(value));
    if (value) status.textContent = ja.createCourse.submitting;
  };

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    alert.show(null);
    status.textContent = "";
    const t = title.value.trim();
    const d = description.value.trim();
    if (!validate(t, d)) return;

    setBusy(true);
    try {
      const course = await deps.api.createCourse({ title: t, description: d }, { signal: ctx.signal });
      title.setValue("");
      description.setValue("");
      onCreated(course);
      status.textContent = ja.createCourse.created;
    } catch (err) {
      if (ctx.signal.aborted || isAbortError(err)) return;
      status.textContent = "";
      showServerErrors(err);
    } finally {
      if (!ctx.signal.aborted) setBusy(false);
    }
  };

  const showServerErrors = (err: unknown): void => {
    const fieldErrors = err instanceof ApiError ? err.fieldErrors : [];
    const extra = new Set<string>();
    let focused = false;
    for (const error of fieldErrors) {
      const target = fields.get(error.field);
      if (!target) {
        // A field the form does not show (e.g. the body as a whole): the summary says enough,
        // except for unknown fields, which point at a client/server mismatch.
        if (error.rule === "additionalProperties") extra.add(ja.fieldRules.unknownField);
        continue;
      }
      target.field.setError(fieldErrorMessage(error, target.label, target.max));
      if (!focused) {
        target.field.focus();
        focused = true;
      }
    }
    alert.show([apiErrorMessage(err), ...extra].join(" "));
  };

  const form = h(
    "form",
    { class: "stack", novalidate: true, onsubmit: (e) => void onSubmit(e) },
    title.element,
    description.element,
    h("div", { class: "form-actions" }, submit),
    status,
  );

  return h(
    "section",
    { class: "card create-course", "aria-labelledby": "create-course-heading" },
    h("h2", { id: "create-course-heading" }, ja.createCourse.title),
    alert.element,
    form,
  );
}
