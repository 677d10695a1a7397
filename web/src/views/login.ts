import type { AuthService } from "../auth/auth";
import { ja } from "../i18n/ja";
import { signInErrorMessage } from "../i18n/errors";
import type { RouteContext, View } from "../router";
import { safeRedirectTarget } from "../router";
import type { Announcer } from "../ui/announcer";
import { h } from "../ui/dom";
import { createAlert, createField } from "../ui/form";

export interface LoginDeps {
  readonly auth: AuthService;
  readonly announcer: Announcer;
  readonly navigate: (to: string, options?: { replace?: boolean }) => void;
  /** A one-off notice to show above the form (e.g. session expired). */
  readonly takeNotice: () => string | null;
  readonly homePath: string;
  /** Links to the account pages (アカウントを作成, パスワードをお忘れの方). */
  readonly signUpPath?: string;
  readonly forgotPath?: string;
}

export function loginView(ctx: RouteContext, deps: LoginDeps): View {
  const email = createField({
    name: "email",
    label: ja.login.email,
    type: "email",
    required: true,
    autocomplete: "username",
  });
  email.setValue(ctx.query.get("email") ?? "");
  const password = createField({
    name: "password",
    label: ja.login.password,
    type: "password",
    required: true,
    autocomplete: "current-password",
  });
  const alert = createAlert();
  const status = h("p", { class: "form-status", role: "status", "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "button button-primary button-block" }, ja.login.submit);

  const notice = deps.takeNotice();
  const noticeBox = notice ? h("div", { class: "alert alert-info", role: "status" }, notice) : null;

  let busy = false;
  const setBusy = (value: boolean): void => {
    busy = value;
    // aria-disabled rather than disabled: a disabled button drops keyboard focus to <body>.
    submit.setAttribute("aria-disabled", String(value));
    form.setAttribute("aria-busy", String(value));
    status.textContent = value ? ja.login.submitting : "";
  };

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    alert.show(null);
    const emailValue = email.value.trim();
    const passwordValue = password.value;
    email.setError(emailValue ? null : ja.login.emailRequired);
    password.setError(passwordValue ? null : ja.login.passwordRequired);
    if (!emailValue) return email.focus();
    if (!passwordValue) return password.focus();

    setBusy(true);
    try {
      await deps.auth.signIn(emailValue, passwordValue);
      deps.announcer.announce(ja.login.welcome);
      deps.navigate(safeRedirectTarget(ctx.query.get("next"), deps.homePath), { replace: true });
    } catch (err) {
      if (ctx.signal.aborted) return;
      setBusy(false);
      alert.show(signInErrorMessage(err));
      password.setValue("");
      password.focus();
    }
  };

  const form = h(
    "form",
    { class: "stack", novalidate: true, onsubmit: (e) => void onSubmit(e) },
    email.element,
    password.element,
    submit,
    status,
  );

  const link = (href: string | undefined, text: string): HTMLElement | null =>
    href
      ? h(
          "a",
          {
            href,
            onclick: (e: Event) => {
              e.preventDefault();
              deps.navigate(href);
            },
          },
          text,
        )
      : null;
  const links =
    deps.signUpPath || deps.forgotPath
      ? h(
          "p",
          { class: "account-links" },
          link(deps.signUpPath, ja.login.signUpLink),
          link(deps.forgotPath, ja.login.forgotLink),
        )
      : null;

  const element = h(
    "section",
    { class: "card card-narrow", "aria-labelledby": "login-heading" },
    h("h1", { id: "login-heading" }, ja.login.title),
    h("p", { class: "lead" }, ja.login.lead),
    noticeBox,
    alert.element,
    form,
    links,
  );

  return { title: ja.login.title, element };
}
