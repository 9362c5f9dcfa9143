"""Gould–Fernandez brokerage roles, with expected counts and z-scores under random group assignment.

A broker ``v`` sits on a two-path ``a → v → b`` with ``a ≠ b`` and no arc ``a → b``; by the groups
of ``a``, ``v`` and ``b`` the broker is a

* coordinator (A → A → A), itinerant / consultant (A → B → A), representative (A → A → B),
  gatekeeper (A → B → B) or liaison (A → B → C);

``total`` counts all of them. Undirected ties count as two arcs. These are the path rules of R's
``sna::brokerage`` (C routine ``brokerage_R`` in sna's ``src/gli.c``), and the expected values and
variances are those of ``sna::brokerage`` (``R/models.R``, after Gould & Fernandez 1989): under a
random graph of density ``d = m / (N (N − 1))`` (``m`` arcs) with the group sizes fixed.

References
----------
Gould, R. V. & Fernandez, R. M. (1989). Structures of mediation: a formal approach to brokerage
in transaction networks. Sociological Methodology 19, 89–126. doi:10.2307/270949
Butts, C. T. (2008). Social network analysis with sna. Journal of Statistical Software 24(6).
doi:10.18637/jss.v024.i06
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import scipy.sparse as sp

from coco_atlas.graph.analytics import betweenness as bt
from coco_atlas.graph.analytics import kernels
from coco_atlas.graph.analytics import structural_holes as sh
from coco_atlas.graph.analytics.groups import actor_groups, codes
from coco_atlas.graph.analytics.network import ALL_TIES, NAME, SparseMatrix, actor_network, binary
from coco_atlas.graph.analytics.results import Result, json_name
from coco_atlas.graph.store import Store
from coco_atlas.graph.timeline import Period
from coco_atlas.schema.messages import N_, Msg, Np_

__all__ = ["ROLES", "BetweenGroups", "BetweennessEstimate", "Broker", "BrokerageResult",
           "GroupBroker", "GroupMoments", "RoleScores", "between_groups", "brokerage_counts",
           "brokerage_moments", "brokerage_roles", "brokerage_table", "brokers", "group_pairs"]

ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison", "total")


@dataclass(frozen=True, slots=True)
class RoleScores(Result):
    """One value per role of :data:`ROLES` (None: undefined, as for a z-score without variance)."""

    coordinator: float | None
    itinerant: float | None
    representative: float | None
    gatekeeper: float | None
    liaison: float | None
    total: float | None

    @classmethod
    def of(cls, values: Iterable[float]) -> RoleScores:
        """From a row of six numbers in the order of :data:`ROLES` (NaN becomes None)."""
        return cls(*map(_num, values))


@dataclass(frozen=True, slots=True)
class Broker(Result):
    """One actor's row: role counts, Burt's constraint and effective size, betweenness, and the
    z-scores of its role counts."""

    id: str
    name: Any
    label: str
    group: str
    coordinator: int
    itinerant: int
    representative: int
    gatekeeper: int
    liaison: int
    total: int
    constraint: float | None
    effective_size: float | None
    betweenness: float
    z: RoleScores


@dataclass(frozen=True, slots=True)
class GroupMoments(Result):
    """The expected role counts of a broker of one group under random ties, and their sd."""

    size: int
    expected: RoleScores
    sd: RoleScores


@dataclass(frozen=True, slots=True)
class BetweennessEstimate(Result):
    """How betweenness was computed (:func:`graph.analytics.betweenness.betweenness`)."""

    method: str
    cross_group: bool
    pivots: int
    epsilon: float
    epsilon_normalised: float
    delta: float


@dataclass(frozen=True, slots=True)
class BrokerageResult(Result):
    """The brokerage analysis: :func:`brokers`."""

    group_by: str
    directed: bool
    ties: list[str]
    density: float
    actors: list[Broker]
    groups: dict[str, GroupMoments]
    betweenness: BetweennessEstimate


@dataclass(frozen=True, slots=True)
class GroupBroker(Result):
    """An actor on open two-paths between two groups, and how many: :func:`between_groups`."""

    id: str
    name: Any
    label: str
    group: str
    between: int


@dataclass(frozen=True, slots=True)
class BetweenGroups(Result):
    """The brokers between one pair of groups: :func:`between_groups`."""

    group_by: str
    between: list[str]
    actors: list[GroupBroker]


def brokerage_table(store: Store, *, group_by: str = "sectorGroup", directed: bool = False,
                    ties: Sequence[str] = ALL_TIES,
                    years: tuple[int | None, int | None] | None = None,
                    during: Period | None = None) -> list[dict[str, Any]]:
    """One row per actor: brokerage role counts, Burt's constraint and effective size, betweenness.

    Rows have ``id, name, label, group, coordinator, itinerant, representative, gatekeeper,
    liaison, total, constraint, effectiveSize, betweenness``, sorted by ``total`` (descending),
    then by id. Betweenness is exact up to :data:`graph.analytics.betweenness.EXACT_LIMIT`
    actors and sampled above (see :func:`brokers` for the error bound). Plain dicts, the JSON
    form of :class:`Broker` without ``z``: the maps and charts read a column by the name its
    measure has in their URLs (``size=effectiveSize``).
    """
    result = brokers(store, group_by=group_by, directed=directed, ties=ties, years=years,
                     during=during)
    columns = [(json_name(f.name), f.name) for f in fields(Broker) if f.name != "z"]
    return [{key: getattr(row, name) for key, name in columns} for row in result.actors]


def brokers(store: Store, *, group_by: str = "sectorGroup", directed: bool = False,
            ties: Sequence[str] = ALL_TIES, years: tuple[int | None, int | None] | None = None,
            first: int | None = None, seed: int = 0,
            during: Period | None = None) -> BrokerageResult:
    """The brokerage analysis of a store (what GraphQL ``brokers`` serves).

    One :class:`Broker` per actor, most brokerage (``total``) first, then by id; per group its
    size and the expected role counts and their sd (:class:`GroupMoments`); the density, and
    how betweenness was computed (:class:`BetweennessEstimate`). ``during`` (a day or period,
    :mod:`graph.timeline`) takes the network as it stood then.
    """
    net = actor_network(store, ties=ties, directed=directed, years=years, during=during)
    groups = actor_groups(store, net, group_by)
    roles = brokerage_roles(net.adjacency, groups)
    constraint, esize = sh.constraint_and_effective_size(net.weights)
    between = bt.betweenness(net, seed=seed)
    names = store.property_values(NAME, sorted(set(net.labels)) or None) if net.n else {}
    # Columns as Python lists: reading numpy scalars one by one costs more than the dataclasses
    columns = zip(net.ids, net.labels, groups, roles["counts"].tolist(), constraint.tolist(),
                  esize.tolist(), between["values"].tolist(), roles["z"].tolist(), strict=True)
    rows = []
    for node_id, label, group, counts, c, e, b, z in columns:
        coordinator, itinerant, representative, gatekeeper, liaison, total = counts  # ROLES
        rows.append(Broker(
            node_id, names.get(node_id, node_id), label, group, coordinator, itinerant,
            representative, gatekeeper, liaison, total, constraint=_num(c),
            effective_size=_num(e), betweenness=float(b), z=RoleScores.of(z)))
    rows.sort(key=lambda r: (-r.total, r.id))
    if first is not None:
        rows = rows[:first]
    return BrokerageResult(
        group_by=group_by, directed=net.directed, ties=list(net.options[0]),
        density=roles["density"], actors=rows,
        groups={g: GroupMoments(int(s), RoleScores.of(e), RoleScores.of(d))
                for g, s, e, d in zip(roles["groups"], roles["sizes"], roles["expected"],
                                      roles["sd"], strict=True)},
        betweenness=BetweennessEstimate(
            between["method"], between["crossGroup"], between["pivots"], between["epsilon"],
            between["epsilonNormalised"], between["delta"]))


def between_groups(store: Store, pair: Sequence[str], *, group_by: str = "sectorGroup",
                   directed: bool = False, ties: Sequence[str] = ALL_TIES,
                   years: tuple[int | None, int | None] | None = None,
                   first: int | None = None, during: Period | None = None) -> BetweenGroups:
    """Brokers between one pair of groups ("between cci and advanced-manufacturing").

    An actor's count is the number of open two-paths a → v → b it sits on with one end in each
    of the two groups (both directions; an undirected tie is two arcs, as in :func:`brokers`):
    how often it links someone of the one group with someone of the other who are not tied
    themselves. Whatever the broker's own group, so it adds up its representative, gatekeeper
    and liaison paths between these two groups (Gould & Fernandez 1989).

    Lists the actors whose count is positive, highest first (then by id).
    """
    g, h = (str(x) for x in pair)
    if g == h:
        raise ValueError(Msg(N_("{field}: expected two different groups, got {group} twice"),
                             field="between", group=repr(g)))
    net = actor_network(store, ties=ties, directed=directed, years=years, during=during)
    groups = actor_groups(store, net, group_by)
    known = sorted(set(groups))
    missing = [x for x in (g, h) if x not in known]
    if missing:
        raise ValueError(Msg(Np_("{field}: no {grouping} group {missing} (groups: {known})",
                                 "{field}: no {grouping} groups {missing} (groups: {known})"),
                             n=len(missing), field="between", grouping=group_by,
                             missing=", ".join(map(repr, missing)),
                             known=", ".join(known) or Msg(N_("none"))))
    three = np.array([0 if x == g else 1 if x == h else 2 for x in groups], dtype=np.int64)
    counts = kernels.brokerage_pairs(*_csr(net.adjacency), three, 3)
    value = counts[:, 0, 1] + counts[:, 1, 0]
    names = store.property_values(NAME, sorted(set(net.labels)) or None) if net.n else {}
    order = sorted(np.flatnonzero(value > 0).tolist(), key=lambda i: (-value[i], net.ids[i]))
    rows = [GroupBroker(net.ids[i], names.get(net.ids[i], net.ids[i]), net.labels[i], groups[i],
                        int(value[i])) for i in order[:first]]
    return BetweenGroups(group_by=group_by, between=[g, h], actors=rows)


def group_pairs(adjacency: SparseMatrix, groups: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Per broker, its open two-paths by the (unordered) pair of groups they link.

    Returns ``(counts, names)``: ``counts[v, i, j]`` (``i < j``) counts the paths a → v → b with
    one end in group ``names[i]`` and the other in ``names[j]``, in either direction; the
    diagonal and lower triangle are zero. For a few groups (sector groups): N·G² cells.
    """
    cl, names = codes(groups)
    counts = kernels.brokerage_pairs(*_csr(adjacency), cl, len(names))
    both = counts + counts.transpose(0, 2, 1)
    return np.triu(both, k=1), names


