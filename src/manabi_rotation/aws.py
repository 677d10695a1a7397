"""The rotation's ports on AWS: Secrets Manager, the regional WebACL, the API distribution."""

from __future__ import annotations

from typing import Any

import boto3

PASSWORD_LENGTH = 48


class SecretsManagerStore:
    def __init__(self, secret_id: str, client: Any | None = None) -> None:
        self.secret_id = secret_id
        self.client = client or boto3.client("secretsmanager")

    def value(self, stage: str, token: str | None = None) -> str | None:
        args: dict[str, str] = {"SecretId": self.secret_id, "VersionStage": stage}
        if token is not None:
            args["VersionId"] = token
        try:
            return str(self.client.get_secret_value(**args)["SecretString"])
        except self.client.exceptions.ResourceNotFoundException:
            return None

    def put_pending(self, token: str, value: str) -> None:
        self.client.put_secret_value(
            SecretId=self.secret_id,
            ClientRequestToken=token,
            SecretString=value,
            VersionStages=["AWSPENDING"],
        )

    def random_value(self) -> str:
        answer = self.client.get_random_password(
            PasswordLength=PASSWORD_LENGTH, ExcludePunctuation=True
        )
        return str(answer["RandomPassword"])

    def version_of(self, stage: str) -> str | None:
        versions = self.client.describe_secret(SecretId=self.secret_id)["VersionIdsToStages"]
        return next((v for v, stages in versions.items() if stage in stages), None)

    def make_current(self, token: str) -> None:
        self.client.update_secret_version_stage(
            SecretId=self.secret_id,
            VersionStage="AWSCURRENT",
            MoveToVersionId=token,
            RemoveFromVersionId=self.version_of("AWSCURRENT"),
        )


def _byte_match(header: str, value: str) -> dict[str, Any]:
    return {
        "ByteMatchStatement": {
            "FieldToMatch": {"SingleHeader": {"Name": header}},
            "PositionalConstraint": "EXACTLY",
            "SearchString": value,
            "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
        }
    }


def statement_for(header: str, values: tuple[str, ...]) -> dict[str, Any]:
    """One byte match, or an OR of several: the rule's statement for the accepted values."""
    matches = [_byte_match(header, v) for v in values]
    return matches[0] if len(matches) == 1 else {"OrStatement": {"Statements": matches}}


def values_of(statement: dict[str, Any]) -> tuple[str, ...]:
    matches = statement.get("OrStatement", {}).get("Statements", [statement])
    found = []
    for match in matches:
        search = match["ByteMatchStatement"]["SearchString"]
        found.append(search.decode() if isinstance(search, bytes) else str(search))
    return tuple(found)


class WebAclGuard:
    """The rule `rule_name` of the REGIONAL WebACL `name`/`acl_id`."""

    def __init__(
        self, *, name: str, acl_id: str, rule_name: str, header: str, client: Any | None = None
    ) -> None:
        self.name, self.acl_id, self.rule_name, self.header = name, acl_id, rule_name, header
        self.client = client or boto3.client("wafv2")

    def _get(self) -> tuple[dict[str, Any], str]:
        answer = self.client.get_web_acl(Name=self.name, Scope="REGIONAL", Id=self.acl_id)
        return answer["WebACL"], answer["LockToken"]

    def _rule(self, acl: dict[str, Any]) -> dict[str, Any]:
        rule: dict[str, Any] = next(r for r in acl["Rules"] if r["Name"] == self.rule_name)
        return rule

    def accepted(self) -> tuple[str, ...]:
        acl, _ = self._get()
        return values_of(self._rule(acl)["Statement"])

    def accept(self, values: tuple[str, ...]) -> None:
        acl, lock = self._get()
        self._rule(acl)["Statement"] = statement_for(self.header, values)
        update: dict[str, Any] = {
            key: acl[key]
            for key in ("DefaultAction", "Description", "Rules", "VisibilityConfig")
            if key in acl
        }
        if acl.get("CustomResponseBodies"):
            update["CustomResponseBodies"] = acl["CustomResponseBodies"]
        self.client.update_web_acl(
            Name=self.name, Scope="REGIONAL", Id=self.acl_id, LockToken=lock, **update
        )


class DistributionHeader:
    """The custom origin header `header` of the distribution `distribution_id`."""

    def __init__(self, *, distribution_id: str, header: str, client: Any | None = None) -> None:
        self.distribution_id, self.header = distribution_id, header
        self.client = client or boto3.client("cloudfront")

    def _items(self, config: dict[str, Any]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for origin in config["Origins"]["Items"]:
            headers = origin.get("CustomHeaders", {}).get("Items", [])
            items.extend(h for h in headers if h["HeaderName"].lower() == self.header.lower())
        return items

    def sent(self) -> str | None:
        config = self.client.get_distribution_config(Id=self.distribution_id)
        items = self._items(config["DistributionConfig"])
        return str(items[0]["HeaderValue"]) if items else None

    def send(self, value: str) -> None:
        answer = self.client.get_distribution_config(Id=self.distribution_id)
        config = answer["DistributionConfig"]
        items = self._items(config)
        if not items:
            raise LookupError(f"no origin of {self.distribution_id} sends {self.header}")
        for item in items:
            item["HeaderValue"] = value
        self.client.update_distribution(
            Id=self.distribution_id, IfMatch=answer["ETag"], DistributionConfig=config
        )

    def deployed(self) -> bool:
        answer = self.client.get_distribution(Id=self.distribution_id)
        return bool(answer["Distribution"]["Status"] == "Deployed")
