"""Counts of nodes grouped by properties or by related nodes: tables and charts.

A ``groupBy`` entry is a path: a property of the node (``country``) or relationship fields
followed by a property at the end (``regions.country``, ``hubs.name``). A step may add ``*`` to
follow a hierarchy to every broader node, and ``[prop=value]`` to keep only nodes with that
value: ``sectors.broader*[level=1].id`` is the NACE section of a company's sectors,
``regions.parent*[level=1].id`` its NUTS 1 region. A node with several values counts once in
each group it falls into (a company in two sections counts in both), like a multi-valued
GROUP BY; a node with no value counts under null.

The relationship steps are sparse matrix products over the cached topology (scipy), the values
come from ``Store.property_values``: no node is read one by one.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from coco_atlas.api.graphql import spec
from coco_atlas.api.graphql.errors import bad_input
from coco_atlas.api.graphql.graphdata import GraphArrays, arrays
from coco_atlas.api.graphql.loaders import matching_ids
from coco_atlas.graph.analytics.network import SparseMatrix
from coco_atlas.graph.query import MAX_PAGE, Filter
from coco_atlas.schema import SCHEMA, PropType
from coco_atlas.schema.messages import N_, Msg
from coco_atlas.schema.validate import check_value

MAX_KEYS = 5
_STEP = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<star>\*)?"
                   r"(?:\[(?P<prop>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>[^\]]*)\])?$")


@dataclass(frozen=True)
class Step:
    field: spec.RelField | None  # None: the final property
    name: str
    closure: bool = False
    where: tuple[str, str] | None = None


def group_counts(ctx: Any, label: str, flt: Filter | None, group_by: Sequence[str],
                 first: int = MAX_PAGE) -> list[dict[str, Any]]:
    """``[{keys, count, group}]`` for the ``label`` nodes matching ``flt``, biggest first."""
    if not 1 <= len(group_by) <= MAX_KEYS:
        raise bad_input("aggregate", "groupBy", Msg(N_("from 1 to {n} paths"), n=MAX_KEYS),
                        list(group_by))
    if not 0 <= first <= MAX_PAGE:
        raise bad_input("aggregate", "first", Msg(N_("a number of groups from 0 to {n}"),
                                                  n=MAX_PAGE), first)
    paths = [parse_path(label, p) for p in group_by]
    ga = arrays(ctx)
    if flt is None:
        entities = ga.of_labels([label])
    else:
        entities = np.unique(ga.positions(matching_ids(ctx.store, label, flt)))
    keyed = [_keys(ctx, ga, label, entities, steps) for steps in paths]
    combos, counts = _count(len(entities), [k for k, _ in keyed])
    rows = sorted(((tuple(v[c] for v, c in zip((vocab for _, vocab in keyed), combo,
                                                strict=True)), int(n))
                   for combo, n in zip(combos.tolist(), counts.tolist(), strict=True)),
                  key=lambda kv: (-kv[1], [_sortable(k) for k in kv[0]]))
    return [{"keys": list(k), "count": n, "group": dict(zip(group_by, k, strict=True))}
            for k, n in rows[:first]]


def _count(m: int, keys: list[sp.csr_matrix]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct key combinations over ``m`` entities and how many entities have each.

    ``keys[p]`` is an entity × value-code matrix per path (every entity has at least one
    code); each entity contributes the cartesian product of its codes (a cross join per row,
    done with repeat/offset arithmetic instead of a Python loop)."""
    rows, first = keys[0].nonzero()
    combos = first[:, None]
    for k in keys[1:]:
        k_rows, k_codes = k.nonzero()  # CSR: sorted by row
        per_row = np.bincount(k_rows, minlength=m)
        starts = np.concatenate(([0], np.cumsum(per_row)[:-1]))
        times = per_row[rows]
        pick = np.repeat(np.arange(len(rows)), times)
        offset = np.arange(len(pick)) - np.repeat(np.cumsum(times) - times, times)
        combos = np.column_stack([combos[pick], k_codes[starts[rows[pick]] + offset]])
        rows = rows[pick]
    sizes = [k.shape[1] for k in keys]
    if float(np.prod(sizes, dtype=float)) >= 2.0 ** 62:  # too many to pack: sort the rows
        return np.unique(combos, axis=0, return_counts=True)
    packed = np.zeros(len(combos), dtype=np.int64)
    for j, size in enumerate(sizes):  # one int per combination: a 1-D unique is much faster
        packed = packed * size + combos[:, j]
    values, counts = np.unique(packed, return_counts=True)
    out = np.empty((len(values), len(sizes)), dtype=np.int64)
    for j in range(len(sizes) - 1, -1, -1):
        values, out[:, j] = np.divmod(values, sizes[j])
    return out, counts


