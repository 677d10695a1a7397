import DOMPurify from "dompurify";
import { marked } from "marked";

/**
 * Lesson Markdown → sanitised HTML. `marked` keeps raw HTML, so everything goes through DOMPurify:
 * no scripts, no event handlers, no javascript: URLs. Links open in a new tab without opener.
 */
export function renderMarkdown(markdown: string): DocumentFragment {
  const html = marked.parse(markdown, { async: false, gfm: true }) as string;
  const fragment = DOMPurify.sanitize(html, {
    RETURN_DOM_FRAGMENT: true,
    FORBID_TAGS: ["style", "form", "input", "button", "iframe", "object", "embed"],
    FORBID_ATTR: ["style"],
  });
  for (const link of fragment.querySelectorAll("a[href]")) {
    link.setAttribute("rel", "noopener noreferrer");
    link.setAttribute("target", "_blank");
  }
  // The page has the lesson title as h1: lesson headings start one level lower.
  for (const heading of fragment.querySelectorAll("h1")) {
    const h2 = document.createElement("h2");
    h2.append(...heading.childNodes);
    heading.replaceWith(h2);
  }
  return fragment;
}
