"""Result types that hold nodes of any label: relationships, paths, subgraphs, search hits."""

from __future__ import annotations

from typing import Optional

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from coco_atlas.api.graphql.errors import UserError
from coco_atlas.api.graphql.nodes import NodeInterface, to_object
from coco_atlas.api.graphql.types_common import RelType, value_of
from coco_atlas.schema.messages import N_, Msg

EdgeKey = tuple[str, str, str]


async def load_object(info: Info, node_id: str) -> NodeInterface | None:
    node = await info.context.loaders.nodes.load(node_id)
    return None if node is None else to_object(node)


async def load_objects(info: Info, ids: list[str]) -> list[NodeInterface]:
    found = await info.context.loaders.nodes.load_many(ids)
    return [to_object(n) for n in found if n is not None]


@strawberry.type(description="A relationship: its type, its two ends and its properties.")
class Relationship:
    type: RelType
    start_id: strawberry.ID = strawberry.field(description="Id of the node it starts from.")
    end_id: strawberry.ID = strawberry.field(description="Id of the node it points to.")

    @classmethod
    def of(cls, key: EdgeKey) -> Relationship:
        return cls(type=RelType(key[1]), start_id=strawberry.ID(key[0]),
                   end_id=strawberry.ID(key[2]))

    @strawberry.field(description="The node it starts from.")
    async def start(self, info: Info) -> NodeInterface:
        return await _required(info, self.start_id)

    @strawberry.field(description="The node it points to.")
    async def end(self, info: Info) -> NodeInterface:
        return await _required(info, self.end_id)

    @strawberry.field(description="Its properties (source and updatedAt included).")
    async def properties(self, info: Info) -> Optional[JSON]:  # noqa: UP045
        edge = await info.context.loaders.edges.load(
            (str(self.start_id), value_of(self.type), str(self.end_id)))
        return None if edge is None else edge.props


async def _required(info: Info, node_id: str) -> NodeInterface:
    obj = await load_object(info, node_id)
    if obj is None:
        raise UserError(Msg(N_("node {id} no longer exists"), id=repr(node_id)), code="NOT_FOUND")
    return obj


@strawberry.type(description="A path: nodes in order and the relationships between them.")
class Path:
    node_ids: strawberry.Private[list[str]]
    relationships: list[Relationship]

    @strawberry.field(description="Number of relationships on the path.")
    def length(self) -> int:
        return len(self.relationships)

    @strawberry.field(description="The nodes, from the start to the end.")
    async def nodes(self, info: Info) -> list[NodeInterface]:
        return await load_objects(info, self.node_ids)


@strawberry.type(description="Nodes around a centre and the relationships among them.")
class Subgraph:
    node_ids: strawberry.Private[list[str]]
    relationships: list[Relationship]
    truncated: bool = strawberry.field(description=(
        "True when more nodes or relationships were in reach than returned."))

    @strawberry.field(description="The nodes, closest first (the centre is the first).")
    async def nodes(self, info: Info) -> list[NodeInterface]:
        return await load_objects(info, self.node_ids)


@strawberry.type(description="A search result.")
class SearchHit:
    node_id: strawberry.Private[str]
    score: float = strawberry.field(description=(
        "100 exact name (or id), 90 name starts with the text, 70 every word in the name, "
        "60 every word starts a word of the name, 40 alternative labels, 20 description; "
        "100 more when the name that matched is in the asker's language (`lang`)."))
    matched: str = strawberry.field(description="Where it matched best: name, id, labels or "
                                    "description.")
    lang: Optional[str] = strawberry.field(  # noqa: UP045
        default=None, description="Language of the preferred label that matched, if known; "
        "a match in the asker's language scores 100 more and ranks first.")

    @strawberry.field(description="The node found.")
    async def node(self, info: Info) -> NodeInterface:
        return await _required(info, self.node_id)
