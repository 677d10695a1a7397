import { ApiError, type ApiClient } from "../api/client";
import type { Assignment, Course, Outline, Page, Progress } from "../api/types";
import { hasAnyGroup, type User } from "../auth/jwt";
import { ja } from "../i18n/ja";
import type { RouteContext, View } from "../router";
import { actionButton, apiForm, plainField } from "../ui/action";
import { asyncRegion, formatDateTime, progressBar, timeEl } from "../ui/async";
import type { Announcer } from "../ui/announcer";
import { charCount, h, replaceChildren } from "../ui/dom";
import { createAlert, createField } from "../ui/form";
import { loadMore } from "../ui/more";
import { statusLabel } from "./courses";
import { mySubmissionBadge } from "./due-soon";

export interface CourseDeps {
  readonly api: ApiClient;
  readonly user: User | null;
  readonly announcer: Announcer;
}

export const coursePath = (courseId: string): string => `/courses/${encodeURIComponent(courseId)}`;
export const lessonPath = (courseId: string, lessonId: string): string =>
  `${coursePath(courseId)}/lessons/${encodeURIComponent(lessonId)}`;
export const assignmentPath = (courseId: string, assignmentId: string): string =>
  `${coursePath(courseId)}/assignments/${encodeURIComponent(assignmentId)}`;
export const learnersPath = (courseId: string): string => `${coursePath(courseId)}/learners`;

interface CourseData {
  course: Course;
  outline: Outline;
  assignments: Page<Assignment>;
  /** null: a learner who is not enrolled (or a teacher). */
  progress: Progress | null;
}

/** 403 from a learner-only read means "not enrolled" (or not allowed): shown as an offer to enrol. */
async function optional<T>(promise: Promise<T>): Promise<T | null> {
  try {
    return await promise;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 403 || err.status === 404)) return null;
    throw err;
  }
}

export function isStaff(user: User | null): boolean {
  return hasAnyGroup(user, "teachers", "admins");
}

