import { describe, expect, it, vi } from "vitest";
import { CognitoClient, CognitoError } from "../src/auth/cognito";
import { checkPassword, meetsPolicy } from "../src/auth/password-policy";
import { accountErrorMessage } from "../src/i18n/errors";
import type { RouteContext } from "../src/router";
import { Announcer } from "../src/ui/announcer";
import { confirmView, forgotPasswordView, signUpView, type AccountDeps } from "../src/views/account";
import { parseMessages } from "../src/views/mailbox";
import { jsonResponse, queueFetch } from "./helpers";

const flush = () => new Promise((r) => setTimeout(r, 0));

function ctx(query = ""): RouteContext {
  return { path: "/", params: {}, query: new URLSearchParams(query), signal: new AbortController().signal };
}

const byLabel = (root: HTMLElement, text: string) => {
  const label = [...root.querySelectorAll("label")].find((l) => l.textContent === text);
  return root.querySelector<HTMLInputElement>(`#${label?.htmlFor}`)!;
};
const button = (root: HTMLElement, text: string) =>
  [...root.querySelectorAll("button")].find((b) => b.textContent === text)!;
const type = (input: HTMLInputElement, value: string) => {
  input.value = value;
  input.dispatchEvent(new Event("input"));
};

function deps(cognito: Partial<CognitoClient>, overrides: Partial<AccountDeps> = {}) {
  const navigate = vi.fn();
  const setNotice = vi.fn();
  const d: AccountDeps = {
    cognito: cognito as CognitoClient,
    announcer: new Announcer(),
    navigate,
    setNotice,
    localMailbox: false,
    paths: { login: "/login", signUp: "/signup", confirm: "/signup/confirm", forgot: "/forgot-password" },
    ...overrides,
  };
  return { d, navigate, setNotice };
}

describe("password policy (MP-COG-02)", () => {
  it.each([
    ["kokoro-2026", "upper"],
    ["KOKORO-2026", "lower"],
    ["Kokoro-nisen", "number"],
    ["Kokoro2026x", "symbol"],
    ["Ko-26", "length"],
  ] as const)("%s misses %s", (password, missing) => {
    const result = checkPassword(password);
    expect(result[missing]).toBe(false);
    expect(meetsPolicy(password)).toBe(false);
  });

  it("accepts a password with every class", () => {
    expect(meetsPolicy("Kokoro-2026")).toBe(true);
    expect(checkPassword("Kokoro 2026x").symbol).toBe(true); // an inner space counts
    expect(checkPassword("Kokoro2026x ").symbol).toBe(false); // a trailing one does not
  });
});

describe("accountErrorMessage", () => {
  it("maps Cognito codes to Japanese", () => {
    expect(accountErrorMessage(new CognitoError("CodeMismatchException", "x", 400))).toContain("検証コードが正しくありません");
    expect(accountErrorMessage(new CognitoError("InvalidPasswordException", "x", 400))).toContain("条件を満たしていません");
    expect(accountErrorMessage(new CognitoError("ExpiredCodeException", "x", 400))).toContain("有効期限");
    expect(accountErrorMessage(new CognitoError("NetworkError", "x"))).toContain("接続できませんでした");
  });

  it("says the same for an unknown user and a refused one", () => {
    expect(accountErrorMessage(new CognitoError("UserNotFoundException", "x", 400))).toBe(
      accountErrorMessage(new CognitoError("NotAuthorizedException", "x", 400)),
    );
  });
});

