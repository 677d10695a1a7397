import { CognitoError, type AuthTokens, type CognitoClient } from "./cognito";
import { userFromIdToken, type User } from "./jwt";
import type { Session, SessionStore } from "./session";

/** Refresh this long before the ID token expires, so a request never leaves with a stale token. */
const EXPIRY_MARGIN_MS = 60_000;

/** Refresh failures that mean the refresh token will never work again. */
const SESSION_ENDING_ERRORS = new Set([
  "NotAuthorizedException",
  "UserNotFoundException",
  "UserNotConfirmedException",
  "PasswordResetRequiredException",
]);

/** Why the user is no longer signed in. */
export type SignOutReason = "user" | "expired" | "other-tab";

export type AuthEvent =
  | { readonly type: "signed-in"; readonly user: User; readonly origin: "this-tab" | "other-tab" }
  | { readonly type: "signed-out"; readonly reason: SignOutReason }
  | { readonly type: "refreshed"; readonly user: User };

/** Thrown when a request needs a token but nobody is signed in (or the session could not be renewed). */
export class NotSignedInError extends Error {
  override readonly name = "NotSignedInError";
  constructor(readonly reason: "none" | "expired") {
    super(reason === "expired" ? "Session expired" : "Not signed in");
  }
}

/** Cognito asked for a step the SPA does not support yet (e.g. NEW_PASSWORD_REQUIRED). */
export class UnsupportedChallengeError extends Error {
  override readonly name = "UnsupportedChallengeError";
  constructor(readonly challengeName: string) {
    super(`Unsupported challenge ${challengeName}`);
  }
}

/** The operations the API client needs. */
export interface TokenProvider {
  getIdToken(): Promise<string>;
  /** Gets a new ID token even if the current one looks valid (e.g. after a 401). */
  refreshIdToken(): Promise<string>;
  /** Ends the session because the server no longer accepts it. */
  expireSession(): void;
}

/**
 * Owns the signed-in session: sign in and out, keeps tokens in the store, refreshes the ID token
 * with REFRESH_TOKEN_AUTH when it is about to expire, and tells listeners about changes.
 */
export class AuthService implements TokenProvider {
  private session: Session | null;
  private currentUser: User | null = null;
  private refreshing: Promise<string> | null = null;
  private readonly listeners = new Set<(event: AuthEvent) => void>();

  constructor(
    private readonly cognito: CognitoClient,
    private readonly store: SessionStore,
    private readonly now: () => number = Date.now,
  ) {
    this.session = null;
    this.adopt(store.load());
    store.watch(() => this.syncFromStore());
  }

  get user(): User | null {
    return this.currentUser;
  }

  get isSignedIn(): boolean {
    return this.session !== null;
  }

  subscribe(listener: (event: AuthEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Signs in with email and password. Throws CognitoError or UnsupportedChallengeError. */
  async signIn(email: string, password: string): Promise<User> {
    const outcome = await this.cognito.signInWithPassword(email, password);
    if (outcome.kind === "challenge") throw new UnsupportedChallengeError(outcome.challengeName);
    const { tokens } = outcome;
    if (!tokens.refreshToken) {
      throw new CognitoError("InvalidResponse", "Sign-in response without a refresh token");
    }
    const user = this.setSession(tokens, tokens.refreshToken);
    this.emit({ type: "signed-in", user, origin: "this-tab" });
    return user;
  }

  signOut(reason: SignOutReason = "user"): void {
    const wasSignedIn = this.session !== null;
    this.session = null;
    this.currentUser = null;
    this.refreshing = null;
    if (reason !== "other-tab") this.store.clear();
    if (wasSignedIn) this.emit({ type: "signed-out", reason });
  }

  expireSession(): void {
    this.signOut("expired");
  }

  /** The access token of the session, renewed with the ID token when that is about to expire. */
  async getAccessToken(): Promise<string> {
    await this.getIdToken();
    if (!this.session) throw new NotSignedInError("none");
    return this.session.accessToken;
  }

  async getIdToken(): Promise<string> {
    const session = this.session;
    if (!session) throw new NotSignedInError("none");
    if (this.now() < session.expiresAt - EXPIRY_MARGIN_MS) return session.idToken;
    return this.refreshIdToken();
  }

  refreshIdToken(): Promise<string> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<string> {
    const session = this.session;
    if (!session) throw new NotSignedInError("none");
    let tokens: AuthTokens;
    try {
      tokens = await this.cognito.refresh(session.refreshToken);
    } catch (err) {
      // A network failure keeps the session (the user may be offline for a moment); a rejected
      // refresh token (expired, revoked, user disabled) ends it.
      if (err instanceof CognitoError && SESSION_ENDING_ERRORS.has(err.code)) {
        this.signOut("expired");
        throw new NotSignedInError("expired");
      }
      throw err;
    }
    if (this.session !== session) throw new NotSignedInError("none"); // signed out meanwhile
    const user = this.setSession(tokens, tokens.refreshToken ?? session.refreshToken);
    this.emit({ type: "refreshed", user });
    return tokens.idToken;
  }

  private setSession(tokens: AuthTokens, refreshToken: string): User {
    const session: Session = {
      idToken: tokens.idToken,
      accessToken: tokens.accessToken,
      refreshToken,
      expiresAt: this.now() + tokens.expiresIn * 1000,
    };
    const user = userFromIdToken(session.idToken);
    this.session = session;
    this.currentUser = user;
    this.store.save(session);
    return user;
  }

  /** Takes over a stored session if its ID token can be read. */
  private adopt(session: Session | null): void {
    if (!session) return;
    try {
      this.currentUser = userFromIdToken(session.idToken);
      this.session = session;
    } catch {
      this.store.clear();
    }
  }

  /** Another tab signed in, refreshed or signed out. */
  private syncFromStore(): void {
    const stored = this.store.load();
    if (!stored) {
      this.signOut("other-tab");
      return;
    }
    const before = this.currentUser?.sub;
    this.adopt(stored);
    if (this.currentUser && this.currentUser.sub !== before) {
      this.emit({ type: "signed-in", user: this.currentUser, origin: "other-tab" });
    }
  }

  private emit(event: AuthEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}