def _csr(adjacency: SparseMatrix) -> tuple[np.ndarray, np.ndarray]:
    a = binary(adjacency)
    return a.indptr, a.indices


def brokerage_roles(adjacency: SparseMatrix, groups: Sequence[str]) -> dict[str, Any]:
    """Role counts, expected counts, standard deviations and z-scores per actor.

    Parameters
    ----------
    adjacency : N × N sparse matrix; any non-zero ``[a, b]`` is an arc a→b (diagonal ignored).
    groups : the group of each vertex.

    Returns
    -------
    dict with ``counts`` (N × 6, columns :data:`ROLES`), ``expected``/``sd`` per group (G × 6),
    ``z`` (N × 6, NaN where the sd is 0), ``groups`` (names), ``sizes`` and ``density``.

    Examples
    --------
    The path 0 → 1 → 2 with groups A, A, B: vertex 1 is a representative.

    >>> import scipy.sparse as sp
    >>> a = sp.csr_matrix(([1, 1], ([0, 1], [1, 2])), shape=(3, 3))
    >>> brokerage_roles(a, ["A", "A", "B"])["counts"][1].tolist()
    [0, 0, 1, 0, 0, 1]
    """
    cl, names = codes(groups)
    a = binary(adjacency)
    counts = _counts(a, cl)
    sizes = np.bincount(cl, minlength=len(names)).astype(float)
    n = a.shape[0]
    expected, var = brokerage_moments(a.nnz, n, sizes)
    sd = np.sqrt(var)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (counts - expected[cl]) / sd[cl]
    z[~np.isfinite(z)] = np.nan
    density = a.nnz / (n * (n - 1)) if n > 1 else 0.0
    return {"counts": counts, "expected": expected, "sd": sd, "z": z, "groups": names,
            "sizes": sizes, "density": density}


