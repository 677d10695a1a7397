import { ApiError } from "../api/client";
import type { Assignment, Submission } from "../api/types";
import { ja } from "../i18n/ja";
import type { RouteContext, View } from "../router";
import { apiForm, plainField } from "../ui/action";
import { asyncRegion, timeEl } from "../ui/async";
import { h } from "../ui/dom";
import { createField } from "../ui/form";
import { coursePath, isStaff, type CourseDeps } from "./course";

export function scanLabel(status: string): string {
  return ja.assignment.scan[status] ?? status;
}

export function scanBadge(status: string): HTMLElement {
  return h("span", { class: `badge scan scan-${status.toLowerCase()}`, "data-scan-status": status }, scanLabel(status));
}

interface AssignmentData {
  assignment: Assignment;
  mine: Submission | null;
  all: readonly Submission[];
}

/** 課題: instructions and due date; the learner's submission, grade and feedback; the teacher grades. */
export function assignmentView(ctx: RouteContext, deps: CourseDeps): View {
  const courseId = ctx.params["courseId"] ?? "";
  const assignmentId = ctx.params["assignmentId"] ?? "";
  const staff = isStaff(deps.user);
  const heading = h("h1", null, ja.loading);
  const { api } = deps;

  const load = async (): Promise<AssignmentData> => {
    const opts = { signal: ctx.signal };
    const assignment = await api.getAssignment(courseId, assignmentId, opts);
    let mine: Submission | null = null;
    let all: readonly Submission[] = [];
    if (staff) all = (await api.listSubmissions(courseId, assignmentId, opts)).items;
    else {
      try {
        mine = await api.getMySubmission(courseId, assignmentId, opts);
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 404)) throw err;
      }
    }
    return { assignment, mine, all };
  };

  const render = (data: AssignmentData, reload: () => void): Node => {
    const { assignment, mine, all } = data;
    heading.textContent = assignment.title;
    document.title = `${assignment.title} | ${ja.appName}`;
    const parts: Node[] = [
      h(
        "section",
        { class: "card", "aria-labelledby": "instructions-heading" },
        h("h2", { id: "instructions-heading" }, ja.assignment.instructions),
        h("p", { class: "pre-wrap" }, assignment.instructions),
        h("p", { class: "meta" }, `${ja.assignment.due}: `, timeEl(assignment.dueAt)),
      ),
    ];
    if (!staff) parts.push(mySubmission(mine));
    else parts.push(submissionsTable(ctx, deps, all, reload));
    return h("div", { class: "stack-lg" }, ...parts);
  };

  const region = asyncRegion(ctx.signal, load, render, { label: ja.assignment.loadError });
  const element = h(
    "div",
    { class: "page" },
    h("p", { class: "breadcrumb" }, h("a", { href: coursePath(courseId) }, ja.lesson.backToCourse)),
    h("div", { class: "page-header" }, heading),
    region.element,
  );
  return { title: ja.course.assignments, element, focusTarget: heading };
}

function mySubmission(mine: Submission | null): HTMLElement {
  const a = ja.assignment;
  const section = h("section", { class: "card", "aria-labelledby": "my-submission-heading" }, h("h2", { id: "my-submission-heading" }, a.mySubmission));
  if (!mine) {
    section.append(h("p", { class: "empty" }, a.notSubmitted), h("p", { class: "meta" }, a.uploadLater));
    return section;
  }
  section.append(
    h(
      "dl",
      { class: "facts" },
      h("dt", null, a.fileName),
      h("dd", null, mine.fileName),
      h("dt", null, a.status),
      h("dd", null, scanBadge(mine.status)),
      h("dt", null, a.attempt),
      h("dd", null, String(mine.attempt)),
      h("dt", null, a.submittedAt),
      h("dd", null, timeEl(mine.submittedAt)),
      h("dt", null, a.grade),
      h("dd", { "data-testid": "grade" }, mine.grade === null ? a.notGraded : `${mine.grade} / 100`),
      h("dt", null, a.feedback),
      h("dd", { class: "pre-wrap", "data-testid": "feedback" }, mine.feedback ?? "—"),
    ),
    h("p", { class: "meta" }, a.uploadLater),
  );
  return section;
}

function submissionsTable(ctx: RouteContext, deps: CourseDeps, all: readonly Submission[], reload: () => void): HTMLElement {
  const a = ja.assignment;
  const section = h("section", { class: "card", "aria-labelledby": "submissions-heading" }, h("h2", { id: "submissions-heading" }, a.submissions));
  if (all.length === 0) {
    section.append(h("p", { class: "empty" }, a.noSubmissions));
    return section;
  }
  const rows = all.map((s) => {
    const learner = s.learnerId;
    let gradeCell: Node;
    if (s.status === "CLEAN") {
      const grade = plainField("grade", a.gradeLabel(learner), h("input", { type: "number", min: 0, max: 100, step: 1, inputmode: "numeric" }));
      const feedback = createField({ name: "feedback", label: a.feedbackLabel(learner), multiline: true, maxLength: 5000, rows: 3 });
      if (s.grade !== null) grade.setValue(String(s.grade));
      feedback.setValue(s.feedback ?? "");
      gradeCell = apiForm({
        fields: new Map([
          ["grade", { field: grade, label: a.grade }],
          ["feedback", { field: feedback, label: a.feedback, max: 5000 }],
        ]),
        submitLabel: a.saveGrade,
        signal: ctx.signal,
        validate: () => {
          const n = Number(grade.value);
          const ok = grade.value !== "" && Number.isInteger(n) && n >= 0 && n <= 100;
          grade.setError(ok ? null : a.gradeRange);
          if (!ok) grade.focus();
          return ok;
        },
        submit: async () => {
          await deps.api.gradeSubmission(s.courseId, s.assignmentId, s.learnerId, { grade: Number(grade.value), feedback: feedback.value, version: s.version }, { signal: ctx.signal });
          deps.announcer.announce(a.graded);
          reload();
        },
      }).element;
    } else {
      gradeCell = h("span", { class: "meta" }, a.onlyClean);
    }
    return h(
      "tr",
      null,
      h("th", { scope: "row" }, learner),
      h("td", null, s.fileName),
      h("td", null, scanBadge(s.status)),
      h("td", null, timeEl(s.submittedAt)),
      h("td", null, gradeCell),
    );
  });
  section.append(
    h(
      "div",
      { class: "table-wrap", tabindex: 0, role: "region", "aria-labelledby": "submissions-heading" },
      h(
        "table",
        null,
        h("thead", null, h("tr", null, ...[a.learner, a.fileName, a.status, a.submittedAt, a.grade].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", null, ...rows),
      ),
    ),
  );
  return section;
}

export { coursePath };
