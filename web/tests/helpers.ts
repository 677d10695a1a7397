import type { Course } from "../src/api/types";

const b64url = (value: unknown): string => {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

/** An unsigned JWT with the given claims (the SPA never verifies signatures). */
export function fakeJwt(claims: Record<string, unknown>): string {
  return `${b64url({ alg: "RS256", kid: "test" })}.${b64url(claims)}.signature`;
}

export function jsonResponse(status: number, body: unknown, contentType = "application/json"): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": contentType },
  });
}

export function course(overrides: Partial<Course> = {}): Course {
  return {
    courseId: "c-1",
    title: "はじめてのPython",
    description: "変数と関数の基本を学びます。",
    status: "draft",
    ownerId: "u-1",
    createdAt: "2025-04-01T09:00:00Z",
    updatedAt: "2025-04-01T09:00:00Z",
    version: 1,
    ...overrides,
  };
}

/** A fetch stub that answers with the queued responses in order and records the calls. */
export function queueFetch(...responses: Array<Response | Error>) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fn = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    calls.push({ url: String(input), init });
    const next = responses.shift();
    if (!next) throw new Error(`unexpected fetch ${String(input)}`);
    if (next instanceof Error) throw next;
    return next;
  }) as typeof fetch;
  return { fn, calls };
}
