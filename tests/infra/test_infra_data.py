"""MP-DDB-01..04, MP-BAK-01: the single DynamoDB table."""

from __future__ import annotations

import pytest

from manabi_contract import environment as env
from manabi_contract.table import PARTITION_KEY, SORT_KEY

from .conftest import Resource, SynthesizedStack

pytestmark = pytest.mark.infra


def _table(stack: SynthesizedStack) -> tuple[str, Resource]:
    return stack.named("AWS::DynamoDB::Table", "TableName", stack.names.table)


def test_mp_ddb_01_pk_sk_no_secondary_index(stack: SynthesizedStack) -> None:
    table_id, table = _table(stack)
    props = table["Properties"]
    assert stack.only("AWS::DynamoDB::Table")[0] == table_id
    assert props["TableName"] == f"{stack.config.prefix}-manabiplus-table"
    assert props["KeySchema"] == [
        {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
        {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
    ]
    assert props["AttributeDefinitions"] == [
        {"AttributeName": "PK", "AttributeType": "S"},
        {"AttributeName": "SK", "AttributeType": "S"},
    ]
    assert "GlobalSecondaryIndexes" not in props
    assert "LocalSecondaryIndexes" not in props


def test_mp_ddb_01_table_name_passed_to_lambda(stack: SynthesizedStack) -> None:
    table_id, _ = _table(stack)
    _, function = stack.named("AWS::Lambda::Function", "FunctionName", stack.names.api_function)
    variables = function["Properties"]["Environment"]["Variables"]
    assert variables[env.TABLE_NAME] == {"Ref": table_id}


def test_mp_ddb_02_provisioned_5_with_target_tracking(stack: SynthesizedStack) -> None:
    table_id, table = _table(stack)
    assert table["Properties"]["ProvisionedThroughput"] == {
        "ReadCapacityUnits": 5,
        "WriteCapacityUnits": 5,
    }
    targets = stack.of_type("AWS::ApplicationAutoScaling::ScalableTarget")
    dimensions = {t["Properties"]["ScalableDimension"]: (lid, t) for lid, t in targets.items()}
    assert set(dimensions) == {
        "dynamodb:table:ReadCapacityUnits",
        "dynamodb:table:WriteCapacityUnits",
    }
    policies = stack.of_type("AWS::ApplicationAutoScaling::ScalingPolicy").values()
    for target_id, target in dimensions.values():
        assert target["Properties"]["MinCapacity"] == 5
        assert target["Properties"]["MaxCapacity"] == 100
        assert table_id in str(target["Properties"]["ResourceId"])
        (policy,) = [
            p for p in policies if p["Properties"]["ScalingTargetId"] == {"Ref": target_id}
        ]
        config = policy["Properties"]["TargetTrackingScalingPolicyConfiguration"]
        assert config["TargetValue"] == 70
        assert config["ScaleInCooldown"] == config["ScaleOutCooldown"] == 60


def test_mp_ddb_03_encrypted_and_protected_in_production(stack: SynthesizedStack) -> None:
    _, table = _table(stack)
    # SSEEnabled false = the AWS-owned key, DynamoDB's default encryption at rest.
    assert table["Properties"]["SSESpecification"] == {"SSEEnabled": False}
    assert table["Properties"]["DeletionProtectionEnabled"] is stack.config.deletion_protection
    assert table["DeletionPolicy"] == "Retain"


def test_mp_ddb_03_production_table_has_deletion_protection(production: SynthesizedStack) -> None:
    _, table = _table(production)
    assert table["Properties"]["DeletionProtectionEnabled"] is True


def test_mp_ddb_04_pitr_35_days(stack: SynthesizedStack) -> None:
    """MP-DDB-04 and MP-BAK-01: continuous backup with a 35-day recovery period."""
    _, table = _table(stack)
    assert table["Properties"]["PointInTimeRecoverySpecification"] == {
        "PointInTimeRecoveryEnabled": True,
        "RecoveryPeriodInDays": 35,
    }


def test_mp_rst_01_serving_table_points_the_functions_at_a_restored_table() -> None:
    """`-c servingTable.<env>=NAME` (manabi_ops switch-table): the functions get the restored
    table; the original table stays in the template (retained)."""
    import dataclasses

    from aws_cdk import App, Environment, Stack

    from manabi_infra.app import SERVING_TABLE_CONTEXT as APP_CONTEXT
    from manabi_infra.config import STAGING, TOKYO
    from manabi_infra.constructs.data import Data
    from manabi_infra.deployment import Deployment
    from manabi_ops.cli import SERVING_TABLE_CONTEXT

    assert APP_CONTEXT == SERVING_TABLE_CONTEXT
    config = dataclasses.replace(STAGING, serving_table="stag-manabiplus-table-restored")
    app = App()
    stack = Stack(app, "DataOnly", env=Environment(account=config.account, region=TOKYO))
    data = Data(stack, "Data", deployment=Deployment(config))
    assert stack.resolve(data.serving.table_name) == "stag-manabiplus-table-restored"
    template = app.synth().get_stack_by_name("DataOnly").template
    (table,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::DynamoDB::Table"]
    assert table["Properties"]["TableName"] == "stag-manabiplus-table"
    assert table["DeletionPolicy"] == "Retain"
