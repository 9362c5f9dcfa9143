"""Fast yes/no checks compiled from the schema, for bulk writes.

Validating millions of records with the detailed checks of :mod:`schema.validate` spends most of
its time building error context that is never used. These predicates are compiled once per
property; only a record they reject goes through the detailed checks, which then say why (or
find it valid after all: the fast path may be stricter, never looser).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from schema.types import Property, PropType, Schema
from schema.validate import check_value

Predicate = Callable[[Any], bool]


def predicate(prop: Property) -> Predicate:
    """A fast test of one value of ``prop`` (``None`` is handled by the caller)."""
    t, lo, hi = prop.type, prop.minimum, prop.maximum
    if t is PropType.STRING and prop.allowed:
        allowed = frozenset(prop.allowed)
        return lambda v: type(v) is str and v in allowed
    if t is PropType.STRING and prop.regex is not None:
        match = prop.regex.match
        return lambda v: type(v) is str and match(v) is not None
    if t is PropType.STRING:
        return lambda v: type(v) is str
    if t is PropType.BOOL:
        return lambda v: type(v) is bool
    if t in (PropType.INT, PropType.FLOAT) and not prop.allowed:
        kinds = (int,) if t is PropType.INT else (int, float)
        low = float("-inf") if lo is None else lo
        high = float("inf") if hi is None else hi
        return lambda v: type(v) in kinds and low <= v <= high
    return lambda v: check_value(prop, v)


@dataclass(frozen=True)
class PropsCheck:
    """Compiled checks of one label's or relationship type's properties."""

    preds: Mapping[str, Predicate]
    required: tuple[str, ...]
    ordered: tuple[tuple[str, str], ...]  # (earlier, later) pairs that must not be reversed

    def ok(self, props: Mapping[str, Any]) -> bool:
        preds = self.preds
        for k, v in props.items():
            p = preds.get(k)
            if p is None or (v is not None and not p(v)):
                return False
        for r in self.required:
            if props.get(r) is None:
                return False
        if not self.ordered:
            return True
        for a, b in self.ordered:
            x, y = props.get(a), props.get(b)
            if x is not None and y is not None and y < x:
                return False
        return True


def _compile(spec: Mapping[str, Property]) -> PropsCheck:
    ordered = tuple(pair for pair in (("startDate", "endDate"), ("since", "until"))
                    if pair[0] in spec and pair[1] in spec)
    # Stamped values are written by the store itself; callers may not give them (checked apart).
    return PropsCheck({n: _anything if p.stamped else predicate(p) for n, p in spec.items()},
                      tuple(n for n, p in spec.items() if p.required), ordered)


def _anything(value: Any) -> bool:
    return True


_CACHE: dict[int, tuple[dict[str, PropsCheck], dict[str, PropsCheck]]] = {}


def compiled(schema: Schema) -> tuple[dict[str, PropsCheck], dict[str, PropsCheck]]:
    """Per-label and per-relationship checks of a schema (compiled on first use)."""
    got = _CACHE.get(id(schema))
    if got is None:
        got = _CACHE[id(schema)] = (
            {lab: _compile(schema.node_properties(lab)) for lab in schema.label_names},
            {rel: _compile(schema.rel_properties(rel)) for rel in schema.rel_names},
        )
    return got
