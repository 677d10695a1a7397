import { ApiError } from "../api/client";
import type { NamedSubmission } from "../api/types";
import type { Assignment, Submission } from "../api/types";
import { ja } from "../i18n/ja";
import type { RouteContext, View } from "../router";
import { apiForm, plainField } from "../ui/action";
import { actionButton } from "../ui/action";
import { asyncRegion, progressBar, timeEl } from "../ui/async";
import { ALLOWED_TYPES, MAX_UPLOAD_BYTES, UploadError, contentTypeOf, postToStorage } from "../api/upload";
import { h } from "../ui/dom";
import { createField } from "../ui/form";
import { loadMore } from "../ui/more";
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
  all: readonly NamedSubmission[];
  next: string | null;
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
    let all: readonly NamedSubmission[] = [];
    let next: string | null = null;
    if (staff) ({ items: all, nextCursor: next } = await api.listSubmissions(courseId, assignmentId, {}, opts));
    else {
      try {
        mine = await api.getMySubmission(courseId, assignmentId, opts);
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 404)) throw err;
      }
    }
    return { assignment, mine, all, next };
  };

  const render = (data: AssignmentData, reload: () => Promise<void>): Node => {
    const { assignment, mine, all, next } = data;
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
    if (!staff) parts.push(mySubmission(ctx, deps, assignment, mine));
    else parts.push(editAssignment(ctx, deps, assignment, reload), submissionsTable(ctx, deps, all, next, reload));
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

const TERMINAL = new Set(["CLEAN", "INFECTED", "ERROR"]);
const POLL_MS = 1500;

/** The learner's submission: status (検査中 / 安全 / 危険 / エラー), grade, feedback, and the upload form. */
function mySubmission(ctx: RouteContext, deps: CourseDeps, assignment: Assignment, initial: Submission | null): HTMLElement {
  const a = ja.assignment;
  const { courseId, assignmentId } = assignment;
  const facts = h("div", { "data-testid": "my-submission" });
  const live = h("p", { class: "form-status", role: "status", "aria-live": "polite" });
  let polling = false;

  const show = (mine: Submission | null): void => {
    if (!mine) {
      facts.replaceChildren(h("p", { class: "empty" }, a.notSubmitted));
      return;
    }
    const help = mine.status === "INFECTED" ? a.infectedHelp : mine.status === "ERROR" ? a.errorHelp : null;
    facts.replaceChildren(
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
      ...(help ? [h("p", { class: "alert alert-error" }, help)] : []),
    );
  };

  const poll = (): void => {
    if (polling) return;
    polling = true;
    const tick = async (): Promise<void> => {
      if (ctx.signal.aborted) return;
      try {
        const mine = await deps.api.getMySubmission(courseId, assignmentId, { signal: ctx.signal });
        show(mine);
        if (TERMINAL.has(mine.status)) {
          polling = false;
          live.textContent = a.scanDone(scanLabel(mine.status));
          return;
        }
      } catch {
        if (ctx.signal.aborted) return;
      }
      window.setTimeout(() => void tick(), POLL_MS);
    };
    window.setTimeout(() => void tick(), POLL_MS);
  };

  show(initial);
  if (initial && !TERMINAL.has(initial.status)) poll();

  const section = h(
    "section",
    { class: "card", "aria-labelledby": "my-submission-heading" },
    h("h2", { id: "my-submission-heading" }, a.mySubmission),
    facts,
    live,
  );
  if (new Date(assignment.dueAt).getTime() < Date.now()) {
    section.append(h("p", { class: "meta" }, a.pastDue));
  } else {
    section.append(uploadForm(ctx, deps, assignment, initial !== null, (sub) => {
      show(sub);
      live.textContent = a.submitted;
      poll();
    }));
  }
  return section;
}

function uploadForm(
  ctx: RouteContext,
  deps: CourseDeps,
  assignment: Assignment,
  resubmit: boolean,
  onSubmitted: (submission: Submission) => void,
): HTMLElement {
  const a = ja.assignment;
  const input = h("input", { type: "file", accept: Object.keys(ALLOWED_TYPES).map((e) => `.${e}`).join(",") });
  const field = plainField("file", a.file, input);
  field.element.insertBefore(h("p", { class: "field-hint meta" }, a.fileHint), input);
  const progressHolder = h("div", { class: "upload-progress", hidden: true });
  const heading = h("h3", null, resubmit ? a.resubmitHeading : a.uploadHeading);
  const setProgress = (fraction: number): void => {
    const percent = Math.round(fraction * 100);
    progressHolder.hidden = false;
    progressHolder.replaceChildren(progressBar(percent, a.uploading(percent)));
  };
  const form = apiForm({
    fields: new Map([
      ["file", { field, label: a.file }],
      ["fileName", { field, label: a.file }],
      ["contentType", { field, label: a.file }],
      ["sizeBytes", { field, label: a.file }],
    ]),
    submitLabel: a.submit,
    signal: ctx.signal,
    extra: [progressHolder],
    messageFor: (error) =>
      error.field === "sizeBytes" ? a.tooLarge : error.field === "contentType" ? a.badType : null,
    validate: () => {
      const file = input.files?.[0];
      const error = !file
        ? a.chooseFile
        : file.size > MAX_UPLOAD_BYTES
          ? a.tooLarge
          : contentTypeOf(file) === null
            ? a.badType
            : null;
      field.setError(error);
      if (error) field.focus();
      return error === null;
    },
    submit: async () => {
      const file = input.files?.[0];
      const contentType = file ? contentTypeOf(file) : null;
      if (!file || !contentType) return;
      const meta = { fileName: file.name, contentType, sizeBytes: file.size };
      const { courseId, assignmentId } = assignment;
      const ticket = await deps.api.createUpload(courseId, assignmentId, meta, { signal: ctx.signal });
      setProgress(0);
      try {
        await postToStorage(ticket, file, contentType, setProgress, ctx.signal);
      } catch (err) {
        progressHolder.hidden = true;
        if (err instanceof UploadError) throw new UploadFailed();
        throw err;
      }
      const submission = await deps.api.submit(courseId, assignmentId, { ...meta, uploadId: ticket.uploadId }, { signal: ctx.signal });
      input.value = "";
      progressHolder.hidden = true;
      heading.textContent = a.resubmitHeading;
      onSubmitted(submission);
    },
  });
  return h("div", { class: "upload" }, heading, form.element);
}

/** The storage refused the file: shown as the Japanese upload message. */
class UploadFailed extends Error {
  override readonly name = "UploadFailed";
}

/** The teacher edits the title, instructions and due date (at the version read) or deletes the
 * assignment after a confirmation; its submissions' files are kept, no longer served. */
function editAssignment(ctx: RouteContext, deps: CourseDeps, assignment: Assignment, reload: () => Promise<void>): HTMLElement {
  const e = ja.assignmentEdit;
  const title = createField({ name: "title", label: e.title, required: true, maxLength: 120 });
  const instructions = createField({ name: "instructions", label: e.instructions, multiline: true, maxLength: 10000, rows: 4 });
  const due = plainField("dueAt", e.dueAt, h("input", { type: "datetime-local", required: true }));
  title.setValue(assignment.title);
  instructions.setValue(assignment.instructions);
  due.setValue(toLocalInput(assignment.dueAt));
  const form = apiForm({
    fields: new Map([
      ["title", { field: title, label: e.title, max: 120 }],
      ["instructions", { field: instructions, label: e.instructions, max: 10000 }],
      ["dueAt", { field: due, label: e.dueAt }],
    ]),
    submitLabel: e.save,
    signal: ctx.signal,
    validate: () => {
      const ok = title.value.trim() !== "" && due.value !== "";
      title.setError(title.value.trim() ? null : e.titleRequired);
      due.setError(due.value ? null : e.dueRequired);
      return ok;
    },
    submit: async () => {
      const update = { title: title.value, instructions: instructions.value, dueAt: new Date(due.value).toISOString(), version: assignment.version };
      await deps.api.updateAssignment(assignment.courseId, assignment.assignmentId, update, { signal: ctx.signal });
      deps.announcer.announce(e.saved);
      void reload();
    },
  });
  const remove = actionButton(
    e.delete,
    async () => {
      if (!window.confirm(e.confirmDelete(assignment.title))) return;
      await deps.api.deleteAssignment(assignment.courseId, assignment.assignmentId, assignment.version, { signal: ctx.signal });
      deps.announcer.announce(e.deleted);
      window.history.pushState(null, "", coursePath(assignment.courseId));
      window.dispatchEvent(new PopStateEvent("popstate"));
    },
    (message) => {
      if (message) deps.announcer.announce(message);
    },
    ctx.signal,
    "button button-danger",
    { "data-testid": "delete-assignment" },
  );
  return h(
    "details",
    { class: "card" },
    h("summary", null, e.heading),
    form.element,
    h("div", { class: "actions" }, remove),
  );
}

/** An instant as the value of a datetime-local input, in the browser's time zone. */
function toLocalInput(instant: string): string {
  const d = new Date(instant);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function submissionsTable(ctx: RouteContext, deps: CourseDeps, all: readonly NamedSubmission[], next: string | null, reload: () => Promise<void>): HTMLElement {
  const a = ja.assignment;
  const section = h("section", { class: "card", "aria-labelledby": "submissions-heading" }, h("h2", { id: "submissions-heading" }, a.submissions));
  if (all.length === 0) {
    section.append(h("p", { class: "empty" }, a.noSubmissions));
    return section;
  }
  const rowOf = (s: NamedSubmission): HTMLElement => {
    const learner = s.learnerName || s.learnerEmail || s.learnerId;
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
    const download =
      s.status === "CLEAN"
        ? actionButton(
            a.download,
            async () => {
              const link = await deps.api.downloadLink(s.courseId, s.assignmentId, s.learnerId, { signal: ctx.signal });
              window.location.assign(link.url);
            },
            (message) => {
              if (message) deps.announcer.announce(message);
            },
            ctx.signal,
            "button button-small",
            { "aria-label": a.downloadOf(learner) },
          )
        : null;
    return h(
      "tr",
      null,
      h("th", { scope: "row" }, s.learnerName || ja.learners.unnamed, h("div", { class: "meta" }, s.learnerEmail)),
      h("td", null, s.fileName, download ? h("div", null, download) : null),
      h("td", null, scanBadge(s.status)),
      h("td", null, timeEl(s.submittedAt)),
      h("td", null, gradeCell),
    );
  };
  const body = h("tbody", null, ...all.map(rowOf));
  const first = all[0];
  const more = first
    ? loadMore(
        next,
        (cursor) => deps.api.listSubmissions(first.courseId, first.assignmentId, { cursor }, { signal: ctx.signal }),
        (items) => body.append(...items.map(rowOf)),
      )
    : null;
  section.append(
    h(
      "div",
      { class: "table-wrap", tabindex: 0, role: "region", "aria-labelledby": "submissions-heading" },
      h(
        "table",
        null,
        h("thead", null, h("tr", null, ...[a.learner, a.fileName, a.status, a.submittedAt, a.grade].map((t) => h("th", { scope: "col" }, t)))),
        body,
      ),
    ),
    ...(more ? [more] : []),
  );
  return section;
}

export { coursePath };
