import { NotSignedInError, type TokenProvider } from "../auth/auth";
import type {
  AdminUser,
  Assignment,
  AssignmentCreate,
  AssignmentUpdate,
  Course,
  CourseUpdate,
  Enrolment,
  FieldError,
  Grade,
  GroupName,
  Lesson,
  LessonCreate,
  LessonOrder,
  LessonUpdate,
  MyCourse,
  NamedProgress,
  NamedSubmission,
  NewCourse,
  Outline,
  Page,
  Problem,
  Profile,
  Progress,
  Submission,
  SubmissionCreate,
  DownloadLink,
  UploadRequest,
  UploadTicket,
} from "./types";

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

/** The wait before retry number `attempt` (0-based): the server's Retry-After at least. */
export function retryDelayMs(attempt: number, retryAfter: string | null, random: () => number): number {
  const backoff = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
  const jittered = backoff / 2 + (random() * backoff) / 2;
  const seconds = Number(retryAfter);
  const server = Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, BACKOFF_CAP_MS) : 0;
  return Math.max(server, jittered);
}

/** Typed client for the Manabi Plus API. Every call carries the Cognito ID token. */
export class ApiClient {
  private readonly baseUrl: string;
  private readonly auth: TokenProvider;
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.auth = options.auth;
    this.fetchFn = options.fetchFn ?? ((input, init) => fetch(input, init));
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  listCourses(params: { limit?: number; cursor?: string | null } = {}, options: RequestOptions = {}) {
    const query = new URLSearchParams();
    if (params.limit !== undefined) query.set("limit", String(params.limit));
    if (params.cursor) query.set("cursor", params.cursor);
    const qs = query.toString();
    return this.request<Page<Course>>("GET", `/courses${qs ? `?${qs}` : ""}`, undefined, options);
  }

  createCourse(course: NewCourse, options: RequestOptions = {}): Promise<Course> {
    return this.request<Course>("POST", "/courses", course, options, true);
  }

  listCoursesInScope(scope: "published" | "mine" | "all", params: { limit?: number; cursor?: string | null } = {}, options: RequestOptions = {}) {
    return this.request<Page<Course>>("GET", `/courses${qs({ scope, limit: params.limit, cursor: params.cursor })}`, undefined, options);
  }

  getCourse(courseId: string, options: RequestOptions = {}): Promise<Course> {
    return this.request<Course>("GET", `/courses/${seg(courseId)}`, undefined, options);
  }

  updateCourse(courseId: string, update: CourseUpdate, options: RequestOptions = {}): Promise<Course> {
    return this.request<Course>("PATCH", `/courses/${seg(courseId)}`, update, options);
  }

  transitionCourse(courseId: string, action: "publish" | "archive", version: number, options: RequestOptions = {}): Promise<Course> {
    return this.request<Course>("POST", `/courses/${seg(courseId)}/${action}`, { version }, options);
  }

  listLessons(courseId: string, options: RequestOptions = {}): Promise<Outline> {
    return this.request<Outline>("GET", `/courses/${seg(courseId)}/lessons`, undefined, options);
  }

  getLesson(courseId: string, lessonId: string, options: RequestOptions = {}): Promise<Lesson> {
    return this.request<Lesson>("GET", `/courses/${seg(courseId)}/lessons/${seg(lessonId)}`, undefined, options);
  }

  createLesson(courseId: string, lesson: LessonCreate, options: RequestOptions = {}): Promise<Lesson> {
    return this.request<Lesson>("POST", `/courses/${seg(courseId)}/lessons`, lesson, options, true);
  }

  updateLesson(courseId: string, lessonId: string, update: LessonUpdate, options: RequestOptions = {}): Promise<Lesson> {
    return this.request<Lesson>("PATCH", `/courses/${seg(courseId)}/lessons/${seg(lessonId)}`, update, options);
  }

  reorderLessons(courseId: string, lessonIds: readonly string[], version: number, options: RequestOptions = {}) {
    return this.request<LessonOrder>("PUT", `/courses/${seg(courseId)}/lesson-order`, { lessonIds, version }, options);
  }

