"""What every resolver reaches through ``info.context``: the store, the caller, the loaders.

Nothing lives in module globals. Per application there is one :class:`GraphCache` (structures
derived from the store, dropped when :attr:`Store.version` changes); per request one
:class:`Context` with its own DataLoaders, so that batching and caching never cross requests.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar, cast

from starlette.requests import Request
from starlette.responses import Response
from strawberry.extensions import SchemaExtension

from coco_atlas.api.graphql.loaders import Loaders
from coco_atlas.graph.search import LiveSearch
from coco_atlas.graph.store import Store, Transaction, WriteResult

T = TypeVar("T")
RESULTS = 256  # answers kept per application (GraphCache.result)


class GraphCache:
    """Derived structures (topology, search index, property columns) of one store version.

    Rebuilding on a version change keeps answers exact after every write; the price is one
    rebuild per structure after each write, which suits a read-mostly research API.
    """

    def __init__(self, results: int = RESULTS) -> None:
        self.version: int | None = None
        self._items: dict[Hashable, _Entry] = {}
        self._results: OrderedDict[Hashable, Any] = OrderedDict()
        self._limit = results
        self._lock = threading.Lock()
        self.search: LiveSearch | None = None  # kept across versions: updated, not rebuilt

    def get(self, version: int, key: Hashable, build: Callable[[], T]) -> T:
        """The structure ``key`` of ``version``, built once: requests that need it while it is
        being built wait for that build instead of each starting their own (on Neo4j the
        topology is a read of every edge; eight clients at once made eight, past the query
        budget)."""
        with self._lock:
            if version != self.version:
                self._items = {}
                self.version = version
            entry = self._items.setdefault(key, _Entry())
        with entry.lock:
            if not entry.done:
                entry.value = build()
                entry.done = True
        return entry.value

    def result(self, version: int, key: Hashable, build: Callable[[], T]) -> T:
        """The answer ``key`` of ``version`` (an aggregate's rows), kept among the most
        recently used ``results``: unlike the structures of :meth:`get` there is one per
        distinct question, and the questions are the clients' to vary. Two requests asking
        at once may both build it (the same answer)."""
        with self._lock:
            if version != self.version:
                self._items = {}
                self._results.clear()
                self.version = version
            if key in self._results:
                self._results.move_to_end(key)
                return cast(T, self._results[key])
        value = build()
        with self._lock:
            if version == self.version:
                self._results[key] = value
                while len(self._results) > self._limit:
                    self._results.popitem(last=False)
        return value


class _Entry:
    """One cached structure and the lock its builder holds."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done = False
        self.value: Any = None


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

    def remembered(self, key: Hashable, build: Callable[[], T]) -> T:
        """An answer of the current store version, kept among the recent ones
        (:meth:`GraphCache.result`)."""
        return self.cache.result(self.version, key, build)

    def release(self) -> None:
        """Let go of what the request loaded, once its operation is done
        (:class:`ReleaseRequest`). graphql-core's executor refers to itself (its
        ``async_helpers`` hold its bound methods) and to this context, so whatever the
        context holds would otherwise wait for a generation-1 garbage collection instead of
        going with the request: a 50-row page left ~1 000 objects a request, and collecting
        them cost a fifth of the page's time (measured)."""
        self.loaders = Loaders(self.store)
        self.memo = {}

    def memoised(self, key: Hashable, build: Callable[[], T]) -> T:
        """A value computed once per request."""
        if key not in self.memo:
            self.memo[key] = build()
        return self.memo[key]


class ReleaseRequest(SchemaExtension):
    """Releases the request context's loaded data when the operation is done
    (:meth:`Context.release`)."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context.context
        if isinstance(context, Context):
            context.release()
