"""JSON Schemas of the API's bodies: the single source for request validation and OpenAPI.

Request-body validators are compiled from these schemas ahead of time (tools/codegen.py writes
api/validators/), so no schema compiler is imported when the Lambda starts.
"""

from __future__ import annotations

from typing import Any

from manabi_api.domain.submissions import ALLOWED_CONTENT_TYPES
from manabi_contract.storage import MAX_SUBMISSION_BYTES

Schema = dict[str, Any]

_ID = {"type": "string", "minLength": 1, "maxLength": 64}
_TIMESTAMP = {"type": "string", "format": "date-time"}
_VERSION = {
    "type": "integer",
    "minimum": 0,
    "maximum": 1_000_000_000,
    "description": "The version the client last read; the update fails with 409 if it changed.",
}
# Characters no name shown to people may hold: C0/C1 controls, and the bidirectional marks,
# embeddings, overrides and isolates that make `\u202ecod.exe\u202d.pdf` look like `exe.doc.pdf`.
_INVISIBLE = r"\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
_TITLE = {
    "type": "string",
    "minLength": 1,
    "maxLength": 120,
    "pattern": rf"^[^{_INVISIBLE}]*[^\s{_INVISIBLE}][^{_INVISIBLE}]*$",
}
# A file name: one path segment of visible characters, not a Windows device name (CON, NUL.txt
# …), not ending in a dot or a space (both stripped by Windows when the teacher saves it).
_DEVICE = (
    r"(?:[Cc][Oo][Nn]|[Pp][Rr][Nn]|[Aa][Uu][Xx]|[Nn][Uu][Ll]|[Cc][Oo][Mm][1-9]|[Ll][Pp][Tt][1-9])"
)
_FILE_NAME = {
    "type": "string",
    "minLength": 1,
    "maxLength": 255,
    "pattern": rf"^(?!{_DEVICE}(?:\.[^.]*)?$)[^/\\{_INVISIBLE}]*[^/\\. {_INVISIBLE}]$",
}
_NULLABLE_TIMESTAMP = {"type": ["string", "null"], "format": "date-time"}


def _object(properties: dict[str, object], required: list[str], **extra: object) -> Schema:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
        **extra,
    }


def _page(item: str) -> Schema:
    return _object(
        {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
            "nextCursor": {"type": ["string", "null"]},
        },
        ["items", "nextCursor"],
    )


COURSE_CREATE: Schema = {
    "type": "object",
    "properties": {
        "title": _TITLE,
        "description": {"type": "string", "maxLength": 2000},
    },
    "required": ["title"],
    "additionalProperties": False,
}

COURSE: Schema = {
    "type": "object",
    "properties": {
        "courseId": _ID,
        "title": {"type": "string"},
        "description": {"type": "string"},
        "status": {"type": "string", "enum": ["draft", "published", "archived"]},
        "ownerId": _ID,
        "createdAt": _TIMESTAMP,
        "updatedAt": _TIMESTAMP,
        "version": {"type": "integer", "minimum": 1},
    },
    "required": [
        "courseId",
        "title",
        "description",
        "status",
        "ownerId",
        "createdAt",
        "updatedAt",
        "version",
    ],
    "additionalProperties": False,
}

HEALTH: Schema = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["ok", "unavailable"]},
        "dependencies": {
            "type": "object",
            "description": "table, dataBucket, userPool and (ClamAV backend) scanQueue",
            "additionalProperties": {"type": "string", "enum": ["ok", "throttled", "unavailable"]},
        },
    },
    "required": ["status", "dependencies"],
}

PROBLEM: Schema = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "rule": {"type": "string"},
                },
                "required": ["field", "message"],
            },
        },
    },
    "required": ["type", "title", "status"],
}

COURSE_UPDATE = _object(
    {"title": _TITLE, "description": {"type": "string", "maxLength": 2000}, "version": _VERSION},
    ["version"],
)
VERSION_ONLY = _object({"version": _VERSION}, ["version"])

