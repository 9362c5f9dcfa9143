"""The GraphQL schema: the Query root (lists, node lookup, search, paths) and the Mutation root.

Everything label-specific is generated from :data:`schema.SCHEMA` (:mod:`api.graphql.nodes`,
:mod:`api.graphql.connections`); this module only puts the roots together.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Optional

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext, Info
from strawberry.types.base import get_object_definition

from coco_atlas.api.graphql import analysis, change, guards, paths, quality
from coco_atlas.api.graphql.connections import root_field
from coco_atlas.api.graphql.context import ReleaseRequest
from coco_atlas.api.graphql.errors import bad_input, is_unexpected, log
from coco_atlas.api.graphql.fastpath import FastExecutionContext
from coco_atlas.api.graphql.mutations import Mutation
from coco_atlas.api.graphql.nodes import TYPES, NodeInterface, fast_lists, reader_language
from coco_atlas.api.graphql.relations import check_first, prefetch_nodes
from coco_atlas.api.graphql.results import (
    Path,
    Relationship,
    SearchHit,
    Subgraph,
    load_object,
    load_objects,
)
from coco_atlas.api.graphql.scalars import SCALARS
from coco_atlas.api.graphql.types_common import Label, RelType
from coco_atlas.graph.query import MAX_PAGE
from coco_atlas.schema import SCHEMA
from coco_atlas.schema.messages import N_, Msg

MAX_IDS = MAX_PAGE


def _names(values: list[Any] | None) -> list[str] | None:
    return None if not values else [v.value for v in values]


@strawberry.type(description="Read the COCO Atlas graph of Cultural and Creative Industries.")
class QueryBase:
    @strawberry.field(description="The node with this id, of whatever label (null if none).")
    async def node(self, info: Info, id: strawberry.ID) -> Optional[NodeInterface]:  # noqa: UP045
        prefetch_nodes(info, [str(id)])
        return await load_object(info, str(id))

    @strawberry.field(description="Nodes by id, in the order asked; unknown ids are left out.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[NodeInterface]:
        if len(ids) > MAX_IDS:
            raise bad_input("nodes", "ids", Msg(N_("at most {n} ids"), n=MAX_IDS), len(ids))
        prefetch_nodes(info, [str(i) for i in ids])
        return await load_objects(info, [str(i) for i in ids])

    @strawberry.field(description=(
        "Full-text search over names, alternative labels and descriptions in every language, "
        "accent- and case-insensitive ('lodz' finds Łódź), best matches first. Every word of "
        "`text` must match a word, the start of one, or its Snowball stem (en, de, it, hu, "
        "pl, cs). A label in `lang` (default: the request's language: ?lang=, the saved "
        "choice, Accept-Language, else English) ranks above an equal match in another "
        "language."))
    async def search(self, info: Info, text: str,
                     labels: Optional[list[Label]] = None,  # noqa: UP045
                     first: int = 20,
                     lang: Optional[str] = None) -> list[SearchHit]:  # noqa: UP045
        check_first("search", first)
        ctx = info.context
        asker = reader_language(info, lang)
        hits = ctx.search_index().search(ctx.version, text, _names(labels), first, asker)
        # the index may lag a write by another process for a moment: never show a node
        # that is gone (the lookup also loads the hits' nodes for their fields)
        found = await ctx.loaders.nodes.load_many([h.id for h in hits])
        return [SearchHit(node_id=h.id, score=h.score, matched=h.field, lang=h.lang)
                for h, node in zip(hits, found, strict=True) if node is not None]

    @strawberry.field(description=(
        "A shortest chain of relationships between two nodes, at most `maxHops` long (null "
        "when there is none that short). `types` and `labels` restrict what the path may use; "
        "`directed` follows relationships only from start to end."))
    def shortest_path(
        self, info: Info,
        from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
        to: strawberry.ID, max_hops: int = 6,
        types: Optional[list[RelType]] = None,  # noqa: UP045
        labels: Optional[list[Label]] = None,  # noqa: UP045
        directed: bool = False,
    ) -> Optional[Path]:  # noqa: UP045
        walk = paths.shortest_path(info.context, str(from_), str(to), max_hops=max_hops,
                                   types=_names(types), labels=_names(labels),
                                   directed=directed)
        if walk is None:
            return None
        return Path(node_ids=walk.nodes, relationships=[Relationship.of(k) for k in walk.edges])

    @strawberry.field(description=(
        "The nodes within `hops` relationships of a node (closest first, at most `first`) "
        "and the relationships among them: the ego network for maps and brokerage."))
    def neighbourhood(
        self, info: Info, id: strawberry.ID, hops: int = 1,
        types: Optional[list[RelType]] = None,  # noqa: UP045
        labels: Optional[list[Label]] = None,  # noqa: UP045
        first: int = 100,
    ) -> Subgraph:
        walk = paths.neighbourhood(info.context, str(id), hops=hops, types=_names(types),
                                   labels=_names(labels), first=first)
        return Subgraph(node_ids=walk.nodes, truncated=walk.truncated,
                        relationships=[Relationship.of(k) for k in walk.edges])


def _query_type() -> type:
    """QueryBase plus one root list per label (``hubs``, ``companies``, …) and the brokerage
    and gap analyses (:mod:`api.graphql.analysis`)."""
    ns: dict[str, Any] = {"__module__": __name__, **analysis.FIELDS, **change.FIELDS,
                          **quality.FIELDS}
    for label in SCHEMA.label_names:
        ns[f"list_{SCHEMA.label(label).collection}"] = root_field(label)
    return strawberry.type(type("Query", (QueryBase,), ns),
                           description=get_object_definition(QueryBase, strict=True).description)


Query = _query_type()


class CocoSchema(strawberry.Schema):
    """Logs tracebacks of unexpected errors only; clients' mistakes are not server errors."""

    def process_errors(self, errors: list[GraphQLError],
                       execution_context: ExecutionContext | None = None) -> None:
        for error in errors:
            if is_unexpected(error):
                log.error("GraphQL resolver failed", exc_info=error.original_error)


def build_schema(settings: Mapping[str, Any], *, fast: bool = True) -> strawberry.Schema:
    """The executable schema with the limits of ``settings`` (see :mod:`api.graphql.guards`);
    ``fast=False`` leaves every list to graphql-core (:mod:`api.graphql.fastpath`), which the
    tests compare answers with."""
    schema = CocoSchema(query=Query, mutation=Mutation, types=list(TYPES.values()),
                        extensions=[*guards.extensions(settings), ReleaseRequest],
                        config=StrawberryConfig(scalar_map=SCALARS),
                        execution_context_class=FastExecutionContext if fast else None)
    fast_lists(schema._schema)
    return schema
