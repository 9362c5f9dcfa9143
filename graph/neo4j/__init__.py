"""The Neo4j backend: the same store contract on a Neo4j 5 server, over Bolt.

This room keeps together what only Neo4j needs, so a change to it never touches the embedded
backend: the store (:mod:`.store`, the official ``neo4j`` driver, imported absolutely), the
translation of GraphQL filters and sort orders into Cypher (:mod:`.cypher`) and the throwaway
development server, a Maven project (:mod:`.server`, ``coco neo4j-dev``). What both backends share
(the contract :mod:`coco_atlas.graph.store`, the write planner, timestamps) stays in
:mod:`coco_atlas.graph`. The store class is re-exported here, loaded on first use (PEP 562), so
the dev server's launcher does not load the driver.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coco_atlas.graph.neo4j.store import Neo4jStore

__all__ = ["Neo4jStore"]


def __getattr__(name: str) -> Any:
    if name == "Neo4jStore":
        from coco_atlas.graph.neo4j.store import Neo4jStore

        return Neo4jStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
