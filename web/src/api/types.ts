/** Types of the Manabi Plus API, derived from the generated schema.d.ts (docs/openapi.json).
 * Regenerate with `npm --prefix web run gen:api` after `python tools/codegen.py`; `make test`
 * fails while schema.d.ts is stale, and a renamed field then breaks `npm --prefix web run build`. */
import type { components } from "./schema";

type Schemas = components["schemas"];

export type Course = Schemas["Course"];
export type CourseStatus = Course["status"];
export type NewCourse = Schemas["CourseCreate"];
export type CourseUpdate = Schemas["CourseUpdate"];

/** A list answer: `items` and the opaque `nextCursor` (the contract's *Page schemas). */
export type Page<T> = Omit<Schemas["CoursePage"], "items"> & { items: T[] };

/** RFC 9457 problem details as the SPA parses them: any member may be missing from a body. */
export type Problem = Partial<Schemas["Problem"]>;
export type FieldError = NonNullable<Schemas["Problem"]["errors"]>[number];

export type LessonSummary = Schemas["LessonSummary"];
export type Outline = Schemas["Outline"];
export type Lesson = Schemas["Lesson"];
export type LessonCreate = Schemas["LessonCreate"];
export type LessonUpdate = Schemas["LessonUpdate"];
export type LessonOrder = Schemas["LessonOrder"];

export type Enrolment = Schemas["Enrolment"];
/** An enrolment with the course as it is now and the learner's progress in it (受講中のコース). */
export type MyCourse = Schemas["MyCourse"];
export type Progress = Schemas["Progress"];
/** A learner's progress as their teacher sees it, with the learner's name and e-mail. */
export type NamedProgress = Schemas["LearnerProgress"];
export type Profile = Schemas["Profile"];

export type Assignment = Schemas["Assignment"];
export type AssignmentCreate = Schemas["AssignmentCreate"];
export type AssignmentUpdate = Schemas["AssignmentUpdate"];

export type Submission = Schemas["Submission"];
export type ScanStatus = Submission["status"];
/** A submission in the teacher's list: the contract makes learnerName/learnerEmail optional. */
export type NamedSubmission = Schemas["SubmissionPage"]["items"][number];
export type SubmissionCreate = Schemas["SubmissionCreate"];
export type UploadRequest = Schemas["UploadRequest"];
export type UploadTicket = Schemas["UploadTicket"];
export type DownloadLink = Schemas["DownloadLink"];
export type Grade = Schemas["Grade"];

export type AdminUser = Schemas["User"];
export type GroupName = Schemas["UserGroup"]["group"];
