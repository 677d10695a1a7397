import type { NamedProgress } from "../api/types";
import type { Course, Outline, Page } from "../api/types";
import { apiErrorMessage } from "../i18n/errors";
import { ja } from "../i18n/ja";
import type { RouteContext, View } from "../router";
import { asyncRegion, progressBar } from "../ui/async";
import { h } from "../ui/dom";
import { downloadText, loadMore } from "../ui/more";
import { coursePath, type CourseDeps } from "./course";

/** 受講者と進捗: the course's learners by name and e-mail, their progress (the course's teacher),
 * further pages with もっと見る, and the grades as CSV. */
export function learnersView(ctx: RouteContext, deps: CourseDeps): View {
  const courseId = ctx.params["courseId"] ?? "";
  const heading = h("h1", null, ja.learners.title);
  const l = ja.learners;

  const load = async (): Promise<{ course: Course; page: Page<NamedProgress>; outline: Outline }> => {
    const opts = { signal: ctx.signal };
    const [course, page, outline] = await Promise.all([
      deps.api.getCourse(courseId, opts),
      deps.api.listCourseEnrolments(courseId, {}, opts),
      deps.api.listLessons(courseId, opts),
    ]);
    return { course, page, outline };
  };

  const row = (p: NamedProgress): HTMLElement =>
    h(
      "tr",
      null,
      h("th", { scope: "row" }, p.learnerName || l.unnamed),
      h("td", null, p.learnerEmail),
      h("td", null, `${p.completedLessons} / ${p.totalLessons}`),
      h("td", null, progressBar(p.percent, `${p.percent}%`)),
    );

  const exportStatus = h("p", { class: "list-status", role: "status" });
  const exportButton = h("button", { type: "button", class: "button button-secondary", "data-testid": "export-grades" }, l.exportGrades);
  exportButton.addEventListener("click", () => {
    exportButton.disabled = true;
    exportStatus.textContent = l.exporting;
    deps.api.exportGrades(courseId, { signal: ctx.signal }).then(
      (text) => {
        downloadText(text, `grades-${courseId}.csv`, "text/csv;charset=utf-8");
        exportStatus.textContent = "";
        exportButton.disabled = false;
      },
      (err: unknown) => {
        exportStatus.textContent = `${l.exportError}${apiErrorMessage(err)}`;
        exportButton.disabled = false;
      },
    );
  });

  const render = ({ course, page }: { course: Course; page: Page<NamedProgress> }): Node => {
    const caption = h("p", { class: "lead" }, course.title);
    const actions = h("div", { class: "actions" }, exportButton, exportStatus);
    if (page.items.length === 0) return h("div", null, caption, actions, h("p", { class: "empty" }, l.empty));
    const body = h("tbody", null, ...page.items.map(row));
    const more = loadMore(
      page.nextCursor,
      (cursor) => deps.api.listCourseEnrolments(courseId, { cursor }, { signal: ctx.signal }),
      (items) => body.append(...items.map(row)),
    );
    const col = (text: string) => h("th", { scope: "col" }, text);
    return h(
      "div",
      null,
      caption,
      actions,
      h(
        "div",
        { class: "table-wrap", tabindex: 0, role: "region", "aria-label": l.title },
        h(
          "table",
          { "data-testid": "learners-table" },
          h("thead", null, h("tr", null, col(l.name), col(l.email), col(l.completed), col(l.percent))),
          body,
        ),
      ),
      more,
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
