import { describe, expect, it, vi } from "vitest";
import { ApiClient, ApiError, NetworkError } from "../src/api/client";
import { NotSignedInError, type TokenProvider } from "../src/auth/auth";
import { apiErrorMessage } from "../src/i18n/errors";
import { course, jsonResponse, queueFetch } from "./helpers";

function tokens() {
  return {
    getIdToken: vi.fn(async () => "token-1"),
    refreshIdToken: vi.fn(async () => "token-2"),
    expireSession: vi.fn(() => undefined),
  } satisfies TokenProvider;
}

describe("ApiClient", () => {
  it("lists courses with the ID token in Authorization", async () => {
    const page = { items: [course()], nextCursor: "abc" };
    const { fn, calls } = queueFetch(jsonResponse(200, page));
    const api = new ApiClient({ baseUrl: "http://api/", auth: tokens(), fetchFn: fn });

    await expect(api.listCourses({ limit: 20, cursor: "x y" })).resolves.toEqual(page);
    expect(calls[0]!.url).toBe("http://api/courses?limit=20&cursor=x%20y");
    expect(calls[0]!.init.headers).toMatchObject({ Authorization: "token-1" });
  });

  it("posts a new course as JSON", async () => {
    const { fn, calls } = queueFetch(jsonResponse(201, course()));
    const api = new ApiClient({ baseUrl: "http://api", auth: tokens(), fetchFn: fn });

    await api.createCourse({ title: "T", description: "" });
    expect(calls[0]!.init.method).toBe("POST");
    expect(calls[0]!.init.headers).toMatchObject({ "Content-Type": "application/json", Authorization: "token-1" });
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ title: "T", description: "" });
  });

  it("turns problem+json into an ApiError with field errors", async () => {
    const problem = {
      type: "https://manabiplus.example.jp/problems/invalid-input",
      title: "The request is not valid",
      status: 400,
      detail: "title: must be shorter",
      errors: [{ field: "data.title", message: "must be shorter than or equal to 120 characters", rule: "maxLength" }],
    };
    const { fn } = queueFetch(jsonResponse(400, problem, "application/problem+json"));
    const api = new ApiClient({ baseUrl: "http://api", auth: tokens(), fetchFn: fn });

    const error = await api.createCourse({ title: "x", description: "" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).fieldErrors).toEqual([
      { field: "title", message: "must be shorter than or equal to 120 characters", rule: "maxLength" },
    ]);
  });

  it("retries once with a fresh token after a 401", async () => {
    const auth = tokens();
    const { fn, calls } = queueFetch(jsonResponse(401, { message: "Unauthorized" }), jsonResponse(200, { items: [], nextCursor: null }));
    const api = new ApiClient({ baseUrl: "http://api", auth, fetchFn: fn });

    await expect(api.listCourses()).resolves.toEqual({ items: [], nextCursor: null });
    expect(calls[1]!.init.headers).toMatchObject({ Authorization: "token-2" });
  });

  it("ends the session when the fresh token is refused too", async () => {
    const auth = tokens();
    const { fn } = queueFetch(jsonResponse(401, {}), jsonResponse(401, {}));
    const api = new ApiClient({ baseUrl: "http://api", auth, fetchFn: fn });

    await expect(api.listCourses()).rejects.toBeInstanceOf(NotSignedInError);
    expect(auth.expireSession).toHaveBeenCalledOnce();
  });

  it("reports an unreachable API as a NetworkError", async () => {
    const { fn } = queueFetch(new TypeError("Failed to fetch"));
    const api = new ApiClient({ baseUrl: "http://api", auth: tokens(), fetchFn: fn });
    await expect(api.listCourses()).rejects.toBeInstanceOf(NetworkError);
  });
});

describe("retries of a throttled or unavailable API (GL-REL-01)", () => {
  function busy(status: number, retryAfter: string) {
    const problem = { type: `https://manabiplus.example.jp/problems/${status === 429 ? "throttled" : "unavailable"}`, status };
    return new Response(JSON.stringify(problem), {
      status,
      headers: { "Content-Type": "application/problem+json", "Retry-After": retryAfter },
    });
  }

  it("retries a read after Retry-After, then succeeds", async () => {
    const waits: number[] = [];
    const { fn, calls } = queueFetch(busy(503, "3"), busy(429, "1"), jsonResponse(200, { items: [], nextCursor: null }));
    const api = new ApiClient({ baseUrl: "http://api", auth: tokens(), fetchFn: fn, sleep: async (ms) => void waits.push(ms), random: () => 0.5 });

    await expect(api.listCourses()).resolves.toEqual({ items: [], nextCursor: null });
    expect(calls).toHaveLength(3);
    expect(waits).toEqual([3000, 1000]); // the server's Retry-After, longer than the backoff
  });

  it("retries a create only with its Idempotency-Key, the same key every time", async () => {
    const { fn, calls } = queueFetch(busy(503, "1"), jsonResponse(201, course()));
    const api = new ApiClient({ baseUrl: "http://api", auth: tokens(), fetchFn: fn, sleep: async () => undefined });

    await api.createCourse({ title: "T", description: "" });
    const keys = calls.map((c) => (c.init.headers as Record<string, string>)["Idempotency-Key"]);
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
  });

  it("does not retry an update without a key (a PATCH), and says the API is busy in Japanese", async () => {
    const { fn, calls } = queueFetch(busy(429, "1"));
    const api = new ApiClient({ baseUrl: "http://api", auth: tokens(), fetchFn: fn, sleep: async () => undefined });

    const error = await api.updateCourse("c-1", { title: "T", version: 1 }).catch((e: unknown) => e);
    expect(calls).toHaveLength(1);
    expect(error).toBeInstanceOf(ApiError);
    expect(apiErrorMessage(error)).toBe("混み合っています。しばらくしてから再度お試しください。");
  });

  it("does not wait out a Retry-After longer than its cap, and names the minutes of an upload limit (GL-SEC-04)", async () => {
    const problem = { type: "https://manabiplus.example.jp/problems/upload-limit", status: 429 };
    const limited = new Response(JSON.stringify(problem), {
      status: 429,
      headers: { "Content-Type": "application/problem+json", "Retry-After": "870" },
    });
    const waits: number[] = [];
    const { fn, calls } = queueFetch(limited);
    const api = new ApiClient({ baseUrl: "http://api", auth: tokens(), fetchFn: fn, sleep: async (ms) => void waits.push(ms) });

    const file = { fileName: "r.pdf", contentType: "application/pdf" as const, sizeBytes: 10 };
    const error = await api.createUpload("c-1", "a-1", file).catch((e: unknown) => e);
    expect(calls).toHaveLength(1);
    expect(waits).toEqual([]);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).retryAfterSeconds).toBe(870);
    expect(apiErrorMessage(error)).toBe("提出の上限に達しました。15分後にもう一度お試しください。");
  });

  it("gives up after three retries with a growing, jittered backoff", async () => {
    const waits: number[] = [];
    const { fn, calls } = queueFetch(busy(503, ""), busy(503, ""), busy(503, ""), busy(503, ""));
    const api = new ApiClient({ baseUrl: "http://api", auth: tokens(), fetchFn: fn, sleep: async (ms) => void waits.push(ms), random: () => 0 });

    const error = await api.listCourses().catch((e: unknown) => e);
    expect(calls).toHaveLength(4);
    expect(waits).toEqual([250, 500, 1000]); // half of 500 · 2^n at the lowest jitter
    expect(apiErrorMessage(error)).toBe("混み合っています。しばらくしてから再度お試しください。");
  });
});
