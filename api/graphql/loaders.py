"""DataLoaders: one store call per kind of lookup per step of a query, whatever the page size.

A page of N companies asking for their competences and hubs makes one ``find``, one
``neighbours(OFFERS)`` and one ``neighbours(MEMBER_OF)`` call, not 1 + 2N (the N+1 problem that
DataLoader, Facebook 2015, was written for). A root page goes one step further: it loads the
relationship fields its selection asks for right away (:meth:`Loaders.prefetch`), so that their
resolvers answer without waiting for a batch. Only the Store contract is used, so this works the
same on every store.
"""

from __future__ import annotations

from asyncio import Future
from collections.abc import Hashable, Sequence
from functools import partial
from typing import Generic, TypeVar

from strawberry.dataloader import DataLoader, DefaultCache

from coco_atlas.api.graphql.spec import RelField
from coco_atlas.graph.query import MAX_PAGE, And, Cond, Filter
from coco_atlas.graph.store import Direction, Neighbour, NeighbourQuery, Store
from coco_atlas.schema import Edge, Node

EdgeKey = tuple[str, str, str]
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Known(DefaultCache[K, V], Generic[K, V]):
    """A DataLoader cache that also answers from values known in bulk (a prefetched page's
    neighbours, the nodes at their other ends), making a key's future only when something
    loads that key. ``DataLoader.prime`` makes a future per key at once: for a 50-row page
    with two nested lists that was ~230 futures, a tenth of the request, mostly never read.
    A key already loaded keeps its value (as ``prime`` keeps it)."""

    def __init__(self) -> None:
        super().__init__()
        self.known: dict[K, V] = {}

    def get(self, key: K) -> Future[V] | None:
        future = self.cache_map.get(key)
        if future is None and key in self.known:
            future = Future()
            future.set_result(self.known[key])
            self.cache_map[key] = future
        return future

    def value(self, key: K) -> V | None:
        """The value of ``key`` if it is known or loaded already (no waiting), else None."""
        future = self.cache_map.get(key)
        if future is None:
            return self.known.get(key)
        if not future.done() or future.cancelled() or future.exception():
            return None
        return future.result()

    def delete(self, key: K) -> None:
        """Forget ``key`` (``DataLoader.clear``), whether loaded or only known."""
        self.cache_map.pop(key, None)
        self.known.pop(key, None)

    def clear(self) -> None:
        self.cache_map.clear()
        self.known.clear()

    def has(self, key: K) -> bool:
        return key in self.known or key in self.cache_map

    def add(self, values: dict[K, V]) -> None:
        """Know these values, leaving keys already known or loaded as they are."""
        known, loaded = self.known, self.cache_map
        for key, v in values.items():
            if key not in loaded:
                known.setdefault(key, v)


