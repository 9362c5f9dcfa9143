"""Compiled loops behind the brokerage, structural-hole and betweenness measures.

The measures walk every two-path of the actor network (Σ deg² steps) or run one breadth-first
search per source. Sparse-matrix products would materialise all two-paths before masking them,
and igraph's Brandes holds the GIL on one core; these loops are compiled by numba (LLVM) with
``nogil=True`` and run on all cores as plain threads, each over its own share of the vertices.
Each function names the method it implements; :mod:`graph.analytics.reference` holds the slow
independent versions the tests compare them with.

Every kernel takes the network as CSR arrays (``indptr``, ``indices``, int32 or int64) and
plain numpy arrays, so that callers own all the sparse-matrix handling.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any

import numpy as np
from numba import njit

__all__ = ["brandes", "brokerage", "brokerage_pairs", "burt", "threads", "warm"]


def threads() -> int:
    """The cores this process may use (the kernels split their work into this many shares)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@lru_cache(maxsize=1)
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=threads(), thread_name_prefix="coco-kernels")


def _in_shares(kernel: Callable[..., Any], *args: Any) -> list[Any]:
    """Run ``kernel(*args, share, shares)`` for every share, on all cores (the GIL is released)."""
    shares = threads()
    if shares == 1:
        return [kernel(*args, 0, 1)]
    return list(_pool().map(lambda k: kernel(*args, k, shares), range(shares)))


def warm() -> None:
    """Compile the kernels (first run after an install, ~5 s) or load them from numba's cache.

    Called once by ``scripts/setup`` so that the first analysis a user asks for is not the one
    that pays for the compilation; harmless to call again.
    """
    indptr = np.array([0, 1, 3, 4], np.int32)
    indices = np.array([1, 0, 2, 1], np.int32)
    groups = np.array([0, 1, 0], np.int64)
    brandes(indptr, indices, np.arange(3, dtype=np.int64))
    brandes(indptr, indices, np.arange(3, dtype=np.int64), groups)
    brokerage(indptr, indices, groups)
    brokerage_pairs(indptr, indices, groups, 2)
    burt(indptr, indices, np.ones(4))


# --- Brandes (2001): dependencies of one breadth-first search per source -----------------------

def brandes(indptr: np.ndarray, indices: np.ndarray, sources: np.ndarray,
            groups: np.ndarray | None = None) -> np.ndarray:
    """Σ over ``sources`` of the Brandes dependencies δ_s(v), on the arcs ``indptr/indices``.

    Brandes, U. (2001), A faster algorithm for betweenness centrality, J. Math. Sociol. 25(2),
    doi:10.1080/0022250X.2001.9990249: δ_s(v) = Σ_{w: v→w on a shortest path} σ_sv/σ_sw
    (1 + δ_s(w)).
    With ``groups`` the ``1`` counts only targets ``w`` of another group than ``s`` (pairs
    between groups; Brandes 2008, "On variants of shortest-path betweenness", §3.1).
    Not halved: undirected callers halve it.
    """
    n = len(indptr) - 1
    if n == 0 or len(sources) == 0:
        return np.zeros(n)
    g = np.full(n, -1, np.int64) if groups is None else np.asarray(groups, np.int64)
    parts = _in_shares(_brandes_share, indptr, indices, np.asarray(sources, np.int64), g)
    return np.sum(parts, axis=0)


@njit(cache=True, nogil=True)
def _brandes_share(indptr: np.ndarray, indices: np.ndarray, sources: np.ndarray,
                   groups: np.ndarray, share: int, shares: int) -> np.ndarray:  # pragma: no cover
    n = len(indptr) - 1
    acc = np.zeros(n)
    dist = np.empty(n, np.int32)
    sigma = np.empty(n)
    coef = np.empty(n)
    order = np.empty(n, np.int32)
    seg = np.zeros(n + 1, np.int64)
    dag = np.empty(len(indices), np.int32)
    for j in range(share, len(sources), shares):
        _one_source(indptr, indices, sources[j], groups, dist, sigma, coef, order, seg, dag, acc)
    return acc


