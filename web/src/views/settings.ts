import type { ApiClient } from "../api/client";
import type { AuthService } from "../auth/auth";
import { CognitoError, type CognitoClient } from "../auth/cognito";
import { meetsPolicy } from "../auth/password-policy";
import { accountErrorMessage, apiErrorMessage } from "../i18n/errors";
import { ja } from "../i18n/ja";
import type { RouteContext, View } from "../router";
import type { Announcer } from "../ui/announcer";
import { h } from "../ui/dom";
import { createAlert, createField } from "../ui/form";
import { createPasswordRules } from "../ui/password-rules";

export interface SettingsDeps {
  readonly api: Pick<ApiClient, "updateMyProfile">;
  readonly auth: Pick<AuthService, "user" | "getAccessToken" | "refreshIdToken">;
  readonly cognito: Pick<CognitoClient, "changePassword" | "updateName" | "globalSignOut">;
  readonly announcer: Announcer;
  /** Ends the session and shows the sign-in page, as the header's ログアウト does. */
  readonly signOut: () => void;
}

/** A form that runs `submit` once at a time, shows its error in Japanese and its success politely. */
function simpleForm(label: string, submit: () => Promise<string | null>, errorText: (err: unknown) => string, ...children: Node[]): HTMLFormElement {
  const alert = createAlert();
  const status = h("p", { class: "form-status", role: "status", "aria-live": "polite" });
  const button = h("button", { type: "submit", class: "button button-primary" }, label);
  const form = h("form", { class: "stack", novalidate: true }, alert.element, ...children, button, status);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (button.disabled) return;
    alert.show(null);
    status.textContent = "";
    button.disabled = true;
    submit().then(
      (done) => {
        button.disabled = false;
        if (done) status.textContent = done;
      },
      (err: unknown) => {
        button.disabled = false;
        alert.show(errorText(err));
      },
    );
  });
  return form;
}

/** アカウント設定 (APP-ACC-01): change 氏名 (Cognito and the profile teachers see), change the
 * password with Cognito's ChangePassword, sign out. */
export function settingsView(_ctx: RouteContext, deps: SettingsDeps): View {
  const t = ja.settings;
  const user = deps.auth.user;
  const name = createField({ name: "name", label: t.name, required: true, autocomplete: "name", hint: t.nameHint, maxLength: 100 });
  name.setValue(user?.name ?? "");
  const nameForm = simpleForm(
    t.saveName,
    async () => {
      const value = name.value.trim();
      name.setError(value ? null : t.nameRequired);
      if (!value) {
        name.focus();
        return null;
      }
      await deps.cognito.updateName(await deps.auth.getAccessToken(), value);
      await deps.api.updateMyProfile(value);
      await deps.auth.refreshIdToken(); // the ID token carries the new name from now on
      deps.announcer.announce(t.nameSaved);
      return t.nameSaved;
    },
    (err) => (err instanceof Error && err.name === "ApiError" ? apiErrorMessage(err) : accountErrorMessage(err)),
    name.element,
  );

  const current = createField({ name: "currentPassword", label: t.currentPassword, type: "password", required: true, autocomplete: "current-password" });
  const proposed = createField({ name: "newPassword", label: t.newPassword, type: "password", required: true, autocomplete: "new-password" });
  const rules = createPasswordRules(proposed.control);
  const passwordForm = simpleForm(
    t.changePassword,
    async () => {
      current.setError(current.value ? null : t.currentRequired);
      proposed.setError(meetsPolicy(proposed.value) ? null : ja.password.notMet);
      if (!current.value) {
        current.focus();
        return null;
      }
      if (!meetsPolicy(proposed.value)) {
        proposed.focus();
        return null;
      }
      await deps.cognito.changePassword(await deps.auth.getAccessToken(), current.value, proposed.value);
      current.setValue("");
      proposed.setValue("");
      deps.announcer.announce(t.passwordChanged);
      return t.passwordChanged;
    },
    // With the user's own access token, NotAuthorized can only mean the current password is
    // wrong (elsewhere it stays vague so that no one learns which accounts exist).
    (err) => (err instanceof CognitoError && err.code === "NotAuthorizedException" ? t.currentWrong : accountErrorMessage(err)),
    current.element,
    proposed.element,
    rules,
  );

  const section = (id: string, title: string, ...children: Node[]) =>
    h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), ...children);
  const element = h(
    "div",
    { class: "page" },
    h("div", { class: "page-header" }, h("h1", null, t.title)),
    h("p", { class: "lead" }, `${t.email}: ${user?.email ?? ""}`),
    h(
      "div",
      { class: "stack-lg" },
      section("settings-name", t.nameHeading, nameForm),
      section("settings-password", t.passwordHeading, passwordForm),
      section(
        "settings-signout",
        t.signOutHeading,
        h("button", { type: "button", class: "button button-secondary", onclick: () => deps.signOut() }, ja.header.signOut),
        simpleForm(
          t.signOutEverywhere,
          async () => {
            await deps.cognito.globalSignOut(await deps.auth.getAccessToken());
            deps.signOut();
            return null;
          },
          accountErrorMessage,
          h("p", null, t.signOutEverywhereHint),
        ),
      ),
    ),
  );
  return { title: t.title, element };
}
