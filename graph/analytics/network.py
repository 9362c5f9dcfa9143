"""The actor network: Hubs and Companies tied by partnerships, shared collaborations and membership.

A projection of the property graph (``shared/design/domain.md``, "The actor network"):

* ``partners`` — PARTNERS_WITH: a direct tie with its stored direction and ``weight`` (default 1);
* ``collaborations`` — two actors that PARTICIPATE_IN the same Collaboration are tied both ways,
  weighted by the number of collaborations they share: the clique expansion ``B Bᵀ`` of the
  bipartite actor–collaboration incidence matrix ``B`` (Newman 2001, "Scientific collaboration
  networks. I.", Phys. Rev. E 64, 016131, doi:10.1103/PhysRevE.64.016131);
* ``membership`` — a Company that is a MEMBER_OF a Hub is tied to it both ways (weight 1).

Ties of several sources between the same actors add up. ``directed=True`` keeps the direction of
partnerships (the other ties count both ways); ``directed=False`` reads every tie both ways.
``years=(first, last)`` (or ``during``, any :class:`graph.timeline.Period`, a single day for the
network "as of" it) keeps what holds in that period, as the schema's validity declares it: actors
from their founding to their closing year, a partnership or membership from its ``since`` to its
``until``, a collaboration from its start to its end; a missing bound is open (an unknown start
counts as "always was", an open end as "still is"). See :mod:`graph.timeline`.

Everything is built with numpy and scipy.sparse from :meth:`graph.store.Store.topology`; the
result is cached per store, its :attr:`~graph.store.Store.version` and the options, in a small LRU.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp

from coco_atlas.graph.memo import per_version
from coco_atlas.graph.store import Store
from coco_atlas.graph.timeline import Period
from coco_atlas.schema import ACTOR_LABELS, SCHEMA
from coco_atlas.schema.messages import N_, Msg

# The three tie sources, each one relationship type of the schema (SCHEMA.rel raises if renamed).
# Any scipy sparse matrix the analyses accept: they convert to CSR themselves.
SparseMatrix = sp.csr_matrix | sp.csc_matrix | sp.coo_matrix

TIES: dict[str, str] = {
    "partners": SCHEMA.rel("PARTNERS_WITH").name,
    "collaborations": SCHEMA.rel("PARTICIPATES_IN").name,
    "membership": SCHEMA.rel("MEMBER_OF").name,
}
ALL_TIES: tuple[str, ...] = tuple(TIES)
ACTORS: tuple[str, ...] = tuple(sorted(ACTOR_LABELS))
COLLABORATION = SCHEMA.label("Collaboration").name
CACHE_SIZE = 8


def _prop(rel_or_label: str, name: str) -> str:
    """A property name checked against the schema, so that a renamed property fails loudly."""
    props = (SCHEMA.rel_properties(rel_or_label) if SCHEMA.has_rel(rel_or_label)
             else SCHEMA.node_properties(rel_or_label))
    return props[name].name


WEIGHT = _prop(TIES["partners"], "weight")
NAME = _prop(ACTORS[0], "name")


@dataclass(frozen=True)
class ActorNetwork:
    """A weighted actor network: actor ``i`` is ``ids[i]``; ``weights[a, b] > 0`` is a tie a→b.

    When ``directed`` is false ``weights`` is symmetric. There are no self-ties.
    """

    ids: list[str]
    labels: list[str]
    weights: sp.csr_matrix
    directed: bool
    version: int
    options: tuple[Any, ...] = field(default=())

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def n_arcs(self) -> int:
        """Ordered pairs (a, b) with a tie a→b (an undirected tie counts as two arcs)."""
        return int(self.weights.nnz)

    @cached_property
    def index(self) -> dict[str, int]:
        return {node_id: i for i, node_id in enumerate(self.ids)}

    @cached_property
    def adjacency(self) -> sp.csr_matrix:
        """The binary arcs as a float64 CSR matrix (1.0 where a tie exists)."""
        a = self.weights.copy()
        a.data = np.ones_like(a.data)
        return a

    @cached_property
    def undirected(self) -> sp.csr_matrix:
        """Binary ties read both ways (for hop distances and introductions)."""
        a = self.adjacency
        return a if not self.directed else binary(a + a.T)


def actor_network(store: Store, *, ties: Iterable[str] = ALL_TIES, directed: bool = False,
                  years: tuple[int | None, int | None] | None = None,
                  during: Period | None = None) -> ActorNetwork:
    """The actor network of a store, cached per store version and options.

    Parameters
    ----------
    store : the graph.
    ties : which sources to use, any of ``partners``, ``collaborations``, ``membership``.
    directed : keep the direction of partnerships (other ties count both ways).
    years : ``(first, last)`` year range (either end may be None): only what holds in it.
    during : the same as any period or day (``years`` and ``during`` together: both hold).
    """
    period = _period(years, during)
    options = (normalise_ties(ties), bool(directed), period)
    return _CACHE.get(store, options)


def normalise_ties(ties: Iterable[str] | str) -> tuple[str, ...]:
    """``"partners,membership"`` or an iterable → a sorted tuple of known tie sources."""
    names = [t.strip() for t in (ties.split(",") if isinstance(ties, str) else ties)]
    names = [t for t in names if t]
    unknown = [t for t in names if t not in TIES]
    if unknown or not names:
        raise ValueError(Msg(N_("{field}: expected one or more of {choices}, got {got}"),
                             field="ties", choices=", ".join(TIES),
                             got=", ".join(unknown) or Msg(N_("nothing"))))
    return tuple(sorted(set(names), key=ALL_TIES.index))


def _period(years: tuple[int | None, int | None] | None,
            during: Period | None) -> Period | None:
    """One period from the two ways of giving it (both: their overlap)."""
    if years is not None and years != (None, None):
        first, last = years
        if first is not None and last is not None and first > last:
            raise ValueError(Msg(N_("{field}: the first year {first} comes after the last "
                                    "{last}"), field="years", first=first, last=last))
        by_years = Period.years(first, last)
        if during is not None:
            lo = max((p for p in (by_years.first, during.first) if p), default=None)
            hi = min((p for p in (by_years.last, during.last) if p), default=None)
            if lo and hi and hi < lo:
                raise ValueError(Msg(N_("years {first}-{last} and the period {period} do not "
                                        "overlap"), first=first, last=last, period=during))
            return Period(lo, hi)
        return by_years
    return None if during is None or during.is_open else during


class _Cache:
    """Per-store LRU of projections, keyed by (store version, options)."""

    def __init__(self, size: int):
        self.size = size
        self.lock = threading.Lock()
        self.by_store: weakref.WeakKeyDictionary[Store, OrderedDict[Any, ActorNetwork]] = \
            weakref.WeakKeyDictionary()

    def get(self, store: Store, options: tuple[Any, ...]) -> ActorNetwork:
        version = store.version
        key = (version, options)
        with self.lock:
            lru = self.by_store.setdefault(store, OrderedDict())
            if key in lru:
                lru.move_to_end(key)
                return lru[key]
        net = build(store, *options)
        with self.lock:
            lru[key] = net
            while len(lru) > self.size:
                lru.popitem(last=False)
        return net


_CACHE = _Cache(CACHE_SIZE)


def build(store: Store, ties: Sequence[str], directed: bool,
          period: Period | None) -> ActorNetwork:
    """Build the projection (uncached); see :func:`actor_network`. Ties outside ``period`` are
    not in the store's projection at all (:func:`graph.timeline.restrict`)."""
    rels = [TIES[t] for t in ties]
    topo = store.topology(labels=[*ACTORS, COLLABORATION], rel_types=rels, during=period)
    names = SCHEMA.label_names
    label_of = np.array([names.index(x) for x in ACTORS])
    is_actor = np.isin(topo.labels, label_of)
    actor_pos, ids = by_id(topo.ids, np.flatnonzero(is_actor))
    n = len(actor_pos)
    to_actor = np.full(topo.n_nodes, -1, dtype=np.int64)
    to_actor[actor_pos] = np.arange(n)
    labels = [names[c] for c in topo.labels[actor_pos].tolist()]
    index = {node_id: i for i, node_id in enumerate(ids)}
    rel_names = SCHEMA.rel_names
    parts: list[sp.csr_matrix] = []
    for tie in ties:
        rel = TIES[tie]
        mask = topo.types == rel_names.index(rel)
        src, dst = topo.src[mask], topo.dst[mask]
        if tie == "collaborations":
            parts.append(_co_participation(to_actor, src, dst))
            continue
        a, b = to_actor[src], to_actor[dst]
        weight = np.ones(len(a))
        if tie == "partners":
            weight = _edge_weights(store, rel, index, a, b)
        m = _matrix(a, b, weight, n)
        parts.append(m if tie == "partners" and directed else m + m.T)
    w = sum(parts[1:], parts[0]) if parts else sp.csr_matrix((n, n))
    w = off_diagonal(sp.csr_matrix(w))
    w.sort_indices()
    return ActorNetwork(ids, labels, w, directed, topo.version, (tuple(ties), directed, period))


