/**
 * History API router. Routes are path patterns (`/courses/:courseId`) with an access rule; the
 * router applies the rule, renders the view into the outlet, sets the document title and moves
 * focus to the new page's heading so keyboard and screen-reader users know the page changed.
 */

export type Access = "public" | "signed-in" | "guest";

export interface RouteContext {
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Aborted when the user leaves the page: pass it to fetches. */
  readonly signal: AbortSignal;
}

export interface View {
  readonly title: string;
  readonly element: HTMLElement;
  /** Element that receives focus after an in-app navigation (default: the first h1). */
  readonly focusTarget?: HTMLElement;
}

export type RouteResult = View | { readonly redirect: string };

export interface Route {
  readonly path: string;
  readonly access: Access;
  readonly render: (ctx: RouteContext) => RouteResult;
}

export interface RouterOptions {
  readonly routes: readonly Route[];
  readonly notFound: (ctx: RouteContext) => View;
  readonly outlet: HTMLElement;
  readonly isSignedIn: () => boolean;
  readonly loginPath: string;
  readonly homePath: string;
  readonly formatTitle?: (title: string) => string;
}

interface CompiledRoute extends Route {
  readonly pattern: RegExp;
  readonly keys: readonly string[];
}

function compile(route: Route): CompiledRoute {
  const keys: string[] = [];
  const source = route.path
    .split("/")
    .map((segment) => {
      if (segment.startsWith(":")) {
        keys.push(segment.slice(1));
        return "([^/]+)";
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return { ...route, keys, pattern: new RegExp(`^${source}/?$`) };
}

/** Only same-origin, absolute paths are accepted as a post-login destination. */
export function safeRedirectTarget(value: string | null, fallback: string): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return fallback;
  return value;
}

export class Router {
  private readonly routes: readonly CompiledRoute[];
  private controller: AbortController | null = null;
  private started = false;

  constructor(private readonly options: RouterOptions) {
    this.routes = options.routes.map(compile);
  }

  start(): void {
    window.addEventListener("popstate", () => this.render(false));
    document.addEventListener("click", (event) => this.onClick(event));
    this.render(false);
    this.started = true;
  }

  /** Goes to an in-app path (`/courses?x=1`). */
  navigate(to: string, { replace = false }: { replace?: boolean } = {}): void {
    const url = new URL(to, window.location.origin);
    const target = url.pathname + url.search + url.hash;
    if (replace) window.history.replaceState(null, "", target);
    else if (target !== this.currentLocation()) window.history.pushState(null, "", target);
    this.render(true);
  }

  /** Renders the current location again, e.g. after sign-in or sign-out changed the access rules. */
  refresh(): void {
    this.render(true);
  }

  private currentLocation(): string {
    return window.location.pathname + window.location.search + window.location.hash;
  }

  private render(moveFocus: boolean, depth = 0): void {
    if (depth > 5) throw new Error("Redirect loop");
    const { pathname, search } = window.location;
    const query = new URLSearchParams(search);

    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;

    const match = this.match(pathname);
    const base = { path: pathname, query, signal: controller.signal };
    let result: RouteResult;
    if (!match) {
      result = this.options.notFound({ ...base, params: {} });
    } else {
      const redirect = this.guard(match.route.access, pathname + search, query);
      result = redirect ? { redirect } : match.route.render({ ...base, params: match.params });
    }

    if ("redirect" in result) {
      window.history.replaceState(null, "", result.redirect);
      this.render(moveFocus, depth + 1);
      return;
    }

    const { outlet, formatTitle } = this.options;
    outlet.replaceChildren(result.element);
    document.title = formatTitle ? formatTitle(result.title) : result.title;
    if (moveFocus && this.started) {
      window.scrollTo(0, 0);
      const target = result.focusTarget ?? result.element.querySelector("h1");
      if (target instanceof HTMLElement) {
        if (!target.hasAttribute("tabindex") && !isFocusable(target)) target.setAttribute("tabindex", "-1");
        target.focus();
      }
    }
  }

  private guard(access: Access, current: string, query: URLSearchParams): string | null {
    const signedIn = this.options.isSignedIn();
    if (access === "signed-in" && !signedIn) {
      return `${this.options.loginPath}?next=${encodeURIComponent(current)}`;
    }
    if (access === "guest" && signedIn) {
      return safeRedirectTarget(query.get("next"), this.options.homePath);
    }
    return null;
  }

  private match(pathname: string): { route: CompiledRoute; params: Record<string, string> } | null {
    for (const route of this.routes) {
      const m = route.pattern.exec(pathname);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((key, i) => {
        params[key] = decodeURIComponent(m[i + 1] ?? "");
      });
      return { route, params };
    }
    return null;
  }

  private onClick(event: MouseEvent): void {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest?.("a");
    if (!anchor || !anchor.href) return;
    if (anchor.target && anchor.target !== "_self") return;
    if (anchor.hasAttribute("download") || anchor.dataset["native"] !== undefined) return;
    const url = new URL(anchor.href);
    if (url.origin !== window.location.origin) return;
    if (url.pathname === window.location.pathname && url.search === window.location.search && url.hash) {
      return; // in-page anchor such as the skip link
    }
    event.preventDefault();
    this.navigate(url.pathname + url.search + url.hash);
  }
}

function isFocusable(el: HTMLElement): boolean {
  return el.matches("a[href], button, input, select, textarea, [tabindex]");
}
