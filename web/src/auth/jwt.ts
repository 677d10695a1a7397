/**
 * Decodes the payload of a JWT. The signature is NOT verified: the browser only reads the claims to
 * show who is signed in; the API verifies every token it receives.
 */
export function decodeJwtPayload(token: string): Record<string, unknown> {
  const part = token.split(".")[1];
  if (!part) throw new Error("Malformed JWT");
  const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  const payload: unknown = JSON.parse(new TextDecoder().decode(bytes));
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new Error("Malformed JWT payload");
  }
  return payload as Record<string, unknown>;
}

/** The Cognito groups a user belongs to. */
export type Group = "learners" | "teachers" | "admins";

export interface User {
  readonly sub: string;
  readonly email: string;
  readonly groups: readonly string[];
  /** 氏名 (Cognito's `name`); "" or absent for accounts made before it was asked for. */
  readonly name?: string;
}

/** Reads the user shown in the UI from a Cognito ID token. */
export function userFromIdToken(idToken: string): User {
  const claims = decodeJwtPayload(idToken);
  const str = (key: string): string => {
    const v = claims[key];
    return typeof v === "string" ? v : "";
  };
  const rawGroups = claims["cognito:groups"];
  const groups = Array.isArray(rawGroups)
    ? rawGroups.filter((g): g is string => typeof g === "string")
    : typeof rawGroups === "string" && rawGroups !== ""
      ? [rawGroups]
      : [];
  return {
    sub: str("sub"),
    email: str("email") || str("cognito:username"),
    groups,
    ...(str("name") ? { name: str("name") } : {}),
  };
}

export function hasAnyGroup(user: User | null, ...groups: Group[]): boolean {
  return user !== null && groups.some((g) => user.groups.includes(g));
}
