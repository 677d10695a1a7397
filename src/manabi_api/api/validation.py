"""Request validation with validators compiled ahead of time from api/schemas.py.

The generated modules in api/validators/ raise these exception classes (tools/codegen.py points
their import here), so the Lambda never imports the schema compiler at start-up.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, Protocol

from manabi_api.kernel.errors import FieldIssue, InvalidInput


class JsonSchemaValueException(ValueError):
    def __init__(
        self,
        message: str,
        value: Any = None,
        name: str | None = None,
        definition: Any = None,
        rule: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.value = value
        self.name = name
        self.definition = definition
        self.rule = rule


class JsonSchemaValuesException(ValueError):
    def __init__(self, errors: list[JsonSchemaValueException]) -> None:
        super().__init__("; ".join(error.message for error in errors))
        self.errors = errors


class Validator(Protocol):
    def __call__(self, data: Any) -> Any: ...


def validator_module_name(schema_name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in schema_name).lstrip("_")


def load_validator(schema_name: str) -> Validator:
    module = import_module(f"manabi_api.api.validators.{validator_module_name(schema_name)}")
    validate: Validator = module.validate
    return validate


def _field(name: str | None) -> str:
    """`data.title` → `title`; `data.items[2].x` → `items[2].x`; the body itself → `body`."""
    if not name or name == "data":
        return "body"
    return name.removeprefix("data.")


def _issue(error: JsonSchemaValueException) -> FieldIssue:
    message = error.message.removeprefix(error.name or "").strip()
    return FieldIssue(field=_field(error.name), message=message, rule=error.rule or "invalid")


def validate_body(validator: Validator, allowed_fields: frozenset[str], body: Any) -> Any:
    """Validate a parsed JSON body; unknown fields are named one by one."""
    issues: list[FieldIssue] = []
    if isinstance(body, dict):
        issues.extend(
            FieldIssue(name, "is not a known field", "additionalProperties")
            for name in sorted(set(body) - allowed_fields)
        )
        if issues:
            body = {k: v for k, v in body.items() if k in allowed_fields}
    try:
        validator(body)
    except JsonSchemaValuesException as errors:
        issues.extend(_issue(e) for e in errors.errors)
    except JsonSchemaValueException as error:
        issues.append(_issue(error))
    if issues:
        raise InvalidInput("The request body is not valid.", issues)
    return body
