"""Introductions: "A offers C, B needs C, A and B are not tied, broker H is tied to both".

Candidates are pairs (offerer A, needer B) with no tie between them where A offers at least one
competence B needs. Two kinds, ranked together by one score:

* **brokered** — A and B have common contacts (brokers) in the actor network: a triadic-closure
  candidate (Granovetter 1973; Rapoport 1953 — ties tend to close across a shared contact, so a
  broker tied to both can make the introduction). Found for all pairs at once as the masked
  product ``U·U`` (two-step paths) ∩ ``O·Nᵀ`` (offers × needs).
* **bridged** — no common contact: the shortest path from B to the nearest offerer of C in the
  actor network (breadth-first search) is the bridge to walk.

``score = matched × (1 + ln brokers) / (hops − 1)`` where ``matched`` is the number of B's needs
that A offers, ``brokers`` the common contacts (1 for a bridge) and ``hops`` the distance between
A and B (2 for a brokered pair): more matching needs, more people who can introduce, and shorter
bridges rank first. Each suggestion carries the path that explains it.

References: Granovetter, M. S. (1973). The strength of weak ties. American Journal of Sociology
78(6), 1360–1380. doi:10.1086/225469. Burt, R. S. (2004), doi:10.1086/421787 (brokerage across
structural holes as the source of good ideas).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from coco_atlas.graph.analytics.gaps import (
    COMPETENCE,
    COUNTRY,
    Named,
    Supply,
    demand_supply,
    scope_actors,
)
from coco_atlas.graph.analytics.network import ALL_TIES, NAME, ActorNetwork, actor_network
from coco_atlas.graph.analytics.results import Result
from coco_atlas.graph.names import names_in
from coco_atlas.graph.store import Store
from coco_atlas.graph.timeline import Period
from coco_atlas.schema.messages import N_, Msg, Np_, either

__all__ = ["Actor", "Introduction", "introductions"]

BLOCK_NNZ = 20_000_000  # two-step entries computed at once (bounds memory to a few hundred MiB)
BRIDGE_COMPETENCES = 50  # competences searched for bridges (most unserved needers first)
BROKERS_SHOWN = 3


@dataclass(frozen=True, slots=True)
class Actor(Result):
    """An actor by its id, name and country (None: not known)."""

    id: str
    name: Any
    country: Any


@dataclass(frozen=True, slots=True)
class Introduction(Result):
    """A suggested introduction: the offerer offers ``competences`` the needer needs, they are
    not tied, and ``brokers`` are tied to both (``hops`` 2) or else ``path`` (ids, offerer
    first) is the shortest bridge; ``explanation`` says so in words."""

    score: float
    offerer: Actor
    needer: Actor
    competences: list[Named]
    hops: int
    brokers: list[Named]
    path: list[str]
    explanation: str


def introductions(store: Store, *, region: str | None = None, hub: str | None = None,
                  first: int = 20, ties: Sequence[str] = ALL_TIES,
                  max_hops: int = 4, during: Period | None = None,
                  lang: str | None = None) -> list[Introduction]:
    """The ``first`` best introductions for the needs of a region's (or hub network's) actors, or
    of every actor when neither is given, best first.

    ``during`` suggests from the ecosystem as it stood on a day or in a period. ``lang``
    (BCP 47) names the competences in that language (:mod:`graph.names`); a need and an offer
    written in two languages match when they point at one concept.
    """
    if first < 1:
        raise ValueError(Msg(N_("{field}: expected a positive number, got {got}"),
                             field="first", got=first))
    net = actor_network(store, ties=ties, directed=False, during=during)
    if region is None and hub is None:
        scope = np.arange(net.n)
    else:
        scope = scope_actors(store, net, region=region, hub=hub)[0]
    ds = demand_supply(store, net, during=during)
    offers = ds.matrix("offers", net.n)
    needs = ds.matrix("needs", net.n)
    in_scope = sp.diags(np.isin(np.arange(net.n), scope).astype(float))
    needs = sp.csr_matrix(in_scope @ needs)
    found = _brokered(net.undirected, offers, needs)
    found += _bridged(net.undirected, offers, needs, found, max_hops)
    found.sort(key=lambda s: (-s[0], net.ids[s[2]], net.ids[s[1]]))
    return _describe(store, net, ds, offers, needs, found[:first], lang)


def _brokered(u: sp.csr_matrix, offers: sp.csr_matrix, needs: sp.csr_matrix
              ) -> list[tuple[float, int, int, int, list[int]]]:
    """(score, offerer, needer, hops, path) for untied pairs with common contacts."""
    needers = np.flatnonzero(np.diff(needs.indptr))
    if len(needers) == 0:
        return []
    cols = sp.csr_matrix((np.ones(len(needers)), (needers, np.arange(len(needers)))),
                         shape=(u.shape[0], len(needers)))
    u_cols = (u @ cols).tocsr()  # U restricted to the needers' columns
    two_step = (u @ u_cols).tocsr()  # brokers between every actor and each needer
    matched = _masked_product(offers, sp.csr_matrix(needs[needers].T), two_step)
    pairs = matched.tocoo()
    a, b = pairs.row, needers[pairs.col]
    tied = np.asarray(u[a, b]).ravel() > 0
    keep = ~tied & (a != b) & (pairs.data > 0)
    a, b, k = a[keep], b[keep], pairs.data[keep]
    brokers = np.asarray(two_step[a, pairs.col[keep]]).ravel()
    score = k * (1 + np.log(brokers))
    return [(float(s), int(x), int(y), 2, []) for s, x, y in
            zip(score.tolist(), a.tolist(), b.tolist(), strict=True)]


def _bridged(u: sp.csr_matrix, offers: sp.csr_matrix, needs: sp.csr_matrix,
             brokered: list[tuple[float, int, int, int, list[int]]], max_hops: int
             ) -> list[tuple[float, int, int, int, list[int]]]:
    """Shortest bridges for needs that no tied or brokered actor offers."""
    served = sp.csr_matrix(
        ((u + sp.eye(u.shape[0])) @ offers).astype(bool).astype(float))  # offered within 1 hop
    if brokered:
        pairs = np.array([(a, b) for _, a, b, _, _ in brokered], dtype=np.int64)
        via = sp.csr_matrix((np.ones(len(pairs)), (pairs[:, 1], pairs[:, 0])), shape=u.shape)
        served = served + via @ offers
    open_needs = needs - needs.multiply(served.astype(bool))
    open_needs.eliminate_zeros()
    open_needs = open_needs.tocsc()
    counts = np.diff(open_needs.indptr)
    comps = np.flatnonzero(counts)
    comps = comps[np.lexsort((comps, -counts[comps]))][:BRIDGE_COMPETENCES]
    offers_csc = offers.tocsc()
    best: dict[tuple[int, int], tuple[int, list[int], int]] = {}
    for c in comps.tolist():
        offerers = offers_csc[:, c].indices
        if len(offerers) == 0:
            continue
        dist, pred, src = dijkstra(u, directed=False, indices=offerers, unweighted=True,
                                   min_only=True, limit=max_hops, return_predecessors=True)
        for b in open_needs[:, c].indices.tolist():
            if np.isfinite(dist[b]) and dist[b] >= 2:
                a = int(src[b])
                path = _walk(pred, b)
                known = best.get((a, b))
                best[(a, b)] = (len(path) - 1, path[::-1], (known[2] if known else 0) + 1)
    return [(float(k / (h - 1)), a, b, h, path) for (a, b), (h, path, k) in best.items()]


def _walk(pred: np.ndarray, node: int) -> list[int]:
    """The path from ``node`` back to its source along the predecessors (node first)."""
    path = [node]
    while pred[path[-1]] >= 0:
        path.append(int(pred[path[-1]]))
    return path


def _describe(store: Store, net: ActorNetwork, ds: Supply, offers: sp.csr_matrix,
              needs: sp.csr_matrix, found: list[tuple[float, int, int, int, list[int]]],
              lang: str | None = None) -> list[Introduction]:
    ids = net.ids
    wanted = sorted({ids[i] for _, a, b, _, p in found for i in (a, b, *p)})
    brokers_of = {}
    for _, a, b, hops, _ in found:
        if hops == 2:
            common = net.undirected[a].multiply(net.undirected[b]).indices
            brokers_of[(a, b)] = sorted(common.tolist(), key=lambda i: ids[i])[:BROKERS_SHOWN]
            wanted += [ids[i] for i in brokers_of[(a, b)]]
    nodes = store.get_nodes(sorted(set(wanted)))
    comp_names = names_in(store, [COMPETENCE], lang)

    def who(i: int) -> Actor:
        node = nodes.get(ids[i])
        props = node.props if node else {}
        return Actor(ids[i], props.get(NAME, ids[i]), props.get(COUNTRY))

    out = []
    for score, a, b, hops, path in found:
        shared = np.intersect1d(offers[a].indices, needs[b].indices).tolist()
        comps = [Named(ds.competence_ids[c], comp_names.get(ds.competence_ids[c]))
                 for c in sorted(shared, key=lambda c: ds.competence_ids[c])]
        brokers = [Named(x.id, x.name) for x in map(who, brokers_of.get((a, b), []))]
        if hops == 2:
            path = [a, brokers_of[(a, b)][0], b]
        offerer, needer = who(a), who(b)
        out.append(Introduction(
            score=round(score, 6), offerer=offerer, needer=needer, competences=comps, hops=hops,
            brokers=brokers, path=[ids[i] for i in path],
            explanation=_explain(offerer, needer, comps, brokers, path, ids)))
    return out


def _explain(offerer: Actor, needer: Actor, comps: list[Named], brokers: list[Named],
             path: list[int], ids: list[str]) -> str:
    """The introduction in a sentence: a message worded where it is shown (in the asker's
    language: GraphQL words it in the request's), its English text for JSON."""
    what = ", ".join(str(c.name or c.id) for c in comps) or Msg(N_("a needed competence"))
    if brokers:
        return Msg(N_("{offerer} offers {what}, {needer} needs it, they are not tied; broker "
                      "{brokers} is tied to both"), offerer=offerer.name, what=what,
                   needer=needer.name, brokers=either([str(b.name) for b in brokers]))
    return Msg(Np_("{offerer} offers {what}, {needer} needs it, they are not tied; the "
                   "shortest bridge is {n} hop: {path}",
                   "{offerer} offers {what}, {needer} needs it, they are not tied; the "
                   "shortest bridge is {n} hops: {path}"), n=len(path) - 1,
               offerer=offerer.name, what=what, needer=needer.name,
               path=" → ".join(ids[i] for i in path))


def _masked_product(x: sp.csr_matrix, y: sp.csr_matrix, mask: sp.csr_matrix) -> sp.csr_matrix:
    """``(x @ y)`` kept only where ``mask`` is non-zero, computed in row blocks of at most
    :data:`BLOCK_NNZ` estimated entries so that memory stays bounded on large networks."""
    n = x.shape[0]
    per_row = _row_work(x, np.diff(y.indptr).astype(np.int64))
    blocks = []
    start = 0
    while start < n:
        cum = np.cumsum(per_row[start:])
        stop = start + max(1, int(np.searchsorted(cum, BLOCK_NNZ, side="right")))
        part = (x[start:stop] @ y).tocsr()
        blocks.append(part.multiply(mask[start:stop].astype(bool)).tocsr())
        start = stop
    return sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((n, y.shape[1]))


def _row_work(x: sp.csr_matrix, y_deg: np.ndarray) -> np.ndarray:
    """Σ_{k: x[i,k] ≠ 0} deg_y(k) per row i: an upper bound on the row's product entries."""
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    return np.bincount(rows, weights=y_deg[x.indices], minlength=x.shape[0]).astype(np.int64)
