import { describe, expect, it } from "vitest";
import { ApiError, NetworkError } from "../src/api/client";
import { UnsupportedChallengeError } from "../src/auth/auth";
import { CognitoError } from "../src/auth/cognito";
import { apiErrorMessage, fieldErrorMessage, signInErrorMessage } from "../src/i18n/errors";

describe("signInErrorMessage", () => {
  it.each(["NotAuthorizedException", "UserNotFoundException"])("%s → wrong credentials", (code) => {
    expect(signInErrorMessage(new CognitoError(code, "x", 400))).toBe(
      "メールアドレスまたはパスワードが正しくありません。",
    );
  });

  it("explains network failures and unsupported challenges in Japanese", () => {
    expect(signInErrorMessage(new CognitoError("NetworkError", "Failed to fetch"))).toContain("接続できませんでした");
    expect(signInErrorMessage(new UnsupportedChallengeError("NEW_PASSWORD_REQUIRED"))).toContain("パスワードの変更");
    expect(signInErrorMessage(new Error("?"))).toContain("ログインできませんでした");
  });
});

describe("apiErrorMessage", () => {
  it("maps status classes to Japanese", () => {
    expect(apiErrorMessage(new NetworkError("x"))).toContain("サーバーに接続できませんでした");
    expect(apiErrorMessage(new ApiError(403, null))).toBe("この操作を行う権限がありません。");
    expect(apiErrorMessage(new ApiError(400, null))).toBe("入力内容を確認してください。");
    expect(apiErrorMessage(new ApiError(503, null))).toContain("サーバーでエラー");
  });
});

describe("fieldErrorMessage", () => {
  it("chooses the text from the violated rule", () => {
    expect(fieldErrorMessage({ field: "title", message: "", rule: "minLength" }, "タイトル")).toBe(
      "タイトルを入力してください。",
    );
    expect(fieldErrorMessage({ field: "title", message: "", rule: "maxLength" }, "タイトル", 120)).toBe(
      "タイトルは120文字以内で入力してください。",
    );
    expect(fieldErrorMessage({ field: "title", message: "" }, "タイトル")).toBe("タイトルの内容が正しくありません。");
  });
});
