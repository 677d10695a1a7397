import type { ApiClient } from "../api/client";
import type { MyCourse } from "../api/types";
import { ja } from "../i18n/ja";
import { asyncRegion, progressBar } from "../ui/async";
import { h } from "../ui/dom";
import { loadMore } from "../ui/more";

export type HomeApi = Pick<ApiClient, "listMyEnrolments">;

const t = ja.home;

function myCourseItem(row: MyCourse): HTMLLIElement {
  const base = `/courses/${encodeURIComponent(row.courseId)}`;
  const p = row.progress;
  return h(
    "li",
    { class: "course", "data-course-id": row.courseId },
    h(
      "div",
      { class: "course-head" },
      h("h3", { class: "course-title" }, h("a", { href: base }, row.courseTitle)),
      row.courseStatus === "archived" ? h("span", { class: "status status-archived" }, t.archived) : null,
    ),
    progressBar(p.percent, ja.course.progress(p.completedLessons, p.totalLessons, p.percent)),
    row.nextLessonId
      ? h("p", null, h("a", { href: `${base}/lessons/${encodeURIComponent(row.nextLessonId)}` }, t.next))
      : h("p", { class: "course-meta" }, t.finished),
  );
}

/** A learner's home, first: 受講中のコース with their progress, the course's current title and
 * status, and the next lesson to read; もっと見る for further pages. */
export function myCoursesSection(signal: AbortSignal, api: HomeApi): HTMLElement {
  const region = asyncRegion(
    signal,
    () => api.listMyEnrolments({}, { signal }),
    (page) => {
      if (page.items.length === 0) return h("p", { class: "empty" }, t.empty);
      const list = h("ul", { class: "course-list", "data-testid": "my-courses" }, ...page.items.map(myCourseItem));
      const more = loadMore(
        page.nextCursor,
        (cursor) => api.listMyEnrolments({ cursor }, { signal }),
        (items) => list.append(...items.map(myCourseItem)),
      );
      return h("div", null, list, more);
    },
    { label: t.loadError },
  );
  return h("section", { class: "my-courses", "aria-labelledby": "my-courses-heading" }, h("h2", { id: "my-courses-heading" }, t.heading), region.element);
}
