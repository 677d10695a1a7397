/**
 * Minimal client for the Cognito Identity Provider JSON API (no AWS SDK): the SPA's app client
 * has no secret, so InitiateAuth needs no signing.
 */

export interface AuthTokens {
  readonly idToken: string;
  readonly accessToken: string;
  /** Absent on REFRESH_TOKEN_AUTH unless refresh-token rotation is on. */
  readonly refreshToken: string | null;
  /** Lifetime of the ID/access tokens in seconds. */
  readonly expiresIn: number;
}

export type InitiateAuthOutcome =
  | { readonly kind: "authenticated"; readonly tokens: AuthTokens }
  /** Cognito wants another step (e.g. NEW_PASSWORD_REQUIRED) that this client does not handle yet. */
  | { readonly kind: "challenge"; readonly challengeName: string; readonly session: string | null };

export interface SignUpResult {
  /** True only if a pre-sign-up trigger confirmed the user at once. */
  readonly confirmed: boolean;
  /** Where the code was sent, masked by Cognito (e.g. "t***@e***"). */
  readonly destination: string | null;
}

function destinationOf(body: Record<string, unknown>): string | null {
  const details = body["CodeDeliveryDetails"];
  if (typeof details !== "object" || details === null) return null;
  const destination = (details as Record<string, unknown>)["Destination"];
  return typeof destination === "string" ? destination : null;
}

/** Error code used when Cognito could not be reached at all. */
export const NETWORK_ERROR = "NetworkError";

/** A failed Cognito call; `code` is the Cognito exception name (e.g. NotAuthorizedException). */
export class CognitoError extends Error {
  override readonly name = "CognitoError";
  constructor(
    readonly code: string,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
  get isNetworkError(): boolean {
    return this.code === NETWORK_ERROR;
  }
}

export interface CognitoClientOptions {
  readonly endpoint: string;
  readonly clientId: string;
  readonly fetchFn?: typeof fetch;
}

const TARGET_PREFIX = "AWSCognitoIdentityProviderService.";

/** "com.amazonaws.cognito#NotAuthorizedException" / "NotAuthorizedException:..." → "NotAuthorizedException". */
function normaliseErrorType(raw: string): string {
  const afterHash = raw.includes("#") ? raw.slice(raw.lastIndexOf("#") + 1) : raw;
  return afterHash.split(":")[0]?.trim() || "UnknownError";
}

export class CognitoClient {
  private readonly endpoint: string;
  private readonly clientId: string;
  private readonly fetchFn: typeof fetch;

  constructor(options: CognitoClientOptions) {
    this.endpoint = options.endpoint;
    this.clientId = options.clientId;
    this.fetchFn = options.fetchFn ?? ((input, init) => fetch(input, init));
  }

  /** SignUp with a generated username (the pool uses email as an alias, so the username must not be an email). */
  async signUp(username: string, password: string, email: string, name?: string): Promise<SignUpResult> {
    // 氏名 goes in Cognito's standard `name` attribute (optional in the pool, asked by the SPA).
    const attributes = [{ Name: "email", Value: email }];
    if (name) attributes.push({ Name: "name", Value: name });
    const body = await this.call("SignUp", {
      ClientId: this.clientId,
      Username: username,
      Password: password,
      UserAttributes: attributes,
    });
    return { confirmed: body["UserConfirmed"] === true, destination: destinationOf(body) };
  }

  async confirmSignUp(username: string, code: string): Promise<void> {
    await this.call("ConfirmSignUp", { ClientId: this.clientId, Username: username, ConfirmationCode: code });
  }

  async resendConfirmationCode(username: string): Promise<string | null> {
    return destinationOf(await this.call("ResendConfirmationCode", { ClientId: this.clientId, Username: username }));
  }

  async forgotPassword(username: string): Promise<string | null> {
    return destinationOf(await this.call("ForgotPassword", { ClientId: this.clientId, Username: username }));
  }

  async confirmForgotPassword(username: string, code: string, password: string): Promise<void> {
    await this.call("ConfirmForgotPassword", {
      ClientId: this.clientId,
      Username: username,
      ConfirmationCode: code,
      Password: password,
    });
  }

