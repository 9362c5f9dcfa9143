"""The Store contract that every backend (embedded SQLite, Neo4j) fulfils.

A store holds the property graph declared in :mod:`schema`. Writes are validated against the schema
first and are all-or-nothing: a batch either lands whole or leaves the store as it was. Every
committed write bumps :attr:`Store.version`, which caches (projections, analytics) key on.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

import networkx as nx
import numpy as np

from coco_atlas.graph.query import Filter, Page, SortKey
from coco_atlas.schema import SCHEMA, Edge, Node, Schema

if TYPE_CHECKING:
    from coco_atlas.graph.timeline import Period

Direction = Literal["out", "in", "both"]


class BulkWriter(Protocol):
    """What :meth:`Store.bulk` yields: ``write`` validates and writes one batch."""

    source: str

    def write(self, tx: Transaction) -> WriteResult: ...


class StoreUnavailable(RuntimeError):
    """The store cannot be reached or stopped answering (a server down, a timeout)."""


class StoreBusy(StoreUnavailable):
    """Another writer held the store longer than this one would wait: nothing was written, and
    the same write may simply be sent again (``retry_after`` seconds is a fair guess)."""

    def __init__(self, message: str, retry_after: float = 1.0):
        super().__init__(message)
        self.retry_after = retry_after


class StoreFull(StoreUnavailable):
    """The disk (or the database's size cap) is full: the write was rolled back whole."""


@dataclass
class WriteResult:
    """What a committed transaction did."""

    nodes_created: int = 0
    nodes_updated: int = 0
    edges_created: int = 0
    edges_updated: int = 0
    nodes_deleted: int = 0
    edges_deleted: int = 0
    version: int = 0

    @property
    def records(self) -> int:
        return (self.nodes_created + self.nodes_updated + self.edges_created + self.edges_updated
                + self.nodes_deleted + self.edges_deleted)


@dataclass
class Transaction:
    """Staged writes, applied together by :meth:`Store.commit` (validated as one batch)."""

    source: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    delete_nodes: list[str] = field(default_factory=list)
    delete_edges: list[tuple[str, str, str]] = field(default_factory=list)
    # Migration copies provenance: records keep the source/updatedAt they carry.
    keep_stamps: bool = False
    # Strict writes refuse nodes without their recommended properties (schema.Property).
    strict: bool = False

    def upsert_nodes(self, nodes: Iterable[Node]) -> None:
        self.nodes.extend(nodes)

    def upsert_edges(self, edges: Iterable[Edge]) -> None:
        self.edges.extend(edges)

    def delete_node(self, node_id: str) -> None:
        self.delete_nodes.append(node_id)

    def delete_edge(self, source: str, rel: str, target: str) -> None:
        self.delete_edges.append((source, rel, target))

    def __len__(self) -> int:
        return len(self.nodes) + len(self.edges) + len(self.delete_nodes) + len(self.delete_edges)


@dataclass(frozen=True)
class Topology:
    """The structure of (a part of) the graph as integer arrays: where projections and analytics
    start. Node ``i`` is ``ids[i]``; edge ``k`` runs from ``src[k]`` to ``dst[k]``; labels and
    types index ``SCHEMA.label_names`` and ``SCHEMA.rel_names``."""

    ids: list[str]
    labels: np.ndarray  # int8, index into SCHEMA.label_names
    src: np.ndarray  # int64 node positions
    dst: np.ndarray
    types: np.ndarray  # int8, index into SCHEMA.rel_names
    version: int

    @property
    def n_nodes(self) -> int:
        return len(self.ids)

    @property
    def n_edges(self) -> int:
        return len(self.src)

    def to_networkx(self) -> nx.MultiDiGraph:
        """A MultiDiGraph with ``label`` on nodes and ``type`` on edges (keyed by type)."""
        g: nx.MultiDiGraph = nx.MultiDiGraph()
        names, rels, ids = SCHEMA.label_names, SCHEMA.rel_names, self.ids
        g.add_nodes_from((i, {"label": names[c]}) for i, c in zip(ids, self.labels.tolist(),
                                                                   strict=True))
        for s, d, t in zip(self.src.tolist(), self.dst.tolist(), self.types.tolist(),
                           strict=True):
            g.add_edge(ids[s], ids[d], key=rels[t], type=rels[t])
        return g


@dataclass(frozen=True)
class Neighbour:
    """An edge seen from one of its ends, with the node at the other end."""

    edge: Edge
    node: Node
    direction: Literal["out", "in"]


@dataclass(frozen=True)
class NeighbourQuery:
    """Neighbours to read together with nodes (:meth:`Store.nodes_and_neighbours`): those
    that :meth:`Store.neighbours` gives for the nodes that have the label ``of``."""

    of: str
    rel_types: tuple[str, ...]
    direction: Direction = "out"
    labels: tuple[str, ...] | None = None
    first: int | None = None


def neighbour_order(nb: Neighbour) -> tuple[str, str, bool]:
    """The order of :meth:`Store.neighbours` with ``first``: the other end's id, then the
    relationship type, then outgoing before incoming."""
    return nb.node.id, nb.edge.type, nb.direction == "in"


class Store(ABC):
    """Backend-independent access to the property graph.

    Semantics shared by all stores:

    * Nodes are keyed by ``id``; edges by ``(source, type, target)``. Upserting an existing key
      merges properties (a ``None`` value removes one) and keeps the label, which cannot change.
    * ``source`` and ``updatedAt`` are stamped on every node and edge written.
    * Deleting a node deletes its edges.
    """

    schema: Schema = SCHEMA

    # -- writes ----------------------------------------------------------------------------
    @abstractmethod
    def commit(self, tx: Transaction) -> WriteResult:
        """Validate and apply a transaction whole, or raise and change nothing."""

    @abstractmethod
    def bulk(self, source: str) -> AbstractContextManager[BulkWriter]:
        """Many batches in one all-or-nothing write: ``with store.bulk(src) as w: w.write(tx)``."""

    @contextmanager
    def transaction(self, source: str) -> Iterator[Transaction]:
        """``with store.transaction("import x") as tx: ...`` commits when the block ends."""
        tx = Transaction(source)
        yield tx
        self.commit(tx)

    def upsert_nodes(self, nodes: Iterable[Node], *, source: str) -> WriteResult:
        return self.commit(Transaction(source, nodes=list(nodes)))

    def upsert_edges(self, edges: Iterable[Edge], *, source: str) -> WriteResult:
        return self.commit(Transaction(source, edges=list(edges)))

    def delete_nodes(self, ids: Iterable[str], *, source: str = "delete") -> WriteResult:
        return self.commit(Transaction(source, delete_nodes=list(ids)))

    def delete_edges(self, keys: Iterable[tuple[str, str, str]], *,
                     source: str = "delete") -> WriteResult:
        return self.commit(Transaction(source, delete_edges=list(keys)))

    # -- reads -----------------------------------------------------------------------------
    @property
    @abstractmethod
    def version(self) -> int:
        """A number that changes on every committed write."""

    @abstractmethod
    def get_nodes(self, ids: Sequence[str]) -> dict[str, Node]:
        """The nodes that exist among ``ids`` (one round trip, for DataLoaders)."""

    def get_node(self, node_id: str) -> Node | None:
        return self.get_nodes([node_id]).get(node_id)

    @abstractmethod
    def get_edges(self, keys: Sequence[tuple[str, str, str]]) -> dict[tuple[str, str, str], Edge]:
        """The edges that exist among ``keys``."""

    def get_edge(self, source: str, rel: str, target: str) -> Edge | None:
        return self.get_edges([(source, rel, target)]).get((source, rel, target))

    @abstractmethod
    def find(self, label: str, where: Filter | None = None, order_by: Sequence[SortKey] = (),
             first: int = 50, after: str | None = None, *, count: bool = True) -> Page[Node]:
        """Nodes of a label matching a filter, sorted (then by id), keyset-paged.

        ``count=False`` leaves ``total_count`` None and skips counting every match, which
        costs more than the page itself on a broad filter (a GraphQL page without
        ``totalCount``)."""

    @abstractmethod
    def count(self, label: str, where: Filter | None = None) -> int:
        """How many nodes of a label match a filter."""

    @abstractmethod
    def neighbours(self, ids: Sequence[str], rel_types: Sequence[str] | None = None,
                   direction: Direction = "out", *, labels: Sequence[str] | None = None,
                   first: int | None = None) -> dict[str, list[Neighbour]]:
        """For each id, its edges of the given types and direction, with the node at the other
        end (in the store's own order).

        ``labels`` keeps the neighbours whose other end has one of these labels. ``first``
        keeps, for each id, only its first ``first`` neighbours in :func:`neighbour_order`:
        what a plain relationship list shows (``members(first: 20)``), sorted and cut where
        the data is (on Neo4j ``ORDER BY … LIMIT`` in the one query) instead of sending every
        neighbour to be sorted and mostly dropped."""

    def nodes_and_neighbours(self, ids: Sequence[str], queries: Sequence[NeighbourQuery]
                             ) -> tuple[dict[str, Node], list[dict[str, list[Neighbour]]]]:
        """:meth:`get_nodes` and, for each query, :meth:`neighbours` of the nodes found that
        have its label (``{}`` when none has): what ``node(id:) { … on Hub { members(first:
        20) } }`` reads, which a store may answer in one round trip (Neo4j: one statement).
        This default makes the calls one after another."""
        nodes = self.get_nodes(ids)
        found: list[dict[str, list[Neighbour]]] = []
        for q in queries:
            of = [i for i, n in nodes.items() if n.label == q.of]
            found.append(self.neighbours(of, list(q.rel_types), q.direction, labels=q.labels,
                                         first=q.first) if of else {})
        return nodes, found

    @abstractmethod
    def counts(self) -> dict[str, dict[str, int]]:
        """``{"labels": {label: n}, "relationships": {type: n}}`` over the whole schema."""

    @abstractmethod
    def topology(self, labels: Sequence[str] | None = None,
                 rel_types: Sequence[str] | None = None, *,
                 during: Period | None = None) -> Topology:
        """Nodes of the given labels and the edges of the given types between them; with
        ``during``, only what holds in that period or on that day (:mod:`graph.timeline`)."""

    def to_networkx(self, labels: Sequence[str] | None = None,
                    rel_types: Sequence[str] | None = None) -> nx.MultiDiGraph:
        """A networkx MultiDiGraph of (a part of) the graph, for algorithms that want one."""
        return self.topology(labels, rel_types).to_networkx()

    @abstractmethod
    def property_values(self, prop: str, labels: Sequence[str] | None = None
                        ) -> dict[str, Any]:
        """``{id: value}`` of one property over the nodes of some labels (missing values left
        out): grouping attributes for analytics without reading whole nodes."""

    @abstractmethod
    def edge_property_values(self, prop: str, rel: str) -> dict[tuple[str, str], Any]:
        """``{(source id, target id): value}`` of one property over the edges of one type
        (missing values left out): validity years for projections in time without reading
        whole edges."""

    @abstractmethod
    def iter_nodes(self, label: str | None = None, batch: int = 10_000) -> Iterator[Node]:
        """Every node (of a label), streamed: for exports and migration."""

    @abstractmethod
    def iter_edges(self, rel: str | None = None, batch: int = 10_000) -> Iterator[Edge]:
        """Every edge (of a type), streamed."""

    def node_changes(self, since: int | None) -> tuple[int, list[Node], list[str]] | None:
        """Nodes written and ids deleted since a point that the previous call returned, for
        caches that follow the store (the search index); None: this store cannot tell, rebuild
        the cache instead."""
        return None

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
