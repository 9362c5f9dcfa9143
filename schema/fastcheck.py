"""Fast yes/no checks compiled from the schema, for bulk writes.

Validating millions of records with the detailed checks of :mod:`schema.validate` spends most of
its time building error context that is never used. These predicates are compiled once per
property; only a record they reject goes through the detailed checks, which then say why (or
find it valid after all: the fast path may be stricter, never looser).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from typing import Any

from coco_atlas.schema.types import Property, PropType, Schema
from coco_atlas.schema.validate import check_value, is_unicode, missing

Predicate = Callable[[Any], bool]


def predicate(prop: Property) -> Predicate:
    """A fast test of one value of ``prop`` (``None`` is handled by the caller)."""
    t, lo, hi = prop.type, prop.minimum, prop.maximum
    longest, items = prop.max_length, prop.max_items
    if t is PropType.STRING and prop.allowed:
        allowed = frozenset(prop.allowed)
        return lambda v: type(v) is str and v in allowed
    if t is PropType.STRING and prop.regex is not None:
        match = prop.regex.match
        return lambda v: type(v) is str and len(v) <= longest and match(v) is not None \
            and is_unicode(v)
    if t is PropType.STRING:
        return lambda v: type(v) is str and len(v) <= longest and is_unicode(v)
    if t is PropType.BOOL:
        return lambda v: type(v) is bool
    if t is PropType.STRING_LIST:
        return lambda v: type(v) is list and len(v) <= items and {str}.issuperset(
            map(type, v)) and texts_fit(v, longest)
    if t in (PropType.INT, PropType.FLOAT) and not prop.allowed:
        kinds = (int,) if t is PropType.INT else (int, float)
        low = float("-inf") if lo is None else lo
        high = float("inf") if hi is None else hi
        if prop.not_future:  # the bound moves with the calendar: read it at each check
            return lambda v: type(v) in kinds and low <= v <= _highest(prop)
        return lambda v: type(v) in kinds and low <= v <= high
    return lambda v: check_value(prop, v)


def _highest(prop: Property) -> float:
    high = prop.highest
    return float("inf") if high is None else high


def texts_fit(texts: list[str], longest: int) -> bool:
    """Every text at most ``longest`` characters and valid Unicode, in C-level passes (one
    ``len`` per text, one UTF-8 encoding of them all)."""
    return max(map(len, texts), default=0) <= longest and is_unicode("".join(texts))


def column_predicate(prop: Property) -> Callable[[list[Any]], bool]:
    """A test of many values of ``prop`` at once, in C builtins where the type allows."""
    t, lo, hi = prop.type, prop.minimum, prop.maximum
    longest, items = prop.max_length, prop.max_items
    if t is PropType.STRING and prop.allowed:
        allowed = frozenset(prop.allowed)
        return lambda vs: {str}.issuperset(map(type, vs)) and allowed.issuperset(vs)
    if t is PropType.STRING and prop.regex is not None:
        match = prop.regex.match  # a Match is always true: all() is "every value matches"
        return lambda vs: {str}.issuperset(map(type, vs)) and texts_fit(vs, longest) and all(
            map(match, set(vs)))
    if t is PropType.STRING:
        return lambda vs: {str}.issuperset(map(type, vs)) and texts_fit(vs, longest)
    if t is PropType.BOOL:
        return lambda vs: {bool}.issuperset(map(type, vs))
    if t in (PropType.INT, PropType.FLOAT) and not prop.allowed:
        kinds = {int} if t is PropType.INT else {int, float}
        low = float("-inf") if lo is None else lo
        high = float("inf") if hi is None else hi
        if prop.not_future:
            return lambda vs: kinds.issuperset(map(type, vs)) and low <= min(vs) \
                and max(vs) <= _highest(prop)
        return lambda vs: kinds.issuperset(map(type, vs)) and low <= min(vs) and max(vs) <= high
    if t is PropType.STRING_LIST:
        return lambda vs: {list}.issuperset(map(type, vs)) and max(map(len, vs)) <= items \
            and _flat_texts_fit(vs, longest)
    one = predicate(prop)
    return lambda vs: None not in vs and all(map(one, vs))


def _flat_texts_fit(lists: list[list[Any]], longest: int) -> bool:
    flat = list(chain.from_iterable(lists))
    return {str}.issuperset(map(type, flat)) and texts_fit(flat, longest)


@dataclass(frozen=True)
class PropsCheck:
    """Compiled checks of one label's or relationship type's properties."""

    preds: Mapping[str, Predicate]
    required: tuple[str, ...]
    ordered: tuple[tuple[str, str], ...]  # (earlier, later) pairs that must not be reversed
    columns: Mapping[str, Callable[[list[Any]], bool]]  # caller-given properties only

    def ok_many(self, many: list[Mapping[str, Any]]) -> bool:
        """True when every property dict is valid; False means: check them one by one.

        Works column by column (all values of one property at once) so that a bulk load
        spends a few C-level passes per property instead of Python code per record.
        """
        names = set(chain.from_iterable(many))
        if not names.issubset(self.columns):
            return False
        # Every dict has every name (the common case: one table's columns) when each has as
        # many keys as there are names; then a column is one C-level pass.
        uniform = {len(names)}.issuperset(map(len, many))
        for name in names:
            values = list(map(itemgetter(name), many)) if uniform else \
                [p[name] for p in many if name in p]
            if not self.columns[name](values):
                return False
        for r in self.required:
            if not (uniform and r in names) and not all(r in p for p in many):
                return False
        return all(self.ok(p) for p in many) if any(
            a in names and b in names for a, b in self.ordered) else True

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


def _compile(spec: Mapping[str, Property], strict: bool,
             pairs: tuple[tuple[str, str], ...]) -> PropsCheck:
    ordered = tuple(pair for pair in pairs if pair[0] in spec and pair[1] in spec)
    # Stamped values are written by the store itself; callers may not give them (checked apart).
    # What must be there is what schema.validate.missing() demands, recommended ones if strict.
    return PropsCheck({n: _anything if p.stamped else predicate(p) for n, p in spec.items()},
                      tuple(n for n, p in spec.items() if missing(p, strict)), ordered,
                      {n: column_predicate(p) for n, p in spec.items() if not p.stamped})


def _anything(value: Any) -> bool:
    return True


@dataclass(frozen=True)
class Compiled:
    """Everything a bulk write checks per record, compiled from one schema."""

    labels: dict[str, PropsCheck]
    rels: dict[str, PropsCheck]
    ends: frozenset[tuple[str, str, str]]  # allowed (source label, type, target label)
    key_max_length: int = 500

    def keys_ok(self, ids: list[Any]) -> bool:
        """Every node key a non-blank string of at most ``key_max_length`` characters in valid
        Unicode (False: check the nodes one by one, :func:`schema.validate.check_node`)."""
        return {str}.issuperset(map(type, ids)) and all(map(str.strip, ids)) and texts_fit(
            ids, self.key_max_length)


_CACHE: dict[tuple[int, bool], Compiled] = {}


def compiled(schema: Schema, strict: bool = False) -> Compiled:
    """The compiled checks of a schema (built on first use); ``strict`` ones also demand every
    recommended property, as :func:`schema.validate.check_props` does with ``strict``."""
    got = _CACHE.get((id(schema), strict))
    if got is None:
        ends = frozenset((s, r.name, t) for r in schema.relationships for s in r.sources
                         for t in r.targets if not r.same_label or s == t)
        got = _CACHE[(id(schema), strict)] = Compiled(
            {lab: _compile(schema.node_properties(lab), strict, schema.validity_pairs())
             for lab in schema.label_names},
            {rel: _compile(schema.rel_properties(rel), strict, schema.validity_pairs())
             for rel in schema.rel_names},
            ends, schema.key_max_length,
        )
    return got