describe("CognitoClient account operations", () => {
  it("signs up with a username, the password and the email attribute", async () => {
    const { fn, calls } = queueFetch(
      jsonResponse(200, { UserConfirmed: false, CodeDeliveryDetails: { Destination: "h***@e***" } }),
    );
    const client = new CognitoClient({ endpoint: "/c", clientId: "client", fetchFn: fn });
    await expect(client.signUp("u-1", "Kokoro-2026", "hana@example.com")).resolves.toEqual({
      confirmed: false,
      destination: "h***@e***",
    });
    expect((calls[0]!.init.headers as Record<string, string>)["X-Amz-Target"]).toBe(
      "AWSCognitoIdentityProviderService.SignUp",
    );
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({
      ClientId: "client",
      Username: "u-1",
      Password: "Kokoro-2026",
      UserAttributes: [{ Name: "email", Value: "hana@example.com" }],
    });
  });

  it("confirms and resets with the code", async () => {
    const { fn, calls } = queueFetch(jsonResponse(200, {}), jsonResponse(200, {}));
    const client = new CognitoClient({ endpoint: "/c", clientId: "client", fetchFn: fn });
    await client.confirmSignUp("u-1", "123456");
    await client.confirmForgotPassword("hana@example.com", "654321", "Atarashii-2026");
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ ClientId: "client", Username: "u-1", ConfirmationCode: "123456" });
    expect(JSON.parse(String(calls[1]!.init.body))).toMatchObject({ ConfirmationCode: "654321", Password: "Atarashii-2026" });
  });
});

describe("sign-up view", () => {
  it("shows the password rules live as the user types", () => {
    const { d } = deps({});
    const view = signUpView(ctx(), d);
    document.body.replaceChildren(view.element);
    document.body.replaceChildren(view.element);
    const password = byLabel(view.element, "パスワード");
    const rule = (name: string) => view.element.querySelector(`[data-rule="${name}"]`)!;
    expect(rule("upper").getAttribute("data-met")).toBe("false");
    type(password, "Kokoro");
    expect(rule("upper").getAttribute("data-met")).toBe("true");
    expect(rule("number").getAttribute("data-met")).toBe("false");
    expect(rule("number").textContent).toContain("まだ満たしていません");
    type(password, "Kokoro-2026");
    expect([...view.element.querySelectorAll("[data-rule]")].every((r) => r.getAttribute("data-met") === "true")).toBe(true);
  });

  it("refuses a weak password without calling Cognito", async () => {
    const signUp = vi.fn();
    const { d } = deps({ signUp });
    const view = signUpView(ctx(), d);
    document.body.replaceChildren(view.element);
    type(byLabel(view.element, "メールアドレス"), "hana@example.com");
    type(byLabel(view.element, "パスワード"), "kokoro2026");
    button(view.element, "アカウントを作成").click();
    await flush();
    expect(signUp).not.toHaveBeenCalled();
    expect(view.element.textContent).toContain("パスワードが条件を満たしていません");
  });

  it("asks for 氏名 (APP-ACC-01): no sign-up without one", async () => {
    const signUp = vi.fn(async () => ({ confirmed: false, destination: null }));
    const { d } = deps({ signUp });
    const view = signUpView(ctx(), d);
    document.body.replaceChildren(view.element);
    type(byLabel(view.element, "メールアドレス"), "hana@example.com");
    type(byLabel(view.element, "パスワード"), "Kokoro-2026");
    button(view.element, "アカウントを作成").click();
    await flush();
    expect(signUp).not.toHaveBeenCalled();
    expect(view.element.textContent).toContain("氏名を入力してください。");
  });

  it("signs up with a generated username and goes to the confirmation page", async () => {
    const signUp = vi.fn(async () => ({ confirmed: false, destination: null }));
    const { d, navigate } = deps({ signUp });
    const view = signUpView(ctx(), d);
    document.body.replaceChildren(view.element);
    type(byLabel(view.element, "氏名"), " 山田 花子 ");
    type(byLabel(view.element, "メールアドレス"), "hana@example.com");
    type(byLabel(view.element, "パスワード"), "Kokoro-2026");
    button(view.element, "アカウントを作成").click();
    await flush();
    const [username, password, email, name] = signUp.mock.calls[0] as unknown as [string, string, string, string];
    expect(username).not.toContain("@");
    expect([password, email, name]).toEqual(["Kokoro-2026", "hana@example.com", "山田 花子"]);
    const target = String(navigate.mock.calls[0]![0]);
    expect(target.startsWith("/signup/confirm?")).toBe(true);
    expect(new URLSearchParams(target.split("?")[1]).get("username")).toBe(username);
  });
});

