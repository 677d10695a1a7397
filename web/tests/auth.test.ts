import { describe, expect, it } from "vitest";
import { AuthService, NotSignedInError, UnsupportedChallengeError, type AuthEvent } from "../src/auth/auth";
import { CognitoClient, CognitoError } from "../src/auth/cognito";
import { MemorySessionStore, SESSION_STORAGE_KEY, WebStorageSessionStore, type SessionStore } from "../src/auth/session";
import { fakeJwt, jsonResponse, queueFetch } from "./helpers";

const teacherToken = fakeJwt({ sub: "u-1", email: "teacher@example.com", "cognito:groups": ["teachers"] });
const signInOk = () =>
  jsonResponse(200, {
    AuthenticationResult: { IdToken: teacherToken, AccessToken: "at", RefreshToken: "rt-1", ExpiresIn: 3600 },
  });

function setup(responses: Array<Response | Error>, store: SessionStore = new MemorySessionStore()) {
  let now = 1_000_000;
  const { fn, calls } = queueFetch(...responses);
  const cognito = new CognitoClient({ endpoint: "http://cognito", clientId: "client", fetchFn: fn });
  const auth = new AuthService(cognito, store, () => now);
  const events: AuthEvent[] = [];
  auth.subscribe((e) => events.push(e));
  return { auth, store, calls, events, advance: (ms: number) => (now += ms) };
}

describe("AuthService", () => {
  it("signs in, keeps the tokens and exposes the user", async () => {
    const { auth, store, events } = setup([signInOk()]);
    const user = await auth.signIn("teacher@example.com", "Passw0rd!");

    expect(user).toEqual({ sub: "u-1", email: "teacher@example.com", groups: ["teachers"] });
    expect(auth.isSignedIn).toBe(true);
    expect(store.load()).toEqual({
      idToken: teacherToken,
      accessToken: "at",
      refreshToken: "rt-1",
      expiresAt: 1_000_000 + 3_600_000,
    });
    expect(events).toEqual([{ type: "signed-in", user, origin: "this-tab" }]);
    await expect(auth.getIdToken()).resolves.toBe(teacherToken);
  });

  it("restores the session from storage after a reload", async () => {
    const storage = window.localStorage;
    storage.clear();
    const first = setup([signInOk()], new WebStorageSessionStore(storage));
    await first.auth.signIn("teacher@example.com", "Passw0rd!");
    expect(storage.getItem(SESSION_STORAGE_KEY)).not.toBeNull();

    const second = setup([], new WebStorageSessionStore(storage));
    expect(second.auth.user?.email).toBe("teacher@example.com");

    second.auth.signOut();
    expect(storage.getItem(SESSION_STORAGE_KEY)).toBeNull();
    expect(second.events).toEqual([{ type: "signed-out", reason: "user" }]);
  });

  it("refreshes an expired ID token once, keeping the refresh token", async () => {
    const newToken = fakeJwt({ sub: "u-1", email: "teacher@example.com", "cognito:groups": ["teachers"], n: 2 });
    const { auth, store, calls, advance } = setup([
      signInOk(),
      jsonResponse(200, { AuthenticationResult: { IdToken: newToken, AccessToken: "at2", ExpiresIn: 3600 } }),
    ]);
    await auth.signIn("teacher@example.com", "Passw0rd!");
    advance(3_600_000);

    const [a, b] = await Promise.all([auth.getIdToken(), auth.getIdToken()]);
    expect(a).toBe(newToken);
    expect(b).toBe(newToken);
    expect(calls).toHaveLength(2); // sign-in + one refresh
    expect(JSON.parse(String(calls[1]!.init.body)).AuthFlow).toBe("REFRESH_TOKEN_AUTH");
    expect(store.load()?.refreshToken).toBe("rt-1");
  });

  it("ends the session when the refresh token is refused", async () => {
    const { auth, events, advance, store } = setup([
      signInOk(),
      jsonResponse(400, { __type: "NotAuthorizedException", message: "Refresh Token has expired" }),
    ]);
    await auth.signIn("teacher@example.com", "Passw0rd!");
    advance(4_000_000);

    await expect(auth.getIdToken()).rejects.toBeInstanceOf(NotSignedInError);
    expect(auth.isSignedIn).toBe(false);
    expect(store.load()).toBeNull();
    expect(events.at(-1)).toEqual({ type: "signed-out", reason: "expired" });
  });

  it("keeps the session when the refresh fails for lack of network", async () => {
    const { auth, advance } = setup([signInOk(), new TypeError("Failed to fetch")]);
    await auth.signIn("teacher@example.com", "Passw0rd!");
    advance(4_000_000);

    const error = await auth.getIdToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CognitoError);
    expect(auth.isSignedIn).toBe(true);
  });

  it("refuses challenges it cannot complete", async () => {
    const { auth } = setup([jsonResponse(200, { ChallengeName: "NEW_PASSWORD_REQUIRED", Session: "s" })]);
    await expect(auth.signIn("a@example.com", "x")).rejects.toBeInstanceOf(UnsupportedChallengeError);
    expect(auth.isSignedIn).toBe(false);
  });

  it("needs a session to hand out a token", async () => {
    const { auth } = setup([]);
    await expect(auth.getIdToken()).rejects.toBeInstanceOf(NotSignedInError);
  });
});
