import { NotSignedInError, type TokenProvider } from "../auth/auth";
import type { Course, FieldError, NewCourse, Page, Problem } from "./types";

/** The API answered with an error status. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
  ) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
  }

  /** Field errors of a validation problem, with field names reduced to their last segment. */
  get fieldErrors(): FieldError[] {
    return (this.problem?.errors ?? []).map((e) => ({ ...e, field: normaliseField(e.field) }));
  }
}

/** The API could not be reached (offline, DNS, CORS, server down). */
export class NetworkError extends Error {
  override readonly name = "NetworkError";
}

/** "body.title", "/title", "title" → "title". */
function normaliseField(field: string): string {
  const parts = field.split(/[./]/).filter(Boolean);
  return parts[parts.length - 1] ?? field;
}

function parseProblem(body: unknown): Problem | null {
  if (typeof body !== "object" || body === null) return null;
  const raw = body as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof raw[k] === "string" ? (raw[k] as string) : undefined);
  const errors = Array.isArray(raw["errors"])
    ? raw["errors"].flatMap((e: unknown): FieldError[] => {
        if (typeof e !== "object" || e === null) return [];
        const { field, message, rule } = e as Record<string, unknown>;
        if (typeof field !== "string") return [];
        const error: FieldError = { field, message: typeof message === "string" ? message : "" };
        return [typeof rule === "string" ? { ...error, rule } : error];
      })
    : [];
  const problem: { -readonly [K in keyof Problem]: Problem[K] } = { errors };
  const type = str("type");
  const title = str("title");
  const detail = str("detail");
  if (type !== undefined) problem.type = type;
  if (title !== undefined) problem.title = title;
  if (detail !== undefined) problem.detail = detail;
  if (typeof raw["status"] === "number") problem.status = raw["status"];
  return problem;
}

export interface RequestOptions {
  readonly signal?: AbortSignal;
}

export interface ApiClientOptions {
  readonly baseUrl: string;
  readonly auth: TokenProvider;
  readonly fetchFn?: typeof fetch;
}

/** Typed client for the Manabi Plus API. Every call carries the Cognito ID token. */
export class ApiClient {
  private readonly baseUrl: string;
  private readonly auth: TokenProvider;
  private readonly fetchFn: typeof fetch;

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.auth = options.auth;
    this.fetchFn = options.fetchFn ?? ((input, init) => fetch(input, init));
  }

  listCourses(params: { limit?: number; cursor?: string | null } = {}, options: RequestOptions = {}) {
    const query = new URLSearchParams();
    if (params.limit !== undefined) query.set("limit", String(params.limit));
    if (params.cursor) query.set("cursor", params.cursor);
    const qs = query.toString();
    return this.request<Page<Course>>("GET", `/courses${qs ? `?${qs}` : ""}`, undefined, options);
  }

  createCourse(course: NewCourse, options: RequestOptions = {}): Promise<Course> {
    return this.request<Course>("POST", "/courses", course, options);
  }

  private async request<T>(method: string, path: string, body: unknown, options: RequestOptions): Promise<T> {
    let token = await this.auth.getIdToken();
    let response = await this.send(method, path, body, token, options);
    if (response.status === 401) {
      // The token may have expired by the server's clock: renew once and retry.
      token = await this.auth.refreshIdToken();
      response = await this.send(method, path, body, token, options);
      if (response.status === 401) {
        this.auth.expireSession();
        throw new NotSignedInError("expired");
      }
    }
    const payload = await readJson(response);
    if (!response.ok) throw new ApiError(response.status, parseProblem(payload));
    return payload as T;
  }

  private async send(
    method: string,
    path: string,
    body: unknown,
    token: string,
    options: RequestOptions,
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: "application/json", Authorization: token };
    const init: RequestInit = { method, headers, cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    if (options.signal) init.signal = options.signal;
    try {
      return await this.fetchFn(this.baseUrl + path, init);
    } catch (err) {
      if (err instanceof DOMException && err.name === "AbortError") throw err;
      throw new NetworkError(err instanceof Error ? err.message : String(err));
    }
  }
}

async function readJson(response: Response): Promise<unknown> {
  if (response.status === 204) return null;
  const text = await response.text();
  if (text === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export function isAbortError(err: unknown): boolean {
  return err instanceof DOMException && err.name === "AbortError";
}
