"""MP-LOC-01: the local data lasts. Seeded through the API as a teacher and a learner would, the
system is stopped (Ctrl-C, then a power-cut SIGKILL) and started again on the same state
directory, and every item is found exactly; `--fresh` starts empty; a directory it cannot read
is refused in one line with the way out."""

from __future__ import annotations

import json
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from manabi_local.emulator_server import DEFAULT_SAVE_INTERVAL
from manabi_local.seed import SAMPLE_COURSE_ID
from manabi_local.template import Template
from tests.integration.local.local_system import (
    LocalRun,
    closed_within,
    kill_all,
    listeners,
    start,
    stop,
)

pytestmark = pytest.mark.integration

# A write acknowledged longer ago than this survives a SIGKILL of every process at once: the
# emulator saves what changed at most DEFAULT_SAVE_INTERVAL after it (docs/decisions/0026
# has the measured window), and a save takes milliseconds.
KILL_WINDOW_SECONDS = DEFAULT_SAVE_INTERVAL + 1.0
TEACHER, LEARNER = "teacher@example.com", "learner@example.com"


class Api:
    def __init__(self, run: LocalRun) -> None:
        self.run = run
        self.tokens = {who: run.token(who) for who in (TEACHER, LEARNER)}

    def call(self, method: str, path: str, who: str, body: Any = None, ok: int = 200) -> Any:
        response = requests.request(
            method,
            f"{self.run.api}{path}",
            json=body,
            headers={"Authorization": self.tokens[who]},
            timeout=15,
        )
        assert response.status_code == ok, (method, path, response.status_code, response.text)
        return response.json() if response.content else None


def _seed(api: Api) -> dict[str, str]:
    """A course with lessons, an assignment, an enrolment with progress and a scanned file."""
    course = api.call("POST", "/courses", TEACHER, {"title": f"持続 {uuid.uuid4().hex[:6]}"}, 201)
    cid = course["courseId"]
    for n in (1, 2):
        api.call(
            "POST", f"/courses/{cid}/lessons", TEACHER, {"title": f"L{n}", "body": "本文"}, 201
        )
    api.call("POST", f"/courses/{cid}/publish", TEACHER, {"version": course["version"]})
    body = {"title": "課題", "instructions": "提出", "dueAt": "2999-01-01T00:00:00Z"}
    assignment = api.call("POST", f"/courses/{cid}/assignments", TEACHER, body, 201)
    api.call("POST", f"/courses/{cid}/enrolment", LEARNER, ok=201)
    lessons = api.call("GET", f"/courses/{cid}/lessons", LEARNER)["lessons"]
    api.call("PUT", f"/courses/{cid}/lessons/{lessons[0]['lessonId']}/completion", LEARNER)
    base = f"/courses/{cid}/assignments/{assignment['assignmentId']}"
    for attempt in (b"first attempt", "二回目の提出".encode()):  # two versions of the file
        file = {"fileName": "答え.txt", "contentType": "text/plain", "sizeBytes": len(attempt)}
        ticket = api.call("POST", f"{base}/submission/uploads", LEARNER, file, 201)
        posted = requests.post(
            ticket["url"],
            data=ticket["fields"],
            files={"file": ("f", attempt, "text/plain")},
            timeout=15,
        )
        assert posted.status_code in {200, 204}, posted.text
        api.call("PUT", f"{base}/submission", LEARNER, {**file, "uploadId": ticket["uploadId"]})
        deadline = time.monotonic() + 30
        while api.call("GET", f"{base}/submission", LEARNER)["status"] == "PENDING":
            assert time.monotonic() < deadline, "the scanner gave no verdict"
            time.sleep(0.2)
    return {"course": cid, "base": base}


def _settle(run: LocalRun) -> None:
    """Wait until the scan queue is empty: a scan that comes back for another look (the
    upload's completion had not arrived yet) would change the verdict's record meanwhile."""
    sqs = run.aws("sqs")
    queue = next(u for u in sqs.list_queues()["QueueUrls"] if u.endswith("-scan"))
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    deadline = time.monotonic() + 30
    while True:
        counts = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=names)["Attributes"]
        if all(counts[name] == "0" for name in names):
            return
        assert time.monotonic() < deadline, f"the scan queue did not empty: {counts}"
        time.sleep(0.2)


def _observe(run: LocalRun, api: Api, ids: dict[str, str]) -> dict[str, Any]:
    """Everything a user (and the emulator) can see of the seeded data."""
    cid, base = ids["course"], ids["base"]
    cognito = run.aws("cognito-idp")
    pool = run.config()["userPoolId"]
    users = {
        u["Username"]: {a["Name"]: a["Value"] for a in u["Attributes"]}
        for u in cognito.list_users(UserPoolId=pool)["Users"]
    }
    s3 = run.aws("s3")
    bucket = next(b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].endswith("-data"))
    versions = []
    for version in s3.list_object_versions(Bucket=bucket).get("Versions", []):
        key, vid = version["Key"], version["VersionId"]
        versions.append(
            {
                "key": key,
                "version": vid,
                "bytes": s3.get_object(Bucket=bucket, Key=key, VersionId=vid)["Body"].read(),
                "tags": s3.get_object_tagging(Bucket=bucket, Key=key, VersionId=vid)["TagSet"],
            }
        )
    learner_sub = users[LEARNER]["sub"]
    return {
        "users": users,
        "groups": {
            name: sorted(
                g["GroupName"]
                for g in cognito.admin_list_groups_for_user(UserPoolId=pool, Username=name)[
                    "Groups"
                ]
            )
            for name in users
        },
        "course": api.call("GET", f"/courses/{cid}", TEACHER),
        "sample": api.call("GET", f"/courses/{SAMPLE_COURSE_ID}", TEACHER),
        "lessons": api.call("GET", f"/courses/{cid}/lessons", LEARNER),
        "progress": api.call("GET", f"/courses/{cid}/progress", LEARNER),
        "enrolments": api.call("GET", f"/courses/{cid}/enrolments", TEACHER),
        "submission": api.call("GET", f"{base}/submission", LEARNER),
        "submissions": api.call("GET", f"{base}/submissions", TEACHER),
        "teacher_view": api.call("GET", f"{base}/submissions/{learner_sub}", TEACHER),
        "versions": sorted(versions, key=lambda v: (v["key"], v["version"])),
    }


