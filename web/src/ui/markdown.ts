import DOMPurify from "dompurify";
import { marked } from "marked";

/** Elements a lesson may contain; anything else is unwrapped (its text kept) or, if active, dropped. */
const ALLOWED = new Set(
  "a abbr b blockquote br code del details dd dl dt em h1 h2 h3 h4 h5 h6 hr i img kbd li mark ol p pre s samp small span strong sub summary sup table tbody td tfoot th thead tr u ul".split(
    " ",
  ),
);
const DROPPED = new Set(
  "script style iframe frame frameset object embed form input button textarea select option link meta base svg math template noscript audio video source track canvas dialog".split(
    " ",
  ),
);
const ATTRIBUTES: Record<string, readonly string[]> = {
  a: ["href", "title"],
  img: ["src", "alt", "title", "width", "height"],
  code: ["class"],
  ol: ["start"],
  td: ["align", "colspan", "rowspan"],
  th: ["align", "colspan", "rowspan", "scope"],
};
const SAFE_URL = /^(?:https?:|mailto:|\/(?!\/)|#|\.{0,2}\/?[^:]*$)/i;

/**
 * Lesson Markdown → safe DOM. `marked` keeps raw HTML, so the result goes through DOMPurify and
 * then through an allow-list of our own (defence in depth: tags, attributes, URL schemes). No
 * scripts, no event handlers, no javascript: URLs; links open in a new tab without opener.
 */
export function renderMarkdown(markdown: string): DocumentFragment {
  const html = marked.parse(markdown, { async: false, gfm: true }) as string;
  const purified = DOMPurify.sanitize(html, { FORBID_TAGS: [...DROPPED], FORBID_ATTR: ["style"] });
  // <template> content is inert: nothing loads or runs while it is cleaned.
  const template = document.createElement("template");
  template.innerHTML = purified;
  clean(template.content);
  const fragment = template.content;
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

function clean(parent: ParentNode): void {
  for (const node of [...parent.childNodes]) {
    if (node.nodeType === Node.COMMENT_NODE || node.nodeType === Node.PROCESSING_INSTRUCTION_NODE) {
      node.remove();
      continue;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) continue;
    const el = node as Element;
    const tag = el.localName.toLowerCase();
    if (DROPPED.has(tag)) {
      el.remove();
      continue;
    }
    clean(el);
    if (!ALLOWED.has(tag)) {
      el.replaceWith(...el.childNodes);
      continue;
    }
    const allowed = ATTRIBUTES[tag] ?? [];
    for (const attr of [...el.attributes]) {
      const name = attr.name.toLowerCase();
      const value = attr.value.trim();
      const keep =
        allowed.includes(name) &&
        (name !== "href" && name !== "src" ? true : SAFE_URL.test(value) && !/^\s*(?:javascript|data|vbscript):/i.test(value)) &&
        (name !== "class" || /^language-[\w+-]+$/.test(value));
      if (!keep) el.removeAttribute(attr.name);
    }
  }
}
