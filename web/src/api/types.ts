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