/** コースのページ: learners read lessons and see progress; the course's teacher edits it. */
export function courseView(ctx: RouteContext, deps: CourseDeps): View {
  const courseId = ctx.params["courseId"] ?? "";
  const { api } = deps;
  const staff = isStaff(deps.user);
  const heading = h("h1", null, ja.loading);
  const statusBadge = h("span", { class: "status" });

  const load = async (): Promise<CourseData> => {
    const opts = { signal: ctx.signal };
    const course = await api.getCourse(courseId, opts);
    // The enrolment list (not a 403 from /progress) tells whether the learner is enrolled.
    const enrolled = !staff && (await api.listMyEnrolments({}, opts)).items.some((e) => e.courseId === courseId);
    const progress = enrolled ? await api.getMyProgress(courseId, opts) : null;
    const canRead = staff || progress !== null;
    const [outline, assignments] = await Promise.all([
      canRead || course.status === "published" ? optional(api.listLessons(courseId, opts)) : null,
      canRead ? optional(api.listAssignments(courseId, {}, opts)) : null,
    ]);
    return {
      course,
      outline: outline ?? { courseId, lessons: [], version: 0 },
      assignments: assignments ?? { items: [], nextCursor: null },
      progress,
    };
  };

  const render = (data: CourseData, reload: () => Promise<void>): Node => {
    const { course, outline, assignments, progress } = data;
    heading.textContent = course.title;
    document.title = `${course.title} | ${ja.appName}`;
    statusBadge.className = `status status-${course.status}`;
    statusBadge.textContent = statusLabel(course.status);
    const done = new Set(progress?.completedLessonIds ?? []);

    const sections: Node[] = [];
    if (course.description) sections.push(h("p", { class: "lead course-lead" }, course.description));

    if (!staff) {
      if (progress) {
        sections.push(
          h(
            "section",
            { class: "card", "aria-labelledby": "progress-heading" },
            h("h2", { id: "progress-heading" }, ja.course.progressHeading),
            progressBar(progress.percent, ja.course.progress(progress.completedLessons, progress.totalLessons, progress.percent)),
          ),
        );
      } else {
        const report = createAlert();
        const enrol = actionButton(
          ja.course.enrol,
          async () => {
            await api.enrol(courseId, { signal: ctx.signal });
            deps.announcer.announce(ja.course.enrolled);
            await reload();
          },
          (message) => report.show(message),
          ctx.signal,
          "button button-primary",
        );
        sections.push(h("section", { class: "card" }, h("p", null, ja.course.notEnrolled), report.element, enrol));
      }
    }

    // ---- lessons ----
    const lessonItems = outline.lessons.map((lesson, index) => {
      const complete = done.has(lesson.lessonId);
      const canOpen = staff || progress !== null;
      const title = canOpen ? h("a", { href: lessonPath(courseId, lesson.lessonId) }, lesson.title) : h("span", null, lesson.title);
      const item = h(
        "li",
        { class: "lesson-item", "data-lesson-id": lesson.lessonId },
        h("span", { class: "lesson-number", "aria-hidden": "true" }, String(index + 1)),
        h("span", { class: "lesson-title" }, title),
        progress
          ? h("span", { class: `badge ${complete ? "badge-done" : "badge-todo"}` }, complete ? ja.course.done : ja.course.notDone)
          : null,
      );
      if (staff) item.append(reorderButtons(ctx, deps, outline, index, reload));
      return item;
    });
    sections.push(
      h(
        "section",
        { class: "card", "aria-labelledby": "lessons-heading" },
        h("h2", { id: "lessons-heading" }, ja.course.lessons),
        lessonItems.length ? h("ol", { class: "lesson-list" }, ...lessonItems) : h("p", { class: "empty" }, ja.course.noLessons),
      ),
    );

    // ---- assignments ----
    if (staff || progress) {
      // A learner sees the state of their own submission beside each assignment (mySubmission).
      const assignmentItem = (a: Assignment): HTMLLIElement =>
        h(
          "li",
          { "data-assignment-id": a.assignmentId },
          h("a", { href: assignmentPath(courseId, a.assignmentId) }, a.title),
          h("span", { class: "meta" }, ` ${ja.course.due}: `, timeEl(a.dueAt), " "),
          "mySubmission" in a ? mySubmissionBadge(a.mySubmission) : null,
        );
      const list = h("ul", { class: "assignment-list" }, ...assignments.items.map(assignmentItem));
      const more = loadMore(
        assignments.nextCursor,
        (cursor) => api.listAssignments(courseId, { cursor }, { signal: ctx.signal }),
        (items) => list.append(...items.map(assignmentItem)),
      );
      sections.push(
        h(
          "section",
          { class: "card", "aria-labelledby": "assignments-heading" },
          h("h2", { id: "assignments-heading" }, ja.course.assignments),
          assignments.items.length ? list : h("p", { class: "empty" }, ja.course.noAssignments),
          more,
        ),
      );
    }

    if (staff) sections.push(teacherPanel(ctx, deps, data, reload));
    return h("div", { class: "stack-lg" }, ...sections);
  };

  const region = asyncRegion(ctx.signal, load, render, { label: ja.course.loadError });
  const element = h(
    "div",
    { class: "page" },
    h("p", { class: "breadcrumb" }, h("a", { href: "/courses" }, ja.course.back)),
    h("div", { class: "page-header course-header" }, heading, statusBadge),
    region.element,
  );
  return { title: ja.course.lessons, element, focusTarget: heading };
}

