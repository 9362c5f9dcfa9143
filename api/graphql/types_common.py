"""GraphQL types that do not depend on a label: the label and relationship enums, page info
and aggregate rows; and :func:`typed`, which builds a type from an analysis result."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Any, Optional, TypeVar, cast

import strawberry
from strawberry.scalars import JSON

from coco_atlas.graph.analytics.results import Result
from coco_atlas.schema import SCHEMA

T = TypeVar("T")


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


def typed(cls: type[T], result: Result, **given: Any) -> T:
    """The GraphQL type ``cls`` built from an analysis result: each field of ``cls`` the result
    has under the same name, and ``given`` for the rest (node ids, enums, nested types).

    The analyses' dataclasses name their fields as these types do (graph/analytics/results.py),
    so only what differs is spelled out. A nested result must be given, as its GraphQL type: a
    type that resolves nodes from private ids would otherwise get the analysis' own class.
    """
    mine = {f.name for f in dataclasses.fields(cast(Any, cls)) if f.init}
    values = dict(given)
    for f in dataclasses.fields(result):
        if f.name in mine and f.name not in given:
            value = getattr(result, f.name)
            if _nests_results(value):
                raise TypeError(f"{cls.__name__}.{f.name}: give the nested result as its "
                                "GraphQL type")
            values[f.name] = value
    return cls(**values)


def _nests_results(value: Any) -> bool:
    items = value.values() if isinstance(value, dict) else \
        value if isinstance(value, list | tuple) else [value]
    return any(isinstance(v, Result) for v in items)


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
