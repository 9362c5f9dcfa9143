"""Shortest paths and neighbourhoods over the cached topology.

Both are breadth-first searches bounded by a number of hops (Moore 1959, "The shortest path
through a maze"), run by scipy's compiled ``csgraph.dijkstra`` with ``unweighted=True`` and a
``limit``, so a search never goes further than asked. Relationship types and node labels can
restrict the walk; the two ends of a path are always allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from coco_atlas.api.graphql.errors import bad_input
from coco_atlas.api.graphql.graphdata import GraphArrays, arrays
from coco_atlas.graph.query import MAX_PAGE
from coco_atlas.schema import SCHEMA
from coco_atlas.schema.messages import N_, Msg

MAX_HOPS = 10
MAX_NEIGHBOURHOOD_HOPS = 4
EdgeKey = tuple[str, str, str]


@dataclass
class Walk:
    """Nodes (ids, in order) and relationships (start, type, end) of a path or subgraph."""

    nodes: list[str]
    edges: list[EdgeKey]
    truncated: bool = False


def shortest_path(ctx: Any, start: str, end: str, *, max_hops: int = 6,
                  types: Sequence[str] | None = None, labels: Sequence[str] | None = None,
                  directed: bool = False) -> Walk | None:
    """A shortest path of at most ``max_hops`` relationships from ``start`` to ``end``."""
    if not 1 <= max_hops <= MAX_HOPS:
        raise bad_input("shortestPath", "maxHops", _range(1, MAX_HOPS), max_hops)
    ga = arrays(ctx)
    s = _position(ga, start, "shortestPath", "from")
    t = _position(ga, end, "shortestPath", "to")
    if s == t:
        return Walk([start], [])
    g, src, dst, typ = _graph(ctx, ga, types, labels, (s, t))
    # scipy accepts one index; scipy-stubs only list arrays of them, hence the ignore.
    dist, pred = dijkstra(g, directed=directed, indices=s,  # type: ignore[call-overload]
                          unweighted=True, limit=float(max_hops), return_predecessors=True)
    if not np.isfinite(dist[t]):
        return None
    chain = [t]
    while chain[-1] != s:
        chain.append(int(pred[chain[-1]]))
    chain.reverse()
    edges = [_edge(ga, src, dst, typ, a, b, directed) for a, b in pairwise(chain)]
    return Walk(ga.id_list(np.array(chain)), edges)


def neighbourhood(ctx: Any, center: str, *, hops: int = 1, types: Sequence[str] | None = None,
                  labels: Sequence[str] | None = None, first: int = 100) -> Walk:
    """The nodes within ``hops`` of ``center`` (closest first, at most ``first``) and the
    relationships among them."""
    if not 1 <= hops <= MAX_NEIGHBOURHOOD_HOPS:
        raise bad_input("neighbourhood", "hops", _range(1, MAX_NEIGHBOURHOOD_HOPS), hops)
    if not 1 <= first <= MAX_PAGE:
        raise bad_input("neighbourhood", "first", Msg(N_("a number of nodes from 1 to {n}"),
                                                      n=MAX_PAGE), first)
    ga = arrays(ctx)
    c = _position(ga, center, "neighbourhood", "id")
    g, src, dst, typ = _graph(ctx, ga, types, labels, (c,))
    # scipy accepts one index; scipy-stubs only list arrays of them, hence the ignore.
    dist = dijkstra(g, directed=False, indices=c,  # type: ignore[call-overload]
                    unweighted=True, limit=float(hops))
    near = np.flatnonzero(np.isfinite(dist))
    near = near[np.lexsort((near, dist[near]))]  # by distance, then id (positions follow ids)
    truncated = len(near) > first
    near = near[:first]
    inside = np.zeros(ga.n, dtype=bool)
    inside[near] = True
    keep = np.flatnonzero(inside[src] & inside[dst])
    keep = keep[np.lexsort((dst[keep], typ[keep], src[keep]))]  # by start id, type, end id
    if len(keep) > 4 * MAX_PAGE:
        keep, truncated = keep[:4 * MAX_PAGE], True
    names = SCHEMA.rel_names
    edges = [(ga.ids[a], names[k], ga.ids[b]) for a, b, k in zip(
        src[keep].tolist(), dst[keep].tolist(), typ[keep].tolist(), strict=True)]
    return Walk(ga.id_list(near), edges, truncated)


def _position(ga: GraphArrays, node_id: str, where: str, field: str) -> int:
    p = ga.pos.get(node_id)
    if p is None:
        raise bad_input(where, field, N_("the id of an existing node"), node_id)
    return p


def _graph(ctx: Any, ga: GraphArrays, types: Sequence[str] | None,
           labels: Sequence[str] | None, ends: tuple[int, ...]
           ) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, np.ndarray]:
    """The walkable graph: edges of the given types between nodes of the given labels (plus
    the ends), as a sparse matrix and the matching edge arrays."""
    topo = ga.topology

    def of_types() -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, np.ndarray]:
        keep = np.ones(topo.n_edges, dtype=bool)
        if types:
            keep &= np.isin(topo.types, [SCHEMA.rel_names.index(t) for t in types])
        return _matrix(ga, topo.src[keep], topo.dst[keep], topo.types[keep])

    # only the unrestricted graph is cached: type subsets come from clients and are unbounded
    g, src, dst, typ = of_types() if types else ctx.cached("walk", of_types)
    if not labels:
        return g, src, dst, typ
    ok = ga.label_mask(labels)
    ok[list(ends)] = True
    keep = ok[src] & ok[dst]
    return _matrix(ga, src[keep], dst[keep], typ[keep])


def _matrix(ga: GraphArrays, src: np.ndarray, dst: np.ndarray, typ: np.ndarray
            ) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, np.ndarray]:
    g = sp.csr_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(ga.n, ga.n))
    return g, src, dst, typ


def _edge(ga: GraphArrays, src: np.ndarray, dst: np.ndarray, typ: np.ndarray, a: int, b: int,
          directed: bool) -> EdgeKey:
    """One relationship between consecutive path nodes (either direction unless directed)."""
    hit = np.flatnonzero((src == a) & (dst == b))
    if len(hit) == 0 and not directed:
        hit = np.flatnonzero((src == b) & (dst == a))
    k = int(hit[np.argmin(typ[hit])])  # several types between the two: the first in schema order
    return ga.ids[int(src[k])], SCHEMA.rel_names[int(typ[k])], ga.ids[int(dst[k])]


def _range(low: int, high: int) -> str:
    return Msg(N_("from {low} to {high}"), low=low, high=high)
