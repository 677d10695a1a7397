"""Data-classification inventory generated from the synthesized templates (GL-AUD-01).

Every resource that holds data carries a `DataClassification` tag set in the infrastructure code.
This module reads the templates of every stack and writes, per environment, the handling table
(backup, access control, encryption, deletion, log retention) into docs/data-classification.md.
Nothing in the table is written by hand: change the code, then regenerate.

    python -m manabi_infra.inventory            # rewrite docs/data-classification.md
    python -m manabi_infra.inventory --check    # exit 1 when the committed file is stale
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from manabi_infra import names
from manabi_infra.config import ENVIRONMENTS, EnvironmentConfig
from manabi_infra.synth import REPO_ROOT, load_template

OUTPUT = REPO_ROOT / "docs" / "data-classification.md"

Template = dict[str, Any]
Resource = dict[str, Any]

_REGION_OF_KIND = {
    "Workload": "Tokyo",
    "Edge": "us-east-1",
    "DR": "Osaka",
    "GitHubOidc": "Tokyo",  # the deploy role (GL-CICD-01)
    # The account baseline stacks end in their region (GL-SEC-01).
    "Tokyo": "Tokyo",
    "Osaka": "Osaka",
    "UsEast1": "us-east-1",
}


def _tags(resource: Resource) -> dict[str, str]:
    props = resource.get("Properties", {})
    raw = props.get("Tags", props.get("UserPoolTags"))
    if isinstance(raw, list):
        return {t["Key"]: str(t["Value"]) for t in raw}
    return {k: str(v) for k, v in (raw or {}).items()}


def _refs(value: Any) -> Iterator[str]:
    """Logical ids referenced anywhere in a template value (Ref / Fn::GetAtt)."""
    if isinstance(value, dict):
        if "Ref" in value and isinstance(value["Ref"], str):
            yield value["Ref"]
        if "Fn::GetAtt" in value:
            yield value["Fn::GetAtt"][0]
        for item in value.values():
            yield from _refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)


def _role_name(template: Template, logical_id: str) -> str:
    role = template["Resources"].get(logical_id, {})
    return str(role.get("Properties", {}).get("RoleName", logical_id))


def _principal(template: Template, principal: Any) -> list[str]:
    if isinstance(principal, str):
        return [principal]
    found: list[str] = []
    for kind, value in principal.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if kind == "Service":
                found.append(str(item))
            else:
                ids = list(_refs(item))
                if ids:
                    found.extend(_role_name(template, i) for i in ids)
                else:
                    found.append("account root (IAM policies decide)")
    return found


def _iam_roles_granted(template: Template, logical_id: str) -> list[str]:
    roles: set[str] = set()
    for policy in template["Resources"].values():
        if policy["Type"] != "AWS::IAM::Policy":
            continue
        document = policy["Properties"]["PolicyDocument"]
        if logical_id in set(_refs(document["Statement"])):
            roles.update(_role_name(template, r) for r in _refs(policy["Properties"]["Roles"]))
    return sorted(roles)


def _bucket_policy(template: Template, logical_id: str) -> list[dict[str, Any]]:
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::S3::BucketPolicy" and resource["Properties"]["Bucket"] == {
            "Ref": logical_id
        }:
            statements: list[dict[str, Any]] = resource["Properties"]["PolicyDocument"]["Statement"]
            return statements
    return []


def _deletion(resource: Resource, extra: str = "") -> str:
    policy = resource.get("DeletionPolicy", "Delete")
    text = {"Retain": "kept when the stack is deleted", "Delete": "deleted with the stack"}.get(
        policy, policy
    )
    return f"{text}{extra}"


def _bucket_row(template: Template, logical_id: str, resource: Resource) -> dict[str, str]:
    props = resource["Properties"]
    versioned = props.get("VersioningConfiguration", {}).get("Status") == "Enabled"
    backup = ["versioned" if versioned else "not versioned"]
    lock = props.get("ObjectLockConfiguration", {}).get("Rule", {}).get("DefaultRetention")
    if lock:
        backup.append(f"Object Lock {lock['Mode']} {lock['Days']} days (MP-BAK-04)")
    for rule in props.get("ReplicationConfiguration", {}).get("Rules", []):
        destination = rule["Destination"]["Bucket"]
        name = destination if isinstance(destination, str) else str(destination["Fn::Join"][1][-1])
        backup.append(f"replicated to {name.rsplit(':', 1)[-1]} (Osaka)")
    statements = _bucket_policy(template, logical_id)
    allowed = sorted(
        {
            p
            for s in statements
            if s["Effect"] == "Allow"
            for p in _principal(template, s["Principal"])
        }
    )
    tls = any(s["Effect"] == "Deny" and s.get("Condition", {}).get("Bool") for s in statements)
    access = ["Block Public Access (all four)"]
    if allowed:
        access.append("bucket policy allows " + ", ".join(allowed))
    roles = _iam_roles_granted(template, logical_id)
    if roles:
        access.append("IAM: " + ", ".join(roles))
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    algorithm = rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"]
    encryption = {"AES256": "SSE-S3", "aws:kms": "SSE-KMS"}.get(algorithm, algorithm)
    if tls:
        encryption += "; TLS 1.2+ only"
    expiry = [
        r["ExpirationInDays"]
        for r in props.get("LifecycleConfiguration", {}).get("Rules", [])
        if "ExpirationInDays" in r
    ]
    deletion = _deletion(resource, f"; objects expire after {expiry[0]} days" if expiry else "")
    logging = props.get("LoggingConfiguration")
    if logging:
        target = template["Resources"][logging["DestinationBucketName"]["Ref"]]
        logs = f"access logs → {target['Properties']['BucketName']}/{logging['LogFilePrefix']}"
    else:
        logs = "none (a log bucket itself)"
    if expiry:
        logs += f"; kept {expiry[0]} days"
    return {
        "resource": f"S3 bucket `{props['BucketName']}`",
        "backup": ", ".join(backup),
        "access": "; ".join(access),
        "encryption": encryption,
        "deletion": deletion,
        "logs": logs,
    }


def _table_row(template: Template, logical_id: str, resource: Resource) -> dict[str, str]:
    props = resource["Properties"]
    pitr = props.get("PointInTimeRecoverySpecification", {})
    backup = (
        f"PITR {pitr.get('RecoveryPeriodInDays', 35)} days"
        if pitr.get("PointInTimeRecoveryEnabled")
        else "none"
    )
    if any(
        "ExportTableToPointInTime" in str(r["Properties"]["PolicyDocument"])
        for r in template.get("Resources", {}).values()
        if r["Type"] == "AWS::IAM::Policy"
    ):
        backup += "; daily export to the backup bucket (docs/decisions/0034)"
    sse = props.get("SSESpecification", {})
    encryption = "AWS KMS key" if sse.get("SSEEnabled") else "AWS-owned key (default)"
    protection = "; deletion protection on" if props.get("DeletionProtectionEnabled") else ""
    return {
        "resource": f"DynamoDB table `{props['TableName']}`",
        "backup": backup,
        "access": "IAM: " + ", ".join(_iam_roles_granted(template, logical_id)),
        "encryption": encryption + "; TLS in transit",
        "deletion": _deletion(resource, protection),
        "logs": "CloudTrail management events",
    }


def _user_pool_row(template: Template, logical_id: str, resource: Resource) -> dict[str, str]:
    props = resource["Properties"]
    protection = "; deletion protection on" if props.get("DeletionProtection") == "ACTIVE" else ""
    roles = _iam_roles_granted(template, logical_id)
    return {
        "resource": f"Cognito user pool `{props['UserPoolName']}`",
        "backup": "none (Cognito offers no backup; users re-register)",
        "access": "sign-in by the users themselves"
        + ("; IAM: " + ", ".join(roles) if roles else ""),
        "encryption": "encrypted at rest by Cognito; TLS in transit",
        "deletion": _deletion(resource, protection),
        "logs": "CloudTrail management events",
    }


def _log_group_row(template: Template, logical_id: str, resource: Resource) -> dict[str, str]:
    props = resource["Properties"]
    roles = _iam_roles_granted(template, logical_id)
    return {
        "resource": f"Log group `{props['LogGroupName']}`",
        "backup": "none",
        "access": "IAM: " + (", ".join(roles) if roles else "the writing service; log readers"),
        "encryption": "KMS key" if props.get("KmsKeyId") else "CloudWatch Logs default key",
        "deletion": _deletion(resource),
        "logs": f"kept {props.get('RetentionInDays', 'forever')} days",
    }


@dataclass(frozen=True)
class _FixedRow:
    """The row of a resource whose handling the template does not vary: only its name, whether
    it has a KMS key, and its deletion policy come from the template."""

    resource: str  # with the name's property in braces: "Secret `{Name}`"
    backup: str
    access: str
    encryption: tuple[str, str]  # the KMS key's property, and the encryption without a key

    def __call__(self, template: Template, logical_id: str, resource: Resource) -> dict[str, str]:
        props = resource["Properties"]
        key_property, without_key = self.encryption
        return {
            "resource": self.resource.format_map(props),
            "backup": self.backup,
            "access": self.access,
            "encryption": "KMS key" if props.get(key_property) else without_key,
            "deletion": _deletion(resource),
            "logs": "CloudTrail management events",
        }


_ROWS: dict[str, Callable[[Template, str, Resource], dict[str, str]]] = {
    "AWS::S3::Bucket": _bucket_row,
    "AWS::DynamoDB::Table": _table_row,
    "AWS::Cognito::UserPool": _user_pool_row,
    "AWS::Logs::LogGroup": _log_group_row,
    "AWS::SecretsManager::Secret": _FixedRow(
        "Secret `{Name}`",
        "none (rotated every 30 days; generated again on a new deploy)",
        "CloudFormation dynamic reference (CloudFront origin header, API WebACL); the rotation "
        "function (GL-SEC-05)",
        ("KmsKeyId", "aws/secretsmanager key"),
    ),
    "AWS::SNS::Topic": _FixedRow(
        "SNS topic `{TopicName}`",
        "none (messages are delivered, not stored)",
        "CloudWatch alarms or EventBridge rules publish; e-mail subscription of the operators; "
        "TLS only",
        ("KmsMasterKeyId", "none"),
    ),
}


def _template(stack_id: str, cloud_assembly: Path | None) -> Template:
    if cloud_assembly is None:
        return load_template(stack_id)  # synthesizes first when the code changed
    loaded: Template = json.loads((cloud_assembly / f"{stack_id}.template.json").read_text())
    return loaded


def rows(config: EnvironmentConfig, cloud_assembly: Path | None = None) -> list[dict[str, str]]:
    """One row per classified resource of the environment, in stack deploy order."""
    found = []
    for stack_id in names.stack_ids(config):
        template = _template(stack_id, cloud_assembly)
        region = _REGION_OF_KIND[stack_id.rsplit("-", 1)[-1]]
        for logical_id, resource in sorted(template["Resources"].items()):
            classification = _tags(resource).get(names.TAG_DATA_CLASSIFICATION)
            if classification is None:
                continue
            make = _ROWS.get(resource["Type"])
            if make is None:
                raise ValueError(
                    f"{stack_id}/{logical_id}: no inventory row for {resource['Type']}"
                )
            row = make(template, logical_id, resource)
            row["classification"] = names.CLASSIFICATION_LABELS[classification]
            row["region"] = region
            found.append(row)
    return found


_COLUMNS = (
    ("resource", "リソース"),
    ("region", "リージョン"),
    ("classification", "分類"),
    ("backup", "バックアップ"),
    ("access", "アクセス制御"),
    ("encryption", "暗号化"),
    ("deletion", "削除"),
    ("logs", "ログ保存"),
)


def render(cloud_assembly: Path | None = None) -> str:
    lines = [
        "# データ分類インベントリ (data-classification inventory)",
        "",
        "<!-- Generated by `python -m manabi_infra.inventory` from the synthesized templates "
        "(GL-AUD-01). Do not edit by hand. -->",
        "",
        "Every resource that holds data carries a `DataClassification` tag in the "
        "infrastructure code (`Public` 公開, `Internal` 社外秘, `Confidential` 機密, "
        "`PersonalData` 個人情報). This table is generated from those tags and the resources' "
        "own settings in the CloudFormation templates.",
    ]
    for config in ENVIRONMENTS.values():
        lines += [
            "",
            f"## {config.environment_tag} (`{config.prefix}`, account {config.account})",
            "",
            "| " + " | ".join(title for _, title in _COLUMNS) + " |",
            "|" + "---|" * len(_COLUMNS),
        ]
        for row in rows(config, cloud_assembly):
            cells = (row[key].replace("|", "\\|") for key, _ in _COLUMNS)
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write docs/data-classification.md (GL-AUD-01)")
    parser.add_argument("--check", action="store_true", help="fail when the file is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not OUTPUT.is_file() or OUTPUT.read_text() != text:
            print(f"{OUTPUT} is stale: run python -m manabi_infra.inventory", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text)
    print(OUTPUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