@njit(cache=True, nogil=True)
def _one_source(indptr: np.ndarray, indices: np.ndarray, s: int, groups: np.ndarray,
                dist: np.ndarray, sigma: np.ndarray, coef: np.ndarray, order: np.ndarray,
                seg: np.ndarray, dag: np.ndarray, acc: np.ndarray) -> None:  # pragma: no cover
    """One search from ``s``: the forward pass counts shortest paths (σ) and keeps each vertex's
    shortest-path successors (``dag[seg[i]:seg[i+1]]`` for the i-th vertex reached); the backward
    pass accumulates ``coef[w] = (t(w) + δ(w)) / σ(w)`` so each arc costs one addition."""
    dist[:] = -1
    dist[s], sigma[s], order[0] = 0, 1.0, s
    head, tail, arcs = 0, 1, 0
    while head < tail:
        v = order[head]
        dv, sv = dist[v] + 1, sigma[v]
        for k in range(indptr[v], indptr[v + 1]):
            w = indices[k]
            if dist[w] < 0:
                dist[w], sigma[w] = dv, sv
                order[tail] = w
                tail += 1
            elif dist[w] == dv:
                sigma[w] += sv
            else:
                continue
            dag[arcs] = w
            arcs += 1
        head += 1
        seg[head] = arcs
    gs = groups[s]
    for i in range(tail - 1, -1, -1):
        w = order[i]
        d = 0.0
        for k in range(seg[i], seg[i + 1]):
            d += coef[dag[k]]
        d *= sigma[w]
        if i > 0:
            acc[w] += d
        target = 1.0 if gs < 0 or groups[w] != gs else 0.0
        coef[w] = (target + d) / sigma[w]


# --- Gould & Fernandez (1989) brokerage roles, by sna::brokerage's path rules -------------------

