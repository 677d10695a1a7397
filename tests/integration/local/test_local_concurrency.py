"""MP-LOC-02: the local system under concurrent users, through `python -m manabi_local run` with
the real API handler: 50 clients at once, a full pool, malformed framing, a dead emulator and
Ctrl-C in the middle of the load."""

from __future__ import annotations

import base64
import json
import signal
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import requests

from manabi_local.seed import SAMPLE_COURSE_ID
from manabi_local.template import Template
from tests.integration.local.local_system import (
    STOP_SECONDS,
    LocalRun,
    fake_handler,
    kill,
    listening,
    start,
    stop,
)

pytestmark = pytest.mark.integration

TEACHER, LEARNER = "teacher@example.com", "learner@example.com"
CLIENTS = 50
UPLOADS_PER_HOUR = 60
SLOW_HANDLER = """
import json, time

def lambda_handler(event, context):
    time.sleep(float((event["queryStringParameters"] or {}).get("sleep", 0)))
    return {"statusCode": 200, "headers": {}, "body": json.dumps({"ok": True})}
"""


@pytest.fixture(scope="module")
def system(
    tmp_path_factory: pytest.TempPathFactory, workload_template: Template
) -> Iterator[LocalRun]:
    del workload_template  # synthesized (and cached) before the start
    # One learner asks for 2 × SUBMITTERS tickets here: a hands-on class's allowance.
    run = start(
        tmp_path_factory.mktemp("concurrency") / "state", f"--uploads-per-hour={UPLOADS_PER_HOUR}"
    )
    try:
        yield run
    finally:
        stop(run)


def _auth(run: LocalRun, who: str) -> dict[str, str]:
    return {"Authorization": run.token(who)}


def _outcome(call: Any) -> tuple[int | str, Any]:
    """The status of `call()` (or the name of the error that replaced it) and the response."""
    try:
        response = call()
    except requests.RequestException as error:
        return type(error).__name__, None
    return int(response.status_code), response


def test_mp_loc_02_fifty_concurrent_clients_get_answers_and_every_write_lasts(
    system: LocalRun,
) -> None:
    teacher, learner = _auth(system, TEACHER), _auth(system, LEARNER)
    outcomes: Counter[int | str] = Counter()
    created: dict[str, str] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS, timeout=30)

    def client(number: int) -> None:
        session = requests.Session()
        api = system.api
        barrier.wait()  # all fifty at once, connections included
        for step in range(8):
            title = f"client {number} step {step} {uuid.uuid4().hex[:6]}"
            kind = step % 4
            if kind == 0:
                body = {"title": title}
                call = partial(session.post, f"{api}/courses", json=body, headers=teacher)
            elif kind == 1:
                call = partial(session.get, f"{api}/courses/{SAMPLE_COURSE_ID}", headers=learner)
            elif kind == 2:
                call = partial(session.get, f"{api}/courses?scope=published", headers=learner)
            else:
                call = partial(session.get, f"{api}/health")
            status, response = _outcome(partial(call, timeout=30))
            with lock:
                outcomes[status] += 1
                if kind == 0 and status == 201:
                    created[response.json()["courseId"]] = title

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(outcomes.values()) == CLIENTS * 8
    assert set(outcomes) <= {200, 201}, outcomes  # no refused or reset connection, no 5xx, no 429
    assert len(created) == CLIENTS * 2
    for course_id, title in created.items():
        response = requests.get(f"{system.api}/courses/{course_id}", headers=teacher, timeout=10)
        assert (response.status_code, response.json()["title"]) == (200, title)


SUBMITTERS = 20


