"""How a route is declared: who may call it, what it takes, what it answers.

Every route is declared once, on the router of its resource, with its access rule (api.access),
request schema, query parameters and responses (its problem responses: api.problems). The
declaration drives Powertools routing, authorisation, validation, problem details and the OpenAPI
document (api.openapi), so they cannot drift apart. A route is a thin function
`(request, service) -> reply`: parse, one domain call, serialize. A router declares it with the
method's name, `router.get/post/put/patch(path, operation_id, rule, responses, body=…,
idempotent=…)`, or `router.get_page(…)` for one page of a list (it takes PAGE_QUERY):

    @router.get(COURSE, "getCourse", SIGNED_IN, {200: "Course", **FOUND})
    def get_course(request: Request, courses: CourseService) -> Reply:
        '''Get one course (drafts: owner and admins only)'''
        return Reply(200, course_json(courses.get(request.course_id, request.caller)))

The endpoint's docstring is the operation's summary in the OpenAPI document. The endpoint reads
the caller (`request.caller`), the ids in the path (`request.course_id`, …) and the page asked
for (`request.page`) from its `Request`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from manabi_api.api.access import Rule
from manabi_api.api.problems import BODY_PROBLEMS, DEPENDENCY_PROBLEMS, IDEMPOTENCY_PROBLEMS
from manabi_api.kernel.errors import Unauthenticated
from manabi_api.kernel.paging import Page
from manabi_api.kernel.principal import Principal

_PATH_PARAM = re.compile(r"\{(\w+)\}")
PATH_PARAM_PATTERN = r"[A-Za-z0-9._@+-]{1,128}"
IDEMPOTENCY_KEY_PATTERN = r"[A-Za-z0-9_-]{1,64}"


# What a route answers: status → schema name in api.schemas.SCHEMAS (None: no body); the
# problems among them are api.problems' PROBLEMS, FOUND or CHANGING.
Responses = Mapping[int, str | None]


@dataclass(frozen=True)
class QueryParam:
    name: str
    description: str
    integer: bool = False
    minimum: int = 1
    maximum: int = 100
    default: int | None = None
    max_length: int = 1024
    choices: tuple[str, ...] = ()
    required: bool = False


# The version a DELETE acts at (a DELETE has no body): required, 409 if it changed.
VERSION_QUERY = QueryParam(
    "version",
    "The version last read (required; 409 if it changed).",
    integer=True,
    minimum=0,
    maximum=1_000_000_000,
    required=True,
)
PAGE_QUERY = (
    QueryParam("limit", "Page size (1–100, default 20).", integer=True, default=20),
    QueryParam(
        "cursor",
        "The `nextCursor` of the previous page, passed back unchanged: an opaque base64url "
        "string. One this API did not return is refused 400 `invalid-input` naming `cursor`.",
    ),
)


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str  # OpenAPI style: /courses/{courseId}
    operation_id: str
    summary: str
    rule: Rule
    responses: Responses
    body: str | None = None
    query: tuple[QueryParam, ...] = ()
    tags: tuple[str, ...] = ()
    idempotent: bool = False  # accepts an Idempotency-Key header: retries return the first result

    @property
    def path_params(self) -> list[str]:
        return _PATH_PARAM.findall(self.path)

    @property
    def powertools_rule(self) -> str:
        """The path as Powertools matches it: /courses/<courseId>."""
        return _PATH_PARAM.sub(r"<\1>", self.path)


class _PathValue:
    """A path parameter read as an attribute: `request.course_id` is `request.path["courseId"]`."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, request: Request, owner: type[Request]) -> str:
        return request.path[self.name]


@dataclass(frozen=True)
class Request:
    principal: Principal | None
    path: Mapping[str, str]
    query: Mapping[str, Any]
    body: Any
    idempotency_key: str | None = None

    course_id = _PathValue("courseId")
    lesson_id = _PathValue("lessonId")
    assignment_id = _PathValue("assignmentId")
    learner_id = _PathValue("learnerId")
    username = _PathValue("username")

    @property
    def caller(self) -> Principal:
        """The signed-in caller."""
        if self.principal is None:  # unreachable behind a non-public rule; kept for type safety
            raise Unauthenticated("Sign in first.")
        return self.principal

    @property
    def version(self) -> int:
        """A DELETE's `version` query parameter (VERSION_QUERY: parse_query requires it)."""
        return int(self.query["version"])

    @property
    def page(self) -> tuple[int, str | None]:
        """The page asked for (`PAGE_QUERY`): its size and the previous page's `nextCursor`."""
        return self.query["limit"], self.query["cursor"]


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any = None  # JSON-serialised, unless `content_type` says the text is the body
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str | None = None  # None: JSON
    action: str | None = None  # the business action carried out: its metric (api.request_log)


S = TypeVar("S")
T = TypeVar("T")
Endpoint = Callable[[Request, S], Reply]
Register = Callable[[Endpoint[S]], Endpoint[S]]
Declaration = tuple[str, str, Rule, Responses]  # path, operation id, access rule, responses


class ResourceRouter(Generic[S]):
    """The declared routes of one resource; `RestApi.include` binds them to its service."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.routes: list[tuple[RouteSpec, Endpoint[S]]] = []

    def route(
        self,
        method: str,
        path: str,
        operation_id: str,
        rule: Rule,
        responses: Responses,
        **options: Any,
    ) -> Register[S]:
        """Declare a route; the endpoint's docstring is its summary (its lines joined)."""

        def register(endpoint: Endpoint[S]) -> Endpoint[S]:
            summary = " ".join((endpoint.__doc__ or "").split())
            if not summary and sys.flags.optimize < 2:  # python -OO drops every docstring
                raise TypeError(f"{operation_id}: the endpoint needs a docstring (its summary)")
            declared = {  # a route's own declaration wins (a health check answers 503 itself)
                **DEPENDENCY_PROBLEMS,
                **(BODY_PROBLEMS if options.get("body") else {}),
                **(IDEMPOTENCY_PROBLEMS if options.get("idempotent") else {}),
                **responses,
            }
            spec = RouteSpec(
                method, path, operation_id, summary, rule, declared, tags=(self.tag,), **options
            )
            self.routes.append((spec, endpoint))
            return endpoint

        return register

    # `router.get(path, operation_id, rule, responses, …)` is `router.route("GET", path, …)`.
    def get(self, *declaration: *Declaration, **options: Any) -> Register[S]:
        return self.route("GET", *declaration, **options)

    def post(self, *declaration: *Declaration, **options: Any) -> Register[S]:
        return self.route("POST", *declaration, **options)

    def put(self, *declaration: *Declaration, **options: Any) -> Register[S]:
        return self.route("PUT", *declaration, **options)

    def patch(self, *declaration: *Declaration, **options: Any) -> Register[S]:
        return self.route("PATCH", *declaration, **options)

    def delete(self, *declaration: *Declaration, **options: Any) -> Register[S]:
        """A DELETE at the version last read (`request.version`, from VERSION_QUERY)."""
        return self.route("DELETE", *declaration, query=(VERSION_QUERY,), **options)

    def get_page(
        self, *declaration: *Declaration, query: tuple[QueryParam, ...] = (), **options: Any
    ) -> Register[S]:
        """A GET of one page of a list: PAGE_QUERY (`request.page`), then `query`."""
        return self.route("GET", *declaration, query=(*PAGE_QUERY, *query), **options)


def page_json(page: Page[T], item_json: Callable[[T], dict[str, object]]) -> dict[str, object]:
    return {"items": [item_json(item) for item in page.items], "nextCursor": page.next_cursor}
