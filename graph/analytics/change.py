"""Change over time: the ecosystem period by period (trends) and two periods side by side.

Each period is the actor network of :func:`graph.analytics.network.actor_network` restricted to
what holds in it (:mod:`graph.timeline`: actors between founding and closing, ties between their
``since`` and ``until``, collaborations between their dates). On it, per period:

* **actors** and **ties** (pairs of actors tied by a partnership, a shared collaboration or a
  membership, counted once), and the network's **density** ``2m / n(n−1)``;
* **cross-sector ties**: ties whose two actors are in different sector groups (both known), their
  count and share of the ties whose ends both have a group; and the same **sector mixing** the
  gap analysis reports — cross-group ties observed versus expected under random mixing with the
  same tie ends (Newman 2003, Phys. Rev. E 67, 026126), and the assortativity coefficient;
* **top brokers** by Gould & Fernandez's total brokerage between sector groups (1989, Sociological
  Methodology 19, 89–126), with the rank each had in the previous period;
* **open gaps** per NUTS region: competences needed there that nobody there offers.

:func:`compare` puts two periods side by side: new and ended ties (cross-sector ones first), new
bridges (actors whose total brokerage rose most, with the sector groups they now connect), gaps
closed and opened, and new actors — each with its evidence: the partnership, collaboration or
membership behind a tie, with its dates; an actor's founding year.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from coco_atlas.graph.analytics.brokerage import brokerage_roles
from coco_atlas.graph.analytics.gaps import unmet_needs
from coco_atlas.graph.analytics.groups import UNKNOWN, actor_groups
from coco_atlas.graph.analytics.mixing import group_mixing
from coco_atlas.graph.analytics.network import ACTORS, NAME, TIES, ActorNetwork, actor_network
from coco_atlas.graph.analytics.results import OMITTED_IF_NONE, Result
from coco_atlas.graph.store import Store
from coco_atlas.graph.timeline import Period
from coco_atlas.schema import SCHEMA
from coco_atlas.schema.messages import N_, Msg

__all__ = ["BridgeChange", "CollaborationEvidence", "Comparison", "ComparisonCounts",
           "GapChange", "GroupFigures", "MixingFigures", "NewActor", "RankedBroker",
           "RelationEvidence", "TieChange", "TieEnd", "TrendPeriod", "Trends", "compare",
           "evidence", "snapshot", "trends"]

FOUNDED = SCHEMA.validity(ACTORS[0]).start
TOTAL = 5  # column of "total" in brokerage_roles' counts
GROUPINGS = ("sectorGroup", "country", "region")


@dataclass
class Snapshot:
    """The actor network of one period, its ties as sorted id pairs, and the actors' groups."""

    period: Period
    net: ActorNetwork
    sector: list[str]
    pairs: np.ndarray  # m × 2 actor positions, i < j
    weights: np.ndarray  # tie strength (shared collaborations, partnership weight…)

    @property
    def ids(self) -> list[str]:
        return self.net.ids

    def cross(self) -> np.ndarray:
        """Per tie: its ends are in different, known sector groups."""
        g = np.array(self.sector, dtype=object)
        a, b = g[self.pairs[:, 0]], g[self.pairs[:, 1]]
        return (a != b) & (a != UNKNOWN) & (b != UNKNOWN)

    def known(self) -> np.ndarray:
        g = np.array(self.sector, dtype=object)
        return (g[self.pairs[:, 0]] != UNKNOWN) & (g[self.pairs[:, 1]] != UNKNOWN)


def snapshot(store: Store, period: Period) -> Snapshot:
    """The network of ``period`` (every tie source)."""
    net = actor_network(store, during=period)
    sector = actor_groups(store, net, "sectorGroup") if net.n else []
    u = sp.triu(sp.csr_matrix(net.weights), k=1).tocoo()  # undirected: symmetric weights
    pairs = np.column_stack([u.row, u.col]).astype(np.int64) if u.nnz else \
        np.zeros((0, 2), dtype=np.int64)
    return Snapshot(period, net, sector, pairs, np.asarray(u.data, dtype=float))


# -- trends ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class MixingFigures(Result):
    """Cross-sector ties observed and expected under random mixing (Newman 2003), their ratio
    and the assortativity of the sector groups."""

    observed: int
    expected: float
    ratio: float | None
    assortativity: float | None


