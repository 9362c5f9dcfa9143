"""GraphQL types that do not depend on a label: the label and relationship enums, page info
and aggregate rows."""

from __future__ import annotations

from enum import Enum
from typing import Optional

import strawberry
from strawberry.scalars import JSON

from schema import SCHEMA

Label = strawberry.enum(
    Enum("Label", {name: name for name in SCHEMA.label_names}),  # type: ignore[misc]
    description="Node labels of the COCO Atlas graph: "
    + "; ".join(f"{lab.name}: {lab.description}" for lab in SCHEMA.labels))

RelType = strawberry.enum(
    Enum("RelType", {name: name for name in SCHEMA.rel_names}),  # type: ignore[misc]
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
