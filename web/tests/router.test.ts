import { afterEach, describe, expect, it } from "vitest";
import { Router, safeRedirectTarget, type RouteContext } from "../src/router";
import { h } from "../src/ui/dom";

function page(title: string) {
  return (ctx: RouteContext) => ({ title, element: h("section", null, h("h1", null, `${title}:${ctx.params["id"] ?? ""}`)) });
}

function setup(signedIn: { value: boolean }) {
  const outlet = h("main");
  document.body.replaceChildren(outlet);
  const router = new Router({
    outlet,
    isSignedIn: () => signedIn.value,
    loginPath: "/login",
    homePath: "/courses",
    notFound: () => ({ title: "404", element: h("h1", null, "見つかりません") }),
    routes: [
      { path: "/", access: "public", render: () => ({ redirect: signedIn.value ? "/courses" : "/login" }) },
      { path: "/login", access: "guest", render: page("login") },
      { path: "/courses", access: "signed-in", render: page("courses") },
      { path: "/courses/:id", access: "signed-in", render: page("course") },
    ],
  });
  return { router, outlet };
}

afterEach(() => window.history.replaceState(null, "", "/"));

describe("Router", () => {
  it("sends signed-out users to /login with the page to come back to", () => {
    window.history.replaceState(null, "", "/courses?x=1");
    const { router, outlet } = setup({ value: false });
    router.start();
    expect(window.location.pathname).toBe("/login");
    expect(new URLSearchParams(window.location.search).get("next")).toBe("/courses?x=1");
    expect(outlet.textContent).toBe("login:");
  });

  it("sends signed-in users away from /login to next", () => {
    window.history.replaceState(null, "", "/login?next=%2Fcourses%2Fabc");
    const { router, outlet } = setup({ value: true });
    router.start();
    expect(window.location.pathname).toBe("/courses/abc");
    expect(outlet.textContent).toBe("course:abc");
    expect(document.title).toBe("course");
  });

  it("navigates with the History API and renders unknown paths as not found", () => {
    window.history.replaceState(null, "", "/");
    const { router, outlet } = setup({ value: true });
    router.start();
    expect(window.location.pathname).toBe("/courses");
    router.navigate("/nowhere");
    expect(window.location.pathname).toBe("/nowhere");
    expect(outlet.textContent).toBe("見つかりません");
  });
});

describe("safeRedirectTarget", () => {
  it("only accepts same-origin paths", () => {
    expect(safeRedirectTarget("/courses", "/")).toBe("/courses");
    expect(safeRedirectTarget("//evil.example", "/")).toBe("/");
    expect(safeRedirectTarget("https://evil.example", "/")).toBe("/");
    expect(safeRedirectTarget("/\\evil.example", "/")).toBe("/");
    expect(safeRedirectTarget(null, "/home")).toBe("/home");
  });
});
