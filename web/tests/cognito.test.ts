import { describe, expect, it } from "vitest";
import { CognitoClient, CognitoError } from "../src/auth/cognito";
import { jsonResponse, queueFetch } from "./helpers";

const endpoint = "http://127.0.0.1:4566";

describe("CognitoClient", () => {
  it("sends USER_PASSWORD_AUTH as the Cognito JSON API expects", async () => {
    const { fn, calls } = queueFetch(
      jsonResponse(200, {
        AuthenticationResult: { IdToken: "id", AccessToken: "at", RefreshToken: "rt", ExpiresIn: 3600 },
      }),
    );
    const client = new CognitoClient({ endpoint, clientId: "client", fetchFn: fn });
    const outcome = await client.signInWithPassword("t@example.com", "Passw0rd!");

    expect(outcome).toEqual({
      kind: "authenticated",
      tokens: { idToken: "id", accessToken: "at", refreshToken: "rt", expiresIn: 3600 },
    });
    const call = calls[0]!;
    expect(call.url).toBe(endpoint);
    expect(call.init.method).toBe("POST");
    expect(call.init.headers).toEqual({
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
    });
    expect(JSON.parse(String(call.init.body))).toEqual({
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: "client",
      AuthParameters: { USERNAME: "t@example.com", PASSWORD: "Passw0rd!" },
    });
  });

  it("refreshes with REFRESH_TOKEN_AUTH", async () => {
    const { fn, calls } = queueFetch(
      jsonResponse(200, { AuthenticationResult: { IdToken: "id2", AccessToken: "at2", ExpiresIn: 60 } }),
    );
    const client = new CognitoClient({ endpoint, clientId: "client", fetchFn: fn });
    await expect(client.refresh("rt")).resolves.toEqual({
      idToken: "id2",
      accessToken: "at2",
      refreshToken: null,
      expiresIn: 60,
    });
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({
      AuthFlow: "REFRESH_TOKEN_AUTH",
      ClientId: "client",
      AuthParameters: { REFRESH_TOKEN: "rt" },
    });
  });

  it("reports a challenge instead of tokens", async () => {
    const { fn } = queueFetch(jsonResponse(200, { ChallengeName: "NEW_PASSWORD_REQUIRED", Session: "s" }));
    const client = new CognitoClient({ endpoint, clientId: "client", fetchFn: fn });
    await expect(client.signInWithPassword("a", "b")).resolves.toEqual({
      kind: "challenge",
      challengeName: "NEW_PASSWORD_REQUIRED",
      session: "s",
    });
  });

  it.each([
    ["NotAuthorizedException", "NotAuthorizedException"],
    ["com.amazonaws.cognito.identity.idp.model#UserNotFoundException", "UserNotFoundException"],
  ])("turns error type %s into code %s", async (type, code) => {
    const { fn } = queueFetch(jsonResponse(400, { __type: type, message: "Incorrect username or password." }));
    const client = new CognitoClient({ endpoint, clientId: "client", fetchFn: fn });
    const error = await client.signInWithPassword("a", "b").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CognitoError);
    expect(error).toMatchObject({ code, status: 400 });
  });

  it("reports an unreachable endpoint as a network error", async () => {
    const { fn } = queueFetch(new TypeError("Failed to fetch"));
    const client = new CognitoClient({ endpoint, clientId: "client", fetchFn: fn });
    const error = await client.signInWithPassword("a", "b").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CognitoError);
    expect((error as CognitoError).isNetworkError).toBe(true);
  });
});
