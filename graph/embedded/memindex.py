"""The embedded store's in-memory working index: graph topology as integer arrays.

Why not a networkx MultiDiGraph for everything: holding 500k nodes and 3M edges as nested dicts
costs ~3 GB and ~45 s to rebuild (measured, ``shared/design/domain.md``). Here a node is an integer
(its SQLite rowid), the edges are three parallel numpy arrays, and adjacency is a compressed sparse
row (CSR) structure rebuilt lazily after writes. Properties stay in SQLite and are read on demand;
projections build networkx or igraph graphs from :class:`graph.store.Topology` where their
algorithms need them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

TYPE_BITS = 6  # up to 64 relationship types
NODE_BITS = 29  # up to 536M nodes


class Growable:
    """An append-only numpy array with amortised doubling (like a C++ vector)."""

    def __init__(self, dtype: type, capacity: int = 1024):
        self._data: np.ndarray = np.zeros(capacity, dtype=dtype)
        self.size = 0

    def extend(self, values: Sequence[int] | np.ndarray) -> None:
        n = len(values)
        need = self.size + n
        if need > len(self._data):
            grown = np.zeros(max(need, 2 * len(self._data)), dtype=self._data.dtype)
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self._data[self.size:need] = values
        self.size = need

    @property
    def view(self) -> np.ndarray:
        return self._data[: self.size]


class EdgeKeys:
    """Edge key → position as sorted arrays: vectorised lookups, cheap appends.

    New keys go to a small unsorted tail that is merged into the sorted body when it grows past
    a quarter of it, so a bulk load sorts O(log n) times in all instead of hashing every key.
    """

    def __init__(self) -> None:
        self.body_keys = np.empty(0, dtype=np.uint64)
        self.body_pos = np.empty(0, dtype=np.int64)
        self.tail_keys: list[np.ndarray] = []
        self.tail_pos: list[np.ndarray] = []
        self.tail_size = 0
        self.ready = True

    def add(self, keys: np.ndarray, positions: np.ndarray) -> None:
        self.tail_keys.append(keys)
        self.tail_pos.append(positions)
        self.tail_size += len(keys)
        if self.tail_size > max(len(self.body_keys) // 4, 100_000):
            self._merge()

    def forget(self) -> None:
        """After a deletion: rebuild from the live edges before the next lookup."""
        self.ready = False

    def rebuild(self, keys: np.ndarray, positions: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        self.body_keys, self.body_pos = keys[order], positions[order]
        self.tail_keys, self.tail_pos, self.tail_size = [], [], 0
        self.ready = True

    def _merge(self) -> None:
        self.rebuild(np.concatenate([self.body_keys, *self.tail_keys]),
                     np.concatenate([self.body_pos, *self.tail_pos]))

    def find(self, query: np.ndarray) -> np.ndarray:
        if self.tail_size:
            self._merge()
        keys = self.body_keys
        out = np.full(len(query), -1, dtype=np.int64)
        if len(keys) == 0 or len(query) == 0:
            return out
        i = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
        hit = keys[i] == query
        out[hit] = self.body_pos[i[hit]]
        return out


class Csr:
    """Edges grouped by node: positions of edge ``ptr[v]:ptr[v+1]`` in ``edges``."""

    def __init__(self, keys: np.ndarray, positions: np.ndarray, n_nodes: int):
        order = np.argsort(keys, kind="stable")
        self.edges = positions[order]
        counts = np.bincount(keys, minlength=n_nodes)
        self.ptr = np.concatenate(([0], np.cumsum(counts)))

    def grow(self, n_nodes: int) -> None:
        """Make room for nodes up to ``n_nodes``, without edges."""
        missing = n_nodes + 1 - len(self.ptr)
        if missing > 0:
            self.ptr = np.concatenate((self.ptr, np.full(missing, self.ptr[-1])))

    def of(self, node: int) -> np.ndarray:
        return self.edges[self.ptr[node]: self.ptr[node + 1]]


class GraphIndex:
    """Topology of the stored graph: ids, labels and edges, all integer-indexed."""

    def __init__(self) -> None:
        self.ids: list[str | None] = []
        self.pos: dict[str, int] = {}
        self.labels = Growable(np.int8)
        self.src = Growable(np.int32)
        self.dst = Growable(np.int32)
        self.typ = Growable(np.int8)
        self.alive = Growable(np.bool_)
        self.keys = EdgeKeys()
        self._out: Csr | None = None
        self._in: Csr | None = None

    # -- building --------------------------------------------------------------------------
    def add_nodes(self, idxs: Sequence[int], ids: Sequence[str], labels: Sequence[int]) -> None:
        """Register new nodes; ``idxs`` are their rowids (never reused)."""
        if not idxs:
            return
        start = len(self.ids)
        if idxs[0] == start and list(idxs) == list(range(start, start + len(idxs))):
            # appended in order (a bulk load): whole lists at C speed
            self.ids.extend(ids)
            self.pos.update(zip(ids, idxs, strict=True))
            self.labels.extend(np.asarray(labels, dtype=np.int8))
            self._grown()
            return
        top = max(idxs) + 1
        if top > len(self.ids):
            self.ids.extend([None] * (top - len(self.ids)))
            self.labels.extend(np.full(top - self.labels.size, -1, dtype=np.int8))
        for i, node_id in zip(idxs, ids, strict=True):
            self.ids[i] = node_id
            self.pos[node_id] = i
        self.labels.view[np.asarray(idxs, dtype=np.int64)] = labels
        self._grown()

    def _grown(self) -> None:
        """New nodes have no edges yet: the adjacency stays valid, only longer (so that a
        write of nodes does not make the next traversal re-sort every edge)."""
        for csr in (self._out, self._in):
            if csr is not None:
                csr.grow(self.n_slots)

    def add_edges(self, src: np.ndarray, dst: np.ndarray, typ: np.ndarray) -> None:
        """Register new edges (callers check they are new)."""
        start = self.src.size
        self.src.extend(src)
        self.dst.extend(dst)
        self.typ.extend(typ)
        self.alive.extend(np.ones(len(src), dtype=np.bool_))
        self.keys.add(pack_keys(src, dst, typ), np.arange(start, self.src.size))
        self._invalidate()

    def remove_edge(self, src: int, dst: int, typ: int) -> None:
        p = int(self.find_edges(np.array([src]), np.array([dst]), np.array([typ]))[0])
        if p >= 0:
            self.alive.view[p] = False
            self.keys.forget()
            self._invalidate()

    def remove_node(self, idx: int) -> None:
        node_id = self.ids[idx]
        if node_id is not None:
            del self.pos[node_id]
            self.ids[idx] = None
            self.labels.view[idx] = -1
            self._invalidate()

    def has_edge(self, src: int, dst: int, typ: int) -> bool:
        return bool(self.find_edges(np.array([src]), np.array([dst]), np.array([typ]))[0] >= 0)

    def find_edges(self, src: np.ndarray, dst: np.ndarray, typ: np.ndarray) -> np.ndarray:
        """Positions of the live edges with these keys, -1 where there is none (vectorised)."""
        if not self.keys.ready:
            live = np.flatnonzero(self.alive.view)
            self.keys.rebuild(pack_keys(self.src.view[live], self.dst.view[live],
                                        self.typ.view[live]), live)
        return self.keys.find(pack_keys(src, dst, typ))

    def _invalidate(self) -> None:
        self._out = self._in = None

    # -- reading ---------------------------------------------------------------------------
    @property
    def n_slots(self) -> int:
        return len(self.ids)

    def out_csr(self) -> Csr:
        if self._out is None:
            live = np.flatnonzero(self.alive.view)
            self._out = Csr(self.src.view[live], live, self.n_slots)
        return self._out

    def in_csr(self) -> Csr:
        if self._in is None:
            live = np.flatnonzero(self.alive.view)
            self._in = Csr(self.dst.view[live], live, self.n_slots)
        return self._in

    def incident(self, idx: int, direction: str, types: Iterable[int] | None) -> np.ndarray:
        """Positions of the live edges at a node, filtered by type codes."""
        parts = []
        if direction in ("out", "both"):
            parts.append(self.out_csr().of(idx))
        if direction in ("in", "both"):
            parts.append(self.in_csr().of(idx))
        found = np.concatenate(parts) if len(parts) > 1 else parts[0]
        if types is not None:
            found = found[np.isin(self.typ.view[found], np.fromiter(types, dtype=np.int8))]
        return found

    def label_counts(self) -> np.ndarray:
        labels = self.labels.view
        return np.bincount(labels[labels >= 0], minlength=64)

    def type_counts(self) -> np.ndarray:
        return np.bincount(self.typ.view[self.alive.view], minlength=64)


def pack_keys(src: np.ndarray, dst: np.ndarray, typ: np.ndarray) -> np.ndarray:
    s = np.asarray(src, dtype=np.uint64)
    d = np.asarray(dst, dtype=np.uint64)
    t = np.asarray(typ, dtype=np.uint64)
    return (((s << np.uint64(NODE_BITS)) | d) << np.uint64(TYPE_BITS)) | t
