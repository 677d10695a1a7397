import { NotSignedInError, UnsupportedChallengeError } from "../auth/auth";
import { CognitoError } from "../auth/cognito";
import { ApiError, NetworkError } from "../api/client";
import type { FieldError } from "../api/types";
import { ja } from "./ja";

/** The Japanese message for a failed sign-in. */
export function signInErrorMessage(err: unknown): string {
  if (err instanceof UnsupportedChallengeError) {
    return err.challengeName === "NEW_PASSWORD_REQUIRED" ? ja.authErrors.newPasswordRequired : ja.authErrors.challenge;
  }
  if (err instanceof CognitoError) {
    switch (err.code) {
      case "NotAuthorizedException":
      case "UserNotFoundException":
        return ja.authErrors.badCredentials;
      case "UserNotConfirmedException":
        return ja.authErrors.notConfirmed;
      case "PasswordResetRequiredException":
        return ja.authErrors.resetRequired;
      case "TooManyRequestsException":
      case "TooManyFailedAttemptsException":
      case "LimitExceededException":
        return ja.authErrors.tooManyRequests;
      case "NetworkError":
        return ja.authErrors.network;
    }
  }
  return ja.authErrors.unknown;
}

/**
 * The Japanese message for a failed sign-up, confirmation or password reset. Wrong password and
 * unknown user are deliberately the same message (the client also prevents user existence errors).
 */
export function accountErrorMessage(err: unknown): string {
  if (err instanceof CognitoError) {
    switch (err.code) {
      case "InvalidPasswordException":
        return ja.authErrors.invalidPassword;
      case "InvalidParameterException":
        return err.message.includes("already confirmed") ? ja.authErrors.alreadyConfirmed : ja.authErrors.invalidParameter;
      case "CodeMismatchException":
        return ja.authErrors.codeMismatch;
      case "ExpiredCodeException":
        return ja.authErrors.expiredCode;
      case "AliasExistsException":
        return ja.authErrors.aliasExists;
      case "UsernameExistsException":
        return ja.authErrors.usernameExists;
      case "UserNotFoundException":
      case "NotAuthorizedException":
        return ja.authErrors.accountUnknown;
      case "TooManyRequestsException":
      case "TooManyFailedAttemptsException":
      case "LimitExceededException":
      case "CodeDeliveryFailureException":
        return ja.authErrors.tooManyRequests;
      case "NetworkError":
        return ja.authErrors.network;
    }
  }
  return ja.authErrors.unknown;
}

/** The Japanese message for a failed API call (field errors are shown separately). */
export function apiErrorMessage(err: unknown): string {
  if (err instanceof Error && (err.name === "UploadFailed" || err.name === "UploadError")) return ja.assignment.uploadFailed;
  if (err instanceof NetworkError) return ja.apiErrors.network;
  if (err instanceof CognitoError && err.isNetworkError) return ja.apiErrors.network;
  if (err instanceof NotSignedInError) return ja.login.sessionExpired;
  if (err instanceof ApiError) {
    if (err.status === 400 || err.status === 422) return ja.apiErrors.validation;
    if (err.status === 403) return ja.apiErrors.forbidden;
    if (err.status === 404) return ja.apiErrors.notFound;
    if (err.status === 409 && (err.problem?.type ?? "").includes("stale-version")) return ja.apiErrors.stale;
    if (err.status === 409 && err.problem?.detail) return `${ja.apiErrors.conflict}`;
    // The learner's uploads of the hour are used up: say when the next hour starts.
    if (err.status === 429 && (err.problem?.type ?? "").endsWith("/upload-limit")) {
      return ja.apiErrors.uploadLimit(Math.max(1, Math.ceil((err.retryAfterSeconds ?? 60) / 60)));
    }
    // Throttled, or a dependency unavailable: the client retried already (api/client.ts).
    if (err.status === 429) return ja.apiErrors.busy;
    if (err.status === 503 && (err.problem?.type ?? "").endsWith("/unavailable")) return ja.apiErrors.busy;
    if (err.status >= 500) return ja.apiErrors.server;
  }
  return ja.apiErrors.unknown;
}

/**
 * The Japanese message for a field error from the API. The server's `message` is English and
 * technical, so the text is chosen from the violated `rule` and the field's label instead.
 */
export function fieldErrorMessage(error: FieldError, label: string, maxLength?: number): string {
  const r = ja.fieldRules;
  switch (error.rule) {
    case "required":
    case "minLength":
    case "pattern": // the API's only pattern on text fields today is "not blank"
      return r.required(label);
    case "maxLength":
    case "length":
      return r.tooLong(label, maxLength);
    case "type":
    case "format":
    case "enum":
      return r.format(label);
    case "additionalProperties":
      return r.unknownField;
    default:
      return r.invalid(label);
  }
}
