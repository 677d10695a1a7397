import createClient, { type Client } from "openapi-fetch";
import { NotSignedInError, type TokenProvider } from "../auth/auth";
import type { paths } from "./schema";
import type {
  AssignmentCreate,
  AssignmentUpdate,
  CourseUpdate,
  FieldError,
  Grade,
  GroupName,
  LessonCreate,
  LessonUpdate,
  NewCourse,
  Problem,
  SubmissionCreate,
  UploadRequest,
} from "./types";

/** The API answered with an error status. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
    /** The server's Retry-After in seconds, when it sent one (429, 503). */
    readonly retryAfterSeconds: number | null = null,
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
  /** Waits between retries of a throttled or unavailable call (tests pass a fake). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** 0 ≤ x < 1; the jitter of the backoff (tests pass a constant). */
  readonly random?: () => number;
}

/** How a call the API answered 429 or 503 is retried (GL-REL-01): at most RETRIES more times,
 * waiting the server's Retry-After or an exponential backoff with jitter, whichever is longer.
 * Only calls that cannot be applied twice are retried: reads, PUTs, and creates that carry an
 * Idempotency-Key; the API writes nothing when it answers 429 or 503. */
export const RETRIES = 3;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8000;
const RETRY_STATUSES = new Set([429, 503]);
const REPEATABLE_METHODS = new Set(["GET", "HEAD", "PUT", "DELETE"]);

/** The wait before retry number `attempt` (0-based): the server's Retry-After at least; null
 * when the server asks for a longer wait than the client's cap (e.g. an hourly upload limit):
 * retrying sooner could not succeed, so the caller is told at once. */
export function retryDelayMs(attempt: number, retryAfter: string | null, random: () => number): number | null {
  if (retryAfterSeconds(retryAfter) * 1000 > BACKOFF_CAP_MS) return null;
  const backoff = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
  const jittered = backoff / 2 + (random() * backoff) / 2;
  return Math.max(retryAfterSeconds(retryAfter) * 1000, jittered);
}

/** What an openapi-fetch call resolves to: the parsed body on success, the error body otherwise. */
interface Answer<T> {
  readonly data?: T;
  readonly error?: unknown;
  readonly response: Response;
}

/** Typed client for the Manabi Plus API. Every path, parameter, body and answer is typed from
 * docs/openapi.json (schema.d.ts, through openapi-fetch): a route or field the contract renames is
 * a build error. Every call carries the Cognito ID token; throttled calls are retried (send()). */
export class ApiClient {
  private readonly http: Client<paths>;
  private readonly auth: TokenProvider;
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(options: ApiClientOptions) {
    this.auth = options.auth;
    this.fetchFn = options.fetchFn ?? ((input, init) => fetch(input, init));
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.http = createClient<paths>({
      baseUrl: options.baseUrl.replace(/\/+$/, ""),
      fetch: (request) => this.send(request),
    });
  }

  listCourses(params: { limit?: number; cursor?: string | null } = {}, options: RequestOptions = {}) {
    return this.listCoursesInScope(undefined, params, options);
  }

  listCoursesInScope(scope: "published" | "mine" | "all" | undefined, params: { limit?: number; cursor?: string | null } = {}, options: RequestOptions = {}) {
    const query = given({ scope, limit: params.limit, cursor: params.cursor });
    return answer(this.http.GET("/courses", { params: { query }, ...options }));
  }

  createCourse(course: NewCourse, options: RequestOptions = {}) {
    return answer(this.http.POST("/courses", { body: course, params: { header: newKey() }, ...options }));
  }

  getCourse(courseId: string, options: RequestOptions = {}) {
    return answer(this.http.GET("/courses/{courseId}", { params: { path: { courseId } }, ...options }));
  }

  updateCourse(courseId: string, update: CourseUpdate, options: RequestOptions = {}) {
    return answer(this.http.PATCH("/courses/{courseId}", { params: { path: { courseId } }, body: update, ...options }));
  }

  transitionCourse(courseId: string, action: "publish" | "archive", version: number, options: RequestOptions = {}) {
    const request = { params: { path: { courseId } }, body: { version }, ...options };
    return answer(action === "publish" ? this.http.POST("/courses/{courseId}/publish", request) : this.http.POST("/courses/{courseId}/archive", request));
  }

  listLessons(courseId: string, options: RequestOptions = {}) {
    return answer(this.http.GET("/courses/{courseId}/lessons", { params: { path: { courseId } }, ...options }));
  }

  getLesson(courseId: string, lessonId: string, options: RequestOptions = {}) {
    return answer(this.http.GET("/courses/{courseId}/lessons/{lessonId}", { params: { path: { courseId, lessonId } }, ...options }));
  }

