/** Types of the Manabi Plus API (docs/contracts.md). */

export type CourseStatus = "draft" | "published" | "archived";

export interface Course {
  readonly courseId: string;
  readonly title: string;
  readonly description: string;
  readonly status: CourseStatus | (string & {});
  readonly ownerId: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

export interface NewCourse {
  readonly title: string;
  readonly description: string;
}

export interface FieldError {
  readonly field: string;
  /** English technical message from the server (for logs; the UI shows its own Japanese text). */
  readonly message: string;
  /** The violated rule: "required", "minLength", "maxLength", "pattern", "type", … */
  readonly rule?: string;
}

/** RFC 9457 problem details, as the API sends them with `application/problem+json`. */
export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status?: number;
  readonly detail?: string;
  readonly errors?: readonly FieldError[];
}

export interface LessonSummary {
  readonly lessonId: string;
  readonly title: string;
  readonly position: number;
  readonly updatedAt: string;
  readonly version: number;
}

export interface Outline {
  readonly courseId: string;
  readonly lessons: readonly LessonSummary[];
  /** Version of the lesson order. */
  readonly version: number;
}

export interface Lesson {
  readonly courseId: string;
  readonly lessonId: string;
  readonly title: string;
  /** Markdown. */
  readonly body: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

export interface Enrolment {
  readonly courseId: string;
  readonly learnerId: string;
  readonly courseTitle: string;
  readonly enrolledAt: string;
  readonly updatedAt: string;
  readonly completedLessonIds: readonly string[];
}

export interface Progress {
  readonly courseId: string;
  readonly learnerId: string;
  readonly completedLessonIds: readonly string[];
  readonly completedLessons: number;
  readonly totalLessons: number;
  readonly percent: number;
}

export interface Assignment {
  readonly courseId: string;
  readonly assignmentId: string;
  readonly title: string;
  readonly instructions: string;
  readonly dueAt: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

export type ScanStatus = "PENDING" | "CLEAN" | "INFECTED" | "ERROR";

export interface Submission {
  readonly courseId: string;
  readonly assignmentId: string;
  readonly learnerId: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly sizeBytes: number;
  readonly status: ScanStatus | (string & {});
  readonly attempt: number;
  readonly submittedAt: string;
  readonly grade: number | null;
  readonly feedback: string | null;
  readonly gradedAt: string | null;
  readonly version: number;
}

export type GroupName = "learners" | "teachers" | "admins";

export interface AdminUser {
  readonly username: string;
  readonly userId: string;
  readonly email: string;
  readonly enabled: boolean;
  readonly status: string;
  readonly groups: readonly string[];
  readonly createdAt: string;
}

export interface UploadTicket {
  readonly uploadId: string;
  readonly key: string;
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly expiresAt: string;
  readonly maxBytes: number;
}

export interface DownloadLink {
  readonly url: string;
  readonly expiresAt: string;
}
