"""Attribute mixing: observed versus expected ties between groups (e.g. sector groups).

Ties are read undirected and counted once per pair of actors. With ``m`` ties and ``a_g`` the
share of tie ends at actors of group ``g``, random mixing with the same ends expects ``m·a_g²``
ties inside ``g`` and ``2m·a_g·a_h`` between ``g`` and ``h`` (Newman 2003, the "e_gh = a_g a_h"
null model). A ratio observed/expected below 1 means the groups are under-linked: the pairs with
the lowest ratio are where cross-sector introductions would matter most. The assortativity
coefficient ``r = (Σ e_gg − Σ a_g²) / (1 − Σ a_g²)`` summarises the whole table.

Reference: Newman, M. E. J. (2003). Mixing patterns in networks. Physical Review E 67, 026126.
doi:10.1103/PhysRevE.67.026126
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from coco_atlas.graph.analytics.groups import actor_groups, codes
from coco_atlas.graph.analytics.network import ALL_TIES, SparseMatrix, actor_network
from coco_atlas.graph.analytics.results import Result
from coco_atlas.graph.store import Store
from coco_atlas.graph.timeline import Period

__all__ = ["Mixing", "MixingPair", "SectorMixing", "group_mixing", "sector_mixing"]


@dataclass(frozen=True, slots=True)
class MixingPair(Result):
    """Ties between groups ``a ≤ b``: observed, expected under random mixing, and the ratio
    (None when none are expected)."""

    a: str
    b: str
    observed: int
    expected: float
    ratio: float | None


@dataclass(frozen=True, slots=True)
class Mixing(Result):
    """The mixing table: ties counted, Newman's assortativity (None when undefined), every pair
    of groups, and the pairs of different groups with the lowest ratio, lowest first."""

    ties: int
    assortativity: float | None
    pairs: list[MixingPair]
    under_linked: list[MixingPair]


@dataclass(frozen=True, slots=True)
class SectorMixing(Mixing):
    """:class:`Mixing` over the whole actor network, with how actors were grouped."""

    group_by: str


def sector_mixing(store: Store, *, group_by: str = "sectorGroup", ties: Sequence[str] = ALL_TIES,
                  years: tuple[int | None, int | None] | None = None,
                  first: int = 5, during: Period | None = None) -> SectorMixing:
    """Observed versus expected ties between groups over the whole actor network (as it stood
    ``during`` a day or period, when given)."""
    net = actor_network(store, ties=ties, directed=False, years=years, during=during)
    table = group_mixing(net.undirected, actor_groups(store, net, group_by), first=first)
    return SectorMixing(table.ties, table.assortativity, table.pairs, table.under_linked,
                        group_by)


def group_mixing(adjacency: SparseMatrix, groups: Sequence[str], *,
                 first: int = 5) -> Mixing:
    """The mixing table of a network whose vertices carry ``groups``: every pair of groups
    (``a ≤ b``) and the ``first`` pairs of different groups with the lowest ratio.

    Examples
    --------
    A path x–y–z with groups A, B, A: both ties join A and B. Half the tie ends are in A, half
    in B, so random mixing expects 2·½² = 0.5 ties inside each group and 2·2·½·½ = 1 between.

    >>> import scipy.sparse as sp
    >>> a = sp.csr_matrix(([1, 1, 1, 1], ([0, 1, 1, 2], [1, 0, 2, 1])), shape=(3, 3))
    >>> t = group_mixing(a, ["A", "B", "A"])
    >>> [(p.a, p.b, p.observed, p.expected) for p in t.pairs]
    [('A', 'A', 0, 0.5), ('A', 'B', 2, 1.0), ('B', 'B', 0, 0.5)]
    """
    cl, names = codes(groups)
    u = sp.triu(_symmetric(adjacency), k=1).tocoo()
    m = u.nnz
    k = len(names)
    observed = np.zeros((k, k), dtype=np.int64)
    np.add.at(observed, (np.minimum(cl[u.row], cl[u.col]), np.maximum(cl[u.row], cl[u.col])), 1)
    ends = np.bincount(np.concatenate((cl[u.row], cl[u.col])), minlength=k) / (2 * m) if m \
        else np.zeros(k)
    pairs = []
    for i in range(k):
        for j in range(i, k):
            expected = float(m * ends[i] ** 2 if i == j else 2 * m * ends[i] * ends[j])
            obs = int(observed[i, j])
            pairs.append(MixingPair(names[i], names[j], obs, expected,
                                    obs / expected if expected > 0 else None))
    e = (observed + observed.T) / (2 * m) if m else np.zeros((k, k))
    np.fill_diagonal(e, np.diag(observed) / m if m else 0)
    sum_a2 = float(np.sum(ends ** 2))
    r = (float(np.trace(e)) - sum_a2) / (1 - sum_a2) if m and sum_a2 < 1 else None
    cross = [p for p in pairs if p.a != p.b and p.ratio is not None]
    cross.sort(key=lambda p: (p.ratio, -p.expected, p.a, p.b))
    return Mixing(ties=m, assortativity=r, pairs=pairs, under_linked=cross[:first])


def _symmetric(a: SparseMatrix) -> sp.csr_matrix:
    a = sp.csr_matrix(a, dtype=float)
    s = (a + a.T).tocsr()
    s.setdiag(0)
    s.eliminate_zeros()
    s.data = np.ones_like(s.data)
    return s
