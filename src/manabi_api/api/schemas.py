"""JSON Schemas of the API's bodies: the single source for request validation and OpenAPI.

Request-body validators are compiled from these schemas ahead of time (tools/codegen.py writes
api/validators/), so no schema compiler is imported when the Lambda starts.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

_ID = {"type": "string", "minLength": 1, "maxLength": 64}
_TIMESTAMP = {"type": "string", "format": "date-time"}

COURSE_CREATE: Schema = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 120, "pattern": r"\S"},
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

COURSE_PAGE: Schema = {
    "type": "object",
    "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Course"}},
        "nextCursor": {"type": ["string", "null"]},
    },
    "required": ["items", "nextCursor"],
    "additionalProperties": False,
}

HEALTH: Schema = {
    "type": "object",
    "properties": {"status": {"type": "string", "enum": ["ok"]}},
    "required": ["status"],
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

# Name in OpenAPI components → schema. Request bodies among them get a compiled validator.
SCHEMAS: dict[str, Schema] = {
    "CourseCreate": COURSE_CREATE,
    "Course": COURSE,
    "CoursePage": COURSE_PAGE,
    "Health": HEALTH,
    "Problem": PROBLEM,
}
REQUEST_BODIES = ("CourseCreate",)