def test_gl_rel_01_twenty_clients_each_on_its_own_assignment_get_no_409(
    system: LocalRun,
) -> None:
    """GL-REL-01: twenty clients submit and at once resubmit, each to its own assignment, while
    the scanner writes the first verdicts: every call succeeds, none answers 409 (a version race
    with the verdict write is retried by the API, not returned)."""
    teacher, learner = _auth(system, TEACHER), _auth(system, LEARNER)
    api = system.api

    def created(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = requests.post(f"{api}{path}", json=body, headers=teacher, timeout=30)
        assert response.status_code == 201, response.text
        return dict(response.json())

    course = created("/courses", {"title": f"同時提出 {uuid.uuid4().hex[:6]}"})["courseId"]
    due = {"instructions": "", "dueAt": "2999-01-01T00:00:00Z"}
    assignments = [
        created(f"/courses/{course}/assignments", {"title": f"課題{n}", **due})["assignmentId"]
        for n in range(SUBMITTERS)
    ]
    published = requests.post(
        f"{api}/courses/{course}/publish", json={"version": 1}, headers=teacher, timeout=30
    )
    assert published.status_code == 200, published.text
    enrolled = requests.post(f"{api}/courses/{course}/enrolment", headers=learner, timeout=30)
    assert enrolled.status_code in (200, 201), enrolled.text
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(SUBMITTERS, timeout=30)

    def submitter(assignment: str) -> None:
        session = requests.Session()
        base = f"{api}/courses/{course}/assignments/{assignment}/submission"
        file = {"fileName": "answer.txt", "contentType": "text/plain", "sizeBytes": 12}
        barrier.wait()
        for attempt in range(2):  # the second races the first one's verdict
            ticket = session.post(f"{base}/uploads", json=file, headers=learner, timeout=30)
            steps = [f"{ticket.status_code} ticket"]
            if ticket.status_code == 201:
                form = ticket.json()
                posted = requests.post(
                    form["url"],
                    data=form["fields"],
                    files={"file": ("answer.txt", f"answer {attempt}\n".encode().ljust(12))},
                    timeout=30,
                )
                submitted = session.put(
                    base, json={**file, "uploadId": form["uploadId"]}, headers=learner, timeout=30
                )
                steps += [f"{posted.status_code} upload", f"{submitted.status_code} submit"]
            with lock:
                outcomes.update(steps)

    threads = [threading.Thread(target=submitter, args=(a,)) for a in assignments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    twice = SUBMITTERS * 2
    assert outcomes == {"201 ticket": twice, "204 upload": twice, "200 submit": twice}, outcomes


def _clear_of_the_hours_end(seconds: float) -> None:
    """Counters are per clock hour: wait out the hour's last `seconds` so one test's uploads all
    fall in one hour."""
    left = 3600 - time.time() % 3600
    if left < seconds:
        time.sleep(left + 0.5)


def _uploads_counted(run: LocalRun, token: str) -> int:
    """The learner's uploads counted in this hour, read from the emulator's table."""
    payload = token.split(".")[1]
    sub = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]
    hour = time.strftime("%Y%m%d%H", time.gmtime())
    dynamodb = run.aws("dynamodb")
    (table,) = dynamodb.list_tables()["TableNames"]
    item = dynamodb.get_item(
        TableName=table, Key={"PK": {"S": f"LEARNER#{sub}"}, "SK": {"S": f"USAGE#uploads#{hour}"}}
    ).get("Item", {})
    return int(item.get("uploads", {}).get("N", "0"))


def test_gl_sec_04_a_learner_past_the_hours_uploads_gets_429_with_retry_after(
    system: LocalRun,
) -> None:
    """GL-SEC-04 in local mode: through the local gateway and the real handler, a learner who
    asked for the hour's upload tickets gets 429 upload-limit with Retry-After (and the SPA
    origin's CORS headers, so the browser can read it); the teacher's routes are unaffected."""
    teacher, learner = _auth(system, TEACHER), _auth(system, "learner2@example.com")
    api, session = system.api, requests.Session()

    def created(path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = session.post(f"{api}{path}", json=body, headers=teacher, timeout=30)
        assert response.status_code in (200, 201), response.text
        return dict(response.json())

    course = created("/courses", {"title": f"上限 {uuid.uuid4().hex[:6]}"})["courseId"]
    due = {"title": "課題", "instructions": "", "dueAt": "2999-01-01T00:00:00Z"}
    assignment = created(f"/courses/{course}/assignments", due)["assignmentId"]
    created(f"/courses/{course}/publish", {"version": 1})
    enrolled = session.post(f"{api}/courses/{course}/enrolment", headers=learner, timeout=30)
    assert enrolled.status_code in (200, 201), enrolled.text
    uploads = f"{api}/courses/{course}/assignments/{assignment}/submission/uploads"
    file = {"fileName": "answer.txt", "contentType": "text/plain", "sizeBytes": 12}
    origin = {"Origin": system.web, **learner}
    _clear_of_the_hours_end(seconds=15)
    left = UPLOADS_PER_HOUR - _uploads_counted(system, learner["Authorization"])  # the demo's
    statuses = Counter(
        session.post(uploads, json=file, headers=origin, timeout=30).status_code
        for _ in range(left)
    )
    assert statuses == {201: left}
    refused = session.post(uploads, json=file, headers=origin, timeout=30)
    assert refused.status_code == 429
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    assert refused.headers["Access-Control-Allow-Origin"] == system.web
    assert "Retry-After" in refused.headers["Access-Control-Expose-Headers"]
    assert refused.json()["type"].endswith("/upload-limit")
    still = session.get(f"{api}/courses/{course}", headers=teacher, timeout=30)
    assert still.status_code == 200


@pytest.mark.parametrize("length", ["-1", "banana"])
@pytest.mark.parametrize("origin", ["api", "web"])
def test_mp_loc_02_a_content_length_that_is_not_a_number_gets_400(
    system: LocalRun, origin: str, length: str
) -> None:
    with socket.create_connection(("127.0.0.1", system.ports[origin]), timeout=10) as connection:
        connection.sendall(
            f"POST /courses HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n".encode()
        )
        answer = connection.recv(65536)
    assert answer.startswith(b"HTTP/1.1 400 "), answer


def test_mp_loc_02_a_dead_emulator_is_restarted_on_the_kept_data(system: LocalRun) -> None:
    teacher = _auth(system, TEACHER)
    title = f"before the crash {uuid.uuid4().hex[:6]}"
    course = requests.post(
        f"{system.api}/courses", json={"title": title}, headers=teacher, timeout=10
    ).json()
    time.sleep(1.5)  # longer than the emulator's save interval
    emulator = next(
        pid
        for pid in system.processes()
        if b"manabi_local.emulator_server" in Path(f"/proc/{pid}/cmdline").read_bytes()
    )
    kill(emulator)

    # Meanwhile every request gets an answer (an error while the emulator is away), never a hang.
    started = time.monotonic()
    url = f"{system.api}/courses/{course['courseId']}"
    answers = [
        _outcome(lambda: requests.get(url, headers=teacher, timeout=15))[0] for _ in range(3)
    ]
    assert all(isinstance(a, int) for a in answers), answers
    assert time.monotonic() - started < 15

    deadline = time.monotonic() + 30
    while True:
        response = requests.get(
            f"{system.api}/courses/{course['courseId']}", headers=teacher, timeout=10
        )
        if response.status_code == 200:
            break
        assert time.monotonic() < deadline, response.text
        time.sleep(0.5)
    assert response.json()["title"] == title
    assert "restarting it on the data kept in" in system.output
    while "the AWS emulator is back" not in system.output:  # after its provisioning check
        assert time.monotonic() < deadline, system.output
        time.sleep(0.2)


def test_mp_loc_02_a_full_pool_answers_429_with_retry_after(
    tmp_path: Path, workload_template: Template
) -> None:
    del workload_template
    env = fake_handler(tmp_path, SLOW_HANDLER)
    run = start(
        tmp_path / "state",
        "--handler=fake_api.lambda_handler",
        "--concurrency=2",
        "--environments=2",
        env=env,
    )
    try:
        slow = [
            threading.Thread(target=lambda: requests.get(f"{run.api}/health?sleep=2", timeout=10))
            for _ in range(2)
        ]
        for thread in slow:
            thread.start()
        time.sleep(0.5)  # both inside their environments
        throttled = requests.get(f"{run.api}/health", timeout=10)
        for thread in slow:
            thread.join()
        assert throttled.status_code == 429
        assert throttled.headers["Retry-After"] == "1"
        assert throttled.headers["Content-Type"] == "application/problem+json"
        assert throttled.json()["status"] == 429
        assert requests.get(f"{run.api}/health", timeout=10).status_code == 200
    finally:
        stop(run)


def test_mp_loc_02_ctrl_c_under_load_stops_everything_in_time_and_loses_nothing_answered(
    tmp_path: Path, workload_template: Template
) -> None:
    del workload_template
    state = tmp_path / "state"
    run = start(state)
    teacher = _auth(run, TEACHER)
    acknowledged: list[str] = []
    outcomes: Counter[int | str] = Counter()
    lock = threading.Lock()
    stopping = threading.Event()

    def client(number: int) -> None:
        session = requests.Session()
        for step in range(10_000):
            title = f"under load {number}-{step}"
            try:
                response = session.post(
                    f"{run.api}/courses", json={"title": title}, headers=teacher, timeout=10
                )
            except requests.RequestException as error:
                with lock:
                    outcomes[type(error).__name__] += 1
                if stopping.is_set():
                    return  # the port is closed: the system is gone
                continue
            with lock:
                outcomes[response.status_code] += 1
                if response.status_code == 201:
                    acknowledged.append(title)

    clients = [threading.Thread(target=client, args=(n,)) for n in range(20)]
    for thread in clients:
        thread.start()
    time.sleep(2)
    stopping.set()
    code, seconds, left = stop(run, signal.SIGINT)
    for thread in clients:
        thread.join(timeout=30)

    assert code == 0, run.output
    assert left == [], f"still running {seconds:.1f} s after Ctrl-C: {left}"
    assert seconds < STOP_SECONDS
    assert not any(listening(port) for port in run.ports.values())
    assert {o for o in outcomes if isinstance(o, int)} <= {201, 503}, outcomes
    assert acknowledged

    again = start(state)
    try:
        teacher = {"Authorization": again.token(TEACHER)}
        found: set[str] = set()
        cursor = None
        while True:
            page = requests.get(
                f"{again.api}/courses",
                params={"scope": "mine", "limit": 100, **({"cursor": cursor} if cursor else {})},
                headers=teacher,
                timeout=10,
            ).json()
            found |= {c["title"] for c in page["items"]}
            cursor = page.get("nextCursor")
            if not cursor:
                break
        assert set(acknowledged) <= found
    finally:
        stop(again)
