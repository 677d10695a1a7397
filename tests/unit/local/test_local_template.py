"""Intrinsic resolution of the local provisioner (manabi_local.template)."""

from __future__ import annotations

import pytest

from manabi_local.template import Resolver, UnresolvableError, references


@pytest.fixture
def resolver() -> Resolver:
    return Resolver(
        region="ap-northeast-1",
        account_id="000000000000",
        physical_ids={"Table": "stag-manabiplus-table", "Queue": "http://q"},
        attributes={("Table", "Arn"): "arn:aws:dynamodb:ap-northeast-1:000000000000:table/t"},
    )


def test_ref_getatt_and_pseudo_parameters(resolver: Resolver) -> None:
    assert resolver.resolve({"Ref": "Table"}) == "stag-manabiplus-table"
    assert resolver.resolve({"Fn::GetAtt": ["Table", "Arn"]}).endswith(":table/t")
    assert resolver.resolve({"Fn::GetAtt": "Table.Arn"}).endswith(":table/t")
    assert resolver.resolve({"Ref": "AWS::Region"}) == "ap-northeast-1"


def test_join_sub_select_nested_in_structures(resolver: Resolver) -> None:
    value = {
        "List": [{"Fn::Join": ["/", ["table", {"Ref": "Table"}]]}],
        "Sub": {"Fn::Sub": "${Table}@${AWS::AccountId}:${Table.Arn} ${!Literal}"},
        "SubVars": {"Fn::Sub": ["${X}-${Table}", {"X": {"Ref": "Queue"}}]},
        "Select": {"Fn::Select": [1, ["a", {"Ref": "Table"}]]},
    }
    assert resolver.resolve(value) == {
        "List": ["table/stag-manabiplus-table"],
        "Sub": "stag-manabiplus-table@000000000000:"
        "arn:aws:dynamodb:ap-northeast-1:000000000000:table/t ${Literal}",
        "SubVars": "http://q-stag-manabiplus-table",
        "Select": "stag-manabiplus-table",
    }


@pytest.mark.parametrize(
    "value",
    [
        {"Ref": "IamRole"},
        {"Fn::GetAtt": ["Table", "StreamArn"]},
        {"Fn::ImportValue": "x"},
        {"Fn::If": ["c", "a", "b"]},
    ],
)
def test_unknown_references_fail_loudly(resolver: Resolver, value: object) -> None:
    with pytest.raises(UnresolvableError, match=r"^Env\.X"):
        resolver.resolve({"X": value}, "Env")


def test_references_finds_every_logical_id() -> None:
    value = {
        "A": {"Ref": "One"},
        "B": [{"Fn::GetAtt": ["Two", "Arn"]}, {"Ref": "AWS::Region"}],
        "C": {"Fn::Sub": "${Three.Arn}/${AWS::Region}/${Four}"},
    }
    assert references(value) == {"One", "Two", "Three", "Four"}
