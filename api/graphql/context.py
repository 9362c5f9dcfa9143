"""What every resolver reaches through ``info.context``: the store, the caller, the loaders.

Nothing lives in module globals. Per application there is one :class:`GraphCache` (structures
derived from the store, dropped when :attr:`Store.version` changes); per request one
:class:`Context` with its own DataLoaders, so that batching and caching never cross requests.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from coco_atlas.api.graphql.loaders import Loaders
from coco_atlas.graph.search import LiveSearch
from coco_atlas.graph.store import Store, Transaction, WriteResult

T = TypeVar("T")


class GraphCache:
    """Derived structures (topology, search index, property columns) of one store version.

    Rebuilding on a version change keeps answers exact after every write; the price is one
    rebuild per structure after each write, which suits a read-mostly research API.
    """

    def __init__(self) -> None:
        self.version: int | None = None
        self._items: dict[Hashable, Any] = {}
        self.search: LiveSearch | None = None  # kept across versions: updated, not rebuilt

    def get(self, version: int, key: Hashable, build: Callable[[], T]) -> T:
        if version != self.version:
            self._items = {}
            self.version = version
        if key not in self._items:
            self._items[key] = build()
        return self._items[key]


@dataclass
class Context:
    """The per-request context strawberry hands to resolvers as ``info.context``."""

    request: Request
    response: Response
    store: Store
    settings: dict[str, Any]
    cache: GraphCache
    writer: str | None  # token name allowed to write, None: read-only
    denied: str | None  # why it may not write (for the error message)
    loaders: Loaders = field(init=False)
    memo: dict[Hashable, Any] = field(default_factory=dict)  # per-request memo (filters)
    write_batch: Any = None  # the request's mutations, staged and committed once

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.store)

    @cached_property
    def version(self) -> int:
        """The store's version, asked once per request and on a worker thread (on Neo4j it
        is a round trip)."""
        return self.store.version

    def search_index(self) -> LiveSearch:
        """The application's search index (:class:`~graph.search.LiveSearch`)."""
        if self.cache.search is None:
            store = self.store
            self.cache.search = LiveSearch(lambda: store.iter_nodes(),
                                           lambda ids: store.get_nodes(ids),
                                           lambda since: store.node_changes(since))
        return self.cache.search

    def wrote(self, tx: Transaction, result: WriteResult) -> None:
        """Tell the search index what this request's write changed (read-your-writes)."""
        if self.cache.search is not None:
            self.cache.search.wrote(result.version - 1, result.version,
                                    list(dict.fromkeys(n.id for n in tx.nodes)),
                                    list(tx.delete_nodes))

    def cached(self, key: Hashable, build: Callable[[], T]) -> T:
        """A structure of the current store version, built on first use."""
        return self.cache.get(self.version, key, build)

    def memoised(self, key: Hashable, build: Callable[[], T]) -> T:
        """A value computed once per request."""
        if key not in self.memo:
            self.memo[key] = build()
        return self.memo[key]