def _sign_up(run: LocalRun) -> str:
    """A self sign-up whose code is in the mailbox, confirmed only after the restart."""
    name = f"new{uuid.uuid4().hex[:8]}"
    run.cognito().sign_up(
        ClientId=run.config()["userPoolClientId"],
        Username=name,
        Password="Kokoro-2026",
        UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}],
    )
    return name


def _confirm(run: LocalRun, name: str) -> None:
    mail = requests.get(f"{run.web}/_local/mailbox?to={name}@example.com", timeout=10).json()
    code = mail["messages"][-1]["code"]
    run.cognito().confirm_sign_up(
        ClientId=run.config()["userPoolClientId"], Username=name, ConfirmationCode=code
    )
    assert run.token(name, "Kokoro-2026")


def test_mp_loc_01_every_item_comes_back_exactly_after_ctrl_c_and_fresh_starts_empty(
    tmp_path: Path, workload_template: Template
) -> None:
    del workload_template  # synthesized (and cached) before the first start
    state = tmp_path / "state"
    first = start(state)
    try:
        api = Api(first)
        ids = _seed(api)
        newcomer = _sign_up(first)
        _settle(first)
        before = _observe(first, api, ids)
    finally:
        code, _, left = stop(first, signal.SIGINT)
    assert (code, left) == (0, []), first.output
    assert "Traceback" not in first.output
    own = f"submissions/{ids['course']}/"  # the demo data has submission files of its own
    assert [v["tags"] for v in before["versions"] if v["key"].startswith(own)]
    assert len([v for v in before["versions"] if v["key"].startswith(own)]) == 2

    second = start(state)
    try:
        assert "kept from the last run" in second.output
        api = Api(second)
        after = _observe(second, api, ids)
        _confirm(second, newcomer)  # the code mailed before the restart still works
    finally:
        stop(second)
    assert after == before
    assert after["users"][TEACHER]["sub"] == before["users"][TEACHER]["sub"]

    third = start(state, "--fresh")
    try:
        assert "new / 新規" in third.output
        api = Api(third)
        requests_ = requests.get(
            f"{third.api}/courses/{ids['course']}",
            headers={"Authorization": api.tokens[TEACHER]},
            timeout=10,
        )
        assert requests_.status_code == 404
        sub = third.aws("cognito-idp").admin_get_user(
            UserPoolId=third.config()["userPoolId"], Username=TEACHER
        )["UserAttributes"]
        assert {"Name": "sub", "Value": before["users"][TEACHER]["sub"]} not in sub
        api.call("GET", f"/courses/{SAMPLE_COURSE_ID}", LEARNER)  # the demo data, seeded anew
    finally:
        stop(third)


def test_mp_loc_01_a_sigkill_of_every_process_loses_at_most_the_last_moments(
    tmp_path: Path, workload_template: Template
) -> None:
    """Writes acknowledged KILL_WINDOW_SECONDS before a SIGKILL of the run, its emulator and
    every other process at once are all there after a start on the same directory."""
    del workload_template
    state = tmp_path / "state"
    first = start(state)
    api = Api(first)
    titles = [f"kill-9 {n}" for n in range(5)]
    for title in titles:
        api.call("POST", "/courses", TEACHER, {"title": title}, 201)
    time.sleep(KILL_WINDOW_SECONDS)
    kill_all(first)  # fails if a process outlived the kill
    port = first.ports["emulator"]
    assert closed_within(port, seconds=5), listeners(port)

    second = start(state)
    try:
        api = Api(second)
        mine = api.call("GET", "/courses?scope=mine&limit=100", TEACHER)["items"]
        assert set(titles) <= {c["title"] for c in mine}
        assert "Traceback" not in second.output
    finally:
        stop(second)


def test_mp_loc_01_a_directory_it_cannot_read_is_refused_in_one_line(
    tmp_path: Path, workload_template: Template
) -> None:
    del workload_template
    state = tmp_path / "state"
    (state / "emulator").mkdir(parents=True)
    (state / "manabi-local.json").write_text('{"format": 1}')
    manifest = {"format": 1, "moto": "0.0.1", "python": "2.7", "services": {}}
    (state / "emulator" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(AssertionError, match="did not start") as refused:
        start(state)
    output = str(refused.value)
    assert "manabi_local: cannot start: the local data in" in output
    assert "moto 0.0.1" in output
    assert "--fresh" in output
    assert "Traceback" not in output