@dataclass(frozen=True, slots=True)
class RankedBroker(Result):
    """An actor by total brokerage between sector groups, with its rank in the period before
    (None: not ranked then)."""

    id: str
    rank: int
    total: int
    group: str
    previous_rank: int | None
    name: str


@dataclass(frozen=True, slots=True)
class GroupFigures(Result):
    """The actors of one group, and the ties and cross-sector ties that touch them."""

    actors: int
    ties: int
    cross_sector_ties: int


@dataclass(frozen=True, slots=True)
class TrendPeriod(Result):
    """One period of :func:`trends`; ``groups`` only when grouped (left out of the JSON else)."""

    from_: int
    to: int
    actors: int
    ties: int
    density: float
    cross_sector_ties: int
    cross_sector_share: float | None
    mixing: MixingFigures
    top_brokers: list[RankedBroker]
    open_gaps: int
    open_gaps_by_region: dict[str, int]
    groups: dict[str, GroupFigures] | None = field(default=None, metadata=OMITTED_IF_NONE)


@dataclass(frozen=True, slots=True)
class Trends(Result):
    """The ecosystem period by period: :func:`trends`."""

    from_: int
    to: int
    step: int
    group_by: str | None
    level: int
    periods: list[TrendPeriod]


def trends(store: Store, *, first: int, last: int, step: int = 1, group_by: str | None = None,
           top: int = 5, level: int = 2) -> Trends:
    """Per period of ``step`` years from ``first`` to ``last``: the figures of the module
    notes, and per group (``group_by``: sectorGroup, country or region) actors and ties."""
    if last < first:
        raise ValueError(Msg(N_("{field}: the last year {last} comes before the first {first}"),
                             field="to", last=last, first=first))
    if step < 1:
        raise ValueError(Msg(N_("{field}: expected a number of years ≥ 1, got {got}"),
                             field="by", got=step))
    if group_by is not None and group_by not in GROUPINGS:
        raise ValueError(Msg(N_("{field}: expected one of {choices}, got {got}"),
                             field="groupBy", choices=", ".join(GROUPINGS), got=repr(group_by)))
    periods: list[TrendPeriod] = []
    previous: dict[str, int] = {}
    for start in range(first, last + 1, step):
        end = min(start + step - 1, last)
        period = Period.years(start, end)
        snap = snapshot(store, period)
        ranking = _ranking(snap)
        gaps = unmet_needs(store, level=level, during=period)
        per_region: dict[str, int] = {}
        for region, _competence in gaps:
            per_region[region] = per_region.get(region, 0) + 1
        periods.append(TrendPeriod(
            from_=start, to=end, **_figures(snap),
            top_brokers=[replace(r, previous_rank=previous.get(r.id)) for r in ranking[:top]],
            open_gaps=len(gaps),
            open_gaps_by_region=dict(sorted(per_region.items(), key=lambda x: (-x[1], x[0]))),
            groups=None if group_by is None else _by_group(store, snap, group_by)))
        previous = {r.id: r.rank for r in ranking}
    names = _names(store, {b.id for p in periods for b in p.top_brokers})
    periods = [replace(p, top_brokers=[replace(b, name=names.get(b.id, b.id))
                                       for b in p.top_brokers]) for p in periods]
    return Trends(from_=first, to=last, step=step, group_by=group_by, level=level,
                  periods=periods)


def _figures(snap: Snapshot) -> dict[str, Any]:
    """The figures of a period (fields of :class:`TrendPeriod`) that its network gives."""
    n, m = snap.net.n, len(snap.pairs)
    cross, known = snap.cross(), snap.known()
    mixing = group_mixing(snap.net.undirected, snap.sector) if n else None
    pairs = mixing.pairs if mixing else []
    between = [p for p in pairs if UNKNOWN not in (p.a, p.b) and p.a != p.b]
    observed = sum(p.observed for p in between)
    expected = sum(p.expected for p in between)
    return {
        "actors": n, "ties": m,
        "density": (2 * m / (n * (n - 1))) if n > 1 else 0.0,
        "cross_sector_ties": int(cross.sum()),
        "cross_sector_share": float(cross.sum() / known.sum()) if known.sum() else None,
        "mixing": MixingFigures(int(observed), float(expected),
                                observed / expected if expected else None,
                                mixing.assortativity if mixing else None),
    }