def parse_path(label: str, path: str) -> list[Step]:
    """The steps of a groupBy path, checked against the schema; errors say what fits."""
    parts = path.split(".")
    labels: tuple[str, ...] = (label,)
    steps: list[Step] = []
    for k, part in enumerate(parts):
        m = _STEP.match(part)
        if m is None:
            raise bad_input("aggregate", "groupBy", N_(
                "a path like 'country', 'regions.country' or 'sectors.broader*[level=1].id'"),
                path)
        name, last = m["name"], k == len(parts) - 1
        where = (m["prop"], m["value"]) if m["prop"] else None
        if last and not m["star"] and where is None and _is_property(labels, name):
            steps.append(Step(None, name))
            return steps
        fields = [f for lab in labels if (f := spec.rel_field(lab, name)) is not None]
        if not fields or last:
            raise bad_input("aggregate", "groupBy", _expected(labels, last), path)
        rf = fields[0]
        if m["star"] and rf.rel not in spec.hierarchy(rf.owner):
            raise bad_input("aggregate", "groupBy", Msg(
                N_("'*' only after a hierarchy field ({fields})"),
                fields=_hierarchy_fields(labels)), path)
        if where is not None and not _is_property(rf.others, where[0]):
            raise bad_input("aggregate", "groupBy", Msg(
                N_("a property of {labels} inside [ ]"), labels="/".join(rf.others)), path)
        if where is not None:
            where = (where[0], _condition_value(rf.others, *where, path))
        steps.append(Step(rf, name, bool(m["star"]), where))
        labels = rf.others
    raise AssertionError("unreachable: the loop returns at the last part")


def _condition_value(labels: tuple[str, ...], prop: str, text: str, path: str) -> str:
    """The value of a ``[prop=value]`` step as the text it is compared with, refused when no
    node could have it (``[level=abc]`` used to group every node under null, silently)."""
    text = text.strip().strip("'\"")
    if prop == "id":
        return text
    if prop == "label":
        if text not in labels:
            raise bad_input("aggregate", "groupBy", Msg(
                N_("one of {labels} as the label inside [ ]"), labels=", ".join(labels)), path)
        return text
    spec = next(p for lab in labels if (p := SCHEMA.node_properties(lab).get(prop)) is not None)
    value = _typed(spec.type, text)
    if value is None or not check_value(spec, value):
        raise bad_input("aggregate", "groupBy", Msg(
            N_("{expected} as the value of {property} inside [ ]"), expected=spec.expected(),
            property=prop), path)
    return _text(value[0] if isinstance(value, list) else value)


def _typed(kind: PropType, text: str) -> Any:
    """``text`` as a value of a property type (None: it is not one)."""
    if kind is PropType.INT:
        return int(text) if re.fullmatch(r"[+-]?\d{1,18}", text) else None
    if kind is PropType.FLOAT:
        try:
            number = float(text)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    if kind is PropType.BOOL:
        return {"true": True, "false": False}.get(text.lower())
    return [text] if kind is PropType.STRING_LIST else text


def _is_property(labels: tuple[str, ...], name: str) -> bool:
    return name in ("id", "label") or any(name in SCHEMA.node_properties(lab) for lab in labels)


def _expected(labels: tuple[str, ...], last: bool) -> str:
    props = sorted({"id", "label", *(p for lab in labels for p in SCHEMA.node_properties(lab))})
    rels = sorted({f.name for lab in labels for f in spec.rel_fields(lab)})
    if last:
        return Msg(N_("a property of {labels} at the end ({properties})"),
                   labels="/".join(labels), properties=", ".join(props))
    return Msg(N_("a property ({properties}) or a relationship field ({fields}) of {labels}"),
               properties=", ".join(props), fields=", ".join(rels), labels="/".join(labels))


def _hierarchy_fields(labels: tuple[str, ...]) -> str:
    names = sorted({f.name for lab in labels for f in spec.rel_fields(lab)
                    if f.rel in spec.hierarchy(lab)})
    return ", ".join(names) or Msg(N_("none here"))


