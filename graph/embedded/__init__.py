"""The embedded backend: one SQLite file holds the graph, an in-memory index answers traversals.

This room keeps together what only the embedded store needs, so a change to it never touches the
Neo4j backend: the store (:mod:`.store`, SQLite in WAL mode), the integer-array topology index
beside it (:mod:`.memindex`) and the translation of GraphQL filters and sort orders into SQL
(:mod:`.sqlfilter`). What both backends share (the contract :mod:`coco_atlas.graph.store`, the
write planner, timestamps) stays in :mod:`coco_atlas.graph`. The store class is re-exported here,
loaded on first use (PEP 562), so importing a sibling module does not load the store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coco_atlas.graph.embedded.store import EmbeddedStore

__all__ = ["EmbeddedStore"]


def __getattr__(name: str) -> Any:
    if name == "EmbeddedStore":
        from coco_atlas.graph.embedded.store import EmbeddedStore

        return EmbeddedStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