function reorderButtons(ctx: RouteContext, deps: CourseDeps, outline: Outline, index: number, reload: () => Promise<void>): HTMLElement {
  const ids = outline.lessons.map((l) => l.lessonId);
  const title = outline.lessons[index]?.title ?? "";
  const report = (message: string | null): void => {
    if (message) deps.announcer.announce(message);
  };
  const move = (delta: number) => async (): Promise<void> => {
    const order = [...ids];
    const [moved] = order.splice(index, 1);
    if (moved === undefined) return;
    order.splice(index + delta, 0, moved);
    try {
      await deps.api.reorderLessons(outline.courseId, order, outline.version, { signal: ctx.signal });
      deps.announcer.announce(ja.course.reordered);
    } finally {
      await reload(); // stale or not, show the stored order
      // Keyboard users stay on the lesson they moved.
      const item = document.querySelector(`[data-lesson-id="${CSS.escape(moved)}"]`);
      const target = item?.querySelector<HTMLButtonElement>(".reorder button") ?? item?.querySelector("a");
      if (target instanceof HTMLElement) target.focus();
    }
  };
  const group = h("span", { class: "reorder" });
  // 削除: after a confirmation, at the order's version (progress counts the remaining lessons).
  const remove = async (): Promise<void> => {
    if (!window.confirm(ja.course.confirmDeleteLesson(title))) return;
    const lessonId = ids[index] ?? "";
    try {
      await deps.api.deleteLesson(outline.courseId, lessonId, outline.version, { signal: ctx.signal });
      deps.announcer.announce(ja.course.lessonDeleted);
    } finally {
      await reload();
    }
  };
  group.append(actionButton(ja.course.deleteLesson, remove, report, ctx.signal, "button button-small button-danger", { "aria-label": ja.course.deleteLessonOf(title), "data-testid": "delete-lesson" }));
  if (index > 0) group.append(actionButton(ja.course.up, move(-1), report, ctx.signal, "button button-small", { "aria-label": ja.course.moveUp(title) }));
  if (index < ids.length - 1)
    group.append(actionButton(ja.course.down, move(1), report, ctx.signal, "button button-small", { "aria-label": ja.course.moveDown(title) }));
  return group;
}

