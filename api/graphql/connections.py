"""Root lists as Relay cursor connections: ``companies(where:, orderBy:, first:, after:)``.

A connection is lazy: ``totalCount`` alone costs one ``count``, a page one ``find`` (which counts
too only when ``totalCount`` is selected), and ``aggregate`` neither. Cursors are the store's
keyset cursors, so paging stays correct while others write.
"""

from __future__ import annotations

from typing import Any, Optional

import strawberry
from strawberry.types import Info

from coco_atlas.api.graphql.aggregate import group_counts
from coco_atlas.api.graphql.filters import compile_where, sort_keys
from coco_atlas.api.graphql.nodes import ORDER, TYPES, WHERE, annotate, page_info, to_object
from coco_atlas.api.graphql.relations import check_first, prefetch, selected_names
from coco_atlas.api.graphql.types_common import AggregateRow, PageInfo
from coco_atlas.graph.query import MAX_PAGE, Filter, Page, SortKey
from coco_atlas.schema import SCHEMA, Node

ROOT_FIRST = 50  # default page size of a root list


class Lazy:
    """What a root connection resolver returns; its fields read the store on demand."""

    def __init__(self, ctx: Any, label: str, flt: Filter | None, order: list[SortKey],
                 first: int, after: str | None, paged: bool, counted: bool):
        self.ctx, self.label, self.flt, self.order = ctx, label, flt, order
        self.first, self.after = first, after
        self.paged = paged  # the query asks for the page, not only for the count
        self.counted = counted  # … and for totalCount (else no one pays for counting)
        self._page: Page[Node] | None = None

    def page(self) -> Page[Node]:
        if self._page is None:
            self._page = self.ctx.store.find(self.label, self.flt, self.order, self.first,
                                             self.after, count=self.counted)
        return self._page


def _total_count(root: Any) -> int:
    total = root.page().total_count if root.paged and root.counted else None
    if total is None:  # only the count is asked for (or a fragment hid totalCount)
        total = root.ctx.store.count(root.label, root.flt)
    return int(total)


def _page_info(root: Any) -> PageInfo:
    page = root.page()
    return page_info(page.cursors, page.has_next, root.after is not None)


def _connection_type(label: str) -> type:
    node_t = TYPES[label]
    edge = type(f"{label}Edge", (), {"__module__": __name__,
                                     "__annotations__": {"cursor": str, "node": node_t}})
    edge_t = strawberry.type(edge, description=f"A {label} in a page, with its cursor.")

    def edges(root: Any, info: Info) -> Any:
        page = root.page()
        prefetch(info.context, label, [n.id for n in page.items],
                 selected_names(info, label, under="node"))
        out = []
        for node, cursor in zip(page.items, page.cursors, strict=True):
            e: Any = object.__new__(edge_t)
            e.__dict__.update(cursor=cursor, node=to_object(node))
            out.append(e)
        return out

    def nodes(root: Any, info: Info) -> Any:
        items = root.page().items
        prefetch(info.context, label, [n.id for n in items], selected_names(info, label))
        return [to_object(n) for n in items]

    def aggregate(root: Any, info: Info, group_by: list[str], first: int = MAX_PAGE) -> Any:
        ctx = info.context
        rows = ctx.remembered(  # the same counts until the next write (a chart's reloads)
            ("aggregate", root.label, repr(root.flt), tuple(group_by), first),
            lambda: group_counts(ctx, root.label, root.flt, group_by, first))
        return [AggregateRow(keys=r["keys"], count=r["count"], group=r["group"]) for r in rows]

    annotate(edges, list[edge_t], info=Info)
    annotate(nodes, list[node_t], info=Info)
    annotate(_total_count, int)
    annotate(_page_info, PageInfo)
    annotate(aggregate, list[AggregateRow], info=Info, group_by=list[str], first=int)
    ns: dict[str, Any] = {
        "__module__": __name__,
        "total_count": strawberry.field(resolver=_total_count, description=(
            "How many nodes match (all pages).")),
        "page_info": strawberry.field(resolver=_page_info),
        "edges": strawberry.field(resolver=edges),
        "nodes": strawberry.field(resolver=nodes, description="The page's nodes (no cursors)."),
        "aggregate": strawberry.field(resolver=aggregate, description=(
            "Counts of the matching nodes (all pages) grouped by the paths in `groupBy`: "
            "properties (`country`) or related nodes (`regions.country`, "
            "`sectors.broader*[level=1].id`). Biggest groups first.")),
    }
    return strawberry.type(type(f"{label}Connection", (Lazy,), ns),
                           description=f"A page of {label} nodes.")


CONNECTIONS: dict[str, type] = {label: _connection_type(label) for label in SCHEMA.label_names}


def root_field(label: str) -> Any:
    """The root list field of a label (``hubs``, ``companies``, …)."""
    conn_t = CONNECTIONS[label]

    def resolve(info: Info, where: Any = None, order_by: Any = None, first: int = ROOT_FIRST,
                after: str | None = None) -> Any:
        check_first(SCHEMA.label(label).collection, first)
        flt = compile_where(info.context, where, label)
        conn: Any = object.__new__(conn_t)
        asked = selected_names(info)
        Lazy.__init__(conn, info.context, label, flt, sort_keys(order_by), first, after,
                      bool(asked & {"edges", "nodes", "pageInfo"}), "totalCount" in asked)
        return conn

    annotate(resolve, conn_t, info=Info, where=Optional[WHERE[label]],  # noqa: UP045
             order_by=Optional[list[ORDER[label]]], first=int, after=Optional[str])  # noqa: UP045
    lab = SCHEMA.label(label)
    return strawberry.field(resolver=resolve, name=lab.collection, description=(
        f"{lab.description} Filtered by `where`, sorted by `orderBy` (then id), paged with "
        f"`first` (default {ROOT_FIRST}, at most {MAX_PAGE}) and `after` (a cursor)."))