  createLesson(courseId: string, lesson: LessonCreate, options: RequestOptions = {}) {
    return answer(this.http.POST("/courses/{courseId}/lessons", { params: { path: { courseId }, header: newKey() }, body: lesson, ...options }));
  }

  updateLesson(courseId: string, lessonId: string, update: LessonUpdate, options: RequestOptions = {}) {
    return answer(this.http.PATCH("/courses/{courseId}/lessons/{lessonId}", { params: { path: { courseId, lessonId } }, body: update, ...options }));
  }

  reorderLessons(courseId: string, lessonIds: readonly string[], version: number, options: RequestOptions = {}) {
    return answer(this.http.PUT("/courses/{courseId}/lesson-order", { params: { path: { courseId } }, body: { lessonIds: [...lessonIds], version }, ...options }));
  }

  deleteLesson(courseId: string, lessonId: string, version: number, options: RequestOptions = {}) {
    return answer(this.http.DELETE("/courses/{courseId}/lessons/{lessonId}", { params: { path: { courseId, lessonId }, query: { version } }, ...options }));
  }

  enrol(courseId: string, options: RequestOptions = {}) {
    return answer(this.http.POST("/courses/{courseId}/enrolment", { params: { path: { courseId } }, ...options }));
  }

  listMyEnrolments(params: { cursor?: string | null } = {}, options: RequestOptions = {}) {
    return answer(this.http.GET("/me/enrolments", { params: { query: given({ limit: 50, cursor: params.cursor }) }, ...options }));
  }

  listCourseEnrolments(courseId: string, params: { cursor?: string | null } = {}, options: RequestOptions = {}) {
    const query = given({ limit: 60, cursor: params.cursor });
    return answer(this.http.GET("/courses/{courseId}/enrolments", { params: { path: { courseId }, query }, ...options }));
  }

  updateMyProfile(name: string, options: RequestOptions = {}) {
    return answer(this.http.PUT("/me/profile", { body: { name }, ...options }));
  }

  completeLesson(courseId: string, lessonId: string, options: RequestOptions = {}) {
    return answer(this.http.PUT("/courses/{courseId}/lessons/{lessonId}/completion", { params: { path: { courseId, lessonId } }, ...options }));
  }

  getMyProgress(courseId: string, options: RequestOptions = {}) {
    return answer(this.http.GET("/courses/{courseId}/progress", { params: { path: { courseId } }, ...options }));
  }

  /** The course's grades as the CSV text the API sends (UTF-8, BOM first). */
  exportGrades(courseId: string, options: RequestOptions = {}): Promise<string> {
    return answer(this.http.GET("/courses/{courseId}/grades.csv", { params: { path: { courseId } }, parseAs: "text", ...options }));
  }

  createAssignment(courseId: string, assignment: AssignmentCreate, options: RequestOptions = {}) {
    return answer(this.http.POST("/courses/{courseId}/assignments", { params: { path: { courseId }, header: newKey() }, body: assignment, ...options }));
  }

  listAssignments(courseId: string, params: { cursor?: string | null } = {}, options: RequestOptions = {}) {
    const query = given({ limit: 60, cursor: params.cursor });
    return answer(this.http.GET("/courses/{courseId}/assignments", { params: { path: { courseId }, query }, ...options }));
  }

  getAssignment(courseId: string, assignmentId: string, options: RequestOptions = {}) {
    return answer(this.http.GET("/courses/{courseId}/assignments/{assignmentId}", { params: { path: { courseId, assignmentId } }, ...options }));
  }

  updateAssignment(courseId: string, assignmentId: string, update: AssignmentUpdate, options: RequestOptions = {}) {
    return answer(this.http.PATCH("/courses/{courseId}/assignments/{assignmentId}", { params: { path: { courseId, assignmentId } }, body: update, ...options }));
  }

  async deleteAssignment(courseId: string, assignmentId: string, version: number, options: RequestOptions = {}): Promise<null> {
    const path = { courseId, assignmentId };
    await answer(this.http.DELETE("/courses/{courseId}/assignments/{assignmentId}", { params: { path, query: { version } }, ...options }));
    return null;
  }

  getMySubmission(courseId: string, assignmentId: string, options: RequestOptions = {}) {
    return answer(this.http.GET("/courses/{courseId}/assignments/{assignmentId}/submission", { params: { path: { courseId, assignmentId } }, ...options }));
  }

  createUpload(courseId: string, assignmentId: string, file: UploadRequest, options: RequestOptions = {}) {
    const path = { courseId, assignmentId };
    return answer(this.http.POST("/courses/{courseId}/assignments/{assignmentId}/submission/uploads", { params: { path }, body: file, ...options }));
  }

  submit(courseId: string, assignmentId: string, submission: SubmissionCreate, options: RequestOptions = {}) {
    const path = { courseId, assignmentId };
    return answer(this.http.PUT("/courses/{courseId}/assignments/{assignmentId}/submission", { params: { path }, body: submission, ...options }));
  }

