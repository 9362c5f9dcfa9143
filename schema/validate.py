"""Validation of nodes and edges against the schema.

Every function appends :class:`~schema.records.Problem` objects instead of raising, so that a
caller reports every problem of a batch at once. Checks that need the graph (does the endpoint
exist, which label does it carry) receive a lookup function from the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any

from coco_atlas.schema.messages import N_, Msg, Num, either
from coco_atlas.schema.records import Edge, Node, Problem, edge_where, node_where
from coco_atlas.schema.types import Property, PropType, Schema

# How a missing property is worded: required, or recommended and the write strict ({what}: what
# a value looks like). Problems' texts are messages worded where shown (schema/messages.py).
REQUIRED = N_("a value (required): {what}")
RECOMMENDED = N_("a value (recommended, and this write is strict): {what}")

__all__ = ["RECOMMENDED", "REQUIRED", "check_edge", "check_node", "check_props", "check_value",
           "explain", "is_unicode", "missing", "validate"]

_PY_TYPES: dict[PropType, tuple[type, ...]] = {
    PropType.STRING: (str,),
    PropType.INT: (int,),
    PropType.FLOAT: (int, float),
    PropType.BOOL: (bool,),
    PropType.DATE: (str,),
    PropType.DATETIME: (str,),
    PropType.STRING_LIST: (list, tuple),
}


def is_unicode(text: str) -> bool:
    """Whether ``text`` is valid Unicode: no lone surrogate, so UTF-8 can encode it (RFC 3629
    §3); JSON escapes such as ``\\ud800`` otherwise bring ones no store can write."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_value(prop: Property, value: Any) -> bool:
    """True when ``value`` is a valid value of ``prop`` (``None`` is handled by the caller)."""
    t = prop.type
    right_type = isinstance(value, _PY_TYPES[t])  # a flag: narrowing to `object` helps no one
    if not right_type:
        return False
    if isinstance(value, bool) and t is not PropType.BOOL:
        return False
    if t is PropType.STRING_LIST:
        return len(value) <= prop.max_items and all(
            isinstance(v, str) and len(v) <= prop.max_length and is_unicode(v) for v in value)
    if isinstance(value, str) and (len(value) > prop.max_length or not is_unicode(value)):
        return False
    if t is PropType.DATE:
        return _is_date(value)
    if t is PropType.DATETIME:
        return _is_datetime(value)
    if prop.allowed is not None and value not in prop.allowed:
        return False
    rx = prop.regex
    if rx is not None and not rx.match(value):
        return False
    if prop.minimum is not None and value < prop.minimum:
        return False
    highest = prop.highest
    return not (highest is not None and value > highest)


def check_props(props: Mapping[str, Any], spec: Mapping[str, Property], where: str,
                out: list[Problem], *, complete: bool = True, strict: bool = False,
                ordered: tuple[tuple[str, str], ...] = ()) -> None:
    """Check a property dict; ``complete`` also demands every required property, and
    ``strict`` every recommended one too (a missing one is otherwise stored as unknown)."""
    for name, value in props.items():
        prop = spec.get(name)
        if prop is None:
            out.append(Problem(where, name, Msg(
                N_("a property of the schema (one of: {names})"),
                names=", ".join(sorted(p for p in spec if not spec[p].stamped))), value))
        elif value is not None and not check_value(prop, value):
            out.append(Problem(where, name, *explain(prop, value)))
    if complete:
        for prop in spec.values():
            need = missing(prop, strict)
            if need and props.get(prop.name) is None:
                out.append(Problem(where, prop.name, Msg(need, what=prop.expected())))
    _check_order(props, ordered, where, out)


def missing(prop: Property, strict: bool) -> str:
    """How a missing value of ``prop`` is worded when a write must have it ("" when it need
    not: optional, or recommended and the write not strict)."""
    if prop.required:
        return REQUIRED
    return RECOMMENDED if strict and prop.recommended else ""


def explain(prop: Property, value: Any) -> tuple[str, Any]:
    """What a refused value should have been, and what to show of it (a summary, not 3 MB)."""
    texts = value if isinstance(value, (list, tuple)) else [value]
    if prop.type is PropType.STRING_LIST and isinstance(value, (list, tuple)) \
            and len(value) > prop.max_items:
        return (Msg(N_("a list of at most {n} strings"), n=Num(prop.max_items)),
                Msg(N_("{n} items"), n=Num(len(value))))
    for text in texts:
        if not isinstance(text, str):
            continue
        if len(text) > prop.max_length:
            return Msg(N_("{what} of at most {n} characters each") if texts is value
                       else N_("{what} of at most {n} characters"), what=prop.expected(),
                       n=Num(prop.max_length)), summary(text)
        if not is_unicode(text):
            return Msg(N_("{what} in valid Unicode (no lone surrogates)"),
                       what=prop.expected()), \
                summary(text.encode("utf-8", "replace").decode("utf-8"))
    return prop.expected(), value