def brokerage_counts(adjacency: SparseMatrix, groups: np.ndarray) -> np.ndarray:
    """Gould–Fernandez role counts per vertex (N × 6 int64, columns :data:`ROLES`).

    Every two-path ``a → v → b`` with ``a ≠ b`` and no arc ``a → b`` is visited once, in
    compiled code (:func:`graph.analytics.kernels.brokerage`): Σ in(v)·out(v) steps, without
    materialising the two-paths as sparse products would.
    """
    return _counts(binary(adjacency), np.asarray(groups, dtype=np.int64))


def _counts(a: sp.csr_matrix, groups: np.ndarray) -> np.ndarray:
    """:func:`brokerage_counts` of a 0/1 matrix without self-loops."""
    out = np.zeros((a.shape[0], 6), dtype=np.int64)
    out[:, :5] = kernels.brokerage(a.indptr, a.indices, groups)
    out[:, 5] = out[:, :5].sum(axis=1)
    return out


def brokerage_moments(n_arcs: int, n: int, sizes: Iterable[float]
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Expected role counts and their variances for a broker of each group (G × 6 each).

    The formulas of ``sna::brokerage`` (Butts 2008; Gould & Fernandez 1989), term for term:
    ``d = m / (N (N − 1))``, ``q = d² (1 − d)`` (the chance that a given ordered triple is an
    open two-path), ``c = d³ (1 − d)³``.
    """
    sizes = np.asarray(list(sizes), dtype=float)
    big_n = float(n)
    d = n_arcs / (big_n * (big_n - 1)) if n > 1 else 0.0
    q, c = d * d * (1 - d), d ** 3 * (1 - d) ** 3
    e = np.zeros((len(sizes), 6))
    v = np.zeros((len(sizes), 6))
    for i, ni in enumerate(sizes):
        rest = np.delete(sizes, i)
        e[i, 0] = q * (ni - 1) * (ni - 2)
        v[i, 0] = e[i, 0] * (1 - q) + 2 * (ni - 1) * (ni - 2) * (ni - 3) * c
        e[i, 1] = q * np.sum(rest * (rest - 1))
        v[i, 1] = e[i, 1] * (1 - q) + 2 * np.sum(rest * (rest - 1) * (rest - 2)) * c
        e[i, 2] = q * (big_n - ni) * (ni - 1)
        v[i, 2] = e[i, 2] * (1 - q) + 2 * ((ni - 1) * _choose2(big_n - ni)
                                           + (big_n - ni) * _choose2(ni - 1)) * c
        e[i, 3], v[i, 3] = e[i, 2], v[i, 2]
        e[i, 4] = q * (np.sum(np.outer(rest, rest)) - np.sum(rest ** 2))
        v[i, 4] = e[i, 4] * (1 - q) + 4 * np.sum(rest * _choose2(big_n - rest - ni) * c)
        e[i, 5] = q * (big_n - 1) * (big_n - 2)
        v[i, 5] = e[i, 5] * (1 - q) + 2 * (big_n - 1) * (big_n - 2) * (big_n - 3) * c
    return e, v


def _choose2(x: Any) -> Any:
    """R's ``choose(x, 2)`` for real x: x (x − 1) / 2."""
    return x * (x - 1) / 2


def _num(x: float) -> float | None:
    """A plain float, or None for NaN (undefined values travel as null in JSON)."""
    x = float(x)
    return None if math.isnan(x) else x