/** Editor of the course's teacher: details, publish/archive, new lesson, new assignment. */
function teacherPanel(ctx: RouteContext, deps: CourseDeps, data: CourseData, reload: () => Promise<void>): HTMLElement {
  const { api } = deps;
  const { course } = data;
  const courseId = course.courseId;

  // details
  const title = createField({ name: "title", label: ja.createCourse.fieldTitle, required: true, maxLength: 120, autocomplete: "off" });
  const description = createField({ name: "description", label: ja.createCourse.fieldDescription, multiline: true, maxLength: 2000, rows: 3, autocomplete: "off" });
  title.setValue(course.title);
  description.setValue(course.description);
  const details = apiForm({
    fields: new Map([
      ["title", { field: title, label: ja.createCourse.fieldTitle, max: 120 }],
      ["description", { field: description, label: ja.createCourse.fieldDescription, max: 2000 }],
    ]),
    submitLabel: ja.course.save,
    signal: ctx.signal,
    validate: () => {
      const empty = title.value.trim() === "";
      title.setError(empty ? ja.fieldRules.required(ja.createCourse.fieldTitle) : null);
      if (empty) title.focus();
      return !empty;
    },
    submit: async () => {
      try {
        await api.updateCourse(courseId, { title: title.value.trim(), description: description.value.trim(), version: course.version }, { signal: ctx.signal });
      } catch (err) {
        if (err instanceof ApiError && err.status === 409) {
          window.setTimeout(reload, 1500);
        }
        throw err;
      }
      deps.announcer.announce(ja.course.saved);
      reload();
    },
  });

  const transitionAlert = createAlert();
  const transitions = h("div", { class: "form-actions" });
  const transition = (action: "publish" | "archive", label: string, done: string): HTMLButtonElement =>
    actionButton(
      label,
      async () => {
        await api.transitionCourse(courseId, action, course.version, { signal: ctx.signal });
        deps.announcer.announce(done);
        reload();
      },
      (message) => transitionAlert.show(message),
      ctx.signal,
    );
  if (course.status === "draft") transitions.append(transition("publish", ja.course.publish, ja.course.published));
  if (course.status === "published") transitions.append(transition("archive", ja.course.archive, ja.course.archived));

  // new lesson
  const lessonTitle = createField({ name: "lessonTitle", label: ja.course.lessonTitle, required: true, maxLength: 120, autocomplete: "off" });
  const lessonBody = createField({ name: "body", label: ja.course.lessonBody, multiline: true, maxLength: 20000, rows: 6, autocomplete: "off" });
  const lessonForm = apiForm({
    fields: new Map([
      ["title", { field: lessonTitle, label: ja.course.lessonTitle, max: 120 }],
      ["body", { field: lessonBody, label: ja.course.lessonBody, max: 20000 }],
    ]),
    submitLabel: ja.course.addLesson,
    signal: ctx.signal,
    validate: () => requireText(lessonTitle, ja.course.lessonTitle),
    submit: async () => {
      await api.createLesson(courseId, { title: lessonTitle.value.trim(), body: lessonBody.value }, { signal: ctx.signal });
      deps.announcer.announce(ja.course.lessonAdded);
      reload();
    },
  });

  // new assignment
  const asgTitle = createField({ name: "asgTitle", label: ja.course.assignmentTitle, required: true, maxLength: 120, autocomplete: "off" });
  const instructions = createField({ name: "instructions", label: ja.course.instructions, multiline: true, maxLength: 10000, rows: 4, autocomplete: "off" });
  const due = plainField("dueAt", ja.course.dueDate, h("input", { type: "datetime-local", required: true }));
  const asgForm = apiForm({
    fields: new Map([
      ["title", { field: asgTitle, label: ja.course.assignmentTitle, max: 120 }],
      ["instructions", { field: instructions, label: ja.course.instructions, max: 10000 }],
      ["dueAt", { field: due, label: ja.course.dueDate }],
    ]),
    submitLabel: ja.course.addAssignment,
    signal: ctx.signal,
    validate: () => {
      const ok = requireText(asgTitle, ja.course.assignmentTitle);
      const dueOk = due.value !== "";
      due.setError(dueOk ? null : ja.fieldRules.required(ja.course.dueDate));
      if (ok && !dueOk) due.focus();
      return ok && dueOk;
    },
    submit: async () => {
      await api.createAssignment(
        courseId,
        { title: asgTitle.value.trim(), instructions: instructions.value, dueAt: localToIso(due.value) },
        { signal: ctx.signal },
      );
      deps.announcer.announce(ja.course.assignmentAdded);
      reload();
    },
  });

  return h(
    "section",
    { class: "card teacher-panel", "aria-labelledby": "edit-heading" },
    h("h2", { id: "edit-heading" }, ja.course.edit),
    h("p", null, h("a", { href: learnersPath(courseId) }, ja.course.learners)),
    transitionAlert.element,
    transitions,
    details.element,
    h("h3", null, ja.course.addLesson),
    lessonForm.element,
    h("h3", null, ja.course.addAssignment),
    asgForm.element,
  );
}

function requireText(field: { value: string; setError(m: string | null): void; focus(): void }, label: string): boolean {
  const empty = field.value.trim() === "";
  field.setError(empty ? ja.fieldRules.required(label) : charCount(field.value) > 120 ? ja.fieldRules.tooLong(label, 120) : null);
  if (empty) field.focus();
  return !empty;
}

/** "2026-12-01T23:59" (the browser's local time) → RFC 3339 with the local offset. */
export function localToIso(local: string): string {
  const date = new Date(local);
  if (Number.isNaN(date.getTime())) return local;
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const pad = (n: number): string => String(Math.floor(Math.abs(n))).padStart(2, "0");
  const base = `${local.length === 16 ? `${local}:00` : local}`;
  return `${base}${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

export { formatDateTime, replaceChildren };