def _ranking(snap: Snapshot) -> list[RankedBroker]:
    """Actors by total brokerage between sector groups (ties broken by id), with ranks (the
    previous rank and the name are :func:`trends`' to fill in)."""
    if not snap.net.n:
        return []
    counts = brokerage_roles(snap.net.adjacency, snap.sector)["counts"][:, TOTAL]
    order = sorted(range(snap.net.n), key=lambda i: (-counts[i], snap.ids[i]))
    return [RankedBroker(snap.ids[i], k + 1, int(counts[i]), snap.sector[i], None, snap.ids[i])
            for k, i in enumerate(order) if counts[i] > 0]


def _by_group(store: Store, snap: Snapshot, group_by: str) -> dict[str, GroupFigures]:
    groups = actor_groups(store, snap.net, group_by) if snap.net.n else []
    g = np.array(groups, dtype=object)
    out: dict[str, GroupFigures] = {}
    for name in sorted(set(groups)):
        inside = g == name
        touch = inside[snap.pairs[:, 0]] | inside[snap.pairs[:, 1]] if len(snap.pairs) else \
            np.zeros(0, dtype=bool)
        out[name] = GroupFigures(int(inside.sum()), int(touch.sum()),
                                 int((touch & snap.cross()).sum()))
    return out


# -- compare ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ComparisonCounts(Result):
    """How many ties began and ended (cross-sector ones too), actors came and went, and gaps
    closed and opened between the two periods."""

    new_ties: int
    ended_ties: int
    new_cross_sector_ties: int
    ended_cross_sector_ties: int
    new_actors: int
    gone_actors: int
    gaps_closed: int
    gaps_opened: int


@dataclass(frozen=True, slots=True)
class TieEnd(Result):
    """One actor of a tie, with its sector group."""

    id: str
    name: str
    group: str


@dataclass(frozen=True, slots=True)
class RelationEvidence(Result):
    """A partnership or membership between the two actors (``kind``), with its years."""

    kind: str
    since: Any
    until: Any


@dataclass(frozen=True, slots=True)
class CollaborationEvidence(Result):
    """A collaboration both actors took part in (``kind``: the relationship), with its dates."""

    kind: str
    collaboration: str
    name: Any
    start_date: Any
    end_date: Any


Evidence = RelationEvidence | CollaborationEvidence


@dataclass(frozen=True, slots=True)
class TieChange(Result):
    """A tie that began or ended between the periods (``a.id < b.id``), its strength and what
    ties the two in the period where it holds."""

    a: TieEnd
    b: TieEnd
    cross_sector: bool
    strength: float
    evidence: list[Evidence]


@dataclass(frozen=True, slots=True)
class BridgeChange(Result):
    """An actor whose total brokerage rose, with the sector groups its ties now reach."""

    id: str
    name: str
    group: str
    before: int
    after: int
    rise: int
    connects: list[str]


@dataclass(frozen=True, slots=True)
class GapChange(Result):
    """A competence needed in a region and offered by nobody there, with both names."""

    region: str
    region_name: str
    competence: str
    competence_name: str


@dataclass(frozen=True, slots=True)
class NewActor(Result):
    """An actor of the later period absent from the earlier one (founding year if known)."""

    id: str
    name: str
    founded_year: Any


@dataclass(frozen=True, slots=True)
class Comparison(Result):
    """Two periods side by side: :func:`compare`."""

    before: str
    after: str
    region: str | None
    counts: ComparisonCounts
    new_ties: list[TieChange]
    ended_ties: list[TieChange]
    new_bridges: list[BridgeChange]
    gaps_closed: list[GapChange]
    gaps_opened: list[GapChange]
    new_actors: list[NewActor]