LESSON_CREATE = _object(
    {"title": _TITLE, "body": {"type": "string", "maxLength": 20_000}}, ["title", "body"]
)
LESSON_UPDATE = _object(
    {"title": _TITLE, "body": {"type": "string", "maxLength": 20_000}, "version": _VERSION},
    ["version"],
)
LESSON_ORDER = _object(
    {
        "lessonIds": {"type": "array", "items": _ID, "maxItems": 100},
        "version": _VERSION,
    },
    ["lessonIds", "version"],
)
LESSON = _object(
    {
        "courseId": _ID,
        "lessonId": _ID,
        "title": {"type": "string"},
        "body": {"type": "string", "description": "Markdown"},
        "createdAt": _TIMESTAMP,
        "updatedAt": _TIMESTAMP,
        "version": {"type": "integer"},
    },
    ["courseId", "lessonId", "title", "body", "createdAt", "updatedAt", "version"],
)
LESSON_SUMMARY = _object(
    {
        "lessonId": _ID,
        "title": {"type": "string"},
        "position": {"type": "integer", "minimum": 1},
        "updatedAt": _TIMESTAMP,
        "version": {"type": "integer"},
    },
    ["lessonId", "title", "position", "updatedAt", "version"],
)
OUTLINE = _object(
    {
        "courseId": _ID,
        "lessons": {"type": "array", "items": {"$ref": "#/components/schemas/LessonSummary"}},
        "version": {"type": "integer", "description": "Version of the lesson order"},
    },
    ["courseId", "lessons", "version"],
)
ENROLMENT = _object(
    {
        "courseId": _ID,
        "learnerId": _ID,
        "courseTitle": {"type": "string"},
        "enrolledAt": _TIMESTAMP,
        "updatedAt": _TIMESTAMP,
        "completedLessonIds": {"type": "array", "items": _ID},
    },
    ["courseId", "learnerId", "courseTitle", "enrolledAt", "updatedAt", "completedLessonIds"],
)
PROGRESS = _object(
    {
        "courseId": _ID,
        "learnerId": _ID,
        "completedLessonIds": {"type": "array", "items": _ID},
        "completedLessons": {"type": "integer", "minimum": 0},
        "totalLessons": {"type": "integer", "minimum": 0},
        "percent": {"type": "integer", "minimum": 0, "maximum": 100},
    },
    ["courseId", "learnerId", "completedLessonIds", "completedLessons", "totalLessons", "percent"],
)
_PERSON = {
    "learnerName": {"type": "string", "description": 'The learner\'s current name ("" if unknown)'},
    "learnerEmail": {"type": "string"},
}
LEARNER_PROGRESS = _object({**PROGRESS["properties"], **_PERSON}, [*PROGRESS["required"], *_PERSON])
MY_COURSE = _object(
    {
        **ENROLMENT["properties"],
        "courseTitle": {"type": "string", "description": "The course's current title"},
        "courseStatus": {"type": "string", "enum": ["draft", "published", "archived"]},
        "progress": {"$ref": "#/components/schemas/Progress"},
        "nextLessonId": {"type": ["string", "null"]},
    },
    [*ENROLMENT["required"], "courseStatus", "progress", "nextLessonId"],
)
PROFILE_UPDATE = _object({"name": {**_TITLE, "maxLength": 100}}, ["name"])
PROFILE = _object(
    {"userId": _ID, "name": {"type": "string"}, "email": {"type": "string"}},
    ["userId", "name", "email"],
)
ASSIGNMENT_CREATE = _object(
    {
        "title": _TITLE,
        "instructions": {"type": "string", "maxLength": 10_000},
        "dueAt": {
            "type": "string",
            "format": "date-time",
            "maxLength": 40,
            "description": "RFC 3339 with an offset, e.g. 2026-12-01T23:59:00+09:00",
        },
    },
    ["title", "instructions", "dueAt"],
)
ASSIGNMENT_UPDATE = _object({**ASSIGNMENT_CREATE["properties"], "version": _VERSION}, ["version"])
ASSIGNMENT = _object(
    {
        "courseId": _ID,
        "assignmentId": _ID,
        "title": {"type": "string"},
        "instructions": {"type": "string"},
        "dueAt": _TIMESTAMP,
        "createdAt": _TIMESTAMP,
        "updatedAt": _TIMESTAMP,
        "version": {"type": "integer"},
        # In listAssignments for a learner enrolled in the course: their own submission's
        # state (null: nothing submitted yet); absent for the course's teacher and admins.
        "mySubmission": {
            "oneOf": [
                {"type": "null"},
                _object(
                    {
                        "status": {
                            "type": "string",
                            "enum": ["PENDING", "CLEAN", "INFECTED", "ERROR"],
                        },
                        "grade": {"type": ["integer", "null"], "minimum": 0, "maximum": 100},
                    },
                    ["status", "grade"],
                ),
            ]
        },
    },
    [
        "courseId",
        "assignmentId",
        "title",
        "instructions",
        "dueAt",
        "createdAt",
        "updatedAt",
        "version",
    ],
)
_FILE: dict[str, object] = {
    "fileName": _FILE_NAME,
    # The contract states exactly what the domain accepts, so a client learns it from the schema.
    "contentType": {
        "type": "string",
        "enum": sorted(ALLOWED_CONTENT_TYPES),
        "description": "One of the allowed types (PDF, Office documents, PNG, JPEG, text, zip).",
    },
    "sizeBytes": {"type": "integer", "minimum": 1, "maximum": MAX_SUBMISSION_BYTES},
}
_UPLOAD_ID = {"type": "string", "minLength": 1, "maxLength": 64, "pattern": r"^[A-Za-z0-9]+$"}
UPLOAD_REQUEST = _object(_FILE, ["fileName", "contentType", "sizeBytes"])
UPLOAD_TICKET = _object(
    {
        "uploadId": _UPLOAD_ID,
        "key": {"type": "string"},
        "url": {"type": "string", "description": "POST the form here (multipart/form-data)."},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Form fields to send as they are, before the `file` field (last).",
        },
        "expiresAt": _TIMESTAMP,
        "maxBytes": {"type": "integer"},
    },
    ["uploadId", "key", "url", "fields", "expiresAt", "maxBytes"],
)
SUBMISSION_CREATE = _object(
    {**_FILE, "uploadId": _UPLOAD_ID}, ["fileName", "contentType", "sizeBytes", "uploadId"]
)
DOWNLOAD_LINK = _object({"url": {"type": "string"}, "expiresAt": _TIMESTAMP}, ["url", "expiresAt"])
SUBMISSION = _object(
    {
        "courseId": _ID,
        "assignmentId": _ID,
        "learnerId": _ID,
        "fileName": {"type": "string"},
        "contentType": {"type": "string"},
        "sizeBytes": {"type": "integer"},
        "status": {"type": "string", "enum": ["PENDING", "CLEAN", "INFECTED", "ERROR"]},
        "attempt": {"type": "integer", "minimum": 1},
        "submittedAt": _TIMESTAMP,
        "grade": {"type": ["integer", "null"], "minimum": 0, "maximum": 100},
        "feedback": {"type": ["string", "null"]},
        "gradedAt": _NULLABLE_TIMESTAMP,
        "version": {"type": "integer"},
        **_PERSON,  # in the teacher's views
    },
    [
        "courseId",
        "assignmentId",
        "learnerId",
        "fileName",
        "contentType",
        "sizeBytes",
        "status",
        "attempt",
        "submittedAt",
        "grade",
        "feedback",
        "gradedAt",
        "version",
    ],
)
GRADE = _object(
    {
        "grade": {"type": "integer", "minimum": 0, "maximum": 100},
        "feedback": {"type": "string", "maxLength": 5000},
        "version": _VERSION,
    },
    ["grade", "feedback", "version"],
)
USER = _object(
    {
        "username": {"type": "string"},
        "userId": {"type": "string"},
        "email": {"type": "string"},
        "enabled": {"type": "boolean"},
        "status": {"type": "string"},
        "groups": {
            "type": "array",
            "items": {"type": "string", "enum": ["learners", "teachers", "admins"]},
        },
        "createdAt": {"type": "string"},
    },
    ["username", "userId", "email", "enabled", "status", "groups", "createdAt"],
)
USER_GROUP = _object(
    {"group": {"type": "string", "enum": ["learners", "teachers", "admins"]}}, ["group"]
)
GRADES_CSV: Schema = {
    "type": "string",
    "description": (
        "UTF-8 with a byte order mark, CRLF line ends; the header row 氏名, メールアドレス, 課題, "
        "状態, 点数, フィードバック, 提出日時, then one row per learner and assignment"
    ),
}

