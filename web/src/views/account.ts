/**
 * Account pages around sign-in (APP-AUTH-01): アカウントを作成, メールアドレスの確認 and
 * パスワードの再設定. They talk to Cognito directly; in local mode a panel shows the mail the
 * system would have sent (the local runtime's mailbox), so nobody has to guess a code.
 */
import { newUsername, meetsPolicy } from "../auth/password-policy";
import type { CognitoClient } from "../auth/cognito";
import { accountErrorMessage } from "../i18n/errors";
import { ja } from "../i18n/ja";
import type { RouteContext, View } from "../router";
import type { Announcer } from "../ui/announcer";
import { h } from "../ui/dom";
import { createAlert, createField, type Field } from "../ui/form";
import { createPasswordRules } from "../ui/password-rules";
import { createMailboxPanel } from "./mailbox";

export interface AccountDeps {
  readonly cognito: CognitoClient;
  readonly announcer: Announcer;
  readonly navigate: (to: string, options?: { replace?: boolean }) => void;
  /** A one-off notice for the next page (shown above the sign-in form). */
  readonly setNotice: (message: string) => void;
  /** Local mode: show the local mailbox panel. */
  readonly localMailbox: boolean;
  readonly paths: { readonly login: string; readonly signUp: string; readonly confirm: string; readonly forgot: string };
  readonly fetchFn?: typeof fetch;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** A form with one busy state: aria-disabled submit (keeps focus), aria-busy, a status line. */
function busyForm(submit: HTMLButtonElement, busyText: string) {
  const status = h("p", { class: "form-status", role: "status", "aria-live": "polite" });
  let busy = false;
  return {
    status,
    get busy() {
      return busy;
    },
    set(form: HTMLElement, value: boolean): void {
      busy = value;
      submit.setAttribute("aria-disabled", String(value));
      form.setAttribute("aria-busy", String(value));
      status.textContent = value ? busyText : "";
    },
  };
}

function emailField(label: string, value = ""): Field {
  const field = createField({ name: "email", label, type: "email", required: true, autocomplete: "username" });
  field.setValue(value);
  return field;
}

function checkEmail(field: Field): string | null {
  const value = field.value.trim();
  const error = !value ? ja.login.emailRequired : EMAIL.test(value) ? null : ja.signUp.emailInvalid;
  field.setError(error);
  return error ? null : value;
}

function newPasswordField(label: string): { field: Field; rules: HTMLElement } {
  const field = createField({ name: "password", label, type: "password", required: true, autocomplete: "new-password" });
  return { field, rules: createPasswordRules(field.control) };
}

function card(id: string, title: string, ...children: Array<Node | null>): HTMLElement {
  return h("section", { class: "card card-narrow", "aria-labelledby": id }, h("h1", { id }, title), ...children);
}

function link(href: string, text: string, deps: AccountDeps): HTMLAnchorElement {
  return h(
    "a",
    {
      href,
      onclick: (e: Event) => {
        e.preventDefault();
        deps.navigate(href);
      },
    },
    text,
  );
}

export function signUpView(ctx: RouteContext, deps: AccountDeps): View {
  const name = createField({ name: "name", label: ja.signUp.name, required: true, autocomplete: "name", hint: ja.signUp.nameHint, maxLength: 100 });
  const email = emailField(ja.signUp.email, ctx.query.get("email") ?? "");
  const { field: password, rules } = newPasswordField(ja.signUp.password);
  const alert = createAlert();
  const submit = h("button", { type: "submit", class: "button button-primary button-block" }, ja.signUp.submit);
  const state = busyForm(submit, ja.signUp.submitting);

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (state.busy) return;
    alert.show(null);
    const nameValue = name.value.trim();
    name.setError(nameValue ? null : ja.signUp.nameRequired);
    const emailValue = checkEmail(email);
    const passwordValue = password.value;
    password.setError(!passwordValue ? ja.login.passwordRequired : meetsPolicy(passwordValue) ? null : ja.password.notMet);
    if (!nameValue) return name.focus();
    if (!emailValue) return email.focus();
    if (!meetsPolicy(passwordValue)) return password.focus();
    state.set(form, true);
    const username = newUsername();
    try {
      await deps.cognito.signUp(username, passwordValue, emailValue, nameValue);
      const query = new URLSearchParams({ username, email: emailValue });
      deps.navigate(`${deps.paths.confirm}?${query.toString()}`, { replace: true });
    } catch (err) {
      if (ctx.signal.aborted) return;
      state.set(form, false);
      alert.show(accountErrorMessage(err));
    }
  };

  const form = h(
    "form",
    { class: "stack", novalidate: true, onsubmit: (e) => void onSubmit(e) },
    name.element,
    email.element,
    password.element,
    rules,
    submit,
    state.status,
  );
  const element = card(
    "signup-heading",
    ja.signUp.title,
    h("p", { class: "lead" }, ja.signUp.lead),
    alert.element,
    form,
    h("p", { class: "account-links" }, link(deps.paths.login, ja.signUp.haveAccount, deps)),
  );
  return { title: ja.signUp.title, element };
}