def compare(store: Store, *, before: Period, after: Period, region: str | None = None,
            level: int = 2, first: int = 20) -> Comparison:
    """Two periods side by side (module notes); ``region`` keeps the actors located in that
    NUTS region or below it, and its gaps."""
    a, b = snapshot(store, before), snapshot(store, after)
    keep = _in_region(store, region)
    new, ended = _tie_changes(a, b, keep)
    gaps_a = set(unmet_needs(store, level=level, during=before))
    gaps_b = set(unmet_needs(store, level=level, during=after))
    if region is not None:
        gaps_a, gaps_b = _gaps_in(store, gaps_a, region), _gaps_in(store, gaps_b, region)
    actors_a = {i for i in a.ids if keep is None or i in keep}
    actors_b = {i for i in b.ids if keep is None or i in keep}
    ids = {x for _, _, pair in (*new[0][:first], *ended[0][:first]) for x in pair}
    names = _names(store, ids | (actors_b - actors_a) | set(_bridges(a, b, keep, first)))
    return Comparison(
        before=str(before), after=str(after), region=region,
        counts=ComparisonCounts(
            new_ties=new[1], ended_ties=ended[1], new_cross_sector_ties=new[2],
            ended_cross_sector_ties=ended[2], new_actors=len(actors_b - actors_a),
            gone_actors=len(actors_a - actors_b), gaps_closed=len(gaps_a - gaps_b),
            gaps_opened=len(gaps_b - gaps_a)),
        new_ties=[_tie(store, snap, row, key, after, names) for snap, row, key in new[0][:first]],
        ended_ties=[_tie(store, snap, row, key, before, names)
                    for snap, row, key in ended[0][:first]],
        new_bridges=_bridge_rows(a, b, keep, first, names),
        gaps_closed=_gap_rows(store, sorted(gaps_a - gaps_b)[:first]),
        gaps_opened=_gap_rows(store, sorted(gaps_b - gaps_a)[:first]),
        new_actors=_new_actors(store, sorted(actors_b - actors_a)[:first], names))


Changes = tuple[list[tuple[Snapshot, int, tuple[str, str]]], int, int]


