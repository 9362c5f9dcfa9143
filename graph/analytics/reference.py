"""Slow, obviously correct reference implementations that the fast kernels are tested against.

Plain Python loops over explicit arcs, written straight from the definitions (each function names
its source), so that a bug in the vectorised code cannot hide in the same place here. Inputs are
a vertex count and a collection of arcs ``(a, b)`` (an undirected tie is given as both arcs), or
a ``{(a, b): weight}`` dict.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from typing import Any

ROLE_COLUMNS = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")


def brokerage(n: int, arcs: Iterable[tuple[int, int]], groups: Sequence[Any]) -> list[list[int]]:
    """Gould–Fernandez counts per vertex ``[coordinator, itinerant, representative, gatekeeper,
    liaison, total]``, by the loop of sna's ``brokerage_R``: every a→v→b with a ≠ b, no a→b."""
    arc_set = {(a, b) for a, b in arcs if a != b}
    into: list[list[int]] = [[] for _ in range(n)]
    out_of: list[list[int]] = [[] for _ in range(n)]
    for a, b in sorted(arc_set):
        out_of[a].append(b)
        into[b].append(a)
    out = [[0] * 6 for _ in range(n)]
    for v, a, b in ((x, a, b) for x in range(n) for a in into[x] for b in out_of[x]):
        if b == a or (a, b) in arc_set:
            continue
        ga, gv, gb = groups[a], groups[v], groups[b]
        if ga == gv == gb:
            role = 0  # coordinator
        elif ga == gv:
            role = 2  # representative: A → A → B
        elif gv == gb:
            role = 3  # gatekeeper: A → B → B
        elif ga == gb:
            role = 1  # itinerant: A → B → A
        else:
            role = 4  # liaison
        out[v][role] += 1
        out[v][5] += 1
    return out


def _mutual(n: int, weights: dict[tuple[int, int], float]) -> list[dict[int, float]]:
    """Burt's mutual weight a_uv + a_vu, per vertex, over its in- and out-neighbours."""
    m: list[dict[int, float]] = [{} for _ in range(n)]
    for (u, v), w in weights.items():
        if u != v:
            m[u][v] = m[u].get(v, 0.0) + w
            m[v][u] = m[v].get(u, 0.0) + w
    return m


def constraint(n: int, weights: dict[tuple[int, int], float]) -> list[float]:
    """Burt (1992) constraint: c(u) = Σ_v (p_uv + Σ_w p_uw p_wv)², NaN when isolated."""
    m = _mutual(n, weights)
    p = [{v: x / sum(row.values()) for v, x in row.items()} for row in m]
    out = []
    for u in range(n):
        if not p[u]:
            out.append(float("nan"))
            continue
        total = 0.0
        for v in p[u]:
            indirect = sum(p[u][w] * p[w].get(v, 0.0) for w in p[u])
            total += (p[u][v] + indirect) ** 2
        out.append(total)
    return out


def effective_size(n: int, weights: dict[tuple[int, int], float]) -> list[float]:
    """Burt (1992) effective size: Σ_v (1 − Σ_w p_uw m_vw), m = mutual weight / row maximum."""
    m = _mutual(n, weights)
    p = [{v: x / sum(row.values()) for v, x in row.items()} for row in m]
    mx = [{v: x / max(row.values()) for v, x in row.items()} for row in m]
    out = []
    for u in range(n):
        if not p[u]:
            out.append(float("nan"))
            continue
        out.append(sum(1 - sum(p[u][w] * mx[v].get(w, 0.0) for w in p[u]) for v in p[u]))
    return out


def _bfs(n: int, adj: list[list[int]], s: int) -> tuple[list[float], list[int], list[int]]:
    """Hop distances, shortest-path counts and the visiting order from ``s``."""
    dist = [float("inf")] * n
    sigma = [0] * n
    dist[s], sigma[s] = 0, 1
    order, queue = [], deque([s])
    while queue:
        v = queue.popleft()
        order.append(v)
        for w in adj[v]:
            if dist[w] == float("inf"):
                dist[w] = dist[v] + 1
                queue.append(w)
            if dist[w] == dist[v] + 1:
                sigma[w] += sigma[v]
    return dist, sigma, order


def _adjacency(n: int, arcs: Iterable[tuple[int, int]], directed: bool) -> list[list[int]]:
    adj: list[set[int]] = [set() for _ in range(n)]
    for a, b in arcs:
        if a != b:
            adj[a].add(b)
            if not directed:
                adj[b].add(a)
    return [sorted(x) for x in adj]


def betweenness_pairs(n: int, arcs: Iterable[tuple[int, int]], *, directed: bool,
                      groups: Sequence[Any] | None = None) -> list[float]:
    """Freeman (1977) betweenness from its definition, pair by pair: Σ_{s≠v≠t} σ_st(v)/σ_st,
    with σ_st(v) = σ_sv·σ_vt when d(s,v) + d(v,t) = d(s,t). Only pairs of different groups when
    ``groups``; each unordered pair once when undirected. O(n³): for small graphs."""
    adj = _adjacency(n, arcs, directed)
    runs = [_bfs(n, adj, s) for s in range(n)]
    out = [0.0] * n
    for s in range(n):
        for t in range(n):
            if s == t or runs[s][0][t] == float("inf"):
                continue
            if groups is not None and groups[s] == groups[t]:
                continue
            d, sigma = runs[s][0][t], runs[s][1][t]
            for v in range(n):
                if v in (s, t) or runs[s][0][v] + runs[v][0][t] != d:
                    continue
                out[v] += runs[s][1][v] * runs[v][1][t] / sigma
    return out if directed else [x / 2 for x in out]


def betweenness_brandes(n: int, arcs: Iterable[tuple[int, int]], *, directed: bool,
                        sources: Iterable[int] | None = None) -> list[float]:
    """Brandes (2001) accumulation in plain Python, from ``sources`` (all vertices if None);
    undirected results halved (each unordered pair once)."""
    arcs = list(arcs)
    adj = _adjacency(n, arcs, directed)
    back = _adjacency(n, [(b, a) for a, b in arcs], directed)  # who points at each vertex
    out = [0.0] * n
    for s in range(n) if sources is None else sources:
        dist, sigma, order = _bfs(n, adj, s)
        delta = [0.0] * n
        for w in reversed(order):
            for v in back[w]:
                if dist[v] == dist[w] - 1:
                    delta[v] += sigma[v] / sigma[w] * (1 + delta[w])
            if w != s:
                out[w] += delta[w]
    return out if directed else [x / 2 for x in out]


def mixing(n: int, arcs: Iterable[tuple[int, int]], groups: Sequence[Any]
           ) -> dict[tuple[Any, Any], int]:
    """Ties (undirected, once per pair) between each pair of groups ``(a, b)``, ``a ≤ b``."""
    pairs = {(min(a, b), max(a, b)) for a, b in arcs if a != b}
    out: dict[tuple[Any, Any], int] = {}
    for a, b in pairs:
        key = (min(groups[a], groups[b]), max(groups[a], groups[b]))
        out[key] = out.get(key, 0) + 1
    return out
