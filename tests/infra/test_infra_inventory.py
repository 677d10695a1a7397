"""GL-AUD-01: the data-classification inventory is generated from the templates and current."""

from __future__ import annotations

from pathlib import Path

import pytest

from manabi_infra import inventory, names
from manabi_infra.config import ENVIRONMENTS

from .conftest import SynthesizedStack

pytestmark = pytest.mark.infra

DATA_TYPES = ("AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::Cognito::UserPool")


def test_gl_aud_01_committed_inventory_is_current(cloud_assembly: Path) -> None:
    assert inventory.OUTPUT.read_text() == inventory.render(cloud_assembly), (
        "docs/data-classification.md is stale: run python -m manabi_infra.inventory"
    )


def test_gl_aud_01_every_data_holding_resource_is_in_the_inventory(
    every_stack: SynthesizedStack, cloud_assembly: Path
) -> None:
    rows = inventory.rows(ENVIRONMENTS[every_stack.config.name], cloud_assembly)
    listed = {row["resource"] for row in rows}
    for resource in every_stack.resources.values():
        props = resource["Properties"]
        if resource["Type"] == "AWS::S3::Bucket":
            assert f"S3 bucket `{props['BucketName']}`" in listed
        elif resource["Type"] == "AWS::DynamoDB::Table":
            assert f"DynamoDB table `{props['TableName']}`" in listed
        elif resource["Type"] == "AWS::Cognito::UserPool":
            assert f"Cognito user pool `{props['UserPoolName']}`" in listed
    labels = set(names.CLASSIFICATION_LABELS.values())
    for row in rows:
        assert row["classification"] in labels
        assert all(row[k] for k in ("backup", "access", "encryption", "deletion", "logs"))


def test_gl_aud_01_personal_data_rows(production: SynthesizedStack, cloud_assembly: Path) -> None:
    rows = {r["resource"]: r for r in inventory.rows(production.config, cloud_assembly)}
    table = rows[f"DynamoDB table `{production.names.table}`"]
    assert table["classification"] == "個人情報"
    assert (
        table["backup"] == "PITR 35 days; daily export to the backup bucket (docs/decisions/0034)"
    )
    assert "deletion protection on" in table["deletion"]
    backup = rows[f"S3 bucket `{production.names.backup_bucket}`"]
    assert f"replicated to {production.names.dr_backup_bucket} (Osaka)" in backup["backup"]
    assert "Object Lock COMPLIANCE 35 days (MP-BAK-04)" in backup["backup"]
    assert rows[f"S3 bucket `{production.names.web_bucket}`"]["classification"] == "公開"
