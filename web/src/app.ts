import { ApiClient } from "./api/client";
import { AuthService } from "./auth/auth";
import { CognitoClient } from "./auth/cognito";
import { MemorySessionStore, WebStorageSessionStore, type SessionStore } from "./auth/session";
import { cognitoUrl, type AppConfig } from "./config";
import { ja, pageTitle } from "./i18n/ja";
import { Router, type Route } from "./router";
import { Announcer } from "./ui/announcer";
import { coursesView } from "./views/courses";
import { confirmView, forgotPasswordView, signUpView, type AccountDeps } from "./views/account";
import { loginView } from "./views/login";
import { notFoundView } from "./views/not-found";
import { settingsView } from "./views/settings";
import { createShell } from "./views/shell";
import { adminUsersView } from "./views/admin";
import { assignmentView } from "./views/assignment";
import { courseView, type CourseDeps } from "./views/course";
import { forbiddenView } from "./views/forbidden";
import { learnersView } from "./views/learners";
import { lessonView } from "./views/lesson";
import { hasAnyGroup, type Group } from "./auth/jwt";

export const paths = {
  home: "/",
  login: "/login",
  signUp: "/signup",
  confirm: "/signup/confirm",
  forgot: "/forgot-password",
  courses: "/courses",
  course: "/courses/:courseId",
  lesson: "/courses/:courseId/lessons/:lessonId",
  assignment: "/courses/:courseId/assignments/:assignmentId",
  learners: "/courses/:courseId/learners",
  adminUsers: "/admin/users",
  settings: "/account",
} as const;

function createSessionStore(): SessionStore {
  try {
    const storage = window.localStorage;
    storage.getItem("manabi-plus.probe"); // throws when storage is blocked
    return new WebStorageSessionStore(storage);
  } catch {
    return new MemorySessionStore();
  }
}

/** Wires the services, the page frame and the routes, then renders the current URL. */
export function startApp(root: HTMLElement, config: AppConfig): void {
  const cognito = new CognitoClient({ endpoint: cognitoUrl(config), clientId: config.userPoolClientId });
  const auth = new AuthService(cognito, createSessionStore());
  const api = new ApiClient({ baseUrl: config.apiUrl, auth });
  const announcer = new Announcer();
  let notice: string | null = null;

  /** ログアウト (the header's and the account page's): end the session, show the sign-in page. */
  const signOut = (): void => {
    auth.signOut("user");
    announcer.announce(ja.header.signedOut);
    router.navigate(paths.login);
  };
  const shell = createShell({ environment: config.environment, onSignOut: signOut });

  const accountDeps: AccountDeps = {
    cognito,
    announcer,
    navigate: (to, options) => router.navigate(to, options),
    setNotice: (message) => {
      notice = message;
    },
    localMailbox: config.environment === "local",
    paths,
  };

  const courseDeps = (): CourseDeps => ({ api, user: auth.user, announcer });
  /** Pages of one group: others get 権限がありません (the API would refuse them anyway). */
  const only =
    (groups: Group[], render: Route["render"]): Route["render"] =>
    (ctx) =>
      hasAnyGroup(auth.user, ...groups) ? render(ctx) : forbiddenView();

  const routes: Route[] = [
    {
      path: paths.home,
      access: "public",
      render: () => ({ redirect: auth.isSignedIn ? paths.courses : paths.login }),
    },
    {
      path: paths.login,
      access: "guest",
      render: (ctx) =>
        loginView(ctx, {
          auth,
          announcer,
          navigate: (to, options) => router.navigate(to, options),
          takeNotice: () => {
            const message = notice;
            notice = null;
            return message;
          },
          homePath: paths.courses,
          signUpPath: paths.signUp,
          forgotPath: paths.forgot,
        }),
    },
    { path: paths.signUp, access: "guest", render: (ctx) => signUpView(ctx, accountDeps) },
    { path: paths.confirm, access: "guest", render: (ctx) => confirmView(ctx, accountDeps) },
    { path: paths.forgot, access: "guest", render: (ctx) => forgotPasswordView(ctx, accountDeps) },
    {
      path: paths.courses,
      access: "signed-in",
      render: (ctx) => coursesView(ctx, { api, user: auth.user }),
    },
    { path: paths.course, access: "signed-in", render: (ctx) => courseView(ctx, courseDeps()) },
    { path: paths.lesson, access: "signed-in", render: (ctx) => lessonView(ctx, courseDeps()) },
    { path: paths.assignment, access: "signed-in", render: (ctx) => assignmentView(ctx, courseDeps()) },
    {
      path: paths.learners,
      access: "signed-in",
      render: only(["teachers", "admins"], (ctx) => learnersView(ctx, courseDeps())),
    },
    { path: paths.settings, access: "signed-in", render: (ctx) => settingsView(ctx, { api, auth, cognito, announcer, signOut }) },
    {
      path: paths.adminUsers,
      access: "signed-in",
      render: only(["admins"], (ctx) => adminUsersView(ctx, { api, announcer })),
    },
  ];

  const router = new Router({
    routes,
    notFound: notFoundView,
    outlet: shell.outlet,
    isSignedIn: () => auth.isSignedIn,
    loginPath: paths.login,
    homePath: paths.courses,
    formatTitle: pageTitle,
  });

  auth.subscribe((event) => {
    shell.setUser(auth.user);
    if (event.type === "signed-out" && event.reason !== "user") {
      notice = event.reason === "expired" ? ja.login.sessionExpired : ja.login.signedOutElsewhere;
      router.refresh();
    } else if (event.type === "signed-in" && event.origin === "other-tab") {
      router.refresh();
    }
  });

  shell.setUser(auth.user);
  root.replaceChildren(shell.element, announcer.element);
  router.start();
}