  signInWithPassword(username: string, password: string): Promise<InitiateAuthOutcome> {
    return this.initiateAuth("USER_PASSWORD_AUTH", { USERNAME: username, PASSWORD: password });
  }

  /** APP-ACC-01: the signed-in user changes their password (their access token proves who). */
  async changePassword(accessToken: string, previous: string, proposed: string): Promise<void> {
    await this.call("ChangePassword", { AccessToken: accessToken, PreviousPassword: previous, ProposedPassword: proposed });
  }

  /** APP-ACC-01: ends every session of the user (their refresh tokens stop working everywhere). */
  async globalSignOut(accessToken: string): Promise<void> {
    await this.call("GlobalSignOut", { AccessToken: accessToken });
  }

  /** APP-ACC-01: the signed-in user's 氏名 (Cognito's standard `name` attribute). */
  async updateName(accessToken: string, name: string): Promise<void> {
    await this.call("UpdateUserAttributes", { AccessToken: accessToken, UserAttributes: [{ Name: "name", Value: name }] });
  }

  async refresh(refreshToken: string): Promise<AuthTokens> {
    const outcome = await this.initiateAuth("REFRESH_TOKEN_AUTH", { REFRESH_TOKEN: refreshToken });
    if (outcome.kind !== "authenticated") {
      throw new CognitoError(outcome.challengeName, "Unexpected challenge on token refresh");
    }
    return outcome.tokens;
  }

  private async initiateAuth(
    flow: "USER_PASSWORD_AUTH" | "REFRESH_TOKEN_AUTH",
    parameters: Record<string, string>,
  ): Promise<InitiateAuthOutcome> {
    const body = await this.call("InitiateAuth", {
      AuthFlow: flow,
      ClientId: this.clientId,
      AuthParameters: parameters,
    });
    const result = body["AuthenticationResult"];
    if (typeof result === "object" && result !== null) {
      const r = result as Record<string, unknown>;
      const idToken = r["IdToken"];
      if (typeof idToken !== "string" || idToken === "") {
        throw new CognitoError("InvalidResponse", "AuthenticationResult without IdToken");
      }
      return {
        kind: "authenticated",
        tokens: {
          idToken,
          accessToken: typeof r["AccessToken"] === "string" ? r["AccessToken"] : "",
          refreshToken: typeof r["RefreshToken"] === "string" ? r["RefreshToken"] : null,
          expiresIn: typeof r["ExpiresIn"] === "number" && r["ExpiresIn"] > 0 ? r["ExpiresIn"] : 3600,
        },
      };
    }
    const challengeName = body["ChallengeName"];
    if (typeof challengeName === "string" && challengeName !== "") {
      const session = body["Session"];
      return { kind: "challenge", challengeName, session: typeof session === "string" ? session : null };
    }
    throw new CognitoError("InvalidResponse", "InitiateAuth returned neither tokens nor a challenge");
  }

  private async call(operation: string, payload: unknown): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await this.fetchFn(this.endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-amz-json-1.1",
          "X-Amz-Target": TARGET_PREFIX + operation,
        },
        body: JSON.stringify(payload),
        cache: "no-store",
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === "AbortError") throw err;
      throw new CognitoError(NETWORK_ERROR, err instanceof Error ? err.message : String(err));
    }

    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = await response.json();
      if (typeof parsed === "object" && parsed !== null) body = parsed as Record<string, unknown>;
    } catch {
      // Non-JSON body (proxy error page, …): handled below from the status.
    }

    if (!response.ok) {
      const rawType =
        (typeof body["__type"] === "string" && body["__type"]) ||
        response.headers.get("x-amzn-ErrorType") ||
        (response.status >= 500 ? "InternalErrorException" : "UnknownError");
      const message =
        (typeof body["message"] === "string" && body["message"]) ||
        (typeof body["Message"] === "string" && body["Message"]) ||
        `HTTP ${response.status}`;
      throw new CognitoError(normaliseErrorType(rawType), message, response.status);
    }
    return body;
  }
}
