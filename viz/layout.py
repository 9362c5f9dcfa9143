"""Node positions computed on the server with igraph's compiled force-directed layout.

vis-network's own physics simulation is quadratic-ish in practice and takes minutes to settle on a
few thousand nodes in a browser; igraph's Fruchterman–Reingold runs in C, with a grid
approximation of the repulsive forces for large graphs, and lays out 10,000 nodes in about half a
second. The browser then only draws.

References
----------
Fruchterman, T. M. J. & Reingold, E. M. (1991). Graph drawing by force-directed placement.
Software: Practice and Experience 21(11), 1129–1164. doi:10.1002/spe.4380211102
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import igraph as ig
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

_RNG_LOCK = threading.Lock()
GRID_ABOVE = 1_000  # nodes: use the grid approximation of repulsion above this size
SPACING = 38.0  # canvas units per node along one side of the drawing (a node is 10–80 wide)
MIN_EXTENT = 900.0  # small graphs still span a canvas' worth of units


def positions(n: int, edges: np.ndarray, weights: np.ndarray | None = None, *,
              spacing: float = SPACING, seed: int = 7) -> np.ndarray:
    """An ``n × 2`` array of positions for the undirected graph ``edges`` (``m × 2`` integer
    node pairs), centred on 0 with nodes about ``spacing`` canvas units apart.

    Components of three or more nodes are laid out together by force; isolated nodes and lone
    pairs, which a force layout flings to the rim, are set in rows below the drawing. Heavier
    ties pull harder (``weights``). The start positions come from ``seed``, so the same graph is
    always drawn the same way.
    """
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    w = np.ones(len(edges)) if weights is None else np.asarray(weights, dtype=float)
    out = np.zeros((n, 2))
    if n == 0:
        return out
    main = _in_large_components(n, edges)
    idx = np.flatnonzero(main)
    if len(idx) > 1:
        local = np.full(n, -1, dtype=np.int64)
        local[idx] = np.arange(len(idx))
        inside = main[edges[:, 0]] & main[edges[:, 1]]
        out[idx] = _force(len(idx), local[edges[inside]], w[inside], seed, spacing)
    rest = np.flatnonzero(~main)
    if len(rest):
        out[rest] = _rows(rest, edges, out[idx] if len(idx) else np.zeros((1, 2)), spacing)
    return out


def _in_large_components(n: int, edges: np.ndarray) -> np.ndarray:
    """Which nodes lie in a connected component of three or more nodes."""
    graph = sp.coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    return np.bincount(label)[label] >= 3


def _force(n: int, edges: np.ndarray, weights: np.ndarray, seed: int, spacing: float
           ) -> np.ndarray:
    g = ig.Graph(n=n, edges=edges.tolist())
    big = n > GRID_ABOVE
    # igraph's own random start: given start positions make the grid variant 4-20x slower.
    with seeded(seed):
        layout = g.layout_fruchterman_reingold(weights=np.log1p(weights).tolist(),
                                               niter=200 if big else 500, grid=big)
    return _scaled(np.asarray(layout.coords, dtype=float), n, spacing)


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Make igraph's random choices repeatable for the block.

    igraph draws from one process-wide generator (Python's ``random`` module by default); a
    private ``random.Random(seed)`` is swapped in under a lock and the default put back after.
    """
    with _RNG_LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            yield
        finally:
            ig.set_random_number_generator(random)


def _rows(rest: np.ndarray, edges: np.ndarray, above: np.ndarray, spacing: float
          ) -> np.ndarray:
    """Isolated nodes and pairs in rows under the drawing ``above``, partners side by side."""
    partner = dict(zip(edges[:, 0].tolist(), edges[:, 1].tolist(), strict=True))
    partner.update(zip(edges[:, 1].tolist(), edges[:, 0].tolist(), strict=True))
    order: list[int] = []
    seen: set[int] = set()
    for i in rest.tolist():
        for j in (i, partner.get(i)):
            if j is not None and j not in seen:
                seen.add(j)
                order.append(j)
    left, right = float(above[:, 0].min()), float(above[:, 0].max())
    per_row = max(1, int((right - left) / spacing) + 1)
    top = float(above[:, 1].max()) + 3 * spacing
    k = np.arange(len(order))
    xy = np.column_stack((left + (k % per_row) * spacing, top + (k // per_row) * spacing))
    where = {node: i for i, node in enumerate(order)}
    return xy[[where[i] for i in rest.tolist()]]


def _scaled(xy: np.ndarray, n: int, spacing: float) -> np.ndarray:
    """Centre the drawing and scale it so that nodes sit about ``spacing`` apart.

    The extent is taken between the 2nd and 98th percentiles so that a few stragglers do not
    shrink the rest into a dot; the stragglers are pulled in to the edge of the drawing.
    """
    low, high = np.percentile(xy, 2, axis=0), np.percentile(xy, 98, axis=0)
    span = float(max(high - low)) or 1.0
    extent = max(MIN_EXTENT, spacing * math.sqrt(n))
    out = (xy - (low + high) / 2) * (extent / span)
    limit = extent * 0.6
    radius = np.hypot(out[:, 0], out[:, 1])
    far = radius > limit
    out[far] *= (limit / radius[far])[:, None]
    return out


def separate(xy: np.ndarray, radius: np.ndarray, *, gap: float = 6.0, rounds: int = 60,
             most: int = 600) -> np.ndarray:
    """Push overlapping dots apart (small maps with big dots, e.g. regions sized by actors).

    A force layout treats nodes as points; each round moves every overlapping pair apart along
    the line between them by half the overlap. Quadratic, so only for up to ``most`` nodes.
    """
    n = len(xy)
    if n < 2 or n > most:
        return xy
    xy = xy.copy()
    need = radius[:, None] + radius[None, :] + gap
    np.fill_diagonal(need, 0)
    jitter = np.random.default_rng(3).normal(scale=1e-3, size=xy.shape)
    for _ in range(rounds):
        delta = xy[:, None, :] - xy[None, :, :]
        dist = np.hypot(delta[..., 0], delta[..., 1])
        overlap = np.where(dist < need, need - dist, 0.0)
        if not overlap.any():
            break
        unit = delta / np.maximum(dist, 1e-9)[..., None]
        xy += 0.5 * (unit * overlap[..., None]).sum(axis=1) / 2 + jitter
    return xy


GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))


def fan_out(xy: np.ndarray, value: np.ndarray, *, step: float) -> np.ndarray:
    """Nodes that share a point (actors of one city) set around it on Vogel's sunflower spiral:
    the k-th largest at ``step·√k`` from the point and k golden angles round, so that each stays
    visible and clickable and the group keeps its place. Deterministic: ties in ``value`` are
    broken by node order.

    Vogel, H. (1979). A better way to construct the sunflower head. Mathematical Biosciences
    44(3–4), 179–189. doi:10.1016/0025-5564(79)90080-4
    """
    n = len(xy)
    if n < 2:
        return xy.copy()
    _, group = np.unique(np.round(xy, 3), axis=0, return_inverse=True)
    group = group.ravel()
    order = np.lexsort((np.arange(n), -np.asarray(value, dtype=float), group))
    sorted_group = group[order]
    start = np.r_[0, np.flatnonzero(sorted_group[1:] != sorted_group[:-1]) + 1]
    sizes = np.diff(np.r_[start, n])
    rank = np.empty(n, dtype=float)
    rank[order] = np.arange(n) - np.repeat(start, sizes)
    radius, angle = step * np.sqrt(rank), rank * GOLDEN_ANGLE
    return xy + np.column_stack((radius * np.cos(angle), radius * np.sin(angle)))