  listSubmissions(courseId: string, assignmentId: string, params: { cursor?: string | null } = {}, options: RequestOptions = {}) {
    const request = { params: { path: { courseId, assignmentId }, query: given({ limit: 60, cursor: params.cursor }) }, ...options };
    return answer(this.http.GET("/courses/{courseId}/assignments/{assignmentId}/submissions", request));
  }

  downloadLink(courseId: string, assignmentId: string, learnerId: string, options: RequestOptions = {}) {
    const path = { courseId, assignmentId, learnerId };
    return answer(this.http.GET("/courses/{courseId}/assignments/{assignmentId}/submissions/{learnerId}/download", { params: { path }, ...options }));
  }

  gradeSubmission(courseId: string, assignmentId: string, learnerId: string, grade: Grade, options: RequestOptions = {}) {
    const path = { courseId, assignmentId, learnerId };
    return answer(this.http.PUT("/courses/{courseId}/assignments/{assignmentId}/submissions/{learnerId}/grade", { params: { path }, body: grade, ...options }));
  }

  listUsers(params: { cursor?: string | null } = {}, options: RequestOptions = {}) {
    return answer(this.http.GET("/admin/users", { params: { query: given({ limit: 60, cursor: params.cursor }) }, ...options }));
  }

  setUserGroup(username: string, group: GroupName, options: RequestOptions = {}) {
    return answer(this.http.PUT("/admin/users/{username}/group", { params: { path: { username } }, body: { group }, ...options }));
  }

  setUserEnabled(username: string, enabled: boolean, options: RequestOptions = {}) {
    const request = { params: { path: { username } }, ...options };
    return answer(enabled ? this.http.POST("/admin/users/{username}/enable", request) : this.http.POST("/admin/users/{username}/disable", request));
  }

  /** openapi-fetch's transport: the ID token, retries of throttled calls, one token refresh. */
  private async send(request: Request): Promise<Response> {
    const body = request.body === null ? undefined : await request.clone().text();
    const key = request.headers.get("Idempotency-Key") ?? undefined;
    let token = await this.auth.getIdToken();
    let response = await this.attempt(request, body, token, key);
    const repeatable = REPEATABLE_METHODS.has(request.method) || key !== undefined;
    for (let attempt = 0; repeatable && RETRY_STATUSES.has(response.status) && attempt < RETRIES; attempt++) {
      const wait = retryDelayMs(attempt, response.headers.get("Retry-After"), this.random);
      if (wait === null) break;
      await this.sleep(wait);
      response = await this.attempt(request, body, token, key);
    }
    if (response.status === 401) {
      // The token may have expired by the server's clock: renew once and retry.
      token = await this.auth.refreshIdToken();
      response = await this.attempt(request, body, token, key);
      if (response.status === 401) {
        this.auth.expireSession();
        throw new NotSignedInError("expired");
      }
    }
    return response;
  }

  private async attempt(request: Request, body: string | undefined, token: string, idempotencyKey?: string): Promise<Response> {
    const headers: Record<string, string> = { Accept: "application/json", Authorization: token };
    if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
    const init: RequestInit = { method: request.method, headers, cache: "no-store", signal: request.signal };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = body;
    }
    try {
      return await this.fetchFn(request.url, init);
    } catch (err) {
      if (err instanceof DOMException && err.name === "AbortError") throw err;
      throw new NetworkError(err instanceof Error ? err.message : String(err));
    }
  }
}

/** A query without its unset members: the contract's optional parameters take no undefined or
 * null, and an empty cursor means the first page. */
function given<T extends Record<string, string | number | null | undefined>>(values: T): { [K in keyof T]?: NonNullable<T[K]> } {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== null && v !== "")) as { [K in keyof T]?: NonNullable<T[K]> };
}

/** The body of a successful answer, or the ApiError of a failed one. */
async function answer<T>(pending: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await pending;
  if (!response.ok) {
    const retryAfter = retryAfterSeconds(response.headers.get("Retry-After"));
    throw new ApiError(response.status, parseProblem(error), retryAfter > 0 ? retryAfter : null);
  }
  return data as T;
}

/** Retry-After as whole seconds (the API sends delta-seconds); 0 when absent or not a number. */
function retryAfterSeconds(header: string | null): number {
  const seconds = Number(header);
  return header && Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
}

/** A fresh Idempotency-Key: one per logical create, kept by send() across its retries. The API's
 * CORS preflight allows the header (infra CORS_ALLOW_HEADERS). */
function newKey(): { "Idempotency-Key": string } {
  const key = typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return { "Idempotency-Key": key };
}

export function isAbortError(err: unknown): boolean {
  return err instanceof DOMException && err.name === "AbortError";
}
