"""Courses through the whole API layer on in-memory storage (MP-DDB-01 routes, APP-ERR-01)."""

from __future__ import annotations

import pytest

from tests.support_events import ADMIN, LEARNER, TEACHER
from tests.unit.api.conftest import Call


def test_health_is_public(call: Call) -> None:
    """GL-REL-01: the health check names each dependency the API needs."""
    status, body, _ = call("GET", "/health")
    dependencies = {"table": "ok", "dataBucket": "ok", "userPool": "ok"}
    assert (status, body) == (200, {"status": "ok", "dependencies": dependencies})


def test_teacher_creates_course_sees_it_and_learners_see_it_once_published(call: Call) -> None:
    status, course, headers = call(
        "POST", "/courses", body={"title": " Python入門 ", "description": "基礎"}, claims=TEACHER
    )
    assert status == 201
    assert course["title"] == "Python入門"
    assert course["status"] == "draft"
    assert course["ownerId"] == TEACHER["sub"]
    assert course["version"] == 1
    assert headers["Location"] == [f"/courses/{course['courseId']}"]

    # the teacher's default list is their own courses, drafts included (the SPA's flow)
    assert call("GET", "/courses", claims=TEACHER)[1] == {"items": [course], "nextCursor": None}
    # a draft is invisible to learners
    assert call("GET", "/courses", claims=LEARNER)[1] == {"items": [], "nextCursor": None}
    assert call("GET", f"/courses/{course['courseId']}", claims=LEARNER)[0] == 404

    status, published, _ = call(
        "POST", f"/courses/{course['courseId']}/publish", body={"version": 1}, claims=TEACHER
    )
    assert (status, published["status"], published["version"]) == (200, "published", 2)
    status, page, _ = call("GET", "/courses", claims=LEARNER)
    assert (status, page) == (200, {"items": [published], "nextCursor": None})
    status, fetched, _ = call("GET", f"/courses/{course['courseId']}", claims=LEARNER)
    assert (status, fetched) == (200, published)


def test_list_paginates_with_opaque_cursor(call: Call) -> None:
    titles = [f"コース{i}" for i in range(5)]
    for title in titles:
        assert call("POST", "/courses", body={"title": title}, claims=ADMIN)[0] == 201
    seen: list[str] = []
    cursor = None
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        status, page, _ = call("GET", "/courses", claims=ADMIN, query=query)
        assert status == 200
        assert len(page["items"]) <= 2
        seen += [c["title"] for c in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(titles)


@pytest.mark.parametrize(
    ("claims", "expected"),
    [(None, 401), (LEARNER, 403), (TEACHER, 201), (ADMIN, 201)],
)
def test_app_sec_01_only_teachers_and_admins_create_courses(
    call: Call, claims: dict[str, str] | None, expected: int
) -> None:
    status, body, headers = call("POST", "/courses", body={"title": "x"}, claims=claims)
    assert status == expected
    if expected >= 400:
        assert headers["Content-Type"] == ["application/problem+json"]
        assert body["status"] == expected


def test_groups_claim_may_be_a_list_string(call: Call) -> None:
    claims = {**LEARNER, "cognito:groups": "[learners teachers]"}
    assert call("POST", "/courses", body={"title": "x"}, claims=claims)[0] == 201


def test_unknown_course_is_404_problem(call: Call) -> None:
    status, body, _ = call("GET", "/courses/does-not-exist", claims=LEARNER)
    assert status == 404
    assert body["type"].endswith("/not-found")


@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        ({"raw_body": "{not json"}, ["body"]),
        ({"raw_body": ""}, ["body"]),
        ({"body": ["a list"]}, ["body"]),
        ({"body": {}}, ["body"]),
        ({"body": {"title": 42}}, ["title"]),
        ({"body": {"title": ""}}, ["title"]),
        ({"body": {"title": "   "}}, ["title"]),
        ({"body": {"title": "x" * 121}}, ["title"]),
        ({"body": {"title": "ok", "description": "x" * 2001}}, ["description"]),
        ({"body": {"title": "ok", "owner": "me", "status": "published"}}, ["owner", "status"]),
    ],
)
def test_app_err_01_bad_input_is_problem_naming_the_field(
    call: Call, kwargs: dict[str, object], fields: list[str]
) -> None:
    status, body, headers = call("POST", "/courses", claims=TEACHER, **kwargs)
    assert status == 400
    assert headers["Content-Type"] == ["application/problem+json"]
    assert sorted({e["field"] for e in body["errors"]}) == fields
    # nothing was half-written
    assert call("GET", "/courses", claims=TEACHER)[1]["items"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "eyJhZnRlciI6IDF9"}, "cursor"),  # valid base64 JSON, wrong shape
    ],
)
def test_bad_query_parameters_are_named(call: Call, query: dict[str, str], field: str) -> None:
    status, body, _ = call("GET", "/courses", claims=LEARNER, query=query)
    assert status == 400
    assert [e["field"] for e in body["errors"]] == [field]


def test_unknown_route_is_problem_404(call: Call) -> None:
    status, _, headers = call("DELETE", "/nothing-here", claims=ADMIN)
    assert status == 404
    assert headers["Content-Type"] == ["application/problem+json"]


def test_cors_headers_for_the_web_origin(call: Call) -> None:
    _, _, headers = call("GET", "/health", headers={"Origin": "http://127.0.0.1:8080"})
    assert headers["Access-Control-Allow-Origin"] == ["http://127.0.0.1:8080"]


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/jsonx", ""]
)
def test_gl_rel_01_a_body_that_is_not_json_is_415(call: Call, content_type: str) -> None:
    """GL-REL-01: `POST /courses` with a text/plain (or an empty) Content-Type creates nothing."""
    headers = {"Content-Type": content_type}
    status, problem, response_headers = call(
        "POST", "/courses", raw_body='{"title": "x"}', claims=TEACHER, headers=headers
    )
    assert status == 415
    assert response_headers["Content-Type"] == ["application/problem+json"]
    assert problem["type"].endswith("/unsupported-media-type")
    status, page, _ = call("GET", "/courses", claims=TEACHER)
    assert page["items"] == []


def test_a_json_media_type_with_parameters_is_json(call: Call) -> None:
    headers = {"Content-Type": "application/json; charset=utf-8"}
    status, _, _ = call("POST", "/courses", body={"title": "x"}, claims=TEACHER, headers=headers)
    assert status == 201
