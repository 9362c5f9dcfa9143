"""The GraphQL object types of the graph, generated from :data:`schema.SCHEMA`.

* ``interface Node``: ``id``, ``label`` and the properties every label shares.
* One object type per label implementing ``Node``: its properties (GraphQL scalars from
  ``PropType``) and its relationship fields in both directions, each as a list
  (``offers(where:, orderBy:, first:, after:)``) and as a connection with the relationship's own
  properties on its edges (``collaborationsConnection { edges { role node { name } } }``).
* ``<Label>Connection`` / ``<Label>Edge`` for the root lists.

Types are classes made with ``type()`` and decorated with ``strawberry.type`` (strawberry's
documented way to build a schema programmatically); they are created first and decorated
afterwards so that they can refer to each other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Optional

import strawberry
from graphql import GraphQLSchema
from strawberry.types import Info
from strawberry.types.unset import UNSET

from coco_atlas.api.graphql import spec
from coco_atlas.api.graphql.errors import bad_input
from coco_atlas.api.graphql.fastpath import Miss, Pure, pure
from coco_atlas.api.graphql.filters import build_order_enums, build_where_inputs
from coco_atlas.api.graphql.relations import (
    NESTED_FIRST,
    Slice,
    check_first,
    first_ready,
    first_related,
    ready,
    related,
)
from coco_atlas.api.graphql.scalars import Date, DateTime
from coco_atlas.api.graphql.types_common import Label, PageInfo, list_of, optional
from coco_atlas.graph.names import name_chain, name_in
from coco_atlas.schema import SCHEMA, Node, Property, PropType
from coco_atlas.schema.languages import LANGUAGES, negotiate, normalise
from coco_atlas.viz.i18n import current

SCALAR: dict[PropType, Any] = {
    PropType.STRING: str, PropType.INT: int, PropType.FLOAT: float, PropType.BOOL: bool,
    PropType.DATE: Date, PropType.DATETIME: DateTime, PropType.STRING_LIST: list[str],
}

WHERE = build_where_inputs()
ORDER = build_order_enums()
# (label, field) -> the list resolver taking plain arguments (see :func:`fast_lists`)
FAST: dict[tuple[str, str], Callable[..., Any]] = {}


def gql_type(prop: Property) -> Any:
    t = SCALAR[prop.type]
    return t if prop.required else Optional[t]  # noqa: UP045 (runtime type for strawberry)


def describe(prop: Property) -> str | None:
    text = prop.description
    if prop.allowed:
        text = (text + " " if text else "") + "One of: " + ", ".join(prop.allowed) + "."
    return text or None


def annotate(fn: Callable[..., Any], returns: Any, **params: Any) -> Callable[..., Any]:
    """Give a generated resolver real type annotations (strawberry reads them)."""
    fn.__annotations__ = {**params, "return": returns}
    return fn


def _add_properties(cls: type, props: dict[str, Property], ann: dict[str, Any]) -> None:
    for name, prop in props.items():
        ann[name] = gql_type(prop)
        setattr(cls, name, strawberry.field(name=name, default=None, description=describe(prop)))


# -- names in the reader's language (issue 15) ----------------------------------------------
@strawberry.type(description="A text in one language.")
class LangValue:
    lang: str = strawberry.field(description="BCP 47 language tag (en, pl, de, …).")
    value: str


def _labels_of(obj: Any, prop: str) -> list[tuple[str, Any]]:
    """``(lang, value)`` of the per-language variants of ``prop`` an object holds."""
    by_lang = SCHEMA.translations(obj.label.value).get(prop, {}) \
        if obj.__dict__.get("label") is not None else {}
    d = obj.__dict__
    return [(lang, d[p]) for lang, p in by_lang.items() if d.get(p)]


def _name(self: Any, info: Info, lang: Optional[str] = None) -> str:  # noqa: UP045
    return _name_in(self, info.context, lang)


def _name_in(obj: Any, ctx: Any, lang: str | None) -> str:
    d = obj.__dict__
    if "label" not in d:
        return str(d.get("name") or "")
    asker = context_language(ctx, lang if lang is not None else d.get(_LANG))
    return str(name_in(_label_of(obj), d, asker) or "")


def _label_of(obj: Any) -> str:
    """The label of a node object: its class's (set by :func:`_fill_label`), which is
    cheaper than reading the ``Label`` enum's ``value`` property on every name."""
    return getattr(type(obj), "__coco_label__", None) or obj.__dict__["label"].value


