/** The tokens of a signed-in user, persisted so that a reload stays signed in. */
export interface Session {
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Epoch milliseconds (local clock) at which the ID and access tokens expire. */
  readonly expiresAt: number;
}

export interface SessionStore {
  load(): Session | null;
  save(session: Session): void;
  clear(): void;
  /** Calls `listener` when another tab changes the stored session. Returns an unsubscribe function. */
  watch(listener: () => void): () => void;
}

export const SESSION_STORAGE_KEY = "manabi-plus.session.v1";

function isSession(value: unknown): value is Session {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v["idToken"] === "string" &&
    v["idToken"] !== "" &&
    typeof v["accessToken"] === "string" &&
    typeof v["refreshToken"] === "string" &&
    v["refreshToken"] !== "" &&
    typeof v["expiresAt"] === "number" &&
    Number.isFinite(v["expiresAt"])
  );
}

/** Keeps the session in Web Storage (localStorage by default). Storage failures never throw. */
export class WebStorageSessionStore implements SessionStore {
  constructor(
    private readonly storage: Storage,
    private readonly key: string = SESSION_STORAGE_KEY,
  ) {}

  load(): Session | null {
    let raw: string | null;
    try {
      raw = this.storage.getItem(this.key);
    } catch {
      return null;
    }
    if (raw === null) return null;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (isSession(parsed)) return parsed;
    } catch {
      // fall through: corrupted entry
    }
    this.clear();
    return null;
  }

  save(session: Session): void {
    try {
      this.storage.setItem(this.key, JSON.stringify(session));
    } catch {
      // Storage full or disabled: the session still lives in memory for this page.
    }
  }

  clear(): void {
    try {
      this.storage.removeItem(this.key);
    } catch {
      // ignore
    }
  }

  watch(listener: () => void): () => void {
    const onStorage = (event: StorageEvent): void => {
      if (event.key === this.key || event.key === null) listener();
    };
    window.addEventListener("storage", onStorage);
    return () => window.removeEventListener("storage", onStorage);
  }
}

/** In-memory store, for tests and for browsers whose storage is unavailable. */
export class MemorySessionStore implements SessionStore {
  private session: Session | null = null;
  load(): Session | null {
    return this.session;
  }
  save(session: Session): void {
    this.session = session;
  }
  clear(): void {
    this.session = null;
  }
  watch(): () => void {
    return () => undefined;
  }
}
