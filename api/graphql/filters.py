"""``where`` and ``orderBy`` inputs, generated from the schema, and their translation to
:mod:`graph.query` filters.

Every label gets a ``<Label>Where`` input: one operator input per property (``eq``, ``ne``,
``in``, ``contains``, ``startsWith``, ``gt``…``lte``, ``exists``, by property type), ``AND`` /
``OR`` / ``NOT``, one field per relationship (``offers: CompetenceWhere`` = "has at least one
related node matching", Neo4j's ``_SOME``) and, for labels arranged in a hierarchy (regions,
sectors, competences), ``within``: the node itself or a broader one matches, transitively. So
"companies in NACE section C" is ``{sectors: {within: {id: {eq: "C"}}}}`` and "in NUTS AT1 at
any level" is ``{regions: {within: {id: {eq: "AT1"}}}}``.

Relationship conditions resolve to sets of ids over the cached topology (vectorised), then
become an ``id in [...]`` condition of the store's ``find``, so that both stores answer them.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any, Optional

import numpy as np
import strawberry
from strawberry.types.unset import UNSET

from coco_atlas.api.graphql import spec
from coco_atlas.api.graphql.errors import bad_input
from coco_atlas.api.graphql.graphdata import arrays
from coco_atlas.api.graphql.loaders import matching_ids
from coco_atlas.api.graphql.scalars import Date, DateTime
from coco_atlas.api.graphql.types_common import Label, schema_enum
from coco_atlas.graph.query import And, Cond, Filter, Not, Or, SortKey
from coco_atlas.schema import SCHEMA, Property, PropType
from coco_atlas.schema.messages import N_, Msg

NOTHING = Cond("id", "in", [])  # a filter no node matches

OP_HELP = {
    "eq": "equal to (null: the property is missing)",
    "ne": "not equal to (missing values count as different)",
    "in": "equal to one of",
    "contains": "contains this text",
    "startsWith": "starts with this text",
    "gt": "greater than", "gte": "greater than or equal to",
    "lt": "less than", "lte": "less than or equal to",
    "exists": "true: the property has a value; false: it is missing",
}
_ORDERED = ("eq", "ne", "in", "gt", "gte", "lt", "lte", "exists")
# Operators and the GraphQL scalar of each property type (the store's semantics, graph.query).
OPERATORS: dict[PropType, tuple[str, type | Any, tuple[str, ...]]] = {
    PropType.STRING: ("StringFilter", str,
                      ("eq", "ne", "in", "contains", "startsWith", "exists")),
    PropType.INT: ("IntFilter", int, _ORDERED),
    PropType.FLOAT: ("FloatFilter", float, _ORDERED),
    PropType.BOOL: ("BooleanFilter", bool, ("eq", "ne", "exists")),
    PropType.DATE: ("DateFilter", Date, _ORDERED),
    PropType.DATETIME: ("DateTimeFilter", DateTime, _ORDERED),
    PropType.STRING_LIST: ("StringListFilter", str, ("contains", "in", "exists")),
}
LIST_HELP = {"contains": "has this element", "in": "has at least one of these elements",
             "exists": "true: the list has a value; false: it is missing"}


REVERSE: dict[spec.Direction, spec.Direction] = {"out": "in", "in": "out", "both": "both"}


def _attr(name: str) -> str:
    return name + "_" if keyword.iskeyword(name) else name


def _op_input(kind: PropType) -> type:
    name, scalar, ops = OPERATORS[kind]
    help_ = LIST_HELP if kind is PropType.STRING_LIST else OP_HELP
    annotations: dict[str, Any] = {}
    ns: dict[str, Any] = {"__annotations__": annotations, "__module__": __name__}
    for op in ops:
        t = bool if op == "exists" else list[scalar] if op == "in" else scalar
        annotations[_attr(op)] = Optional[t]  # noqa: UP045 (a runtime type for strawberry)
        ns[_attr(op)] = strawberry.field(name=op, default=UNSET, description=help_[op])
    what = "a list of text" if kind is PropType.STRING_LIST else f"a {kind.value} property"
    cls: Any = strawberry.input(type(name, (), ns), description=f"Conditions on {what}.")
    cls.__coco_ops__ = ops
    return cls


OP_INPUTS: dict[PropType, type] = {kind: _op_input(kind) for kind in OPERATORS}


@strawberry.input(description="Conditions on the label of a node.")
class LabelFilter:
    eq: Optional[Label] = UNSET  # noqa: UP045
    in_: Optional[list[Label]] = strawberry.field(name="in", default=UNSET)  # noqa: UP045


@dataclass(frozen=True)
class WhereSpec:
    """What a generated ``where`` input holds (kept on the class as ``__coco_where__``)."""

    label: str | None  # None: NodeWhere, any label (common properties only)
    props: dict[str, str]  # python attribute -> property name (id included)
    rels: dict[str, spec.RelField]
    within: bool


def _where_name(label: str | None) -> str:
    return f"{label or 'Node'}Where"


def build_where_inputs() -> dict[str | None, type]:
    """``{label: <Label>Where}`` plus ``{None: NodeWhere}``, all built from the schema."""
    labels: list[str | None] = [*SCHEMA.label_names, None]
    raw = {lab: type(_where_name(lab), (), {"__module__": __name__}) for lab in labels}
    for lab, cls in raw.items():
        _fill_where(cls, lab, raw)
    return {lab: strawberry.input(cls, description=_where_help(lab)) for lab, cls in raw.items()}


def _where_help(label: str | None) -> str:
    what = f"{label} nodes" if label else "nodes of any label (shared properties)"
    return (f"Conditions on {what}. Fields combine with AND; a relationship field matches when "
            "at least one related node matches.")


def _fill_where(cls: Any, label: str | None, raw: dict[str | None, type]) -> None:
    ann: dict[str, Any] = {}
    props = {"id": "id"}
    ann["id"] = Optional[OP_INPUTS[PropType.STRING]]  # noqa: UP045
    cls.id = strawberry.field(default=UNSET, description="The node's key.")
    for name, prop in spec.properties(label).items():
        props[name] = name
        ann[name] = Optional[OP_INPUTS[prop.type]]  # noqa: UP045
        setattr(cls, name, strawberry.field(name=name, default=UNSET,
                                            description=prop.description or None))
    rels: dict[str, spec.RelField] = {}
    if label is None:
        ann["label"] = Optional[LabelFilter]  # noqa: UP045
        cls.label = strawberry.field(default=UNSET, description="The node's label.")
    else:
        for rf in spec.rel_fields(label):
            attr = f"rel_{rf.name}"
            rels[attr] = rf
            ann[attr] = Optional[raw[rf.single]]  # noqa: UP045
            setattr(cls, attr, strawberry.field(
                name=rf.name, default=UNSET,
                description=f"At least one node related by {rf.rel} matches."))
    within = label is not None and bool(spec.hierarchy(label))
    if within:
        ann["within"] = Optional[raw[label]]  # noqa: UP045
        cls.within = strawberry.field(default=UNSET, description=(
            f"This node, or a broader one it lies within through "
            f"{'/'.join(spec.hierarchy(label or ''))} (transitively), matches."))
    for attr, gql, t in (("and_", "AND", list[raw[label]]), ("or_", "OR", list[raw[label]]),
                         ("not_", "NOT", raw[label])):
        ann[attr] = Optional[t]  # noqa: UP045
        setattr(cls, attr, strawberry.field(name=gql, default=UNSET, description={
            "AND": "All of these match.", "OR": "At least one of these matches.",
            "NOT": "This does not match."}[gql]))
    cls.__annotations__ = ann
    cls.__coco_where__ = WhereSpec(label, props, rels, within)


def build_order_enums() -> dict[str | None, type[Enum]]:
    """``<Label>OrderBy`` enums: ``NAME_ASC``, ``FOUNDED_YEAR_DESC``, … (PostGraphile style)."""
    out: dict[str | None, type[Enum]] = {}
    for lab in [*SCHEMA.label_names, None]:
        members = {}
        for name in ["id", *spec.sortable(lab)]:
            for way in ("asc", "desc"):
                members[f"{spec.enum_name(name)}_{way.upper()}"] = f"{name}:{way}"
        out[lab] = strawberry.enum(schema_enum(f"{lab or 'Node'}OrderBy", members), description=(
            "Sort keys; missing values sort last, ties are broken by id."))
    return out


def sort_keys(order_by: list[Enum] | None) -> list[SortKey]:
    keys = []
    for member in order_by or ():
        prop, way = str(member.value).split(":")
        keys.append(SortKey(prop, way == "desc"))
    return keys


# -- bounds ---------------------------------------------------------------------------------
MAX_WHERE_DEPTH = 16  # where inputs nested in one another (NOT, AND/OR items, relationships)
# Conditions in one where: the stores chain them into one expression, and SQLite refuses an
# expression nested deeper than 1000 (SQLITE_MAX_EXPR_DEPTH) or a NOT chain past ~20 levels
# (its parser stack, YYSTACKDEPTH): bounded here, refused by name, never an internal error.
MAX_WHERE_CONDITIONS = 500
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_where(where: Any, path: str) -> None:
    """Refuse a ``where`` nested deeper than :data:`MAX_WHERE_DEPTH` or holding more than
    :data:`MAX_WHERE_CONDITIONS` conditions (OWASP API4:2023, unrestricted resource use)."""
    stack, conditions = [(where, 1)], 0
    while stack:
        item, depth = stack.pop()
        if depth > MAX_WHERE_DEPTH:
            raise bad_input(path, "where", Msg(
                N_("conditions nested at most {n} levels deep (AND, OR, NOT and relationship "
                   "fields)"), n=MAX_WHERE_DEPTH), f"more than {MAX_WHERE_DEPTH} levels")
        ws: WhereSpec = type(item).__coco_where__
        for attr in ws.props:
            ops = getattr(item, attr)
            if ops not in (UNSET, None):
                conditions += sum(getattr(ops, _attr(op)) is not UNSET
                                  for op in type(ops).__coco_ops__)
        related = [w for w in [*(getattr(item, a) for a in ws.rels),
                                getattr(item, "within", UNSET)] if w not in (UNSET, None)]
        conditions += len(related)  # each becomes one "id in (...)" condition
        subs = [*related, *([item.not_] if item.not_ not in (UNSET, None) else [])]
        subs += [w for a in ("and_", "or_") if getattr(item, a) not in (UNSET, None)
                 for w in getattr(item, a) if w not in (UNSET, None)]
        if conditions > MAX_WHERE_CONDITIONS:
            raise bad_input(path, "where", Msg(
                N_("at most {n} conditions in one where (use 'in' for lists of values)"),
                n=MAX_WHERE_CONDITIONS), f"more than {MAX_WHERE_CONDITIONS} conditions")
        stack.extend((w, depth + 1) for w in subs)


# -- compiling ------------------------------------------------------------------------------
def compile_where(ctx: Any, where: Any, label: str, path: str = "where") -> Filter | None:
    """The :mod:`graph.query` filter of a ``where`` input for nodes of ``label`` (memoised per
    request: nested lists compile the same input once, not once per parent)."""
    if where is None or where is UNSET:
        return None

    def checked() -> Filter | None:
        check_where(where, path)
        return _compile(ctx, where, label, path)

    return ctx.memoised(("where", label, path, repr(where)),
                        checked)


def _compile(ctx: Any, where: Any, label: str, path: str) -> Filter | None:
    ws: WhereSpec = type(where).__coco_where__
    parts: list[Filter] = []
    for attr, name in ws.props.items():
        value = getattr(where, attr)
        if value is not UNSET and value is not None:
            prop = SCHEMA.node_properties(label).get(name)
            parts.extend(_conditions(name, prop, value, f"{path}.{name}"))
    if ws.label is None:
        parts.extend(_label_condition(where.label, label))
    for attr, rf in ws.rels.items():
        sub = getattr(where, attr)
        if sub is not UNSET and sub is not None:
            parts.append(Cond("id", "in", _related(ctx, rf, sub, f"{path}.{rf.name}")))
    if ws.within and where.within not in (UNSET, None):
        parts.append(Cond("id", "in", _within(ctx, label, where.within, f"{path}.within")))
    for attr, cls in (("and_", And), ("or_", Or)):
        items = getattr(where, attr)
        if items not in (UNSET, None):
            subs = [compile_where(ctx, w, label, f"{path}.{attr[:-1].upper()}[{i}]")
                    for i, w in enumerate(items)]
            if cls is Or and any(s is None for s in subs):
                continue  # an empty alternative matches everything
            subs_ = tuple(s for s in subs if s is not None)
            parts.append(cls(subs_) if subs_ else NOTHING if cls is Or else And(()))
    if where.not_ not in (UNSET, None):
        inner = compile_where(ctx, where.not_, label, f"{path}.NOT")
        parts.append(NOTHING if inner is None else Not(inner))
    parts = [p for p in parts if p != And(())]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def _conditions(name: str, prop: Property | None, ops: Any, path: str) -> list[Filter]:
    out: list[Filter] = []
    for op in type(ops).__coco_ops__:
        value = getattr(ops, _attr(op))
        if value is UNSET or (value is None and op not in ("eq", "ne")):
            continue
        bad_text = _not_unicode(value)
        if bad_text is not None:
            raise bad_input(path, f"{name}.{op}", N_("text without lone surrogates (valid "
                                                      "Unicode, RFC 3629)"),
                            bad_text.encode("utf-8", "replace").decode())
        if prop is not None and prop.allowed and op in ("eq", "ne", "in"):
            bad = [v for v in (value if op == "in" else [value])
                   if v is not None and v not in prop.allowed]
            if bad:
                raise bad_input(path, f"{name}.{op}", prop.expected(), bad[0])
        out.append(Cond(name, op, list(value) if op == "in" else value))
    return out


def _not_unicode(value: Any) -> str | None:
    """The first string of a filter value that holds a lone surrogate (it cannot be encoded,
    stored or compared), if any."""
    for v in value if isinstance(value, list) else [value]:
        if isinstance(v, str) and not v.isascii() and _SURROGATE.search(v):
            return v
    return None


def _label_condition(flt: Any, label: str) -> list[Filter]:
    if flt is UNSET or flt is None:
        return []
    ok = True
    if flt.eq not in (UNSET, None):
        ok &= flt.eq.value == label
    if flt.in_ not in (UNSET, None):
        ok &= label in {x.value for x in flt.in_}
    return [] if ok else [NOTHING]


def match_positions(ctx: Any, labels: tuple[str, ...], where: Any, path: str) -> np.ndarray:
    """Topology positions of the nodes of some labels that match a ``where`` input."""
    ga = arrays(ctx)
    if where is None or where is UNSET:
        return ga.of_labels(labels)
    found: list[str] = []
    for lab in labels:
        flt = compile_where(ctx, where, lab, path)
        if flt is None:
            found.extend(ga.id_list(ga.of_labels([lab])))
        elif isinstance(flt, Cond) and flt.prop == "id" and flt.op in ("eq", "in"):
            wanted = flt.value if flt.op == "in" else [flt.value]
            found.extend(i for i in wanted if i in ga.pos)
        else:
            found.extend(matching_ids(ctx.store, lab, flt))
    return np.unique(ga.positions(found))


def _related(ctx: Any, rf: spec.RelField, sub: Any, path: str) -> list[str]:
    """Ids of ``rf.owner`` nodes with at least one ``rf`` neighbour matching ``sub``."""
    ga = arrays(ctx)
    others = match_positions(ctx, rf.others, sub, path)
    reverse = REVERSE[rf.direction]
    owners = ga.linked(others, rf.rel, reverse)
    owners = owners[ga.label_mask([rf.owner])[owners]]
    return ga.id_list(owners)


def _within(ctx: Any, label: str, sub: Any, path: str) -> list[str]:
    """Ids of ``label`` nodes that are, or lie below, a node matching ``sub``."""
    ga = arrays(ctx)
    top = match_positions(ctx, (label,), sub, path)
    below = ga.closure(top, spec.hierarchy(label), "in")  # child -[PART_OF]-> parent
    below = below[ga.label_mask([label])[below]]
    return ga.id_list(below)
