"""Store-independent queries: a small filter language, sort keys, cursors and pages.

Both stores compile the same :class:`Filter` tree (to SQL or to Cypher), so that a query gives the
same answer whichever store serves it. Paging is keyset paging (Winand, "Use the Index, Luke",
"Paging Through Results"): the cursor holds the sort values of the last row plus its ``id``, so it
stays valid while other rows are written, unlike an offset.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from coco_atlas.schema import SCHEMA, Problem, ValidationError
from coco_atlas.schema.messages import N_, Msg
from coco_atlas.schema.validate import one_of

Op = Literal["eq", "ne", "in", "contains", "startsWith", "gt", "gte", "lt", "lte", "exists"]
OPS: tuple[str, ...] = ("eq", "ne", "in", "contains", "startsWith", "gt", "gte", "lt", "lte",
                        "exists")


@dataclass(frozen=True)
class Cond:
    """``prop op value``; ``prop`` may be ``id`` or any property. ``exists`` takes a bool."""

    prop: str
    op: Op
    value: Any


@dataclass(frozen=True)
class And:
    parts: tuple[Filter, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Filter, ...]


@dataclass(frozen=True)
class Not:
    part: Filter


Filter = Cond | And | Or | Not


def where(**equals: Any) -> Filter | None:
    """Shorthand: ``where(country="AT", kind="cluster")`` is an AND of equalities."""
    conds = tuple(Cond(k, "eq", v) for k, v in equals.items())
    if not conds:
        return None
    return conds[0] if len(conds) == 1 else And(conds)


@dataclass(frozen=True)
class SortKey:
    prop: str
    descending: bool = False


T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    """One page of a keyset-paged list."""

    items: list[T]
    total_count: int | None  # None when the caller did not ask for it (``find(count=False)``)
    has_next: bool
    end_cursor: str | None
    cursors: list[str] = field(default_factory=list)


MAX_PAGE = 1000


def check_find(label: str, flt: Filter | None, order: Sequence[SortKey], first: int) -> None:
    """Reject a find whose label, properties or operators the schema does not know."""
    problems: list[Problem] = []
    where_ = f"find {label}"
    if not SCHEMA.has_label(label):
        raise ValidationError([Problem(where_, "label", one_of(SCHEMA.label_names), label)])
    props = SCHEMA.node_properties(label)
    known = ", ".join(["id", *props])
    for cond in _conds(flt):
        if cond.prop != "id" and cond.prop not in props:
            problems.append(Problem(where_, cond.prop, Msg(N_("a property of {label} ({names})"),
                                                           label=label, names=known)))
        if cond.op not in OPS:
            problems.append(Problem(where_, cond.prop, Msg(N_("an operator in {names}"),
                                                           names=", ".join(OPS)), cond.op))
        if cond.op == "in" and not isinstance(cond.value, (list, tuple)):
            problems.append(Problem(where_, cond.prop, N_("a list for 'in'"), cond.value))
    for key in order:
        if key.prop != "id" and key.prop not in props:
            problems.append(Problem(where_, f"orderBy {key.prop}",
                                    Msg(N_("a property of {label}"), label=label)))
    if not 0 <= first <= MAX_PAGE:
        problems.append(Problem(where_, "first", Msg(N_("a page size from 0 to {n}"), n=MAX_PAGE),
                                first))
    if problems:
        raise ValidationError(problems)


def _conds(flt: Filter | None) -> list[Cond]:
    if flt is None:
        return []
    if isinstance(flt, Cond):
        return [flt]
    if isinstance(flt, Not):
        return _conds(flt.part)
    return [c for part in flt.parts for c in _conds(part)]


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, n_keys: int) -> list[Any]:
    """Decode a cursor made for the same sort (``n_keys`` sort keys plus the id).

    A cursor comes back from the client, so it is untrusted input (OWASP Input Validation Cheat
    Sheet: allow-list what may come): it must hold exactly what :func:`encode_cursor` writes,
    scalar sort values a store can bind (text that is valid Unicode, 64-bit integers, finite
    numbers, booleans, null) and an id. Anything else, deeply nested JSON included, is the
    client's mistake, not a store error.
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        values = None
    if not isinstance(values, list) or len(values) != n_keys + 1 \
            or not isinstance(values[-1], str) or not all(map(_bindable, values)):
        raise ValidationError([Problem("cursor", "after", N_("a cursor returned by this query"),
                                       cursor)])
    return values


INT64 = range(-(2**63), 2**63)  # SQLite's INTEGER and Cypher's Integer


def _bindable(value: Any) -> bool:
    """A value any store takes as a query parameter (see :func:`decode_cursor`)."""
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return value in INT64
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        try:
            value.encode("utf-8")  # a lone surrogate ("\ud800" in JSON) is not text
        except UnicodeEncodeError:
            return False
        return True
    return False
