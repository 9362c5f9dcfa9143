"""Compiling :mod:`graph.query` filters and keyset paging to SQLite SQL over JSON properties.

Property values live in a JSON column; ``json_extract`` reads them. Property names come from the
schema (checked before compiling), values are always bound parameters.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from coco_atlas.graph.query import And, Cond, Filter, Not, Or, SortKey
from coco_atlas.schema import SCHEMA, PropType

# Properties that are columns or provenance lookups rather than JSON members.
COLUMNS = {"id": "id", "source": "(SELECT source FROM writes WHERE writes.id = wid)",
           "updatedAt": "(SELECT at FROM writes WHERE writes.id = wid)"}


def prop_expr(prop: str) -> str:
    """SQL expression of a property of the ``nodes`` row (``id`` is a real column)."""
    return COLUMNS.get(prop) or f"json_extract(props, '$.{prop}')"


def compile_filter(label: str, flt: Filter | None, params: list[Any]) -> str:
    """SQL boolean expression for a filter; appends its parameters to ``params``."""
    if flt is None:
        return "1"
    if isinstance(flt, And):
        return "(" + " AND ".join(compile_filter(label, p, params) for p in flt.parts) + ")" \
            if flt.parts else "1"
    if isinstance(flt, Or):
        return "(" + " OR ".join(compile_filter(label, p, params) for p in flt.parts) + ")" \
            if flt.parts else "0"
    if isinstance(flt, Not):
        return f"NOT coalesce({compile_filter(label, flt.part, params)}, 0)"
    return _cond(label, flt, params)


def _cond(label: str, c: Cond, params: list[Any]) -> str:
    prop = SCHEMA.node_properties(label).get(c.prop)
    if prop is not None and prop.type is PropType.STRING_LIST and c.op != "exists":
        return _list_cond(c, params)
    e = prop_expr(c.prop)
    op, v = c.op, c.value
    if op == "exists":
        return f"({e} IS {'NOT ' if v else ''}NULL)"
    if op == "eq" and v is None:
        return f"({e} IS NULL)"
    if op == "ne":
        params.append(v)
        return f"({e} IS NOT ?)"
    if op == "in":
        params.append(json.dumps(list(v)))
        return f"({e} IN (SELECT value FROM json_each(?)))"
    if op == "contains":
        params.append(v)
        return f"(instr({e}, ?) > 0)"
    if op == "startsWith":
        params.extend([v, v])
        return f"(substr({e}, 1, length(?)) = ?)"
    sql_op = {"eq": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op]
    params.append(v)
    return f"({e} {sql_op} ?)"


def _list_cond(c: Cond, params: list[Any]) -> str:
    """List properties: eq/contains test one element, in tests any element."""
    each = f"json_each(props, '$.{c.prop}')"
    if c.op == "in":
        params.append(json.dumps(list(c.value)))
        return f"EXISTS (SELECT 1 FROM {each} WHERE value IN (SELECT value FROM json_each(?)))"
    params.append(c.value)
    return f"EXISTS (SELECT 1 FROM {each} WHERE value = ?)"


def sort_terms(order: Sequence[SortKey], label: str) -> list[tuple[str, bool]]:
    """(expression, descending) pairs; nulls sort last, ``id`` breaks ties.

    A required property is never null, so it needs no null flag: then an index on
    ``(prop, id)`` serves the sort as it is.
    """
    props = SCHEMA.node_properties(label)
    terms: list[tuple[str, bool]] = []
    for key in order:
        e = prop_expr(key.prop)
        prop = props.get(key.prop)
        if key.prop != "id" and not (prop is not None and prop.required):
            terms.append((f"({e} IS NULL)", False))
        terms.append((e, key.descending))
    terms.append(("id", False))
    return terms


INDEX_PREFIX = "nodes_p_"  # the partial indexes below; any other index keeps its own name


def index_statements(label: str, code: int) -> dict[str, str]:
    """Partial expression indexes of a label's indexed properties, shaped like the sort terms
    of a find ordered by that property, so that filters and sorts on it use them: ``{name:
    CREATE statement}``. The name carries a digest of the shape, so that when the schema
    changes a sort (a property becomes optional and gains a nulls-last term) the store sees
    that its index of the old shape is stale and replaces it."""
    out = {}
    for prop in SCHEMA.node_properties(label).values():
        if prop.indexed:
            cols = ", ".join(e for e, _ in sort_terms([SortKey(prop.name)], label))
            where = f"label = {int(code)}"
            digest = hashlib.sha1(f"{cols} WHERE {where}".encode()).hexdigest()[:8]
            name = f"{INDEX_PREFIX}{label}_{prop.name}_{digest}"
            out[name] = f"CREATE INDEX IF NOT EXISTS {name} ON nodes({cols}) WHERE {where}"
    return out


def order_clause(terms: Sequence[tuple[str, bool]]) -> str:
    return ", ".join(f"{e} {'DESC' if d else 'ASC'}" for e, d in terms)


def keyset(terms: Sequence[tuple[str, bool]], values: Sequence[Any], params: list[Any]) -> str:
    """Rows strictly after ``values`` in the order of ``terms`` (Winand's keyset predicate)."""
    ors = []
    for i, (e, desc) in enumerate(terms):
        if values[i] is None:
            continue  # nothing sorts strictly after NULL among NULLs
        ands = []
        for j in range(i):
            ands.append(f"{terms[j][0]} IS ?")
            params.append(values[j])
        ands.append(f"{e} {'<' if desc else '>'} ?")
        params.append(values[i])
        ors.append("(" + " AND ".join(ands) + ")")
    return "(" + " OR ".join(ors) + ")" if ors else "0"