@pure(_name, returns=str)
def _pure_name(args: dict[str, Any], ctx: Any) -> Pure:
    """``name`` is a function of the node and the request's language (:mod:`fastpath`):
    the language is negotiated and the properties to read worked out here, once for the whole
    list (unless an analysis gave a node its own language)."""
    lang = args.get("lang")
    asker = context_language(ctx, lang)
    chains = {TYPES[label]: name_chain(label, asker) for label in SCHEMA.label_names}

    def name(obj: Any) -> str:
        d = obj.__dict__
        chain = chains.get(type(obj))
        if chain is None or "label" not in d or (lang is None and _LANG in d):
            return _name_in(obj, ctx, lang)  # not a node of a label type, or its own language
        for prop in chain:
            value = d.get(prop)
            if value:
                return str(value)
        return str(d.get("name") or "")
    return name


_LANG = "_coco_lang"  # the language an analysis was asked in, the default of its nodes' names


def in_language(obj: Any, lang: str | None) -> Any:
    """A copy of a node object whose ``name`` defaults to ``lang`` (the ``lang`` argument of
    the analysis that returned it); the loaders' shared object is left as it is."""
    if lang is None or obj is None:
        return obj
    copy = obj.__class__.__new__(obj.__class__)
    copy.__dict__.update(obj.__dict__)
    copy.__dict__[_LANG] = lang
    return copy


def _names(self: Any) -> list[LangValue]:
    return [LangValue(lang=lang, value=str(v)) for lang, v in _labels_of(self, "name")]


def _alternative_labels(self: Any) -> list[LangValue]:
    return [LangValue(lang=lang, value=str(x)) for lang, values in
            _labels_of(self, "altLabels") for x in values]


@pure(_names)
def _pure_names(args: dict[str, Any], ctx: Any) -> Pure:
    return _names


@pure(_alternative_labels)
def _pure_alternative_labels(args: dict[str, Any], ctx: Any) -> Pure:
    return _alternative_labels


def reader_language(info: Info, lang: str | None) -> str:
    """The language to answer in: ``lang`` when supported (else an error naming the
    supported ones), else the one the service chose for the request (:mod:`api.i18n`:
    ``?lang=``, the reader's saved choice, ``Accept-Language``), as pages and the analyses do."""
    return context_language(info.context, lang)


def context_language(ctx: Any, lang: str | None) -> str:
    """:func:`reader_language` from the request context, negotiated once per request and
    ``lang`` (a page asks it for every node's name)."""
    memo = getattr(ctx, "memo", None)
    key = ("reader_language", lang)
    if memo is not None and key in memo:
        return str(memo[key])
    if lang is not None and normalise(lang) is None:
        raise bad_input("lang", "lang", "one of " + ", ".join(LANGUAGES) + " (BCP 47)", lang)
    asker = negotiate(lang) if lang is not None else current()
    if memo is not None:
        memo[key] = asker
    return asker


# -- the Node interface and the label types -------------------------------------------------
def _interface() -> type:
    cls: Any = type("Node", (), {"__module__": __name__})
    ann: dict[str, Any] = {"id": strawberry.ID, "label": Label}
    cls.id = strawberry.field(default=None, description="The node's stable key.")
    cls.label = strawberry.field(default=None, description="The node's label.")
    _add_properties(cls, spec.properties(None), ann)
    del ann["name"]
    cls.name = strawberry.field(resolver=_name, description=(
        "Display name. For competences, sectors, regions and trainings, the label in `lang` "
        "(BCP 47, e.g. \"pl\"; default: the request's Accept-Language, else English) with "
        "the fallback `lang` → English → the display name any reader gets."))
    cls.names = strawberry.field(resolver=_names, description=(
        "The preferred label in every language it is known in (empty for names that are not "
        "translated, such as an actor's)."))
    cls.alternative_labels = strawberry.field(
        resolver=_alternative_labels, description=(
            "Alternative labels with their language (ESCO altLabels), one entry a label."))
    cls.__annotations__ = ann
    return strawberry.interface(cls, description=(
        "Any node of the COCO Atlas graph (hubs, companies, competences, trainings, "
        "collaborations, regions, sectors)."))


NodeInterface = _interface()
RAW: dict[str, type] = {lab: type(lab, (NodeInterface,), {"__module__": __name__})
                        for lab in SCHEMA.label_names}


