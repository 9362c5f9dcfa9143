"""Custom scalars: dates and timestamps as ISO 8601 text, the form the stores keep them in."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NewType

import strawberry
from graphql import GraphQLError
from strawberry.types.scalar import ScalarDefinition

from coco_atlas.viz.i18n import gettext as _

Date = NewType("Date", str)
DateTime = NewType("DateTime", str)


def _parse_date(value: Any) -> str:
    try:
        return date.fromisoformat(value).isoformat() if isinstance(value, str) else _bad()
    except ValueError:
        raise GraphQLError(_("expected a date YYYY-MM-DD, got {value}").format(
            value=repr(value))) from None


def _parse_datetime(value: Any) -> str:
    if not isinstance(value, str):
        raise GraphQLError(_("expected an ISO 8601 timestamp, got {value}").format(
            value=repr(value)))
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise GraphQLError(_("expected an ISO 8601 timestamp, got {value}").format(
            value=repr(value))) from None
    return value


def _bad() -> str:
    raise ValueError


SCALARS: dict[object, ScalarDefinition] = {
    Date: strawberry.scalar(name="Date", description="A calendar date, ISO 8601 YYYY-MM-DD.",
                            serialize=str, parse_value=_parse_date),
    DateTime: strawberry.scalar(name="DateTime", description="A UTC timestamp, ISO 8601.",
                                serialize=str, parse_value=_parse_datetime),
}