def one_of(names: Iterable[str]) -> str:
    """"one of A, B, C": names of the schema (labels, types), worded where shown."""
    return Msg(N_("one of {names}"), names=", ".join(names))


def labelled(labels: list[str]) -> str:
    """"a node labelled Hub", "… Company or Hub"."""
    return Msg(N_("a node labelled {labels}"), labels=either(labels))


def summary(text: str, keep: int = 40) -> str:
    """A long text as its start and its length: what error messages show of it."""
    return text if len(text) <= keep else Msg(N_("{start}… ({n} characters)"), start=text[:keep],
                                              n=Num(len(text)))


def check_node(schema: Schema, node: Node, out: list[Problem], *, complete: bool = True,
               strict: bool = False) -> None:
    """Check key, label and properties of one node (``strict``: see :func:`check_props`)."""
    where = node_where(node.id, node.label)
    if not isinstance(node.id, str) or not node.id.strip():
        out.append(Problem(where, schema.key, N_("a non-empty string key"), node.id))
    elif len(node.id) > schema.key_max_length or not is_unicode(node.id):
        out.append(Problem(where, schema.key, Msg(
            N_("a key of at most {n} characters, in valid Unicode"),
            n=Num(schema.key_max_length)), summary(node.id)))
    if not schema.has_label(node.label):
        out.append(Problem(where, "label", one_of(schema.label_names), node.label))
        return
    if not isinstance(node.props, Mapping):
        out.append(Problem(where, "properties", N_("an object of properties"), node.props))
        return
    check_props(node.props, schema.node_properties(node.label), where, out, complete=complete,
                strict=strict, ordered=schema.validity_pairs())


def check_edge(schema: Schema, edge: Edge, label_of: Callable[[str], str | None],
               out: list[Problem]) -> None:
    """Check type, endpoints (existence and label) and properties of one edge."""
    where = edge_where(edge.source, edge.type, edge.target)
    if not schema.has_rel(edge.type):
        out.append(Problem(where, "type", one_of(schema.rel_names), edge.type))
        return
    rel = schema.rel(edge.type)
    src, dst = label_of(edge.source), label_of(edge.target)
    for end, node_id, label, allowed in (("source", edge.source, src, rel.sources),
                                         ("target", edge.target, dst, rel.targets)):
        if label is None:
            out.append(Problem(where, end, N_("the id of an existing node"), node_id))
        elif label not in allowed:
            out.append(Problem(where, end, labelled(sorted(allowed)), f"{node_id} ({label})"))
    if rel.same_label and src and dst and src != dst:
        out.append(Problem(where, "target", Msg(N_("a {label} like the source"), label=src),
                           f"{edge.target} ({dst})"))
    if edge.source == edge.target:
        out.append(Problem(where, "target", N_("a node other than the source"), edge.target))
    if not isinstance(edge.props, Mapping):
        out.append(Problem(where, "properties", N_("an object of properties"), edge.props))
        return
    check_props(edge.props, schema.rel_properties(edge.type), where, out,
                ordered=schema.validity_pairs())


def validate(schema: Schema, nodes: Iterable[Node] = (), edges: Iterable[Edge] = (),
             label_of: Callable[[str], str | None] | None = None, *,
             strict: bool = False) -> list[Problem]:
    """Validate a batch: nodes first, so that edges may point at nodes of the same batch."""
    out: list[Problem] = []
    labels: dict[str, str] = {}
    for node in nodes:
        check_node(schema, node, out, strict=strict)
        labels[node.id] = node.label

    def lookup(node_id: str) -> str | None:
        return labels.get(node_id) or (label_of(node_id) if label_of else None)

    for edge in edges:
        check_edge(schema, edge, lookup, out)
    return out


def _check_order(props: Mapping[str, Any], ordered: tuple[tuple[str, str], ...], where: str,
                 out: list[Problem]) -> None:
    """A validity's end may not lie before its start (``schema.types.Validity``)."""
    for first, last in ordered:
        a, b = props.get(first), props.get(last)
        if isinstance(a, int) and isinstance(b, int) and b < a:
            out.append(Problem(where, last, Msg(N_("a year on or after {start} {value}"),
                                                start=first, value=a), b))
        elif isinstance(a, str) and isinstance(b, str) and _is_date(a) and _is_date(b) and b < a:
            out.append(Problem(where, last, Msg(N_("a date on or after {start} {value}"),
                                                start=first, value=a), b))


def _is_date(value: str) -> bool:
    if len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True