def _target(rf: spec.RelField) -> Any:
    return RAW[rf.single] if rf.single else NodeInterface


def _edge_type(rf: spec.RelField) -> type:
    """``<Owner><Field>Edge``: the related node, the cursor and the relationship's properties."""
    cls: Any = type(f"{rf.owner}{spec.pascal(rf.name)}Edge", (), {"__module__": __name__})
    ann: dict[str, Any] = {"cursor": str, "node": _target(rf)}
    cls.cursor = strawberry.field(default=None)
    cls.node = strawberry.field(default=None, description="The related node.")
    _add_properties(cls, SCHEMA.rel_properties(rf.rel), ann)
    cls.__annotations__ = ann
    return strawberry.type(cls, description=f"{rf.owner}.{rf.name}: {rf.description}")


def _connection_type(rf: spec.RelField, edge: type) -> type:
    cls = type(f"{rf.owner}{spec.pascal(rf.name)}Connection", (), {"__module__": __name__})
    cls.__annotations__ = {"total_count": int, "page_info": PageInfo, "edges": list_of(edge),
                           "nodes": list_of(_target(rf))}
    for name in cls.__annotations__:
        setattr(cls, name, strawberry.field(default=None))
    return strawberry.type(cls, description=f"A page of {rf.owner}.{rf.name}.")


def _edge_object(edge_cls: Any, node: Node, edge: Any, cursor: str) -> Any:
    obj: Any = object.__new__(edge_cls)
    obj.__dict__.update({k: edge.props.get(k) for k in edge_cls.__coco_props__})
    obj.cursor = cursor
    obj.node = to_object(node)
    return obj


def _list_field(rf: spec.RelField) -> Any:
    def resolve(root: Any, info: Info, where: Any = UNSET, order_by: Any = UNSET,
                first: int = NESTED_FIRST, after: Any = UNSET) -> Any:
        # No GraphQL defaults but `first`: unset arguments cost nothing to coerce, which
        # counts when a page of 50 asks for nested lists.
        return plain(root, info.context, where or None, order_by or None, first, after or None)

    def plain(root: Any, ctx: Any, where: Any, order_by: Any, first: int,
              after: str | None) -> Any:
        """Answer at once when the parent page prefetched the neighbours; else wait for the
        batched DataLoader (a resolver may return an awaitable)."""
        page = ready(ctx, root.id, rf, where, order_by, first, after, cursors=False)
        if page is not None:
            return [to_object(node) for node, _ in page.items]
        return _later(ctx, root.id, rf, where, order_by, first, after)

    FAST[(rf.owner, rf.name)] = plain

    @pure(resolve)
    def _pure(args: dict[str, Any], ctx: Any) -> Pure | None:
        """Only ``first`` given: the first nodes, when the parent's neighbours are loaded
        already (:mod:`fastpath`); what :func:`plain` answers, without waiting."""
        if args.keys() != {"first"}:
            return None
        first = args["first"]
        check_first(f"{rf.owner}.{rf.name}", first)

        def prefetched(root: Any) -> list[Any]:
            found = first_ready(ctx, root.id, rf, first)
            if found is None:
                raise Miss
            return [to_object(node) for node in found]
        return prefetched

    annotate(resolve, list_of(_target(rf)), info=Info, where=optional(WHERE[rf.single]),
             order_by=optional(list_of(ORDER[rf.single])), first=int, after=Optional[str])  # noqa: UP045
    return strawberry.field(resolver=resolve, name=rf.name, description=(
        f"{rf.description}. At most `first` nodes (default {NESTED_FIRST}); "
        f"`{rf.name}Connection` has the count, cursors and the relationship's properties."))


def _connection_field(rf: spec.RelField) -> Any:
    edge_cls: Any = _edge_type(rf)  # a class made here, given the list of its properties
    edge_cls.__coco_props__ = tuple(SCHEMA.rel_properties(rf.rel))
    conn_cls = _connection_type(rf, edge_cls)

    def build(page: Slice) -> Any:
        edges = [_edge_object(edge_cls, n, e, c)
                 for (n, e), c in zip(page.items, page.cursors, strict=True)]
        conn: Any = object.__new__(conn_cls)
        conn.__dict__.update(total_count=page.total, edges=edges, nodes=[e.node for e in edges],
                             page_info=page_info(page.cursors, page.has_next,
                                                 page.has_previous))
        return conn

    def resolve(root: Any, info: Info, where: Any = UNSET, order_by: Any = UNSET,
                first: int = NESTED_FIRST, after: Any = UNSET) -> Any:
        where, order_by, after = where or None, order_by or None, after or None
        page = ready(info.context, root.id, rf, where, order_by, first, after)
        if page is not None:
            return build(page)
        return _then(related(info.context, root.id, rf, where, order_by, first, after), build)

    annotate(resolve, conn_cls, info=Info, where=optional(WHERE[rf.single]),
             order_by=optional(list_of(ORDER[rf.single])), first=int, after=Optional[str])  # noqa: UP045
    return strawberry.field(resolver=resolve, name=f"{rf.name}Connection",
                            description=f"{rf.description}, with the relationship's properties.")


