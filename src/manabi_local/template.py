"""Read a synthesized CloudFormation template and resolve the intrinsics the local mode needs.

Only the intrinsic functions CDK emits for the properties we pass on are supported (`Ref`,
`Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`). Anything else, or a reference to a resource
that has no local counterpart, raises `UnresolvableError` naming the path inside the template, so a
new construct never turns into a silently wrong local value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

JsonObject = dict[str, Any]

_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


class TemplateError(Exception):
    """The template is not shaped the way the local mode expects."""


class UnresolvableError(TemplateError):
    """A value refers to something the local mode does not know."""


@dataclass(frozen=True)
class Resource:
    logical_id: str
    type: str
    properties: JsonObject
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Template:
    body: JsonObject

    @classmethod
    def load(cls, path: Path) -> Template:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def resources(self) -> Iterator[Resource]:
        for logical_id, raw in self.body.get("Resources", {}).items():
            depends = raw.get("DependsOn", ())
            yield Resource(
                logical_id=logical_id,
                type=raw["Type"],
                properties=raw.get("Properties", {}) or {},
                depends_on=(depends,) if isinstance(depends, str) else tuple(depends),
            )

    def of_type(self, resource_type: str) -> list[Resource]:
        return [r for r in self.resources() if r.type == resource_type]

    def get(self, logical_id: str) -> Resource:
        for resource in self.resources():
            if resource.logical_id == logical_id:
                return resource
        raise TemplateError(f"the template has no resource {logical_id!r}")


def references(value: Any) -> set[str]:
    """Logical ids that `value` refers to through Ref, Fn::GetAtt or Fn::Sub."""
    found: set[str] = set()
    if isinstance(value, dict):
        if set(value) == {"Ref"} and isinstance(value["Ref"], str):
            if not value["Ref"].startswith("AWS::"):
                found.add(value["Ref"])
        elif set(value) == {"Fn::GetAtt"}:
            target = value["Fn::GetAtt"]
            found.add(target[0] if isinstance(target, list) else str(target).split(".")[0])
        elif set(value) == {"Fn::Sub"}:
            text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
            for name in _SUB_VARIABLE.findall(text):
                if not name.startswith("AWS::"):
                    found.add(name.split(".")[0])
            if isinstance(value["Fn::Sub"], list):
                found |= references(value["Fn::Sub"][1])
        else:
            for item in value.values():
                found |= references(item)
    elif isinstance(value, list):
        for item in value:
            found |= references(item)
    return found


@dataclass
class Resolver:
    """Resolves intrinsics against the physical ids the provisioner has created so far."""

    region: str
    account_id: str
    physical_ids: dict[str, str] = field(default_factory=dict)
    attributes: dict[tuple[str, str], str] = field(default_factory=dict)

    def pseudo(self, name: str) -> str:
        values = {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": "local",
        }
        if name not in values:
            raise UnresolvableError(f"pseudo parameter {name} is not available locally")
        return values[name]

    def resolve(self, value: Any, where: str = "") -> Any:
        """Return `value` with every intrinsic replaced by a plain string."""
        if isinstance(value, list):
            return [self.resolve(item, f"{where}[{i}]") for i, item in enumerate(value)]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self._ref(arg, where)
            if key == "Fn::GetAtt":
                logical_id, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                return self._get_att(logical_id, attribute, where)
            if key == "Fn::Join":
                separator, parts = arg
                return separator.join(str(self.resolve(p, where)) for p in parts)
            if key == "Fn::Sub":
                return self._sub(arg, where)
            if key == "Fn::Select":
                index, items = arg
                return self.resolve(items, where)[int(index)]
            if key.startswith("Fn::") or key == "Condition":
                raise UnresolvableError(f"{where}: {key} is not supported by the local mode")
        return {k: self.resolve(v, f"{where}.{k}" if where else k) for k, v in value.items()}

    def _ref(self, name: str, where: str) -> str:
        if name.startswith("AWS::"):
            return self.pseudo(name)
        if name not in self.physical_ids:
            raise UnresolvableError(f"{where}: Ref {name} has no local resource")
        return self.physical_ids[name]

    def _get_att(self, logical_id: str, attribute: str, where: str) -> str:
        try:
            return self.attributes[(logical_id, attribute)]
        except KeyError:
            raise UnresolvableError(
                f"{where}: Fn::GetAtt {logical_id}.{attribute} has no local value"
            ) from None

    def _sub(self, arg: str | list[Any], where: str) -> str:
        text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
        local = {k: str(self.resolve(v, where)) for k, v in extra.items()}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in local:
                return local[name]
            if "." in name:
                logical_id, attribute = name.split(".", 1)
                return self._get_att(logical_id, attribute, where)
            return self._ref(name, where)

        # "${!Literal}" is CloudFormation's escape for a literal "${Literal}".
        return _SUB_VARIABLE.sub(replace, text).replace("${!", "${")
