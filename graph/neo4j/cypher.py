"""Compiling :mod:`graph.query` filters and keyset paging to Cypher.

The same semantics as :mod:`graph.embedded.sqlfilter` for the embedded store: ``ne`` counts a
missing value as different, ``NOT`` treats an unknown (null) test as false, list properties
test their elements, missing values sort last in both directions. Values are always parameters;
the only names spliced into the text are property names checked against the schema beforehand.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from coco_atlas.graph.query import And, Cond, Filter, Not, Or
from coco_atlas.schema import SCHEMA, PropType


class Params:
    """Collects query parameters and hands out their names."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def add(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return "$" + name


def prop_expr(prop: str, var: str = "n") -> str:
    return f"{var}.`{prop}`"


def compile_filter(label: str, flt: Filter | None, params: Params) -> str:
    if flt is None:
        return "true"
    if isinstance(flt, And):
        return "(" + " AND ".join(compile_filter(label, p, params) for p in flt.parts) + ")" \
            if flt.parts else "true"
    if isinstance(flt, Or):
        return "(" + " OR ".join(compile_filter(label, p, params) for p in flt.parts) + ")" \
            if flt.parts else "false"
    if isinstance(flt, Not):
        return f"(NOT coalesce({compile_filter(label, flt.part, params)}, false))"
    return _cond(label, flt, params)


def _cond(label: str, c: Cond, params: Params) -> str:
    prop = SCHEMA.node_properties(label).get(c.prop)
    e = prop_expr(c.prop)
    op, v = c.op, c.value
    if op == "exists":
        return f"({e} IS {'NOT ' if v else ''}NULL)"
    if prop is not None and prop.type is PropType.STRING_LIST:
        if op == "in":
            return f"any(x IN coalesce({e}, []) WHERE x IN {params.add(list(v))})"
        return f"({params.add(v)} IN coalesce({e}, []))"
    if op == "eq" and v is None:
        return f"({e} IS NULL)"
    if op == "ne":
        return f"(NOT coalesce({e} = {params.add(v)}, false))"
    if op == "in":
        return f"({e} IN {params.add(list(v))})"
    if op == "contains":
        return f"({e} CONTAINS {params.add(v)})"
    if op == "startsWith":
        return f"({e} STARTS WITH {params.add(v)})"
    cy = {"eq": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op]
    return f"({e} {cy} {params.add(v)})"


def sort_terms(order: Sequence[Any], label: str) -> list[tuple[str, bool, bool]]:
    """(expression, descending, is_null_flag); nulls last, ``id`` breaks ties. As in
    :func:`graph.embedded.sqlfilter.sort_terms`, required properties get no null flag, so that
    cursors look the same on both stores."""
    props = SCHEMA.node_properties(label)
    terms: list[tuple[str, bool, bool]] = []
    for key in order:
        e = prop_expr(key.prop)
        prop = props.get(key.prop)
        if key.prop != "id" and not (prop is not None and prop.required):
            terms.append((f"({e} IS NULL)", False, True))
        terms.append((e, key.descending, False))
    terms.append((prop_expr("id"), False, False))
    return terms


def order_clause(terms: Sequence[tuple[str, bool, bool]]) -> str:
    return ", ".join(f"{e} {'DESC' if d else 'ASC'}" for e, d, _ in terms)


def keyset(terms: Sequence[tuple[str, bool, bool]], values: Sequence[Any],
           params: Params) -> str:
    """Rows strictly after ``values`` (booleans sort false < true, as the flags need).

    When the first sort key is a plain property, a redundant range on it leads the condition:
    Neo4j then walks that property's index in order and stops after the page (``PartialTop``)
    instead of sorting every matching node (measured: 75 ms → 12 ms a page, medium demo).
    """
    ors = []
    for i, (e, desc, _) in enumerate(terms):
        if values[i] is None:
            continue
        ands = [_same(terms[j][0], values[j], params) for j in range(i)]
        ands.append(f"{e} {'<' if desc else '>'} {params.add(values[i])}")
        ors.append("(" + " AND ".join(ands) + ")")
    if not ors:
        return "false"
    clause = "(" + " OR ".join(ors) + ")"
    first, desc, is_flag = terms[0]
    if not is_flag and values[0] is not None:
        clause = f"{first} {'<=' if desc else '>='} {params.add(values[0])} AND {clause}"
    return clause


def _same(expr: str, value: Any, params: Params) -> str:
    if value is None:
        return f"{expr} IS NULL"
    return f"coalesce({expr} = {params.add(value)}, false)"


def cursor_value(value: Any, is_flag: bool) -> Any:
    """Cursor values agree with the embedded store's (flags are stored as 0/1 there)."""
    return int(value) if is_flag else value
