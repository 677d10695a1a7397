"""A small model of IAM policy evaluation, to prove bucket policies on synthesized templates.

It evaluates a request (principal, action, resource, condition keys) against the identity
policies of a role and a bucket's resource policy of the same account, as AWS documents it: an
explicit Deny anywhere wins; otherwise an Allow in either the identity or the resource policy
allows; otherwise the request is implicitly denied. Supported: Action/NotAction,
Resource/NotResource with `*`/`?` wildcards, `Principal` `*`/AWS ARNs, and the condition
operators the templates use (String*, Arn*, Bool; `IfExists`; `ForAnyValue:`/`ForAllValues:`),
with AWS's rule for a key the request lacks (a negated operator matches, a positive one does not).

Intrinsic functions of the template (Ref, Fn::GetAtt …Arn, Fn::Join) are resolved to the
physical names the resources declare. AWS managed policies attached by name are not modelled.

S3 authorizes one API call as several actions: `copy_object` and `put_object` return them
(CopyObject = GetObject (+ GetObjectTagging) on the source, PutObject (+ PutObjectTagging when
tags are written) on the destination, each with the request's `s3:x-amz-copy-source`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

ACCOUNT = "123456789012"
REGION = "ap-northeast-1"
PARTITION = "aws"

# What every request of the tests carries unless it says otherwise: HTTPS with TLS 1.3.
DEFAULTS = {"aws:SecureTransport": "true", "s3:TlsVersion": "1.3"}

Context = Mapping[str, str | Sequence[str]]
Statement = dict[str, Any]


class Decision(StrEnum):
    ALLOW = "Allow"
    EXPLICIT_DENY = "ExplicitDeny"
    IMPLICIT_DENY = "ImplicitDeny"


@dataclass(frozen=True)
class Request:
    principal_arn: str
    action: str
    resource: str
    context: Context = field(default_factory=dict)

    def value(self, key: str) -> list[str] | None:
        if key == "aws:PrincipalArn":
            return [self.principal_arn]
        if key in DEFAULTS and key not in self.context:
            return [DEFAULTS[key]]
        found = self.context.get(key)
        if found is None:
            return None
        return [found] if isinstance(found, str) else list(found)


# --- the template --------------------------------------------------------------------------


_ARN_TYPES = ("AWS::S3::Bucket", "AWS::IAM::Role", "AWS::Lambda::Function", "AWS::DynamoDB::Table")


class Template:
    """Resolves a synthesized template's references to the names its resources declare."""

    def __init__(self, template: Mapping[str, Any], *, region: str = REGION) -> None:
        self.resources: dict[str, Any] = template["Resources"]
        self.region = region

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if "Ref" in value:
            return self._ref(value["Ref"])
        if "Fn::GetAtt" in value:
            logical_id, attribute = value["Fn::GetAtt"]
            if attribute != "Arn":
                raise ValueError(f"cannot resolve {value}")
            return self.arn(logical_id)
        if "Fn::Join" in value:
            separator, parts = value["Fn::Join"]
            return separator.join(str(self.resolve(p)) for p in parts)
        return {k: self.resolve(v) for k, v in value.items()}

    def _ref(self, name: str) -> str:
        pseudo = {
            "AWS::Partition": PARTITION,
            "AWS::AccountId": ACCOUNT,
            "AWS::Region": self.region,
            "AWS::URLSuffix": "amazonaws.com",
        }
        if name in pseudo:
            return pseudo[name]
        return self._physical_name(name)

    def _physical_name(self, logical_id: str) -> str:
        resource = self.resources[logical_id]
        props = resource.get("Properties", {})
        for key in ("BucketName", "RoleName", "FunctionName", "TableName", "QueueName"):
            if key in props:
                return str(self.resolve(props[key]))
        raise ValueError(f"{logical_id} ({resource['Type']}) has no physical name")

    def arn(self, logical_id: str) -> str:
        """The ARN of a named resource; other resources (log groups, queues …) get a
        placeholder that matches no S3 resource."""
        kind = self.resources[logical_id]["Type"]
        if kind not in _ARN_TYPES:
            return f"arn:unresolved:{logical_id}"
        name = self._physical_name(logical_id)
        regional = f"{self.region}:{ACCOUNT}"
        formats = {
            "AWS::S3::Bucket": f"arn:{PARTITION}:s3:::{name}",
            "AWS::IAM::Role": f"arn:{PARTITION}:iam::{ACCOUNT}:role/{name}",
            "AWS::Lambda::Function": f"arn:{PARTITION}:lambda:{regional}:function:{name}",
            "AWS::DynamoDB::Table": f"arn:{PARTITION}:dynamodb:{regional}:table/{name}",
        }
        return formats[kind]

    def logical_id(self, cfn_type: str, name_property: str, name: str) -> str:
        (found,) = [
            lid
            for lid, r in self.resources.items()
            if r["Type"] == cfn_type and r.get("Properties", {}).get(name_property) == name
        ]
        return found

    def role_arn(self, role_name: str) -> str:
        return self.arn(self.logical_id("AWS::IAM::Role", "RoleName", role_name))

    def identity_statements(self, role_name: str) -> list[Statement]:
        """Every statement of the role's inline and customer-managed policies."""
        role_id = self.logical_id("AWS::IAM::Role", "RoleName", role_name)
        found: list[Statement] = []
        for policy in self.resources[role_id]["Properties"].get("Policies", []):
            found.extend(self.resolve(policy["PolicyDocument"]["Statement"]))
        for resource in self.resources.values():
            if resource["Type"] not in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
                continue
            if {"Ref": role_id} in resource["Properties"].get("Roles", []):
                found.extend(self.resolve(resource["Properties"]["PolicyDocument"]["Statement"]))
        return found

    def bucket_statements(self, bucket_name: str) -> list[Statement]:
        """The bucket's policy; none for a bucket of another template or account."""
        ids = [
            lid
            for lid, r in self.resources.items()
            if r["Type"] == "AWS::S3::Bucket" and r["Properties"].get("BucketName") == bucket_name
        ]
        if not ids:
            return []
        (bucket_id,) = ids
        found: list[Statement] = []
        for resource in self.resources.values():
            if resource["Type"] == "AWS::S3::BucketPolicy" and resource["Properties"]["Bucket"] == {
                "Ref": bucket_id
            }:
                found.extend(self.resolve(resource["Properties"]["PolicyDocument"]["Statement"]))
        return found


