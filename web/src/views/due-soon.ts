import type { ApiClient } from "../api/client";
import type { Assignment, MyCourse } from "../api/types";
import { ja } from "../i18n/ja";
import { asyncRegion, timeEl } from "../ui/async";
import { h } from "../ui/dom";

export type DueSoonApi = Pick<ApiClient, "listMyEnrolments" | "listAssignments">;

/** 期限が近い課題: open assignments due within this many days… */
export const DUE_SOON_DAYS = 14;
/** …at most this many, soonest first. */
export const DUE_SOON_MAX = 10;
const DAY_MS = 24 * 60 * 60 * 1000;

const t = ja.dueSoon;

export interface DueItem {
  readonly course: MyCourse;
  readonly assignment: Assignment;
}

/** The learner's own submission state as the list shows it: a label and a CSS modifier. */
export function mySubmissionState(summary: Assignment["mySubmission"]): { label: string; state: string } {
  if (!summary) return { label: t.state.none, state: "none" };
  if (summary.status === "CLEAN") {
    return summary.grade === null ? { label: t.state.waiting, state: "waiting" } : { label: t.graded(summary.grade), state: "graded" };
  }
  return { label: t.state[summary.status], state: summary.status.toLowerCase() };
}

/** A badge with the learner's own submission state (course page, home). */
export function mySubmissionBadge(summary: Assignment["mySubmission"]): HTMLElement {
  const { label, state } = mySubmissionState(summary);
  return h("span", { class: `badge badge-submission badge-submission-${state}`, "data-submission-state": state }, label);
}

/** The assignments of the learner's published courses due from `now` to DUE_SOON_DAYS later,
 * soonest first (the first page of each course's assignments, which carries mySubmission). */
export async function dueSoon(api: DueSoonApi, signal: AbortSignal, now: number = Date.now()): Promise<DueItem[]> {
  const mine = await api.listMyEnrolments({}, { signal });
  const courses = mine.items.filter((c) => c.courseStatus === "published");
  const pages = await Promise.all(
    courses.map(async (course) => (await api.listAssignments(course.courseId, {}, { signal })).items.map((assignment) => ({ course, assignment }))),
  );
  const until = now + DUE_SOON_DAYS * DAY_MS;
  return pages
    .flat()
    .filter(({ assignment }) => {
      const due = Date.parse(assignment.dueAt);
      return due >= now && due <= until;
    })
    .sort((a, b) => Date.parse(a.assignment.dueAt) - Date.parse(b.assignment.dueAt))
    .slice(0, DUE_SOON_MAX);
}

function dueItem({ course, assignment }: DueItem): HTMLLIElement {
  const href = `/courses/${encodeURIComponent(course.courseId)}/assignments/${encodeURIComponent(assignment.assignmentId)}`;
  return h(
    "li",
    { class: "due-item", "data-assignment-id": assignment.assignmentId },
    h("a", { href }, assignment.title),
    h("span", { class: "meta" }, ` ${course.courseTitle}・${ja.course.due}: `, timeEl(assignment.dueAt), " "),
    mySubmissionBadge(assignment.mySubmission),
  );
}

/** A learner's home, second: 期限が近い課題 with the state of their own submission. */
export function dueSoonSection(signal: AbortSignal, api: DueSoonApi, now: () => number = Date.now): HTMLElement {
  const region = asyncRegion(
    signal,
    () => dueSoon(api, signal, now()),
    (items) =>
      items.length === 0
        ? h("p", { class: "empty" }, t.empty(DUE_SOON_DAYS))
        : h("ul", { class: "due-list", "data-testid": "due-soon" }, ...items.map(dueItem)),
    { label: t.loadError },
  );
  return h("section", { class: "due-soon", "aria-labelledby": "due-soon-heading" }, h("h2", { id: "due-soon-heading" }, t.heading), region.element);
}
