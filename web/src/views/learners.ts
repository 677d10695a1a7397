import type { Course, Outline, Page, Progress } from "../api/types";
import { ja } from "../i18n/ja";
import type { RouteContext, View } from "../router";
import { asyncRegion, progressBar } from "../ui/async";
import { h } from "../ui/dom";
import { coursePath, type CourseDeps } from "./course";

/** 受講者と進捗: the course's learners and their progress (the course's teacher). */
export function learnersView(ctx: RouteContext, deps: CourseDeps): View {
  const courseId = ctx.params["courseId"] ?? "";
  const heading = h("h1", null, ja.learners.title);
  const l = ja.learners;

  const load = async (): Promise<{ course: Course; page: Page<Progress>; outline: Outline }> => {
    const opts = { signal: ctx.signal };
    const [course, page, outline] = await Promise.all([
      deps.api.getCourse(courseId, opts),
      deps.api.listCourseEnrolments(courseId, {}, opts),
      deps.api.listLessons(courseId, opts),
    ]);
    return { course, page, outline };
  };

  const render = ({ course, page }: { course: Course; page: Page<Progress> }): Node => {
    const caption = h("p", { class: "lead" }, course.title);
    if (page.items.length === 0) return h("div", null, caption, h("p", { class: "empty" }, l.empty));
    return h(
      "div",
      null,
      caption,
      h(
        "div",
        { class: "table-wrap", tabindex: 0, role: "region", "aria-label": l.title },
        h(
          "table",
          { "data-testid": "learners-table" },
          h("thead", null, h("tr", null, h("th", { scope: "col" }, l.learner), h("th", { scope: "col" }, l.completed), h("th", { scope: "col" }, l.percent))),
          h(
            "tbody",
            null,
            ...page.items.map((p) =>
              h(
                "tr",
                null,
                h("th", { scope: "row" }, p.learnerId),
                h("td", null, `${p.completedLessons} / ${p.totalLessons}`),
                h("td", null, progressBar(p.percent, `${p.percent}%`)),
              ),
            ),
          ),
        ),
      ),
    );
  };

  const region = asyncRegion(ctx.signal, load, render);
  const element = h(
    "div",
    { class: "page" },
    h("p", { class: "breadcrumb" }, h("a", { href: coursePath(courseId) }, ja.lesson.backToCourse)),
    h("div", { class: "page-header" }, heading),
    region.element,
  );
  return { title: l.title, element };
}