async def _later(ctx: Any, owner: str, rf: spec.RelField, where: Any, order_by: Any,
                 first: int, after: str | None) -> list[Any]:
    if where is None and order_by is None and after is None:
        return [to_object(node) for node in await first_related(ctx, owner, rf, first)]
    page = await related(ctx, owner, rf, where, order_by, first, after, cursors=False)
    return [to_object(node) for node, _ in page.items]


async def _then(pending: Awaitable[Slice], build: Callable[[Slice], Any]) -> Any:
    return build(await pending)


def page_info(cursors: list[str], has_next: bool, has_previous: bool) -> PageInfo:
    return PageInfo(has_next_page=has_next, has_previous_page=has_previous,
                    start_cursor=cursors[0] if cursors else None,
                    end_cursor=cursors[-1] if cursors else None)


def _fill_label(label: str) -> type:
    cls = RAW[label]
    ann: dict[str, Any] = {}
    own = {n: p for n, p in SCHEMA.node_properties(label).items()
           if n not in spec.properties(None)}
    _add_properties(cls, own, ann)
    for rf in spec.rel_fields(label):
        setattr(cls, f"r_{rf.name}", _list_field(rf))
        setattr(cls, f"r_{rf.name}_connection", _connection_field(rf))
    cls.__annotations__ = ann
    setattr(cls, "__coco_label__", label)  # noqa: B010 (read by _label_of)
    return strawberry.type(cls, description=SCHEMA.label(label).description)


TYPES: dict[str, type] = {label: _fill_label(label) for label in SCHEMA.label_names}
_LABELS = {name: Label(name) for name in SCHEMA.label_names}
# Properties whose class attribute is not the None a missing value reads as (none today:
# strawberry leaves each field's default, None, on the class); to_object sets these itself.
_UNSET: dict[str, dict[str, None]] = {
    label: {p: None for p in SCHEMA.node_properties(label)
            if getattr(TYPES[label], p, None) is not None}
    for label in SCHEMA.label_names}


def to_object(node: Node) -> Any:
    """The GraphQL object of a stored node: its properties copied into the instance's
    ``__dict__`` in one call (no dataclass init, since a page may hold thousands); a property
    the node lacks reads as the class attribute, the field's default None (:data:`_UNSET`
    covers any other). Twice as fast as setting every declared property (28 on a
    competence), and a page of 50 companies makes ~180 of these."""
    label = node.label
    obj: Any = object.__new__(TYPES[label])
    d = obj.__dict__
    d.update(node.props)
    for k in _UNSET[label]:
        if k not in d:
            d[k] = None
    d["id"] = node.id
    d["label"] = _LABELS[label]
    return obj


def fast_lists(schema: GraphQLSchema) -> None:
    """Let the relationship list fields of an executable schema answer the common call —
    only ``first`` given, as in ``offers { name }`` — without strawberry converting the
    arguments into Python objects again for every parent row (about a fifth of a 50-row page
    with two nested lists, measured); any other call goes through strawberry as before.
    graphql-core hands a resolver ``(source, info, **arguments)`` already coerced; strawberry's
    wrapper adds argument conversion and the field extensions, which these fields have none of.
    """
    for (label, name), plain in FAST.items():
        field = schema.type_map[label].fields[name]  # type: ignore[attr-defined]
        field.resolve = _fast(plain, field.resolve)


def _fast(plain: Callable[..., Any], slow: Callable[..., Any]) -> Callable[..., Any]:
    def resolve(source: Any, info: Any, **kwargs: Any) -> Any:
        if len(kwargs) == 1 and "first" in kwargs:
            return plain(source, info.context, None, None, kwargs["first"], None)
        return slow(source, info, **kwargs)
    return resolve