def by_id(ids: Sequence[str], positions: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """``positions`` reordered so that their ids ascend, and those ids.

    Actors and competences are numbered in id order, so that every tie an analysis breaks by
    position is broken by id: the same answer from every store, whatever order it keeps.
    """
    found = [ids[i] for i in positions.tolist()]
    order = sorted(range(len(found)), key=found.__getitem__)
    return positions[np.array(order, dtype=np.int64)], [found[i] for i in order]


def _matrix(a: np.ndarray, b: np.ndarray, w: np.ndarray, n: int) -> sp.csr_matrix:
    keep = (a >= 0) & (b >= 0) & (w > 0)
    return sp.csr_matrix((w[keep], (a[keep], b[keep])), shape=(n, n))


def off_diagonal(m: sp.csr_matrix) -> sp.csr_matrix:
    """``m`` without its diagonal and explicit zeros, built straight from the CSR arrays (scipy's
    ``setdiag``/COO round trip costs more than the kernels that follow on 5k-actor networks)."""
    n = m.shape[0]
    rows = np.repeat(np.arange(n), np.diff(m.indptr))
    keep = (rows != m.indices) & (m.data != 0)
    if keep.all():
        return m
    indptr = np.zeros(n + 1, dtype=m.indptr.dtype)
    np.cumsum(np.bincount(rows[keep], minlength=n), out=indptr[1:])
    return sp.csr_matrix((m.data[keep], m.indices[keep], indptr), shape=m.shape)


def binary(m: SparseMatrix) -> sp.csr_matrix:
    """The arcs of ``m`` (non-zero, off the diagonal) as a canonical 0/1 CSR matrix."""
    m = sp.csr_matrix(m, dtype=float, copy=True)
    m.sum_duplicates()
    m = off_diagonal(m)
    m.data = np.ones_like(m.data)
    return m


def _edge_weights(store: Store, rel: str, index: dict[str, int], a: np.ndarray,
                  b: np.ndarray) -> np.ndarray:
    """Weight of each (a, b) edge of ``rel``: its ``weight``, or 1 where it has none."""
    n = len(index)
    key = a.astype(np.int64) * (n + 1) + b
    out = np.ones(len(a))
    order = np.argsort(key)
    sorted_keys = key[order]
    ks, ws = [], []
    weights = per_version(store, ("edgeWeights", rel),
                          lambda: store.edge_property_values(WEIGHT, rel))
    for (s, t), w in weights.items():
        i, j = index.get(s), index.get(t)
        if i is not None and j is not None:
            ks.append(i * (n + 1) + j)
            ws.append(float(w))
    if ks and len(sorted_keys):
        where = np.searchsorted(sorted_keys, np.array(ks, dtype=np.int64))
        where = np.clip(where, 0, len(sorted_keys) - 1)
        hit = sorted_keys[where] == np.array(ks)
        out[order[where[hit]]] = np.array(ws)[hit]
    return out


def _co_participation(to_actor: np.ndarray, src: np.ndarray, dst: np.ndarray) -> sp.csr_matrix:
    """Clique expansion B·Bᵀ of the actor × collaboration incidence (shared collaborations)."""
    n = int((to_actor >= 0).sum())
    actor = to_actor[src]
    venue = dst
    keep = actor >= 0
    actor, venue = actor[keep], venue[keep]
    cols, venue = np.unique(venue, return_inverse=True)
    b = sp.csr_matrix((np.ones(len(actor)), (actor, venue)), shape=(n, len(cols)))
    b.data = np.ones_like(b.data)  # an actor participates once, whatever the duplicates
    c = (b @ b.T).tocsr()
    c.setdiag(0)
    c.eliminate_zeros()
    return c