def _tie_changes(a: Snapshot, b: Snapshot, keep: set[str] | None) -> tuple[Changes, Changes]:
    """Ties of ``b`` not in ``a`` (new) and of ``a`` not in ``b`` (ended), among the actors in
    ``keep``: each as (ordered rows: cross-sector first, strongest, then by ids; how many;
    how many cross-sector). Pairs are compared as integers over the union of the ids."""
    ids = sorted(set(a.ids) | set(b.ids))
    position = {x: i for i, x in enumerate(ids)}
    n = len(ids)

    def packed(snap: Snapshot) -> tuple[np.ndarray, np.ndarray]:
        g = np.fromiter((position[x] for x in snap.ids), np.int64, len(snap.ids))
        x, y = g[snap.pairs[:, 0]], g[snap.pairs[:, 1]]
        inside = np.ones(len(snap.pairs), dtype=bool)
        if keep is not None:
            kept = np.fromiter((x in keep for x in snap.ids), bool, len(snap.ids))
            inside = kept[snap.pairs[:, 0]] & kept[snap.pairs[:, 1]]
        return np.minimum(x, y) * n + np.maximum(x, y), inside

    ka, ina = packed(a)
    kb, inb = packed(b)
    out = []
    for snap, keys, inside, other in ((b, kb, inb, ka[ina]), (a, ka, ina, kb[inb])):
        rows = np.flatnonzero(inside & ~np.isin(keys, other))
        cross = snap.cross()[rows] if len(rows) else np.zeros(0, dtype=bool)
        order = rows[np.lexsort((keys[rows], -snap.weights[rows], ~cross))]
        listed = [(snap, int(r), (ids[int(keys[r]) // n], ids[int(keys[r]) % n]))
                  for r in order.tolist()]
        out.append((listed, len(rows), int(cross.sum())))
    return out[0], out[1]


def _in_region(store: Store, region: str | None) -> set[str] | None:
    if region is None:
        return None
    from coco_atlas.graph.analytics.groups import actor_regions, region_lift

    levels = {k: int(v) for k, v in store.property_values("level", ["Region"]).items()}
    if region not in levels:
        raise ValueError(Msg(N_("{field}: {got} is not a NUTS region of this store"),
                             field="region", got=repr(region)))
    lift = region_lift(store, levels[region])
    return {a for a, r in actor_regions(store).items() if lift.get(r) == region}


def _gaps_in(store: Store, gaps: set[tuple[str, str]], region: str) -> set[tuple[str, str]]:
    from coco_atlas.graph.analytics.groups import region_lift

    levels = {k: int(v) for k, v in store.property_values("level", ["Region"]).items()}
    lift = region_lift(store, levels[region])
    return {g for g in gaps if lift.get(g[0]) == region or g[0] == region}


def _is_cross(snap: Snapshot, row: int) -> bool:
    g = snap.sector
    x, y = g[snap.pairs[row, 0]], g[snap.pairs[row, 1]]
    return x != y and UNKNOWN not in (x, y)


def _tie(store: Store, snap: Snapshot, row: int, key: tuple[str, str], period: Period,
         names: dict[str, str]) -> TieChange:
    i, j = snap.pairs[row].tolist()
    groups = {snap.ids[i]: snap.sector[i], snap.ids[j]: snap.sector[j]}
    a, b = (TieEnd(x, names.get(x, x), groups[x]) for x in key)
    return TieChange(a, b, _is_cross(snap, row), float(snap.weights[row]),
                     evidence(store, key[0], key[1], period))


def evidence(store: Store, a: str, b: str, period: Period) -> list[Evidence]:
    """What ties ``a`` and ``b`` in ``period``: partnerships and memberships between them with
    their years, and the collaborations both took part in, with their dates."""
    rels = [TIES["partners"], TIES["membership"], TIES["collaborations"]]
    found = store.neighbours([a, b], rel_types=rels, direction="both")
    out: list[Evidence] = []
    for n in found.get(a, []):
        e = n.edge
        if n.node.id == b and e.type != TIES["collaborations"]:
            validity = SCHEMA.rel(e.type).validity
            since = e.props.get(validity.start) if validity else None
            until = e.props.get(validity.end) if validity else None
            if period.holds(since, until):
                out.append(RelationEvidence(e.type, since, until))
    theirs = {n.node.id for n in found.get(b, []) if n.edge.type == TIES["collaborations"]}
    for n in found.get(a, []):
        if n.edge.type == TIES["collaborations"] and n.node.id in theirs:
            p = n.node.props
            if period.holds(p.get("startDate"), p.get("endDate")):
                out.append(CollaborationEvidence(TIES["collaborations"], n.node.id, p.get(NAME),
                                                 p.get("startDate"), p.get("endDate")))
    return sorted(out, key=lambda x: (x.kind, str(getattr(x, "collaboration", ""))))


def _brokerage(snap: Snapshot) -> dict[str, int]:
    if not snap.net.n:
        return {}
    counts = brokerage_roles(snap.net.adjacency, snap.sector)["counts"][:, TOTAL]
    return {snap.ids[i]: int(counts[i]) for i in range(snap.net.n)}


def _bridges(a: Snapshot, b: Snapshot, keep: set[str] | None, first: int) -> list[str]:
    before, after = _brokerage(a), _brokerage(b)
    rise = {i: v - before.get(i, 0) for i, v in after.items()
            if (keep is None or i in keep) and v - before.get(i, 0) > 0}
    return sorted(rise, key=lambda i: (-rise[i], i))[:first]


def _bridge_rows(a: Snapshot, b: Snapshot, keep: set[str] | None, first: int,
                 names: dict[str, str]) -> list[BridgeChange]:
    before, after = _brokerage(a), _brokerage(b)
    index = {x: k for k, x in enumerate(b.ids)}
    adj = b.net.undirected.tocsr()
    rows = []
    for actor in _bridges(a, b, keep, first):
        i = index[actor]
        neighbours = adj.indices[adj.indptr[i]:adj.indptr[i + 1]]
        connects = sorted({b.sector[j] for j in neighbours.tolist()} - {UNKNOWN})
        rows.append(BridgeChange(actor, names.get(actor, actor), b.sector[i],
                                 before.get(actor, 0), after[actor],
                                 after[actor] - before.get(actor, 0), connects))
    return rows


def _gap_rows(store: Store, gaps: Sequence[tuple[str, str]]) -> list[GapChange]:
    regions = store.get_nodes(sorted({r for r, _ in gaps}))
    comps = store.get_nodes(sorted({c for _, c in gaps}))
    return [GapChange(r, str(regions[r].props.get(NAME, r)) if r in regions else r,
                      c, str(comps[c].props.get(NAME, c)) if c in comps else c)
            for r, c in gaps]


def _new_actors(store: Store, ids: Sequence[str], names: dict[str, str]) -> list[NewActor]:
    founded = store.property_values(FOUNDED, list(ACTORS))
    return [NewActor(i, names.get(i, i), founded.get(i)) for i in ids]


def _names(store: Store, ids: set[str]) -> dict[str, str]:
    nodes = store.get_nodes(sorted(ids))
    return {i: str(n.props.get(NAME, i)) for i, n in nodes.items()}
