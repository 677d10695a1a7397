"""MP-RST-01, MP-AV-02/03: who may write verdict tags into the data and backup buckets.

The synthesized bucket and role policies of both environments are evaluated with a small IAM
model (tests/infra/policy_model.py): the operations role restores a backup copy WITH its verdict
tags into the data bucket only when the copy's source is the backup bucket; nobody else but the
scanner tags an upload; only the daily backup function tags the backup bucket's copies.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from .conftest import SynthesizedStack
from .policy_model import (
    Outcome,
    Request,
    Statement,
    Template,
    allowed,
    copy_object,
    evaluate_all,
    put_object,
    put_object_tagging,
)

pytestmark = pytest.mark.infra

CLEAN = {"av-status": "CLEAN", "av-signature": "none", "av-timestamp": "2026-12-03T00:00:00Z"}
INFECTED = {"av-status": "INFECTED", "av-signature": "Eicar-Test-Signature"}
KEY = "submissions/course-1/assignment-1/learner-1/report.pdf"


class Policies:
    """The role and bucket policies of one workload template."""

    def __init__(self, stack: SynthesizedStack) -> None:
        self.names = stack.names
        self.template = Template(stack.template)
        self.data = stack.names.data_bucket
        self.backup = stack.names.backup_bucket
        self.operations = f"{stack.names.access_role_prefix}-operations"

    def arn(self, role: str) -> str:
        return self.template.role_arn(role)

    def decide(self, role: str, requests: Sequence[Request]) -> list[Outcome]:
        statements: list[Statement] = self.template.identity_statements(role)
        for bucket in {r.resource.split(":::", 1)[1].split("/", 1)[0] for r in requests}:
            statements += self.template.bucket_statements(bucket)
        return evaluate_all(statements, requests)


@pytest.fixture(scope="module")
def policies(stack: SynthesizedStack) -> Policies:
    return Policies(stack)


def _explain(outcomes: list[Outcome]) -> str:
    return "; ".join(str(o) for o in outcomes)


def test_mp_rst_01_operations_role_restores_a_backup_copy_with_its_verdicts(
    policies: Policies,
) -> None:
    """restore-data's CopyObject (TaggingDirective=COPY) from the backup bucket is allowed,
    for a clean, an infected and a version-addressed copy, and with the SDK's or a leading
    slash's copy source."""
    p = policies
    ops = p.arn(p.operations)
    backup_copy = (p.backup, f"data/2026-12-03/objects/{KEY}")
    for tags, extra in (
        (CLEAN, {}),
        (INFECTED, {}),
        (CLEAN, {"source_version": "3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"}),
        (CLEAN, {"leading_slash": True}),
    ):
        call = copy_object(ops, backup_copy, (p.data, KEY), source_tags=tags, **extra)  # type: ignore[arg-type]
        outcomes = p.decide(p.operations, call)
        assert allowed(outcomes), _explain(outcomes)


def test_mp_rst_01_operations_role_cannot_write_verdicts_from_elsewhere(
    policies: Policies,
) -> None:
    """The exemption is the backup bucket's copies only: the operations role's own tagged
    upload, its tagging of an object and its copies from anywhere else are denied."""
    p = policies
    ops = p.arn(p.operations)
    attempts = {
        "PutObject with av-* tags": put_object(ops, p.data, KEY, CLEAN),
        "PutObjectTagging CLEAN": put_object_tagging(ops, p.data, KEY, CLEAN),
        "PutObjectVersionTagging CLEAN": put_object_tagging(ops, p.data, KEY, CLEAN, version=True),
        "copy a clean object within the data bucket": copy_object(
            ops, (p.data, "submissions/other.pdf"), (p.data, KEY), source_tags=CLEAN
        ),
        "copy with CLEAN tags from within the data bucket": copy_object(
            ops, (p.data, KEY), (p.data, KEY), source_tags={}, replace_tags=CLEAN
        ),
        "copy from a look-alike bucket": copy_object(
            ops, (f"{p.backup}-evil", KEY), (p.data, KEY), source_tags=CLEAN
        ),
    }
    for what, call in attempts.items():
        outcomes = p.decide(p.operations, call)
        assert not allowed(outcomes), f"{what}: {_explain(outcomes)}"
        assert any(o.statements and o.decision == "ExplicitDeny" for o in outcomes), what


def test_mp_av_03_api_role_can_neither_tag_nor_upload_verdicts(policies: Policies) -> None:
    p = policies
    api = p.arn(p.names.api_role)
    for what, call in {
        "PutObjectTagging CLEAN": put_object_tagging(api, p.data, KEY, CLEAN),
        "PutObject with av-* tags": put_object(api, p.data, KEY, CLEAN),
        "copy a clean object's tags onto another key": copy_object(
            api, (p.data, "submissions/other.pdf"), (p.data, KEY), source_tags=CLEAN
        ),
        "copy from the backup bucket": copy_object(
            api, (p.backup, f"data/2026-12-03/objects/{KEY}"), (p.data, KEY), source_tags=CLEAN
        ),
    }.items():
        outcomes = p.decide(p.names.api_role, call)
        assert not allowed(outcomes), f"{what}: {_explain(outcomes)}"
    # and its plain upload (presigned PUT without tags) still works
    outcomes = p.decide(p.names.api_role, put_object(api, p.data, KEY))
    assert allowed(outcomes), _explain(outcomes)


def test_mp_av_03_scanner_tags_but_never_retags_an_infected_object(policies: Policies) -> None:
    p = policies
    scanner = p.arn(p.names.scan_role)
    verdict = put_object_tagging(scanner, p.data, KEY, CLEAN, version=True)
    outcomes = p.decide(p.names.scan_role, verdict)
    assert allowed(outcomes), _explain(outcomes)
    retag = put_object_tagging(scanner, p.data, KEY, CLEAN, existing=INFECTED, version=True)
    assert not allowed(p.decide(p.names.scan_role, retag))


def test_mp_rst_01_only_the_backup_function_tags_the_backup_copies(policies: Policies) -> None:
    """The verdicts a restore copies back are the ones the daily backup wrote."""
    p = policies
    backup_role = p.names.backup_function_role
    copy_key = f"data/2026-12-03/objects/{KEY}"
    backup = copy_object(
        p.arn(backup_role),
        (p.data, KEY),
        (p.backup, copy_key),
        source_tags=CLEAN,
        replace_tags=CLEAN,
    )
    outcomes = p.decide(backup_role, backup)
    assert allowed(outcomes), _explain(outcomes)
    ops = p.arn(p.operations)
    for what, call in {
        "PutObjectTagging": put_object_tagging(ops, p.backup, copy_key, CLEAN),
        "PutObject with tags": put_object(ops, p.backup, copy_key, CLEAN),
        "copy with CLEAN tags": copy_object(
            ops, (p.data, KEY), (p.backup, copy_key), source_tags={}, replace_tags=CLEAN
        ),
    }.items():
        outcomes = p.decide(p.operations, call)
        assert not allowed(outcomes), f"{what}: {_explain(outcomes)}"
