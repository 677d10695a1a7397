"""A mixed learner/teacher load on the local system (MP-LOC-02), in the same run as the same
load with one execution environment (the behaviour before parallel invocations).

Starts `python -m manabi_local run` on free ports and a fresh state directory, creates the
users through the emulator and a course through the API, then runs virtual users for a fixed
time at each concurrency: learners list the catalogue, read a lesson, mark it complete and
submit a file through the presigned upload; teachers list submissions and grade the clean ones.
Prints throughput and p50/p95/p99 of the requests served (a 429 attempt, retried after its
Retry-After, is counted apart), and errors by kind per run, and the throughput ratio at 50 users.

    uv run python bench/load.py [--seconds 20] [--users 10 50 100]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from manabi_local.tcp_ports import free_port  # noqa: E402

PASSWORD = "Passw0rd!"  # noqa: S105 - the local mode's demo password
TEACHERS_PER_TEN = 1  # one virtual user in ten is a teacher
RETRIES = 3  # of a 429 or 503, after its Retry-After (web/src/api/client.ts does the same)
# A grade sent while the learner resubmits meets a newer version: the 409 a teacher is meant to
# get ("changed by someone else"), not a fault of the system.
EXPECTED = ("409 grade",)


@dataclass
class System:
    api: str
    web: str
    emulator: str
    process: subprocess.Popen[str]


UPLOADS_PER_HOUR = 100_000


@contextmanager
def local_system(state: Path, environments: int | None) -> Iterator[System]:
    ports = {"api": free_port(), "web": free_port(), "emulator": free_port()}
    command = [
        sys.executable, "-m", "manabi_local", "run", "--fresh",
        "--api-port", str(ports["api"]), "--web-port", str(ports["web"]),
        "--emulator-port", str(ports["emulator"]), "--state-dir", str(state),
        # Every virtual learner uploads once a journey, far more often than a person: the
        # hourly upload limit (GL-SEC-04) would stop the load it is meant to measure.
        "--uploads-per-hour", str(UPLOADS_PER_HOUR),
    ]  # fmt: skip
    if environments is not None:
        command += ["--environments", str(environments)]
    log = (state.parent / f"run-{environments}.log").open("w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    system = System(
        f"http://127.0.0.1:{ports['api']}",
        f"http://127.0.0.1:{ports['web']}",
        f"http://127.0.0.1:{ports['emulator']}",
        process,
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{system.api}/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None:
                raise SystemExit(f"the local system stopped: see {log.name}")
            time.sleep(0.5)
        else:
            raise SystemExit(f"the local system did not start in 180 s: see {log.name}")
        yield system
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def cognito(system: System) -> Any:
    return boto3.client(
        "cognito-idp",
        endpoint_url=system.emulator,
        region_name="ap-northeast-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - the emulator takes any
    )


def account(system: System, config: dict[str, Any], email: str, group: str) -> str:
    """A confirmed user of `group` (made through the emulator) and its ID token."""
    client = cognito(system)
    pool = config["userPoolId"]
    client.admin_create_user(
        UserPoolId=pool,
        Username=email,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
        ],
        MessageAction="SUPPRESS",
    )
    client.admin_set_user_password(
        UserPoolId=pool, Username=email, Password=PASSWORD, Permanent=True
    )
    client.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName=group)
    result = client.initiate_auth(
        ClientId=config["userPoolClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )
    return str(result["AuthenticationResult"]["IdToken"])


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, seconds: float, outcome: str) -> None:
        with self.lock:
            if not outcome.startswith("429"):  # a throttled attempt is answered at once
                self.latencies.append(seconds)
            self.outcomes[outcome] += 1


class VirtualUser:
    def __init__(self, system: System, token: str, tally: Tally, *, teacher: bool = False) -> None:
        self.session = requests.Session()
        self.session.headers["Authorization"] = token
        self.system = system
        self.tally = tally
        self.teacher = teacher

    def call(
        self, method: str, path: str, body: Any = None, *, label: str = ""
    ) -> requests.Response | None:
        """One request, counted as `<status> <label>`; a 429 or 503 is retried after its
        Retry-After, as the SPA does (each attempt counted)."""
        for _ in range(RETRIES + 1):
            started = time.perf_counter()
            try:
                response = self.session.request(
                    method, self.system.api + path, json=body, timeout=35
                )
            except requests.RequestException as error:
                self.tally.record(time.perf_counter() - started, f"connection {label}: {error!r}")
                return None
            self.tally.record(time.perf_counter() - started, f"{response.status_code} {label}")
            if response.status_code not in (429, 503):
                return response
            time.sleep(float(response.headers.get("Retry-After", "1")))
        return response


def learner_journey(user: VirtualUser, course: str, lesson: str, assignment: str) -> None:
    user.call("GET", "/courses", label="catalogue")
    user.call("GET", f"/courses/{course}/lessons/{lesson}", label="lesson")
    user.call("PUT", f"/courses/{course}/lessons/{lesson}/completion", label="progress")
    base = f"/courses/{course}/assignments/{assignment}"
    file = {"fileName": "answer.txt", "contentType": "text/plain", "sizeBytes": 12}
    ticket = user.call("POST", f"{base}/submission/uploads", file, label="upload ticket")
    if ticket is None or ticket.status_code != 201:
        return
    form = ticket.json()
    started = time.perf_counter()
    try:
        posted = requests.post(
            form["url"],
            data=form["fields"],
            files={"file": ("answer.txt", b"print('hi')\n")},
            timeout=35,
        )
        user.tally.record(time.perf_counter() - started, f"{posted.status_code} upload")
    except requests.RequestException as error:
        user.tally.record(time.perf_counter() - started, f"connection upload: {error!r}")
        return
    user.call("PUT", f"{base}/submission", {**file, "uploadId": form["uploadId"]}, label="submit")


def teacher_journey(user: VirtualUser, course: str, assignments: list[str]) -> None:
    for assignment in assignments[:3]:
        listed = user.call(
            "GET", f"/courses/{course}/assignments/{assignment}/submissions", label="submissions"
        )
        if listed is None or listed.status_code != 200:
            continue
        for submission in listed.json()["items"]:
            if submission["status"] == "CLEAN" and submission["grade"] is None:
                grade = {
                    "grade": 80,
                    "feedback": "よくできました",
                    "version": submission["version"],
                }
                user.call(
                    "PUT",
                    f"/courses/{course}/assignments/{assignment}/submissions/"
                    f"{submission['learnerId']}/grade",
                    grade,
                    label="grade",
                )


def created(user: VirtualUser, path: str, body: Any) -> dict[str, Any]:
    response = user.call("POST", path, body)
    if response is None or response.status_code != 201:
        raise SystemExit(f"set-up failed: POST {path} → {response and response.text}")
    result: dict[str, Any] = response.json()
    return result


def prepare(system: System, users: int, tally: Tally) -> tuple[list[VirtualUser], dict[str, Any]]:
    """A published course with one lesson and one assignment per learner, and the users."""
    config = requests.get(f"{system.web}/config.json", timeout=5).json()
    owner = account(system, config, "bench-teacher@example.com", "teachers")
    teacher = VirtualUser(system, owner, tally, teacher=True)
    cid = created(teacher, "/courses", {"title": "負荷試験"})["courseId"]
    lesson = created(teacher, f"/courses/{cid}/lessons", {"title": "L", "body": "本文"})
    due = {"instructions": "", "dueAt": "2999-01-01T00:00:00Z"}
    assignments = [
        created(teacher, f"/courses/{cid}/assignments", {"title": f"課題{n}", **due})[
            "assignmentId"
        ]
        for n in range(users)
    ]
    teacher.call("POST", f"/courses/{cid}/publish", {"version": 1})
    virtual: list[VirtualUser] = []
    for n in range(users):
        if n % 10 < TEACHERS_PER_TEN:  # the course's own teacher: only it may grade
            virtual.append(VirtualUser(system, owner, tally, teacher=True))
            continue
        token = account(system, config, f"bench-{n}@example.com", "learners")
        learner = VirtualUser(system, token, tally)
        learner.call("POST", f"/courses/{cid}/enrolment")
        virtual.append(learner)
    return virtual, {"course": cid, "lesson": lesson["lessonId"], "assignments": assignments}


def run_load(system: System, users: int, seconds: float) -> dict[str, Any]:
    virtual, work = prepare(system, users, Tally())
    tally = Tally()
    for user in virtual:
        user.tally = tally  # the set-up's calls are not counted
    stop = time.monotonic() + seconds

    def loop(index: int, user: VirtualUser) -> None:
        while time.monotonic() < stop:
            if user.teacher:
                teacher_journey(user, work["course"], work["assignments"])
            else:
                learner_journey(user, work["course"], work["lesson"], work["assignments"][index])

    threads = [threading.Thread(target=loop, args=(i, u)) for i, u in enumerate(virtual)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies = sorted(tally.latencies)
    quantiles = (
        statistics.quantiles(latencies, n=100, method="inclusive")
        if len(latencies) > 1
        else [0.0] * 99
    )
    return {
        "users": users,
        "requests": len(latencies),  # served: 429 attempts (retried) are not counted
        "throughput": len(latencies) / elapsed,
        "p50_ms": quantiles[49] * 1000,
        "p95_ms": quantiles[94] * 1000,
        "p99_ms": quantiles[98] * 1000,
        "outcomes": dict(sorted(tally.outcomes.items())),
    }


def print_result(label: str, result: dict[str, Any]) -> None:
    outcomes = result["outcomes"]
    throttled = sum(v for k, v in outcomes.items() if k.startswith("429"))  # then retried
    expected = {k: v for k, v in outcomes.items() if k in EXPECTED}
    errors = {
        k: v for k, v in outcomes.items() if not k.startswith(("2", "429")) and k not in EXPECTED
    }
    print(
        f"  {label:<28} {result['users']:>3} users  {result['requests']:>6} req  "
        f"{result['throughput']:7.1f} req/s  p50 {result['p50_ms']:7.1f} ms  "
        f"p95 {result['p95_ms']:7.1f} ms  p99 {result['p99_ms']:7.1f} ms  errors {errors or 0}"
        + (f"  throttled and retried {throttled}" if throttled else "")
        + (f"  expected conflicts {expected}" if expected else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--users", type=int, nargs="+", default=[10, 50, 100])
    parser.add_argument(
        "--compare-at", type=int, default=50, help="users of the one-environment run"
    )
    args = parser.parse_args()
    print(
        f"Mixed learner/teacher load on the local system, {args.seconds:.0f} s per run "
        f"({os.cpu_count()} CPUs)"
    )
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="manabi-load-") as tmp:
        for label, environments, user_counts in (
            ("parallel (default)", None, args.users),
            ("one execution environment", 1, [args.compare_at]),
        ):
            for users in user_counts:
                with local_system(
                    Path(tmp) / f"state-{environments}-{users}", environments
                ) as system:
                    result = run_load(system, users, args.seconds)
                print_result(label, result)
                results[f"{label} {users}"] = result
    parallel = results.get(f"parallel (default) {args.compare_at}")
    single = results.get(f"one execution environment {args.compare_at}")
    if parallel and single and single["throughput"]:
        ratio = parallel["throughput"] / single["throughput"]
        print(f"  throughput at {args.compare_at} users: {ratio:.2f}x one execution environment")
    print(json.dumps(results, ensure_ascii=False), file=sys.stderr)


if __name__ == "__main__":
    main()