  enrol(courseId: string, options: RequestOptions = {}): Promise<Enrolment> {
    return this.request<Enrolment>("POST", `/courses/${seg(courseId)}/enrolment`, {}, options, true);
  }

  listMyEnrolments(params: { cursor?: string | null } = {}, options: RequestOptions = {}): Promise<Page<MyCourse>> {
    return this.request<Page<MyCourse>>("GET", `/me/enrolments${qs({ limit: 50, cursor: params.cursor })}`, undefined, options);
  }

  listCourseEnrolments(courseId: string, params: { cursor?: string | null } = {}, options: RequestOptions = {}): Promise<Page<NamedProgress>> {
    return this.request<Page<NamedProgress>>("GET", `/courses/${seg(courseId)}/enrolments${qs({ limit: 60, cursor: params.cursor })}`, undefined, options);
  }

  updateMyProfile(name: string, options: RequestOptions = {}): Promise<Profile> {
    return this.request("PUT", "/me/profile", { name }, options);
  }

  deleteLesson(courseId: string, lessonId: string, version: number, options: RequestOptions = {}) {
    return this.request<LessonOrder>("DELETE", `/courses/${seg(courseId)}/lessons/${seg(lessonId)}${qs({ version })}`, undefined, options);
  }

  updateAssignment(courseId: string, assignmentId: string, update: AssignmentUpdate, options: RequestOptions = {}): Promise<Assignment> {
    return this.request<Assignment>("PATCH", `/courses/${seg(courseId)}/assignments/${seg(assignmentId)}`, update, options);
  }

  deleteAssignment(courseId: string, assignmentId: string, version: number, options: RequestOptions = {}): Promise<null> {
    return this.request<null>("DELETE", `/courses/${seg(courseId)}/assignments/${seg(assignmentId)}${qs({ version })}`, undefined, options);
  }

  /** The course's grades as the CSV text the API sends (UTF-8, BOM first). */
  exportGrades(courseId: string, options: RequestOptions = {}): Promise<string> {
    return this.request<string>("GET", `/courses/${seg(courseId)}/grades.csv`, undefined, options, false, "text");
  }

  completeLesson(courseId: string, lessonId: string, options: RequestOptions = {}): Promise<Progress> {
    return this.request<Progress>("PUT", `/courses/${seg(courseId)}/lessons/${seg(lessonId)}/completion`, {}, options);
  }

  getMyProgress(courseId: string, options: RequestOptions = {}): Promise<Progress> {
    return this.request<Progress>("GET", `/courses/${seg(courseId)}/progress`, undefined, options);
  }

  createAssignment(courseId: string, assignment: AssignmentCreate, options: RequestOptions = {}): Promise<Assignment> {
    return this.request<Assignment>("POST", `/courses/${seg(courseId)}/assignments`, assignment, options, true);
  }

  listAssignments(courseId: string, params: { cursor?: string | null } = {}, options: RequestOptions = {}): Promise<Page<Assignment>> {
    return this.request<Page<Assignment>>("GET", `/courses/${seg(courseId)}/assignments${qs({ limit: 60, cursor: params.cursor })}`, undefined, options);
  }

  getAssignment(courseId: string, assignmentId: string, options: RequestOptions = {}): Promise<Assignment> {
    return this.request<Assignment>("GET", `/courses/${seg(courseId)}/assignments/${seg(assignmentId)}`, undefined, options);
  }

  getMySubmission(courseId: string, assignmentId: string, options: RequestOptions = {}): Promise<Submission> {
    return this.request<Submission>("GET", `/courses/${seg(courseId)}/assignments/${seg(assignmentId)}/submission`, undefined, options);
  }

  createUpload(courseId: string, assignmentId: string, file: UploadRequest, options: RequestOptions = {}): Promise<UploadTicket> {
    return this.request<UploadTicket>("POST", `/courses/${seg(courseId)}/assignments/${seg(assignmentId)}/submission/uploads`, file, options);
  }

