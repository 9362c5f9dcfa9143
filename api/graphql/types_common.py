"""GraphQL types that do not depend on a label: the label and relationship enums, page info
and aggregate rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Any, Optional, cast

import strawberry
from strawberry.scalars import JSON

from coco_atlas.schema import SCHEMA


def schema_enum(name: str, members: Iterable[str] | Mapping[str, str]) -> type[Enum]:
    """An Enum class whose members come from the schema at run time (Enum's functional API,
    which type checkers read as an instance: the cast says what it returns)."""
    values = members if isinstance(members, Mapping) else {m: m for m in members}
    return cast(type[Enum], Enum(name, values))


def list_of(item: Any) -> Any:
    """``list[item]`` for a type made at run time, which a static checker cannot read as one."""
    return list[item]


def optional(item: Any) -> Any:
    """``Optional[item]`` for a type made at run time (see :func:`list_of`)."""
    return Optional[item]  # noqa: UP045


def value_of(member: Any) -> str:
    """The value of a member of an enum made at run time (see :func:`schema_enum`)."""
    return str(member.value)


Label = strawberry.enum(
    schema_enum("Label", SCHEMA.label_names),
    description="Node labels of the COCO Atlas graph: "
    + "; ".join(f"{lab.name}: {lab.description}" for lab in SCHEMA.labels))

RelType = strawberry.enum(
    schema_enum("RelType", SCHEMA.rel_names),
    description="Relationship types: "
    + "; ".join(f"{r.name}: {r.description}" for r in SCHEMA.relationships))


@strawberry.type(description="Where a page of a list stands (Relay cursor connections).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: Optional[str]  # noqa: UP045
    end_cursor: Optional[str]  # noqa: UP045


@strawberry.type(description="One group of an aggregate: its key values and how many nodes.")
class AggregateRow:
    keys: list[Optional[JSON]] = strawberry.field(  # noqa: UP045
        description="The value of each groupBy entry, in order (null: no value).")
    count: int = strawberry.field(description="Nodes in the group.")
    group: JSON = strawberry.field(description="The same keys as an object {groupBy: value}.")
