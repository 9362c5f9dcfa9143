"""Copying a whole graph between stores (embedded ↔ Neo4j), with provenance kept."""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from typing import Any

from coco_atlas.graph.store import Store, Transaction


def copy_graph(source: Store, target: Store, *, batch: int = 50_000,
               progress: Callable[[str], Any] = lambda text: None
               ) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """Copy every node then every edge of ``source`` into ``target`` in one bulk write.

    Returns the counts of the source before and of the target after, so callers can verify.
    """
    before = source.counts()
    copied = 0
    with target.bulk(f"migrate from {type(source).__name__}") as writer:
        for what, stream in (("nodes", source.iter_nodes(batch=batch)),
                             ("edges", source.iter_edges(batch=batch))):
            while chunk := list(islice(stream, batch)):
                tx = Transaction(writer.source, keep_stamps=True)
                # chunk holds Nodes, then Edges: the loop over both streams joins their types
                if what == "nodes":
                    tx.nodes = chunk  # type: ignore[assignment]
                else:
                    tx.edges = chunk  # type: ignore[assignment]
                writer.write(tx)
                copied += len(chunk)
                progress(f"{what}: {copied:,} records copied")
    return before, target.counts()