class Loaders:
    """The DataLoaders of one request.

    Their batch functions are module functions bound to the store with ``partial``, not
    closures over ``self``: a loader that refers back to its ``Loaders`` makes a reference
    cycle, and then the whole request's nodes wait for the garbage collector instead of
    going when the request does (gen-1 collections of that garbage were a fifth of a
    50-row page's time, measured).
    """

    def __init__(self, store: Store):
        self.store = store
        self.known_nodes: Known[str, Node | None] = Known()
        self.nodes: DataLoader[str, Node | None] = DataLoader(partial(_load_nodes, store),
                                                              cache_map=self.known_nodes)
        self.edges: DataLoader[EdgeKey, Edge | None] = DataLoader(partial(_load_edges, store))
        self._neighbours: dict[tuple[str, str], DataLoader[str, list[Neighbour]]] = {}
        self._known: dict[tuple[str, str], Known[str, list[Neighbour]]] = {}
        self._first: dict[Hashable, DataLoader[str, list[Neighbour]]] = {}
        self._matching: dict[Hashable, DataLoader[str, bool]] = {}

    def neighbours(self, rel: str, direction: Direction) -> DataLoader[str, list[Neighbour]]:
        """Edges of one type and direction at many nodes, with the node at the other end."""
        key = (rel, direction)
        if key not in self._neighbours:
            known: Known[str, list[Neighbour]] = Known()
            self._known[key] = known
            self._neighbours[key] = DataLoader(
                partial(_load_neighbours, self.store, rel, direction, self.known_nodes),
                cache_map=known)
        return self._neighbours[key]

    def first_neighbours(self, rel: str, direction: Direction, labels: tuple[str, ...],
                         first: int) -> DataLoader[str, list[Neighbour]]:
        """The first ``first`` neighbours of one type and direction whose other end has one of
        ``labels`` (``Store.neighbours(labels=, first=)``): a plain list's page, sorted and
        cut by the store for all the parents of a level in one call."""
        key = (rel, direction, labels, first)
        if key not in self._first:
            self._first[key] = DataLoader(partial(
                _load_neighbours, self.store, rel, direction, self.known_nodes,
                labels=labels, first=first))
        return self._first[key]

    def prefetch_nodes(self, ids: Sequence[str],
                       lists: Sequence[tuple[str, RelField, int]]) -> None:
        """Load nodes and, for those of each ``(label, field, first)``, the first neighbours
        of that plain relationship list, in one store call (``Store.nodes_and_neighbours``),
        into the node loader and the lists' loaders (:meth:`first_neighbours`)."""
        todo = [i for i in dict.fromkeys(ids) if not self.known_nodes.has(i)]
        if not todo:
            return
        queries = [NeighbourQuery(label, (rf.rel,), rf.direction, rf.others, first)
                   for label, rf, first in lists]
        nodes, found = self.store.nodes_and_neighbours(todo, queries)
        self.known_nodes.add({i: nodes.get(i) for i in todo})  # None: no such node
        for q, nbs in zip(queries, found, strict=True):
            _know_ends(self.known_nodes, nbs)
            loader = self.first_neighbours(q.rel_types[0], q.direction, q.labels or (),
                                           q.first or 0)
            loader.prime_many({i: nbs.get(i, []) for i in todo
                               if (n := nodes.get(i)) is not None and n.label == q.of})

    def prefetch(self, rels: Sequence[str], direction: Direction, ids: list[str]) -> None:
        """Load the neighbours of many ids over several relationship types now, in one store
        call (one round trip on Neo4j), into the DataLoaders' caches, one per type."""
        for rel in rels:
            self.neighbours(rel, direction)
        caches = [self._known[(rel, direction)] for rel in rels]
        todo = [i for i in dict.fromkeys(ids) if not all(c.has(i) for c in caches)]
        if not todo:
            return
        found = self.store.neighbours(todo, list(rels), direction)
        _know_ends(self.known_nodes, found)
        split: dict[str, dict[str, list[Neighbour]]] = {
            rel: {i: [] for i in todo} for rel in rels}
        for i, nbs in found.items():
            for nb in nbs:
                split[nb.edge.type][i].append(nb)
        for rel, cache in zip(rels, caches, strict=True):
            cache.add(split[rel])  # keeps what a loader had already

    def loaded(self, rel: str, direction: Direction, node_id: str) -> list[Neighbour] | None:
        """The neighbours of one id if they are loaded already (no waiting), else None."""
        cache = self._known.get((rel, direction))
        return None if cache is None else cache.value(node_id)

    def matching(self, label: str, key: Hashable, flt: Filter) -> DataLoader[str, bool]:
        """Whether nodes of ``label`` match a filter, for many ids in one ``find``."""
        full_key = (label, key)
        if full_key not in self._matching:
            self._matching[full_key] = DataLoader(partial(_load_matching, self.store, label,
                                                          flt))
        return self._matching[full_key]


async def _load_nodes(store: Store, ids: list[str]) -> list[Node | None]:
    found = store.get_nodes(ids)
    return [found.get(i) for i in ids]


async def _load_edges(store: Store, keys: list[EdgeKey]) -> list[Edge | None]:
    found = store.get_edges(keys)
    return [found.get(k) for k in keys]


async def _load_neighbours(store: Store, rel: str, direction: Direction,
                           ends: Known[str, Node | None], ids: list[str], *,
                           labels: Sequence[str] | None = None, first: int | None = None
                           ) -> list[list[Neighbour]]:
    found = store.neighbours(ids, [rel], direction, labels=labels, first=first)
    _know_ends(ends, found)
    return [found.get(i, []) for i in ids]


def _know_ends(ends: Known[str, Node | None], found: dict[str, list[Neighbour]]) -> None:
    """The other ends are loaded: later node lookups are free."""
    ends.add({nb.node.id: nb.node for nbs in found.values() for nb in nbs})


async def _load_matching(store: Store, label: str, flt: Filter, ids: list[str]) -> list[bool]:
    found = matching_ids(store, label, flt, ids)
    return [i in found for i in ids]


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
