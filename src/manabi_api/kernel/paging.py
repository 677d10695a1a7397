"""A page of a list and the opaque cursor of the next one."""

from __future__ import annotations

from typing import Generic, NamedTuple, TypeVar

T = TypeVar("T")


class Page(NamedTuple, Generic[T]):
    items: list[T]
    next_cursor: str | None
