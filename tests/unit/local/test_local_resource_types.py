"""Every template resource type is provisioned or explicitly not emulated (manabi_local)."""

from __future__ import annotations

from typing import Any

import pytest

from manabi_local.provisioning import ProvisioningError, api_function, plan
from manabi_local.provisioning.registry import RULES
from manabi_local.provisioning.resource_types import (
    NOT_EMULATED,
    PROVISIONED,
    Handling,
    UnknownResourceTypeError,
    classify,
)
from manabi_local.template import Template


def test_provisioned_and_not_emulated_do_not_overlap() -> None:
    assert not PROVISIONED & set(NOT_EMULATED)
    assert all(reason.strip() for reason in NOT_EMULATED.values())


def test_every_provisioned_type_has_a_provisioning_function() -> None:
    assert set(RULES) == set(PROVISIONED)


def test_classify_known_types() -> None:
    assert classify("T", "AWS::DynamoDB::Table") is Handling.PROVISIONED
    assert classify("R", "AWS::IAM::Role") is Handling.NOT_EMULATED
    assert classify("M", "AWS::CDK::Metadata") is Handling.NOT_EMULATED


def test_unknown_type_raises_naming_logical_id_and_type() -> None:
    with pytest.raises(UnknownResourceTypeError) as raised:
        # A made-up type: any real one may be classified by a later construct.
        classify("Thing1", "AWS::Example::NeverClassified")
    message = str(raised.value)
    assert "Thing1" in message
    assert "AWS::Example::NeverClassified" in message
    assert "resource_types.py" in message


def test_plan_stops_on_an_unknown_type(template_body: dict[str, Any]) -> None:
    template_body["Resources"]["Thing1"] = {"Type": "AWS::Example::NeverClassified"}
    with pytest.raises(UnknownResourceTypeError, match="Thing1"):
        plan(Template(template_body))


def test_plan_stops_on_an_unhandled_property(template_body: dict[str, Any]) -> None:
    table = template_body["Resources"]["DataTable0A1B2C3D"]["Properties"]
    table["BrandNewSetting"] = True
    with pytest.raises(ProvisioningError, match=r"DataTable0A1B2C3D.*BrandNewSetting"):
        plan(Template(template_body))


def test_plan_orders_dependencies_first(template: Template) -> None:
    to_create, skipped = plan(template)
    order = [r.logical_id for r in to_create]
    assert order.index("UserPool6BA7E5F2") < order.index("UserPoolWebClient1B2C3D4E")
    assert order.index("UserPool6BA7E5F2") < order.index("UserPoolAdminsGroup1")
    # The data bucket logs into the log bucket: the target exists first.
    assert order.index("LogBucketCC3B17E8") < order.index("DataBucketE3889A50")
    assert skipped["ApiFunctionCE271BD4"].startswith("run in-process")
    assert "CDKMetadata" in skipped


def test_api_function_is_found_by_handler(template: Template) -> None:
    assert api_function(template).logical_id == "ApiFunctionCE271BD4"
