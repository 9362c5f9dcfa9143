"""DataLoaders: one store call per kind of lookup per step of a query, whatever the page size.

A page of N companies asking for their competences and hubs makes one ``find``, one
``neighbours(OFFERS)`` and one ``neighbours(MEMBER_OF)`` call, not 1 + 2N (the N+1 problem that
DataLoader, Facebook 2015, was written for). A root page goes one step further: it loads the
relationship fields its selection asks for right away (:meth:`Loaders.prefetch`), so that their
resolvers answer without waiting for a batch. Only the Store contract is used, so this works the
same on every store.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from strawberry.dataloader import DataLoader

from coco_atlas.graph.query import MAX_PAGE, And, Cond, Filter
from coco_atlas.graph.store import Direction, Neighbour, Store
from coco_atlas.schema import Edge, Node

EdgeKey = tuple[str, str, str]


class Loaders:
    """The DataLoaders of one request."""

    def __init__(self, store: Store):
        self.store = store
        self.nodes: DataLoader[str, Node | None] = DataLoader(self._nodes)
        self.edges: DataLoader[EdgeKey, Edge | None] = DataLoader(self._edges)
        self._neighbours: dict[tuple[str, str], DataLoader[str, list[Neighbour]]] = {}
        self._matching: dict[Hashable, DataLoader[str, bool]] = {}

    async def _nodes(self, ids: list[str]) -> list[Node | None]:
        found = self.store.get_nodes(ids)
        return [found.get(i) for i in ids]

    async def _edges(self, keys: list[EdgeKey]) -> list[Edge | None]:
        found = self.store.get_edges(keys)
        return [found.get(k) for k in keys]

    def neighbours(self, rel: str, direction: Direction) -> DataLoader[str, list[Neighbour]]:
        """Edges of one type and direction at many nodes, with the node at the other end."""
        key = (rel, direction)
        if key not in self._neighbours:
            async def load(ids: list[str]) -> list[list[Neighbour]]:
                found = self.store.neighbours(ids, [rel], direction)
                for nbs in found.values():
                    for nb in nbs:  # the other ends are loaded: later node lookups are free
                        self.nodes.prime(nb.node.id, nb.node)
                return [found.get(i, []) for i in ids]

            self._neighbours[key] = DataLoader(load)
        return self._neighbours[key]

    def prefetch(self, rel: str, direction: Direction, ids: list[str]) -> None:
        """Load the neighbours of many ids now, in one call, into the DataLoader's cache."""
        loader = self.neighbours(rel, direction)
        todo = [i for i in dict.fromkeys(ids) if loader.cache_map.get(i) is None]
        if todo:
            found = self.store.neighbours(todo, [rel], direction)
            for nbs in found.values():
                for nb in nbs:
                    self.nodes.prime(nb.node.id, nb.node)
            loader.prime_many({i: found.get(i, []) for i in todo})

    def loaded(self, rel: str, direction: Direction, node_id: str) -> list[Neighbour] | None:
        """The neighbours of one id if they are loaded already (no waiting), else None."""
        loader = self._neighbours.get((rel, direction))
        future = None if loader is None else loader.cache_map.get(node_id)
        if future is None or not future.done() or future.cancelled() or future.exception():
            return None
        return future.result()

    def matching(self, label: str, key: Hashable, flt: Filter) -> DataLoader[str, bool]:
        """Whether nodes of ``label`` match a filter, for many ids in one ``find``."""
        full_key = (label, key)
        if full_key not in self._matching:
            async def load(ids: list[str]) -> list[bool]:
                found = matching_ids(self.store, label, flt, ids)
                return [i in found for i in ids]

            self._matching[full_key] = DataLoader(load)
        return self._matching[full_key]


def matching_ids(store: Store, label: str, flt: Filter | None,
                 among: Sequence[str] | None = None) -> set[str]:
    """Ids of ``label`` nodes matching ``flt`` (among some ids), paging through ``find``."""
    if among is not None:
        among = sorted(set(among))
        flt = Cond("id", "in", among) if flt is None else And((Cond("id", "in", among), flt))
    out: set[str] = set()
    after = None
    while True:
        page = store.find(label, flt, (), first=MAX_PAGE, after=after)
        out.update(n.id for n in page.items)
        if not page.has_next:
            return out
        after = page.end_cursor