# Name in OpenAPI components → schema. Request bodies among them get a compiled validator.
SCHEMAS: dict[str, Schema] = {
    "CourseCreate": COURSE_CREATE,
    "CourseUpdate": COURSE_UPDATE,
    "VersionOnly": VERSION_ONLY,
    "Course": COURSE,
    "CoursePage": _page("Course"),
    "LessonCreate": LESSON_CREATE,
    "LessonUpdate": LESSON_UPDATE,
    "LessonOrder": LESSON_ORDER,
    "Lesson": LESSON,
    "LessonSummary": LESSON_SUMMARY,
    "Outline": OUTLINE,
    "Enrolment": ENROLMENT,
    "MyCourse": MY_COURSE,
    "MyCoursePage": _page("MyCourse"),
    "Progress": PROGRESS,
    "LearnerProgress": LEARNER_PROGRESS,
    "LearnerProgressPage": _page("LearnerProgress"),
    "ProfileUpdate": PROFILE_UPDATE,
    "Profile": PROFILE,
    "AssignmentCreate": ASSIGNMENT_CREATE,
    "AssignmentUpdate": ASSIGNMENT_UPDATE,
    "Assignment": ASSIGNMENT,
    "AssignmentPage": _page("Assignment"),
    "UploadRequest": UPLOAD_REQUEST,
    "UploadTicket": UPLOAD_TICKET,
    "SubmissionCreate": SUBMISSION_CREATE,
    "DownloadLink": DOWNLOAD_LINK,
    "Submission": SUBMISSION,
    "SubmissionPage": _page("Submission"),
    "Grade": GRADE,
    "User": USER,
    "UserPage": _page("User"),
    "UserGroup": USER_GROUP,
    "Health": HEALTH,
    "Problem": PROBLEM,
    "GradesCsv": GRADES_CSV,
}
# Responses that are not JSON: their schema's name → the media type the document gives them.
CSV_MEDIA_TYPE = "text/csv"
RESPONSE_MEDIA_TYPES = {"GradesCsv": CSV_MEDIA_TYPE}
REQUEST_BODIES = (
    "CourseCreate",
    "CourseUpdate",
    "VersionOnly",
    "LessonCreate",
    "LessonUpdate",
    "LessonOrder",
    "AssignmentCreate",
    "AssignmentUpdate",
    "UploadRequest",
    "SubmissionCreate",
    "Grade",
    "UserGroup",
    "ProfileUpdate",
)
