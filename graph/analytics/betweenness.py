"""Betweenness of actors: exact, restricted to paths between groups, or sampled with its error.

Betweenness counts, for every pair of actors, the share of shortest paths (in hops) that run
through an actor (Freeman 1977); it is computed by Brandes' algorithm (2001) in compiled code run
on all cores (:func:`graph.analytics.kernels.brandes`). Undirected networks count each unordered
pair once, directed ones each ordered pair.

* **cross-group** betweenness keeps only the pairs (s, t) of *different* groups — who stands
  between sectors, countries or regions: Brandes' accumulation where only targets outside the
  source's group count (Brandes 2008, the variants' common scheme).
* **sampled** betweenness follows Brandes & Pich (2007): ``k`` pivots drawn uniformly without
  replacement, their dependencies scaled by ``n / k``. With each pivot's scaled contribution in
  ``[0, R]``, Hoeffding's inequality (1963, which also holds without replacement) and a union
  bound over the ``n`` actors give: with probability at least ``1 − δ`` every actor's estimate is
  within ``ε = R √(ln(2n/δ) / (2k))`` of its exact value; ``R = n (n − 2)`` for directed networks,
  half that for undirected ones. ``ε`` is reported with the result, also relative to the largest
  possible betweenness (``(n − 1)(n − 2)``, halved when undirected).

References
----------
Freeman, L. C. (1977). A set of measures of centrality based on betweenness. Sociometry 40(1),
35–41. doi:10.2307/3033543
Brandes, U. (2001). A faster algorithm for betweenness centrality. Journal of Mathematical
Sociology 25(2), 163–177. doi:10.1080/0022250X.2001.9990249
Brandes, U. & Pich, C. (2007). Centrality estimation in large networks. International Journal of
Bifurcation and Chaos 17(7), 2303–2318. doi:10.1142/S0218127407018403
Brandes, U. (2008). On variants of shortest-path betweenness centrality and their generic
computation. Social Networks 30(2), 136–145. doi:10.1016/j.socnet.2007.11.001
Hoeffding, W. (1963). Probability inequalities for sums of bounded random variables. JASA 58,
13–30. doi:10.1080/01621459.1963.10500830
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from coco_atlas.graph.analytics import kernels
from coco_atlas.graph.analytics.network import ActorNetwork
from coco_atlas.schema.messages import N_, Msg

__all__ = ["EXACT_LIMIT", "betweenness", "error_bound"]

EXACT_LIMIT = 5_000  # actors up to which "auto" computes exact betweenness
PIVOTS = 128  # pivots of the sampled estimate when "auto" samples
DELTA = 0.05


def betweenness(net: ActorNetwork, *, groups: Sequence[Any] | None = None,
                pivots: int | str | None = "auto", delta: float = DELTA,
                seed: int = 0) -> dict[str, Any]:
    """Betweenness of every actor of ``net``, exact or sampled.

    Parameters
    ----------
    net : the actor network (its direction decides directed or undirected paths).
    groups : when given, only shortest paths between actors of different groups count.
    pivots : ``None`` for exact, an int ``k`` for Brandes–Pich sampling with ``k`` pivots, or
        ``"auto"``: exact up to :data:`EXACT_LIMIT` actors, else :data:`PIVOTS` pivots.
    delta : the failure probability of the reported error bound.
    seed : seed of the pivot sample (the same seed gives the same estimate).

    Returns
    -------
    dict with ``values`` (numpy array, raw betweenness: pair counts, not normalised),
    ``method`` (``exact`` or ``sampled``), ``crossGroup``, ``pivots``, ``epsilon`` (absolute
    bound, 0 when exact),
    ``epsilonNormalised`` (relative to the largest possible value) and ``delta``.
    """
    n = net.n
    if pivots == "auto":
        pivots = None if n <= EXACT_LIMIT else PIVOTS
    if pivots is not None and (not isinstance(pivots, int) or pivots < 1):
        raise ValueError(Msg(N_("{field}: expected a positive integer, 'auto' or None, got "
                                "{got}"), field="pivots", got=repr(pivots)))
    if not 0 < delta < 1:
        raise ValueError(Msg(N_("{field}: expected a probability between 0 and 1, got {got}"),
                             field="delta", got=delta))
    sources = None
    if pivots is not None and pivots < n:
        rng = np.random.default_rng(seed)
        sources = np.sort(rng.choice(n, size=pivots, replace=False))
    values = _brandes(net, groups, sources)
    exact = sources is None
    k = n if sources is None else len(sources)
    if not exact:
        values *= n / k
    eps, eps_norm = (0.0, 0.0) if exact else error_bound(n, k, delta, directed=net.directed)
    return {"values": values, "method": "exact" if exact else "sampled",
            "crossGroup": groups is not None, "pivots": k,
            "epsilon": eps, "epsilonNormalised": eps_norm, "delta": 0.0 if exact else delta}


def error_bound(n: int, k: int, delta: float, *, directed: bool) -> tuple[float, float]:
    """Hoeffding + union bound for ``k`` of ``n`` pivots: (absolute ε, ε relative to the maximum).

    >>> round(error_bound(1000, 100, 0.05, directed=False)[1], 4)
    0.2304
    """
    if n < 3:
        return 0.0, 0.0
    spread = math.sqrt(math.log(2 * n / delta) / (2 * k))
    scale = n * (n - 2) / (1 if directed else 2)
    most = (n - 1) * (n - 2) / (1 if directed else 2)
    return scale * spread, scale * spread / most


def _brandes(net: ActorNetwork, groups: Sequence[Any] | None,
             sources: np.ndarray | None) -> np.ndarray:
    """Betweenness from ``sources`` (all if None), to other groups only if ``groups``; each
    unordered pair once when the network is undirected."""
    n = net.n
    if n == 0:
        return np.zeros(0)
    a = net.adjacency
    codes = None
    if groups is not None:
        codes = np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True)[1]
    pool = np.arange(n) if sources is None else np.asarray(sources)
    values = kernels.brandes(a.indptr, a.indices, pool, codes)
    return values if net.directed else values / 2
