import type { Lesson, Outline, Progress } from "../api/types";
import { ja } from "../i18n/ja";
import type { RouteContext, View } from "../router";
import { actionButton, apiForm } from "../ui/action";
import { asyncRegion, progressBar } from "../ui/async";
import { h } from "../ui/dom";
import { createAlert, createField } from "../ui/form";
import { renderMarkdown } from "../ui/markdown";
import { coursePath, isStaff, lessonPath, type CourseDeps } from "./course";

interface LessonData {
  lesson: Lesson;
  outline: Outline | null;
  progress: Progress | null;
}

/** レッスン: the Markdown body (sanitised), 完了にする for learners, the editor for the teacher. */
export function lessonView(ctx: RouteContext, deps: CourseDeps): View {
  const courseId = ctx.params["courseId"] ?? "";
  const lessonId = ctx.params["lessonId"] ?? "";
  const staff = isStaff(deps.user);
  const heading = h("h1", null, ja.loading);
  const { api } = deps;

  const load = async (): Promise<LessonData> => {
    const opts = { signal: ctx.signal };
    const [lesson, outline, progress] = await Promise.all([
      api.getLesson(courseId, lessonId, opts),
      api.listLessons(courseId, opts).catch(() => null),
      staff ? Promise.resolve(null) : api.getMyProgress(courseId, opts).catch(() => null),
    ]);
    return { lesson, outline, progress };
  };

  const render = (data: LessonData, reload: () => Promise<void>): Node => {
    const { lesson, outline, progress } = data;
    heading.textContent = lesson.title;
    document.title = `${lesson.title} | ${ja.appName}`;
    const body = h("div", { class: "markdown", "data-testid": "lesson-body" });
    body.append(renderMarkdown(lesson.body));

    const parts: Node[] = [h("article", { class: "card lesson-card", "aria-labelledby": "lesson-heading" }, body)];

    if (!staff && progress) {
      const done = progress.completedLessonIds.includes(lessonId);
      const alert = createAlert();
      const status = h("p", { class: "form-status", role: "status" }, done ? ja.lesson.completed : "");
      const bar = progressBar(progress.percent, ja.course.progress(progress.completedLessons, progress.totalLessons, progress.percent));
      const area = h("section", { class: "card", "aria-label": ja.course.progressHeading }, bar, alert.element, status);
      if (!done) {
        const button = actionButton(
          ja.lesson.complete,
          async () => {
            const next = await api.completeLesson(courseId, lessonId, { signal: ctx.signal });
            button.remove();
            bar.replaceWith(progressBar(next.percent, ja.course.progress(next.completedLessons, next.totalLessons, next.percent)));
            status.textContent = `${ja.lesson.markedComplete} ${ja.lesson.completed}`;
          },
          (message) => alert.show(message),
          ctx.signal,
          "button button-primary",
        );
        area.append(button);
      }
      parts.push(area);
    }

    // previous / next
    const lessons = outline?.lessons ?? [];
    const index = lessons.findIndex((l) => l.lessonId === lessonId);
    const prev = index > 0 ? lessons[index - 1] : undefined;
    const next = index >= 0 ? lessons[index + 1] : undefined;
    parts.push(
      h(
        "nav",
        { class: "pager", "aria-label": ja.course.lessons },
        prev ? h("a", { href: lessonPath(courseId, prev.lessonId), rel: "prev" }, `← ${ja.lesson.previous}: ${prev.title}`) : h("span"),
        next ? h("a", { href: lessonPath(courseId, next.lessonId), rel: "next" }, `${ja.lesson.next}: ${next.title} →`) : h("span"),
      ),
    );

    if (staff) {
      const title = createField({ name: "title", label: ja.course.lessonTitle, required: true, maxLength: 120, autocomplete: "off" });
      const text = createField({ name: "body", label: ja.course.lessonBody, multiline: true, maxLength: 20000, rows: 12, autocomplete: "off" });
      title.setValue(lesson.title);
      text.setValue(lesson.body);
      const form = apiForm({
        fields: new Map([
          ["title", { field: title, label: ja.course.lessonTitle, max: 120 }],
          ["body", { field: text, label: ja.course.lessonBody, max: 20000 }],
        ]),
        submitLabel: ja.course.save,
        signal: ctx.signal,
        validate: () => {
          const empty = title.value.trim() === "";
          title.setError(empty ? ja.fieldRules.required(ja.course.lessonTitle) : null);
          if (empty) title.focus();
          return !empty;
        },
        submit: async () => {
          await api.updateLesson(courseId, lessonId, { title: title.value.trim(), body: text.value, version: lesson.version }, { signal: ctx.signal });
          deps.announcer.announce(ja.course.saved);
          reload();
        },
      });
      parts.push(h("section", { class: "card", "aria-labelledby": "lesson-edit-heading" }, h("h2", { id: "lesson-edit-heading" }, ja.lesson.edit), form.element));
    }
    return h("div", { class: "stack-lg" }, ...parts);
  };

  const region = asyncRegion(ctx.signal, load, render, { label: ja.lesson.loadError });
  heading.id = "lesson-heading";
  const element = h(
    "div",
    { class: "page" },
    h("p", { class: "breadcrumb" }, h("a", { href: coursePath(courseId) }, ja.lesson.backToCourse)),
    h("div", { class: "page-header" }, heading),
    region.element,
  );
  return { title: ja.course.lessons, element, focusTarget: heading };
}
