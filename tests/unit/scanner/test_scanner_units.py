"""MP-AV-01/02: the clamd protocol, verdict classification, event parsing, partial failures."""

from __future__ import annotations

import json
import socket
import struct
import threading
from pathlib import Path
from typing import Any

import pytest

from manabi_contract.verdicts import AvStatus
from manabi_scanner.clamd import ClamdClient, ClamdError, StreamResult, parse_reply
from manabi_scanner.scan import handle_batch, targets
from manabi_scanner.verdict import Verdict, classify


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("stream: OK", StreamResult(False, "")),
        ("stream: Win.Test.EICAR_HDB-1 FOUND", StreamResult(True, "Win.Test.EICAR_HDB-1")),
    ],
)
def test_mp_av_01_clamd_replies(reply: str, expected: StreamResult) -> None:
    assert parse_reply(reply) == expected


@pytest.mark.parametrize("reply", ["INSTREAM size limit exceeded. ERROR", "garbage", ""])
def test_mp_av_02_clamd_errors_are_errors(reply: str) -> None:
    with pytest.raises(ClamdError):
        parse_reply(reply)


@pytest.mark.parametrize(
    ("found", "signature", "status"),
    [
        (False, "", AvStatus.CLEAN),
        (True, "Eicar-Signature", AvStatus.INFECTED),
        (True, "Heuristics.Encrypted.Zip", AvStatus.ERROR),
        (True, "Heuristics.Limits.Exceeded.MaxFileSize", AvStatus.ERROR),
    ],
)
def test_mp_av_02_encrypted_and_exceeded_are_errors(
    found: bool, signature: str, status: AvStatus
) -> None:
    assert classify(found, signature) is status


def test_mp_av_04_verdict_tags_are_valid_s3_tag_values() -> None:
    tags = Verdict(AvStatus.INFECTED, "Sig{x}*" + "y" * 300, "27000", "2026-01-01T00:00:00Z").tags()
    assert set(tags) == {"av-status", "av-signature", "av-db-version", "av-scanned-at"}
    assert tags["av-signature"].startswith("Sig_x__")
    assert len(tags["av-signature"]) == 256


def test_s3_event_keys_are_url_decoded() -> None:
    body = {
        "Records": [
            {
                "eventName": "ObjectCreated:Post",
                "s3": {
                    "bucket": {"name": "b"},
                    "object": {"key": "submissions/c/a/l%2B1/u+x", "size": 3, "versionId": "v"},
                },
            },
            {"eventName": "ObjectRemoved:Delete", "s3": {}},
        ]
    }
    (target,) = targets(json.dumps(body))
    assert (target.key, target.version_id, target.size) == ("submissions/c/a/l+1/u x", "v", 3)
    assert targets(json.dumps({"Event": "s3:TestEvent"})) == []


def test_partial_batch_failures_keep_the_good_messages() -> None:
    event = {
        "Records": [{"messageId": "bad", "body": "not json"}, {"messageId": "ok", "body": "{}"}]
    }
    result = handle_batch(event, scanner=None, sink=None)  # type: ignore[arg-type]
    assert result == {"batchItemFailures": [{"itemIdentifier": "bad"}]}


def test_instream_framing(tmp_path: Path) -> None:
    """The client sends zINSTREAM, length-prefixed chunks and a zero length."""
    path = str(tmp_path / "s.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    received: list[Any] = []

    def serve() -> None:
        connection, _ = server.accept()
        data = b""
        while not data.endswith(struct.pack("!L", 0)) or len(data) < 14:
            data += connection.recv(65536)
        received.append(data)
        connection.sendall(b"stream: OK\0")
        connection.close()

    thread = threading.Thread(target=serve)
    thread.start()
    assert ClamdClient(path, timeout=5).instream([b"abc"]) == StreamResult(False, "")
    thread.join()
    server.close()
    assert received[0] == b"zINSTREAM\0" + struct.pack("!L", 3) + b"abc" + struct.pack("!L", 0)


def test_mp_av_02_unreachable_clamd(tmp_path: Path) -> None:
    client = ClamdClient(str(tmp_path / "none.sock"), timeout=1)
    assert not client.ping()
    with pytest.raises(ClamdError):
        client.instream([b"x"])


class _InfectedObject:
    """An S3 client whose object already carries the final INFECTED verdict."""

    class exceptions:
        ClientError = Exception

    def __init__(self) -> None:
        self.retagged = False

    def head_object(self, **_: Any) -> dict[str, Any]:
        return {"ContentLength": 5, "VersionId": "v1"}

    def get_object_tagging(self, **_: Any) -> dict[str, Any]:
        return {"TagSet": [{"Key": "av-status", "Value": "INFECTED"}]}

    def put_object_tagging(self, **_: Any) -> None:
        self.retagged = True


def test_mp_av_03_an_infected_version_is_never_retagged() -> None:
    from manabi_scanner.scan import Scanner, Target

    s3 = _InfectedObject()
    engine: Any = None  # never asked: the verdict is final
    outcome = Scanner(s3, engine, 1024, lambda: "now").scan(Target("b", "k", "v1", 5))  # type: ignore[arg-type]
    assert outcome.verdict is not None
    assert (outcome.verdict.status, outcome.retry, s3.retagged) == (AvStatus.INFECTED, False, False)
