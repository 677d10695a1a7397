"""Accounts on one machine: `python -m manabi_local run` with the real API handler, driven the way
the SPA drives it — Cognito calls through /config.json's cognitoEndpoint (the local Cognito front),
codes from the local mailbox, API calls through the local gateway (MP-COG-02/04/08, APP-AUTH-01).
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from manabi_local.seed import DEMO_PASSWORD
from manabi_local.tcp_ports import free_port
from manabi_local.template import Template
from tests.support_sign_in import cognito_client

pytestmark = pytest.mark.integration

GOOD_PASSWORD = "Kokoro-2026"


@dataclass
class System:
    api: str
    web: str
    emulator: str
    client_id: str
    pool_id: str
    cognito: Any  # boto3 client against the local Cognito front, as the SPA calls it
    admin: Any  # boto3 client against the emulator itself (administration)


def _pump(stream: Any, lines: queue.Queue[str], sink: list[str]) -> None:
    for line in stream:
        sink.append(line)
        lines.put(line)


@pytest.fixture(scope="module")
def system(
    tmp_path_factory: pytest.TempPathFactory, workload_template: Template
) -> Iterator[System]:
    del workload_template  # synthesized (and cached) before the start
    state = tmp_path_factory.mktemp("cognito-run")
    ports = {"api": free_port(), "web": free_port(), "emulator": free_port()}
    command = [
        sys.executable,
        "-m",
        "manabi_local",
        "run",
        f"--api-port={ports['api']}",
        f"--web-port={ports['web']}",
        f"--emulator-port={ports['emulator']}",
        f"--state-dir={state / 'state'}",
        f"--web-dist={state / 'dist'}",
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ)
    )
    lines: queue.Queue[str] = queue.Queue()
    output: list[str] = []
    threading.Thread(target=_pump, args=(process.stdout, lines, output), daemon=True).start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if "Ctrl+C" in lines.get(timeout=0.5):
                break
        except queue.Empty:
            if process.poll() is not None:
                break
    try:
        assert process.poll() is None, "".join(output)
        web = f"http://127.0.0.1:{ports['web']}"
        config = requests.get(f"{web}/config.json", timeout=5).json()
        emulator = f"http://127.0.0.1:{ports['emulator']}"
        yield System(
            api=f"http://127.0.0.1:{ports['api']}",
            web=web,
            emulator=emulator,
            client_id=config["userPoolClientId"],
            pool_id=config["userPoolId"],
            cognito=cognito_client(config["cognitoEndpoint"]),
            admin=cognito_client(emulator),
        )
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert "Traceback" not in "".join(output)


def _error_code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def _sign_up(system: System, email: str, password: str = GOOD_PASSWORD) -> str:
    """SignUp as the SPA does: a generated username, the e-mail as an attribute."""
    username = str(uuid.uuid4())
    system.cognito.sign_up(
        ClientId=system.client_id,
        Username=username,
        Password=password,
        UserAttributes=[{"Name": "email", "Value": email}],
    )
    return username


def _mail(system: System, email: str) -> list[dict[str, Any]]:
    response = requests.get(f"{system.web}/_local/mailbox", params={"to": email}, timeout=5)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


def _sign_in(system: System, name: str, password: str = GOOD_PASSWORD) -> dict[str, Any]:
    result: dict[str, Any] = system.cognito.initiate_auth(
        ClientId=system.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": name, "PASSWORD": password},
    )["AuthenticationResult"]
    return result


def _new_learner(system: System) -> tuple[str, str]:
    email = f"learner-{uuid.uuid4().hex[:8]}@example.com"
    username = _sign_up(system, email)
    code = _mail(system, email)[-1]["code"]
    system.cognito.confirm_sign_up(
        ClientId=system.client_id, Username=username, ConfirmationCode=code
    )
    return email, username


@pytest.mark.parametrize(
    ("password", "missing"),
    [
        ("kokoro-2026", "upper case"),
        ("KOKORO-2026", "lower case"),
        ("Kokoro-nisen", "number"),
        ("Kokoro2026x", "symbol"),
        ("Ko-26", "eight characters"),
    ],
)
def test_mp_cog_02_each_missing_character_class_is_rejected(
    system: System, password: str, missing: str
) -> None:
    with pytest.raises(ClientError) as error:
        _sign_up(system, f"weak-{uuid.uuid4().hex[:8]}@example.com", password)
    assert _error_code(error) == "InvalidPasswordException", missing


def test_app_auth_01_sign_up_mail_confirm_and_learners_group(system: System) -> None:
    email = f"new-{uuid.uuid4().hex[:8]}@example.com"
    username = _sign_up(system, email)
    [message] = _mail(system, email)
    assert message["subject"] == "検証コード"
    assert message["body"] == f"検証コードは {message['code']} です。"
    assert message["kind"] == "sign-up"

    with pytest.raises(ClientError) as unconfirmed:
        _sign_in(system, email)
    # Before confirmation the e-mail is no alias yet; by username Cognito says "not confirmed".
    with pytest.raises(ClientError) as by_username:
        _sign_in(system, username)
    assert _error_code(by_username) == "UserNotConfirmedException"
    assert _error_code(unconfirmed) in {"UserNotConfirmedException", "NotAuthorizedException"}

    wrong = "000000" if message["code"] != "000000" else "111111"
    with pytest.raises(ClientError) as mismatch:
        system.cognito.confirm_sign_up(
            ClientId=system.client_id, Username=username, ConfirmationCode=wrong
        )
    assert _error_code(mismatch) == "CodeMismatchException"

    system.cognito.resend_confirmation_code(ClientId=system.client_id, Username=username)
    code = _mail(system, email)[-1]["code"]
    system.cognito.confirm_sign_up(
        ClientId=system.client_id, Username=username, ConfirmationCode=code
    )
    groups = system.admin.admin_list_groups_for_user(UserPoolId=system.pool_id, Username=username)
    assert [g["GroupName"] for g in groups["Groups"]] == ["learners"]
    # Sign-in by e-mail alias, case-insensitively.
    tokens = _sign_in(system, email.upper())
    assert tokens["IdToken"]


def test_mp_cog_04_email_format_username_is_refused(system: System) -> None:
    with pytest.raises(ClientError) as error:
        system.cognito.sign_up(
            ClientId=system.client_id,
            Username="someone@example.com",
            Password=GOOD_PASSWORD,
            UserAttributes=[{"Name": "email", "Value": "someone@example.com"}],
        )
    assert _error_code(error) == "InvalidParameterException"


def test_app_auth_01_wrong_password_and_unknown_user_look_the_same(system: System) -> None:
    with pytest.raises(ClientError) as wrong:
        _sign_in(system, "teacher@example.com", "Wrong-pass1")
    with pytest.raises(ClientError) as unknown:
        _sign_in(system, f"nobody-{uuid.uuid4().hex[:6]}@example.com", "Wrong-pass1")
    assert _error_code(wrong) == _error_code(unknown) == "NotAuthorizedException"
    assert (
        wrong.value.response["Error"]["Message"]
        == unknown.value.response["Error"]["Message"]
        == "Incorrect username or password."
    )


def test_mp_cog_08_groups_claim_drives_authorisation(system: System) -> None:
    """Through the local gateway and the real handler: a learner may not create, a teacher may."""
    email, _ = _new_learner(system)
    learner = _sign_in(system, email)["IdToken"]
    teacher = _sign_in(system, "teacher@example.com", DEMO_PASSWORD)["IdToken"]
    course = {"title": "はじめての数学", "description": "入門"}
    refused = requests.post(
        f"{system.api}/courses", json=course, headers={"Authorization": learner}, timeout=10
    )
    assert refused.status_code == 403, refused.text
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    created = requests.post(
        f"{system.api}/courses", json=course, headers={"Authorization": teacher}, timeout=10
    )
    assert created.status_code == 201, created.text


def test_app_auth_01_refresh_gives_a_working_token(system: System) -> None:
    email, _ = _new_learner(system)
    tokens = _sign_in(system, email)
    refreshed = system.cognito.initiate_auth(
        ClientId=system.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    )["AuthenticationResult"]
    response = requests.get(
        f"{system.api}/courses", headers={"Authorization": refreshed["IdToken"]}, timeout=10
    )
    assert response.status_code == 200, response.text


def test_app_acc_01_global_sign_out_through_the_front_ends_every_session(system: System) -> None:
    """APP-ACC-01: すべての端末からログアウト as the SPA calls it (GlobalSignOut through the front,
    which forwards unsigned calls with the pool's region): every session's tokens are refused."""
    email, _ = _new_learner(system)
    this_device, other_device = _sign_in(system, email), _sign_in(system, email)
    system.cognito.global_sign_out(AccessToken=this_device["AccessToken"])
    for tokens in (this_device, other_device):
        with pytest.raises(ClientError) as refresh:
            system.cognito.initiate_auth(
                ClientId=system.client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
            )
        assert _error_code(refresh) == "NotAuthorizedException"
        with pytest.raises(ClientError) as access:
            system.cognito.get_user(AccessToken=tokens["AccessToken"])
        assert _error_code(access) == "NotAuthorizedException"
    assert _sign_in(system, email)["AccessToken"]  # a new sign-in still works


def test_app_auth_01_disabled_user_is_refused(system: System) -> None:
    email, username = _new_learner(system)
    system.admin.admin_disable_user(UserPoolId=system.pool_id, Username=username)
    with pytest.raises(ClientError) as error:
        _sign_in(system, email)
    assert _error_code(error) == "NotAuthorizedException"


def test_app_auth_01_forgot_password_round_trip(system: System) -> None:
    email, _ = _new_learner(system)
    system.cognito.forgot_password(ClientId=system.client_id, Username=email)
    message = _mail(system, email)[-1]
    assert message["kind"] == "forgot-password"
    assert message["body"] == f"検証コードは {message['code']} です。"
    with pytest.raises(ClientError) as weak:
        system.cognito.confirm_forgot_password(
            ClientId=system.client_id,
            Username=email,
            ConfirmationCode=message["code"],
            Password="weakpassword",
        )
    assert _error_code(weak) == "InvalidPasswordException"
    with pytest.raises(ClientError) as mismatch:
        system.cognito.confirm_forgot_password(
            ClientId=system.client_id,
            Username=email,
            ConfirmationCode="not-the-code",
            Password="Atarashii-2026",
        )
    assert _error_code(mismatch) == "CodeMismatchException"
    system.cognito.confirm_forgot_password(
        ClientId=system.client_id,
        Username=email,
        ConfirmationCode=message["code"],
        Password="Atarashii-2026",
    )
    assert _sign_in(system, email, "Atarashii-2026")["IdToken"]
    with pytest.raises(ClientError):
        _sign_in(system, email)  # the old password no longer works


def test_app_auth_01_forgot_password_for_unknown_user_reveals_nothing(system: System) -> None:
    result = system.cognito.forgot_password(
        ClientId=system.client_id, Username=f"nobody-{uuid.uuid4().hex[:6]}@example.com"
    )
    assert result["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"


@pytest.mark.parametrize(
    "authorization",
    ["", "garbled", "a.b.c", "Bearer "],
    ids=["missing", "garbled", "three-parts", "empty-bearer"],
)
def test_app_auth_01_bad_tokens_get_401_never_5xx(system: System, authorization: str) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = requests.get(f"{system.api}/courses", headers=headers, timeout=10)
    assert response.status_code == 401
    # The template's UNAUTHORIZED gateway response (decision 0033).
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "https://manabiplus.example.jp/problems/unauthenticated"
    assert problem["detail"] == "Unauthorized"


def test_app_auth_01_forged_token_gets_401(system: System) -> None:
    """Right claims and kid, but signed with another key: refused."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    email, _ = _new_learner(system)
    genuine = _sign_in(system, email)["IdToken"]
    claims = jwt.decode(genuine, _emulator_keys(system)).claims
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(
        {"alg": "RS256", "kid": "dummy"}, claims, RSAKey.import_key(key), algorithms=["RS256"]
    )
    response = requests.get(f"{system.api}/courses", headers={"Authorization": forged}, timeout=10)
    assert response.status_code == 401


def _emulator_keys(system: System) -> Any:
    from joserfc.jwk import KeySet

    url = f"{system.emulator}/{system.pool_id}/.well-known/jwks.json"
    return KeySet.import_key_set(requests.get(url, timeout=5).json())