def brokerage(indptr: np.ndarray, indices: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Role counts per broker (N × 5: coordinator, itinerant, representative, gatekeeper, liaison).

    Every two-path a → v → b with a ≠ b and no arc a → b counts once for v, by the groups of a, v
    and b (Gould & Fernandez 1989, doi:10.2307/270949; the loop of ``brokerage_R`` in R's sna).
    The arcs must have no self-loops.
    """
    n = len(indptr) - 1
    if n == 0:
        return np.zeros((0, 5), np.int64)
    parts = _in_shares(_brokerage_share, indptr, indices, np.asarray(groups, np.int64))
    return np.sum(parts, axis=0)


@njit(cache=True, nogil=True)
def _brokerage_share(indptr: np.ndarray, indices: np.ndarray, groups: np.ndarray,
                     share: int, shares: int) -> np.ndarray:  # pragma: no cover
    n = len(indptr) - 1
    counts = np.zeros((n, 5), np.int64)
    mark = np.full(n, -1, np.int64)
    for a in range(share, n, shares):
        for k in range(indptr[a], indptr[a + 1]):
            mark[indices[k]] = a  # b with an arc a → b closes the two-path
        ga = groups[a]
        for k in range(indptr[a], indptr[a + 1]):
            v = indices[k]
            gv = groups[v]
            for q in range(indptr[v], indptr[v + 1]):
                b = indices[q]
                if b == a or mark[b] == a:
                    continue
                gb = groups[b]
                if ga == gv:
                    counts[v, 0 if gv == gb else 2] += 1  # coordinator / representative
                elif gv == gb:
                    counts[v, 3] += 1  # gatekeeper
                else:
                    counts[v, 1 if ga == gb else 4] += 1  # itinerant / liaison
    return counts


def brokerage_pairs(indptr: np.ndarray, indices: np.ndarray, groups: np.ndarray,
                    n_groups: int) -> np.ndarray:
    """Open two-paths per broker by the groups of their ends (N × G × G int64).

    ``[v, g, h]`` counts the two-paths a → v → b with a ≠ b, no arc a → b, a in group ``g`` and
    b in group ``h``: the same paths as :func:`brokerage` (Gould & Fernandez 1989), split by the
    pair of groups the broker links instead of by its role. Summed over ``g ≠ h`` they are the
    representative, gatekeeper and liaison counts; over ``g = h`` the coordinator and itinerant
    counts. Meant for a few groups (the array has N·G² cells).
    """
    n = len(indptr) - 1
    if n == 0:
        return np.zeros((0, n_groups, n_groups), np.int64)
    parts = _in_shares(_pairs_share, indptr, indices, np.asarray(groups, np.int64), n_groups)
    return np.sum(parts, axis=0)


@njit(cache=True, nogil=True)
def _pairs_share(indptr: np.ndarray, indices: np.ndarray, groups: np.ndarray, n_groups: int,
                 share: int, shares: int) -> np.ndarray:  # pragma: no cover
    n = len(indptr) - 1
    counts = np.zeros((n, n_groups, n_groups), np.int64)
    mark = np.full(n, -1, np.int64)
    for a in range(share, n, shares):
        for k in range(indptr[a], indptr[a + 1]):
            mark[indices[k]] = a
        ga = groups[a]
        for k in range(indptr[a], indptr[a + 1]):
            v = indices[k]
            for q in range(indptr[v], indptr[v + 1]):
                b = indices[q]
                if b == a or mark[b] == a:
                    continue
                counts[v, ga, groups[b]] += 1
    return counts


# --- Burt (1992) constraint and effective size --------------------------------------------------

def burt(indptr: np.ndarray, indices: np.ndarray, mutual: np.ndarray
         ) -> tuple[np.ndarray, np.ndarray]:
    """Constraint and effective size of every vertex from the symmetric mutual weights.

    ``mutual`` holds ``m_uv = w_uv + w_vu`` on the CSR pattern (no diagonal). With
    ``p_uv = m_uv / Σ_x m_ux`` and ``mx_vw = m_vw / max_x m_vx`` (Burt 1992, ch. 2):
    constraint ``Σ_{v∈N(u)} (p_uv + Σ_w p_uw p_wv)²`` and effective size
    ``Σ_{v∈N(u)} (1 − Σ_w p_uw mx_vw)``, networkx's definitions. NaN for isolated vertices.
    """
    n = len(indptr) - 1
    c, e = np.full(n, np.nan), np.full(n, np.nan)
    if n:
        mutual = np.asarray(mutual, np.float64)
        total, most = _row_sums_and_maxima(indptr, mutual)
        _in_shares(_burt_share, indptr, indices, mutual, total, most, c, e)
    return c, e


@njit(cache=True, nogil=True)
def _row_sums_and_maxima(indptr: np.ndarray, values: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover
    n = len(indptr) - 1
    total, most = np.zeros(n), np.zeros(n)
    for u in range(n):
        for k in range(indptr[u], indptr[u + 1]):
            total[u] += values[k]
            most[u] = max(most[u], values[k])
    return total, most


@njit(cache=True, nogil=True)
def _burt_share(indptr: np.ndarray, indices: np.ndarray, mutual: np.ndarray, total: np.ndarray,
                most: np.ndarray, c: np.ndarray, e: np.ndarray, share: int, shares: int
                ) -> None:  # pragma: no cover
    """``total``/``most``: each row's sum and maximum of mutual weight."""
    n = len(indptr) - 1
    p_u = np.zeros(n)  # p_uw for the contacts w of the current u
    indirect = np.zeros(n)
    mark = np.full(n, -1, np.int64)  # mark[v] == u: v is a contact of u
    for u in range(share, n, shares):
        start, stop = indptr[u], indptr[u + 1]
        if start == stop:
            continue
        for k in range(start, stop):
            p_u[indices[k]] = mutual[k] / total[u]
            mark[indices[k]] = u
        redundancy = 0.0
        for k in range(start, stop):
            w = indices[k]
            for q in range(indptr[w], indptr[w + 1]):
                v = indices[q]
                if mark[v] == u:
                    indirect[v] += p_u[w] * mutual[q] / total[w]
                    redundancy += p_u[w] * mutual[q] / most[v]
        constraint = 0.0
        for k in range(start, stop):
            v = indices[k]
            constraint += (p_u[v] + indirect[v]) ** 2
            p_u[v], indirect[v] = 0.0, 0.0
        c[u] = constraint
        e[u] = (stop - start) - redundancy