def _keys(ctx: Any, ga: GraphArrays, label: str, entities: np.ndarray,
          steps: list[Step]) -> tuple[sp.csr_matrix, list[Any]]:
    """Entity × value-code matrix of one path and the values the codes stand for; an entity
    whose path leads to no value gets the code of null."""
    m = len(entities)
    reach = sp.csr_matrix((np.ones(m, dtype=np.int32), (np.arange(m), entities)),
                          shape=(m, ga.n))
    labels: tuple[str, ...] = (label,)
    for step in steps[:-1]:
        assert step.field is not None
        reach = _walk(ga, reach, step, labels)
        labels = step.field.others
        if step.where is not None:
            keep = _value_mask(ctx, ga, labels, *step.where)
            reach = (reach @ sp.diags(keep.astype(np.int32), dtype=np.int32)).tocsr()
    coded, vocab = ctx.cached(("value_codes", labels, steps[-1].name),
                              lambda: _value_codes(ctx, ga, labels, steps[-1].name))
    keys = _binary(reach @ coded)
    missing = np.flatnonzero(keys.getnnz(axis=1) == 0)
    null = sp.csr_matrix((np.ones(len(missing), dtype=np.int32), (missing, np.full(
        len(missing), len(vocab)))), shape=(m, len(vocab) + 1))
    # An empty (m, 1) int32 matrix: valid scipy, but scipy-stubs type a shape-only matrix as
    # float64 only, hence the ignore.
    empty = sp.csr_matrix((m, 1), dtype=np.int32)  # type: ignore[arg-type]
    keys = sp.hstack([keys, empty]).tocsr() + null
    return keys.tocsr(), [*vocab, None]


def _value_codes(ctx: Any, ga: GraphArrays, labels: tuple[str, ...], prop: str
                 ) -> tuple[sp.csr_matrix, list[Any]]:
    """Node × value-code matrix of one property (several codes for list properties)."""
    codes: dict[Any, int] = {}
    cols, vals = [], []
    for p, v in _column_values(ctx, ga, labels, prop).items():
        for x in (v if isinstance(v, list) else [v]):
            if x is not None:
                cols.append(p)
                vals.append(codes.setdefault(x, len(codes)))
    matrix = sp.csr_matrix((np.ones(len(cols), dtype=np.int32), (cols, vals)),
                           shape=(ga.n, len(codes)))
    return matrix, list(codes)


def _walk(ga: GraphArrays, reach: sp.csr_matrix, step: Step,
          labels: tuple[str, ...]) -> sp.csr_matrix:
    assert step.field is not None
    fields = {(f.rel, f.direction) for lab in labels
              if (f := spec.rel_field(lab, step.name)) is not None}
    move = sum((ga.step(rel, way) for rel, way in fields), start=sp.csr_matrix((ga.n, ga.n)))
    keep = sp.diags(ga.label_mask(step.field.others).astype(np.int32), dtype=np.int32)
    nxt = _binary(reach @ move @ keep)
    if not step.closure:
        return nxt
    seen, frontier = nxt, nxt
    for _ in range(64):  # hierarchies are shallow (NUTS 4 levels, NACE 4)
        frontier = _binary(frontier @ move @ keep)
        grown = _binary(seen + frontier)
        if grown.nnz == seen.nnz:
            break
        seen = grown
    return seen


def _binary(m: SparseMatrix) -> sp.csr_matrix:
    out = sp.csr_matrix(m)
    out.data[:] = 1
    out.eliminate_zeros()
    return out


def _column_values(ctx: Any, ga: GraphArrays, labels: tuple[str, ...],
                   prop: str) -> dict[int, Any]:
    """``{position: value}`` of one property over nodes of some labels."""
    if prop == "id":
        return {p: ga.ids[p] for p in ga.of_labels(labels).tolist()}
    if prop == "label":
        names = SCHEMA.label_names
        return {p: names[c] for p, c in zip(ga.of_labels(labels).tolist(),
                                            ga.topology.labels[ga.of_labels(labels)].tolist(),
                                            strict=True)}
    found = ctx.cached(("property_values", prop, labels),
                       lambda: _listed(ctx.store.property_values(prop, list(labels)),
                                       labels, prop))
    pos = ga.pos
    return {pos[i]: v for i, v in found.items() if i in pos}


def _listed(values: dict[str, Any], labels: tuple[str, ...], prop: str) -> dict[str, Any]:
    """List properties as lists: the embedded store hands them over as JSON text."""
    if not any(getattr(SCHEMA.node_properties(lab).get(prop), "type", None)
               is PropType.STRING_LIST for lab in labels):
        return values
    return {i: json.loads(v) if isinstance(v, str) and v.startswith("[") else v
            for i, v in values.items()}


def _value_mask(ctx: Any, ga: GraphArrays, labels: tuple[str, ...], prop: str,
                text: str) -> np.ndarray:
    """Nodes whose ``prop`` reads as ``text`` (``1``, ``true``, ``AT`` all compare as text)."""
    mask = np.zeros(ga.n, dtype=bool)
    for p, v in _column_values(ctx, ga, labels, prop).items():
        if _text(v) == text.strip().strip("'\""):
            mask[p] = True
    return mask


def _text(v: Any) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)


def _sortable(v: Any) -> tuple[int, Any]:
    """Numbers, then text, then null: a total order over mixed keys."""
    if v is None:
        return (2, "")
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return (0, v)
    return (1, _text(v))