describe("confirmation view", () => {
  it("shows a Japanese message for a wrong code and confirms with the right one", async () => {
    const confirmSignUp = vi
      .fn()
      .mockRejectedValueOnce(new CognitoError("CodeMismatchException", "x", 400))
      .mockResolvedValueOnce(undefined);
    const { d, navigate, setNotice } = deps({ confirmSignUp });
    const view = confirmView(ctx("username=u-1&email=hana%40example.com"), d);
    document.body.replaceChildren(view.element);
    expect(view.element.textContent).toContain("hana@example.com に届いた検証コード");
    type(byLabel(view.element, "検証コード"), "000000");
    button(view.element, "確認する").click();
    await flush();
    expect(view.element.querySelector('[role="alert"]')!.textContent).toContain("検証コードが正しくありません");
    type(byLabel(view.element, "検証コード"), "123456");
    button(view.element, "確認する").click();
    await flush();
    expect(confirmSignUp).toHaveBeenLastCalledWith("u-1", "123456");
    expect(setNotice).toHaveBeenCalledWith("メールアドレスを確認しました。ログインしてください。");
    expect(navigate).toHaveBeenCalledWith("/login?email=hana%40example.com", { replace: true });
  });

  it("shows the local mailbox in local mode only", async () => {
    const { fn } = queueFetch(
      jsonResponse(200, {
        messages: [{ to: "hana@example.com", subject: "検証コード", body: "検証コードは 123456 です。", code: "123456" }],
      }),
    );
    const local = deps({}, { localMailbox: true, fetchFn: fn });
    const view = confirmView(ctx("username=u-1&email=hana%40example.com"), local.d);
    document.body.replaceChildren(view.element);
    await flush();
    await flush();
    expect(view.element.textContent).toContain("ローカルのメールボックス");
    expect(view.element.textContent).toContain("検証コードは 123456 です。");
    const cloud = confirmView(ctx("username=u-1&email=hana%40example.com"), deps({}).d);
    expect(cloud.element.textContent).not.toContain("ローカルのメールボックス");
  });
});

describe("forgot-password view", () => {
  it("sends a code, then resets the password", async () => {
    const forgotPassword = vi.fn(async () => "h***@e***");
    const confirmForgotPassword = vi.fn(async () => undefined);
    const { d, navigate, setNotice } = deps({ forgotPassword, confirmForgotPassword });
    const view = forgotPasswordView(ctx(), d);
    document.body.replaceChildren(view.element);
    type(byLabel(view.element, "メールアドレス"), "hana@example.com");
    button(view.element, "検証コードを送信").click();
    await flush();
    expect(forgotPassword).toHaveBeenCalledWith("hana@example.com");
    type(byLabel(view.element, "検証コード"), "654321");
    type(byLabel(view.element, "新しいパスワード"), "Atarashii-2026");
    button(view.element, "パスワードを再設定").click();
    await flush();
    expect(confirmForgotPassword).toHaveBeenCalledWith("hana@example.com", "654321", "Atarashii-2026");
    expect(setNotice).toHaveBeenCalledWith("パスワードを再設定しました。新しいパスワードでログインしてください。");
    expect(navigate).toHaveBeenCalledWith("/login?email=hana%40example.com", { replace: true });
  });
});

describe("parseMessages", () => {
  it("keeps only well-formed entries", () => {
    expect(parseMessages({ messages: [{ to: "a", body: "b", code: "1", sent_at: "t" }, 3] })).toEqual([
      { to: "a", subject: "", body: "b", code: "1", kind: "", sentAt: "t" },
    ]);
    expect(parseMessages(null)).toEqual([]);
  });
});