export function confirmView(ctx: RouteContext, deps: AccountDeps): View {
  const username = ctx.query.get("username") ?? "";
  const emailValue = ctx.query.get("email") ?? "";
  const code = createField({ name: "code", label: ja.confirm.code, required: true, autocomplete: "one-time-code" });
  code.control.setAttribute("inputmode", "numeric");
  const alert = createAlert();
  const submit = h("button", { type: "submit", class: "button button-primary button-block" }, ja.confirm.submit);
  const resend = h("button", { type: "button", class: "button button-secondary" }, ja.confirm.resend);
  const state = busyForm(submit, ja.confirm.submitting);

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (state.busy) return;
    alert.show(null);
    const value = code.value.trim();
    code.setError(value ? null : ja.confirm.codeRequired);
    if (!value) return code.focus();
    state.set(form, true);
    try {
      await deps.cognito.confirmSignUp(username, value);
      deps.setNotice(ja.login.confirmed);
      deps.navigate(`${deps.paths.login}?${new URLSearchParams({ email: emailValue }).toString()}`, { replace: true });
    } catch (err) {
      if (ctx.signal.aborted) return;
      state.set(form, false);
      alert.show(accountErrorMessage(err));
      code.focus();
    }
  };
  const onResend = async (): Promise<void> => {
    alert.show(null);
    try {
      await deps.cognito.resendConfirmationCode(username);
      deps.announcer.announce(ja.confirm.resent);
      state.status.textContent = ja.confirm.resent;
    } catch (err) {
      if (!ctx.signal.aborted) alert.show(accountErrorMessage(err));
    }
  };
  resend.addEventListener("click", () => void onResend());

  const form = h(
    "form",
    { class: "stack", novalidate: true, onsubmit: (e) => void onSubmit(e) },
    code.element,
    submit,
    state.status,
  );
  if (!username) {
    return {
      title: ja.confirm.title,
      element: card(
        "confirm-heading",
        ja.confirm.title,
        h("div", { class: "alert alert-error", role: "alert" }, ja.confirm.missingUser),
        h("p", { class: "account-links" }, link(deps.paths.signUp, ja.login.signUpLink, deps)),
      ),
    };
  }
  const element = h(
    "div",
    { class: "account-page" },
    card(
      "confirm-heading",
      ja.confirm.title,
      h("p", { class: "lead" }, emailValue ? ja.confirm.lead(emailValue) : ja.confirm.leadNoEmail),
      alert.element,
      form,
      h("p", { class: "account-links" }, resend),
    ),
    deps.localMailbox && emailValue ? createMailboxPanel(() => emailValue, ctx.signal, deps.fetchFn) : null,
  );
  return { title: ja.confirm.title, element };
}

export function forgotPasswordView(ctx: RouteContext, deps: AccountDeps): View {
  const email = emailField(ja.forgot.email, ctx.query.get("email") ?? "");
  const alert = createAlert();
  const send = h("button", { type: "submit", class: "button button-primary button-block" }, ja.forgot.send);
  const sendState = busyForm(send, ja.forgot.sending);

  const code = createField({ name: "code", label: ja.forgot.code, required: true, autocomplete: "one-time-code" });
  code.control.setAttribute("inputmode", "numeric");
  const { field: password, rules } = newPasswordField(ja.forgot.newPassword);
  const submit = h("button", { type: "submit", class: "button button-primary button-block" }, ja.forgot.submit);
  const resetState = busyForm(submit, ja.forgot.submitting);
  let sentTo = "";

  const onSend = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (sendState.busy) return;
    alert.show(null);
    const value = checkEmail(email);
    if (!value) return email.focus();
    sendState.set(sendForm, true);
    try {
      await deps.cognito.forgotPassword(value);
      sentTo = value;
      sendState.set(sendForm, false);
      sendState.status.textContent = ja.forgot.sent(value);
      deps.announcer.announce(ja.forgot.sent(value));
      resetForm.hidden = false;
      code.focus();
    } catch (err) {
      if (ctx.signal.aborted) return;
      sendState.set(sendForm, false);
      alert.show(accountErrorMessage(err));
    }
  };

  const onReset = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (resetState.busy) return;
    alert.show(null);
    const codeValue = code.value.trim();
    const passwordValue = password.value;
    code.setError(codeValue ? null : ja.confirm.codeRequired);
    password.setError(!passwordValue ? ja.login.passwordRequired : meetsPolicy(passwordValue) ? null : ja.password.notMet);
    if (!codeValue) return code.focus();
    if (!meetsPolicy(passwordValue)) return password.focus();
    resetState.set(resetForm, true);
    try {
      await deps.cognito.confirmForgotPassword(sentTo, codeValue, passwordValue);
      deps.setNotice(ja.login.passwordReset);
      deps.navigate(`${deps.paths.login}?${new URLSearchParams({ email: sentTo }).toString()}`, { replace: true });
    } catch (err) {
      if (ctx.signal.aborted) return;
      resetState.set(resetForm, false);
      alert.show(accountErrorMessage(err));
    }
  };

  const sendForm = h(
    "form",
    { class: "stack", novalidate: true, onsubmit: (e) => void onSend(e) },
    email.element,
    send,
    sendState.status,
  );
  const resetForm = h(
    "form",
    { class: "stack", novalidate: true, hidden: true, onsubmit: (e) => void onReset(e) },
    code.element,
    password.element,
    rules,
    submit,
    resetState.status,
  );
  const element = h(
    "div",
    { class: "account-page" },
    card(
      "forgot-heading",
      ja.forgot.title,
      h("p", { class: "lead" }, ja.forgot.lead),
      alert.element,
      sendForm,
      resetForm,
      h("p", { class: "account-links" }, link(deps.paths.login, ja.forgot.back, deps)),
    ),
    deps.localMailbox ? createMailboxPanel(() => sentTo, ctx.signal, deps.fetchFn) : null,
  );
  return { title: ja.forgot.title, element };
}
