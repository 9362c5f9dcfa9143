"""Relationship fields (``Company.offers``, ``Hub.members``…): loaded in batches, then filtered,
sorted and paged.

The neighbours of every parent on the page come from one ``Store.neighbours`` call (a DataLoader);
a ``where`` on the related nodes costs one ``find`` over all their ids together. Sorting and
paging happen in memory with the store's rules (missing values last, ties broken by id) and
cursors of the same form as the store's keyset cursors.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cmp_to_key
from operator import attrgetter
from typing import Any

from graphql import FieldNode, FragmentSpreadNode, SelectionSetNode
from graphql.utilities import value_from_ast_untyped

from coco_atlas.api.graphql import spec
from coco_atlas.api.graphql.errors import bad_input
from coco_atlas.api.graphql.filters import compile_where, sort_keys
from coco_atlas.graph.query import MAX_PAGE, SortKey, decode_cursor, encode_cursor
from coco_atlas.schema import SCHEMA, Edge, Node
from coco_atlas.schema.messages import N_, Msg

NESTED_FIRST = 50  # default page of a relationship field


@dataclass
class Slice:
    """One page of a relationship field."""

    items: list[tuple[Node, Edge]]
    cursors: list[str]
    total: int
    has_next: bool
    has_previous: bool


def check_first(where: str, first: int) -> None:
    if not 0 <= first <= MAX_PAGE:
        raise bad_input(where, "first", Msg(N_("a page size from 0 to {n}"), n=MAX_PAGE), first)


async def related(ctx: Any, owner: str, rf: spec.RelField, where: Any, order_by: Any,
                  first: int, after: str | None, *, cursors: bool = True) -> Slice:
    """The page of ``owner``'s ``rf`` neighbours asked for (``cursors=False``: a plain list,
    which needs none)."""
    check_first(f"{rf.owner}.{rf.name}", first)
    found = await ctx.loaders.neighbours(rf.rel, rf.direction).load(owner)
    items = [(nb.node, nb.edge) for nb in found if nb.node.label in rf.others]
    if where is not None:
        items = await _matching(ctx, items, where, rf)
    return page_of(items, sort_keys(order_by), first, after, cursors)


def ready(ctx: Any, owner: str, rf: spec.RelField, where: Any, order_by: Any, first: int,
          after: str | None, *, cursors: bool = True) -> Slice | None:
    """The same page without waiting, when the neighbours are already loaded (prefetched for
    the whole parent page) and no filter needs the store; else None."""
    if where is not None:
        return None
    found = ctx.loaders.loaded(rf.rel, rf.direction, owner)
    if found is None:
        return None
    check_first(f"{rf.owner}.{rf.name}", first)
    items = [(nb.node, nb.edge) for nb in found if nb.node.label in rf.others]
    return page_of(items, sort_keys(order_by), first, after, cursors)


async def first_related(ctx: Any, owner: str, rf: spec.RelField, first: int) -> list[Node]:
    """The nodes of a plain relationship list (``members(first: 20)``: no filter, order or
    cursor), the first ``first`` by id: from the neighbours already loaded if they are, else
    from one batched ``Store.neighbours(labels=, first=)`` call for all parents waiting, which
    sorts and cuts in the store (issue 16: on Neo4j a hub's 20 members came as all 182)."""
    check_first(f"{rf.owner}.{rf.name}", first)
    found = first_ready(ctx, owner, rf, first)
    if found is not None:
        return found
    nbs = await ctx.loaders.first_neighbours(rf.rel, rf.direction, rf.others, first).load(owner)
    return sorted((nb.node for nb in nbs), key=BY_ID)


def first_ready(ctx: Any, owner: str, rf: spec.RelField, first: int) -> list[Node] | None:
    """The first ``first`` related nodes by id when the neighbours are already loaded (the
    page of :func:`ready` without a filter, an order or a cursor: a plain nested list),
    else None. ``first`` is checked by the caller."""
    found = ctx.loaders.loaded(rf.rel, rf.direction, owner)
    if found is None:
        return None
    others = rf.others
    return sorted((nb.node for nb in found if nb.node.label in others), key=BY_ID)[:first]


def page_of(items: list[tuple[Node, Edge]], keys: list[SortKey], first: int,
            after: str | None, cursors: bool) -> Slice:
    """Sort (missing values last, then id) and cut one page after a cursor."""
    if not keys and after is None and not cursors:  # a plain list's first page
        ordered = sorted(items, key=_node_id)
        return Slice(ordered[:first], [], len(ordered), first < len(ordered), False)
    if keys:
        rows = sorted(((_values(n, keys), n, e) for n, e in items),
                      key=cmp_to_key(_comparer(keys)))
    else:  # by id alone: a plain key sort
        rows = sorted((([n.id], n, e) for n, e in items), key=lambda r: r[1].id)
    start = 0
    if after is not None:
        cursor = decode_cursor(after, len(keys))
        cmp = _comparer(keys)
        while start < len(rows) and cmp(rows[start], (cursor, None, None)) <= 0:
            start += 1
    page = rows[start:start + first]
    return Slice([(n, e) for _, n, e in page],
                 [encode_cursor(v) for v, _, _ in page] if cursors else [],
                 len(rows), start + first < len(rows), start > 0)


def prefetch(ctx: Any, label: str, ids: list[str], names: Iterable[str]) -> None:
    """Load, in one store call each, the relationship fields among ``names`` (the fields a
    page selects under its nodes: :func:`selected_names`), so that their resolvers answer
    without waiting (see :func:`ready`). Deeper levels batch through DataLoaders."""
    wanted: set[tuple[str, spec.Direction]] = set()
    for name in names:
        rf = spec.rel_field(label, name.removesuffix("Connection"))
        if rf is not None:
            wanted.add((rf.rel, rf.direction))
    for direction in sorted({d for _, d in wanted}):
        ctx.loaders.prefetch(sorted(r for r, d in wanted if d == direction), direction, ids)


def prefetch_nodes(info: Any, ids: list[str]) -> None:
    """Before ``node(id:)``/``nodes(ids:)`` load their nodes: when the selection asks, in a
    fragment on a label, for plain relationship lists (``... on Hub { members(first: 20) }``),
    read the nodes and those lists together (``Store.nodes_and_neighbours``: one round trip
    on Neo4j instead of one for the node and one for the list)."""
    asks = plain_lists(info)
    if asks:
        info.context.loaders.prefetch_nodes(ids, asks)


def plain_lists(info: Any) -> list[tuple[str, spec.RelField, int]]:
    """``(label, field, first)`` of the plain relationship lists (no argument but ``first``,
    no directive) selected under the resolver's field in fragments on a label."""
    raw, out = info._raw_info, []
    sets = [node.selection_set for node in raw.field_nodes]
    for label in SCHEMA.label_names:
        for f in _fields(sets, raw.fragments, label):
            rf = spec.rel_field(label, f.name.value)
            args = {a.name.value: a.value for a in f.arguments or ()}
            if rf is None or f.directives or not args.keys() <= {"first"}:
                continue
            first = (value_from_ast_untyped(args["first"], info.variable_values)
                     if "first" in args else NESTED_FIRST)
            if isinstance(first, int) and 0 <= first <= MAX_PAGE:
                out.append((label, rf, first))
    return out


def selected_names(info: Any, label: str | None = None, under: str | None = None) -> set[str]:
    """The names of the fields selected under the resolver's field, fragments followed (those
    on ``label``, on ``Node`` or untyped; any when ``label`` is None); with ``under``, under
    its subfield of that name (``edges { node { … } }``). Read from graphql-core's document
    (``info._raw_info``): strawberry's ``selected_fields`` converts the whole subtree into
    its own objects on every call, for the names of one level."""
    raw = info._raw_info
    sets = [node.selection_set for node in raw.field_nodes]
    if under is not None:
        sets = [f.selection_set for f in _fields(sets, raw.fragments, None)
                if f.name.value == under]
    return {f.name.value for f in _fields(sets, raw.fragments, label)}


def _fields(sets: list[SelectionSetNode | None], fragments: Mapping[str, Any],
            label: str | None) -> Iterator[FieldNode]:
    """The fields of selection sets, inline fragments and spreads that apply followed
    (validation has refused cyclic spreads)."""
    for selection_set in sets:
        for sel in selection_set.selections if selection_set is not None else ():
            if isinstance(sel, FieldNode):
                yield sel
                continue
            frag: Any = (fragments.get(sel.name.value) if isinstance(sel, FragmentSpreadNode)
                         else sel)  # an inline fragment
            condition = getattr(frag, "type_condition", None)
            if frag is not None and (label is None or condition is None
                                     or condition.name.value in (label, "Node")):
                yield from _fields([frag.selection_set], fragments, label)


async def _matching(ctx: Any, items: list[tuple[Node, Edge]], where: Any,
                    rf: spec.RelField) -> list[tuple[Node, Edge]]:
    """The items whose node matches ``where``: one batched ``find`` per label and filter."""
    keep: set[str] = set()
    for label in {n.label for n, _ in items}:
        ids = [n.id for n, _ in items if n.label == label]
        flt = compile_where(ctx, where, label, f"{rf.name}.where")
        if flt is None:
            keep.update(ids)
            continue
        loader = ctx.loaders.matching(label, repr(flt), flt)
        keep.update(i for i, ok in zip(ids, await loader.load_many(ids), strict=True) if ok)
    return [(n, e) for n, e in items if n.id in keep]


def _node_id(item: tuple[Node, Edge]) -> str:
    return item[0].id


BY_ID = attrgetter("id")  # a node's sort key in a plain list (C-level: a page sorts ~200)


def _values(node: Node, keys: list[SortKey]) -> list[Any]:
    return [node.id if k.prop == "id" else node.props.get(k.prop) for k in keys] + [node.id]


def _comparer(keys: list[SortKey]) -> Any:
    """Compare rows ``(values, node, edge)`` by the sort keys, missing values last, then id."""
    descending = [k.descending for k in keys] + [False]

    def cmp(a: tuple[Any, ...], b: tuple[Any, ...]) -> int:
        for x, y, desc in zip(a[0], b[0], descending, strict=True):
            if x == y:
                continue
            if x is None or y is None:
                return 1 if x is None else -1
            if type(x) is not type(y) and not (_number(x) and _number(y)):
                x, y = str(x), str(y)
            less = x < y
            return (1 if less else -1) if desc else (-1 if less else 1)
        return 0

    return cmp


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)