# --- evaluation ----------------------------------------------------------------------------


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _like(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def _matches_action(statement: Statement, action: str) -> bool:
    if "Action" in statement:
        return any(_like(a, action, ignore_case=True) for a in _listed(statement["Action"]))
    return not any(_like(a, action, ignore_case=True) for a in _listed(statement["NotAction"]))


def _matches_resource(statement: Statement, resource: str) -> bool:
    if "Resource" in statement:
        return any(_like(r, resource) for r in _listed(statement["Resource"]))
    if "NotResource" in statement:
        return not any(_like(r, resource) for r in _listed(statement["NotResource"]))
    return True


def _matches_principal(statement: Statement, principal_arn: str) -> bool:
    principal = statement.get("Principal")
    if principal is None:  # an identity policy: its own principal
        return True
    if principal == "*":
        return True
    aws = principal.get("AWS") if isinstance(principal, dict) else None
    if aws is None:
        return False
    return any(p == "*" or p == principal_arn for p in _listed(aws))


_POSITIVE = {
    "StringEquals": lambda p, v: p == v,
    "StringEqualsIgnoreCase": lambda p, v: p.lower() == v.lower(),
    "StringLike": lambda p, v: _like(p, v),
    "ArnEquals": lambda p, v: _like(p, v),
    "ArnLike": lambda p, v: _like(p, v),
    "Bool": lambda p, v: str(p).lower() == str(v).lower(),
    "NumericEquals": lambda p, v: float(v) == float(p),
    "NumericLessThan": lambda p, v: float(v) < float(p),
    "NumericLessThanEquals": lambda p, v: float(v) <= float(p),
    "NumericGreaterThan": lambda p, v: float(v) > float(p),
    "NumericGreaterThanEquals": lambda p, v: float(v) >= float(p),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "NumericNotEquals": "NumericEquals",
}


def _condition(operator: str, key: str, wanted: Any, request: Request) -> bool:
    qualifier, _, name = operator.rpartition(":")
    if_exists = name.endswith("IfExists")
    name = name.removesuffix("IfExists")
    negated = name in _NEGATED
    test = _POSITIVE[_NEGATED.get(name, name)]
    values = [str(w) for w in _listed(wanted)]
    found = request.value(key)

    def one(value: str) -> bool:
        hit = any(test(p, value) for p in values)
        return not hit if negated else hit

    if found is None:
        if qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return negated or if_exists
    if qualifier == "ForAllValues":
        return all(one(v) for v in found)
    if qualifier == "ForAnyValue":
        return any(one(v) for v in found)
    # A single-valued operator on a key the request carries once.
    return any(one(v) for v in found) if not negated else all(one(v) for v in found)


def _applies(statement: Statement, request: Request) -> bool:
    if not (
        _matches_principal(statement, request.principal_arn)
        and _matches_action(statement, request.action)
        and _matches_resource(statement, request.resource)
    ):
        return False
    return all(
        _condition(operator, key, wanted, request)
        for operator, pairs in statement.get("Condition", {}).items()
        for key, wanted in pairs.items()
    )


@dataclass(frozen=True)
class Outcome:
    decision: Decision
    request: Request
    statements: tuple[str, ...] = ()  # the Sids that decided it

    def __str__(self) -> str:
        r = self.request
        return f"{self.decision} {r.action} {r.resource} by {r.principal_arn} ({self.statements})"


def evaluate(statements: Iterable[Statement], request: Request) -> Outcome:
    applying = [s for s in statements if _applies(s, request)]
    denies = tuple(s.get("Sid", "?") for s in applying if s["Effect"] == "Deny")
    if denies:
        return Outcome(Decision.EXPLICIT_DENY, request, denies)
    allows = tuple(s.get("Sid", "?") for s in applying if s["Effect"] == "Allow")
    if allows:
        return Outcome(Decision.ALLOW, request, allows)
    return Outcome(Decision.IMPLICIT_DENY, request)


def evaluate_all(statements: Sequence[Statement], requests: Iterable[Request]) -> list[Outcome]:
    """One API call: allowed only if every action it is authorized as is allowed."""
    return [evaluate(statements, r) for r in requests]


def allowed(outcomes: Sequence[Outcome]) -> bool:
    return all(o.decision is Decision.ALLOW for o in outcomes)


# --- S3 calls as the actions S3 authorizes ---------------------------------------------------


def object_arn(bucket: str, key: str) -> str:
    return f"arn:{PARTITION}:s3:::{bucket}/{key}"


def _tag_context(prefix: str, tags: Mapping[str, str]) -> dict[str, str]:
    return {f"s3:{prefix}/{k}": v for k, v in tags.items()}


def put_object(
    principal_arn: str, bucket: str, key: str, tags: Mapping[str, str] | None = None
) -> list[Request]:
    """PutObject, with `x-amz-tagging` when `tags` (then PutObjectTagging is checked too)."""
    context: dict[str, Any] = {}
    if tags:
        context = {"s3:RequestObjectTagKeys": list(tags), **_tag_context("RequestObjectTag", tags)}
    found = [Request(principal_arn, "s3:PutObject", object_arn(bucket, key), context)]
    if tags:
        found.append(
            Request(principal_arn, "s3:PutObjectTagging", object_arn(bucket, key), context)
        )
    return found


def put_object_tagging(
    principal_arn: str,
    bucket: str,
    key: str,
    tags: Mapping[str, str],
    *,
    existing: Mapping[str, str] | None = None,
    version: bool = False,
) -> list[Request]:
    context: dict[str, Any] = {
        "s3:RequestObjectTagKeys": list(tags),
        **_tag_context("RequestObjectTag", tags),
        **_tag_context("ExistingObjectTag", existing or {}),
    }
    action = "s3:PutObjectVersionTagging" if version else "s3:PutObjectTagging"
    return [Request(principal_arn, action, object_arn(bucket, key), context)]


def copy_object(
    principal_arn: str,
    source: tuple[str, str],
    destination: tuple[str, str],
    *,
    source_tags: Mapping[str, str],
    replace_tags: Mapping[str, str] | None = None,
    source_version: str | None = None,
    leading_slash: bool = False,
) -> list[Request]:
    """CopyObject: `replace_tags` None is `TaggingDirective=COPY` (the source's tags)."""
    source_bucket, source_key = source
    bucket, key = destination
    copy_source = f"{'/' if leading_slash else ''}{source_bucket}/{source_key}"
    if source_version is not None:
        copy_source += f"?versionId={source_version}"
    existing = _tag_context("ExistingObjectTag", source_tags)
    source_arn = object_arn(source_bucket, source_key)
    get = "s3:GetObjectVersion" if source_version else "s3:GetObject"
    found = [Request(principal_arn, get, source_arn, existing)]
    written = source_tags if replace_tags is None else replace_tags
    context: dict[str, Any] = {"s3:x-amz-copy-source": copy_source}
    if replace_tags is None:
        if source_tags:
            tagging = "s3:GetObjectVersionTagging" if source_version else "s3:GetObjectTagging"
            found.append(Request(principal_arn, tagging, source_arn, existing))
    elif replace_tags:
        context["s3:RequestObjectTagKeys"] = list(replace_tags)
        context.update(_tag_context("RequestObjectTag", replace_tags))
    found.append(Request(principal_arn, "s3:PutObject", object_arn(bucket, key), context))
    if written:
        found.append(
            Request(principal_arn, "s3:PutObjectTagging", object_arn(bucket, key), context)
        )
    return found