  submit(courseId: string, assignmentId: string, submission: SubmissionCreate, options: RequestOptions = {}): Promise<Submission> {
    return this.request<Submission>("PUT", `/courses/${seg(courseId)}/assignments/${seg(assignmentId)}/submission`, submission, options);
  }

  downloadLink(courseId: string, assignmentId: string, learnerId: string, options: RequestOptions = {}): Promise<DownloadLink> {
    return this.request<DownloadLink>("GET", `/courses/${seg(courseId)}/assignments/${seg(assignmentId)}/submissions/${seg(learnerId)}/download`, undefined, options);
  }

  listSubmissions(courseId: string, assignmentId: string, params: { cursor?: string | null } = {}, options: RequestOptions = {}): Promise<Page<NamedSubmission>> {
    return this.request<Page<NamedSubmission>>("GET", `/courses/${seg(courseId)}/assignments/${seg(assignmentId)}/submissions${qs({ limit: 60, cursor: params.cursor })}`, undefined, options);
  }

  gradeSubmission(courseId: string, assignmentId: string, learnerId: string, grade: Grade, options: RequestOptions = {}): Promise<Submission> {
    return this.request<Submission>("PUT", `/courses/${seg(courseId)}/assignments/${seg(assignmentId)}/submissions/${seg(learnerId)}/grade`, grade, options);
  }

  listUsers(params: { cursor?: string | null } = {}, options: RequestOptions = {}): Promise<Page<AdminUser>> {
    return this.request<Page<AdminUser>>("GET", `/admin/users${qs({ limit: 60, cursor: params.cursor })}`, undefined, options);
  }

  setUserGroup(username: string, group: GroupName, options: RequestOptions = {}): Promise<AdminUser> {
    return this.request<AdminUser>("PUT", `/admin/users/${seg(username)}/group`, { group }, options);
  }

  setUserEnabled(username: string, enabled: boolean, options: RequestOptions = {}): Promise<AdminUser> {
    return this.request<AdminUser>("POST", `/admin/users/${seg(username)}/${enabled ? "enable" : "disable"}`, undefined, options);
  }

  private async request<T>(method: string, path: string, body: unknown, options: RequestOptions, idempotent = false, as: "json" | "text" = "json"): Promise<T> {
    // One key per logical create: the retry after a refreshed token is the same request.
    // The API's CORS preflight allows the header (infra CORS_ALLOW_HEADERS).
    const key = idempotent && SEND_IDEMPOTENCY_KEY ? newIdempotencyKey() : undefined;
    let token = await this.auth.getIdToken();
    let response = await this.send(method, path, body, token, options, key);
    const repeatable = REPEATABLE_METHODS.has(method) || key !== undefined;
    for (let attempt = 0; repeatable && RETRY_STATUSES.has(response.status) && attempt < RETRIES; attempt++) {
      await this.sleep(retryDelayMs(attempt, response.headers.get("Retry-After"), this.random));
      response = await this.send(method, path, body, token, options, key);
    }
    if (response.status === 401) {
      // The token may have expired by the server's clock: renew once and retry.
      token = await this.auth.refreshIdToken();
      response = await this.send(method, path, body, token, options, key);
      if (response.status === 401) {
        this.auth.expireSession();
        throw new NotSignedInError("expired");
      }
    }
    if (as === "text" && response.ok) return (await response.text()) as T;
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
    idempotencyKey?: string,
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: "application/json", Authorization: token };
    if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
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

/** Whether creates carry an Idempotency-Key header (see request()). */
export const SEND_IDEMPOTENCY_KEY = true;

/** A path segment, percent-encoded. */
function seg(value: string): string {
  // The API's identifiers are [A-Za-z0-9._@+-]; those stay as they are, anything else is encoded.
  return encodeURIComponent(value).replace(/%40/g, "@").replace(/%2B/g, "+");
}

function qs(params: Record<string, string | number | null | undefined>): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") query.set(k, String(v));
  const text = query.toString();
  return text ? `?${text}` : "";
}

function newIdempotencyKey(): string {
  if (typeof crypto !== "undefined" && "randomUUID" in crypto) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
