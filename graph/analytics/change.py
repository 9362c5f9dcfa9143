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
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from coco_atlas.graph.analytics.brokerage import brokerage_roles
from coco_atlas.graph.analytics.gaps import unmet_needs
from coco_atlas.graph.analytics.groups import UNKNOWN, actor_groups
from coco_atlas.graph.analytics.mixing import group_mixing
from coco_atlas.graph.analytics.network import ACTORS, NAME, TIES, ActorNetwork, actor_network
from coco_atlas.graph.store import Store
from coco_atlas.graph.timeline import Period
from coco_atlas.schema import SCHEMA

__all__ = ["compare", "snapshot", "trends"]

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
def trends(store: Store, *, first: int, last: int, step: int = 1, group_by: str | None = None,
           top: int = 5, level: int = 2) -> dict[str, Any]:
    """Per period of ``step`` years from ``first`` to ``last``: the figures of the module
    notes, and per group (``group_by``: sectorGroup, country or region) actors and ties."""
    if last < first:
        raise ValueError(f"to: the last year {last} comes before the first {first}")
    if step < 1:
        raise ValueError(f"by: expected a number of years ≥ 1, got {step}")
    if group_by is not None and group_by not in GROUPINGS:
        raise ValueError(f"groupBy: expected one of {', '.join(GROUPINGS)}, got {group_by!r}")
    rows: list[dict[str, Any]] = []
    previous: dict[str, int] = {}
    for start in range(first, last + 1, step):
        end = min(start + step - 1, last)
        period = Period.years(start, end)
        snap = snapshot(store, period)
        row = {"from": start, "to": end, **_figures(snap)}
        ranking = _ranking(snap)
        row["topBrokers"] = [{**r, "previousRank": previous.get(r["id"])}
                             for r in ranking[:top]]
        previous = {r["id"]: r["rank"] for r in ranking}
        gaps = unmet_needs(store, level=level, during=period)
        per_region: dict[str, int] = {}
        for region, _competence in gaps:
            per_region[region] = per_region.get(region, 0) + 1
        row["openGaps"] = len(gaps)
        row["openGapsByRegion"] = dict(sorted(per_region.items(), key=lambda x: (-x[1], x[0])))
        if group_by is not None:
            row["groups"] = _by_group(store, snap, group_by)
        rows.append(row)
    names = _names(store, {b["id"] for r in rows for b in r["topBrokers"]})
    for r in rows:
        for b in r["topBrokers"]:
            b["name"] = names.get(b["id"], b["id"])
    return {"from": first, "to": last, "step": step, "groupBy": group_by, "level": level,
            "periods": rows}


def _figures(snap: Snapshot) -> dict[str, Any]:
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
        "crossSectorTies": int(cross.sum()),
        "crossSectorShare": float(cross.sum() / known.sum()) if known.sum() else None,
        "mixing": {"observed": int(observed), "expected": float(expected),
                   "ratio": observed / expected if expected else None,
                   "assortativity": mixing.assortativity if mixing else None},
    }


def _ranking(snap: Snapshot) -> list[dict[str, Any]]:
    """Actors by total brokerage between sector groups (ties broken by id), with ranks."""
    if not snap.net.n:
        return []
    counts = brokerage_roles(snap.net.adjacency, snap.sector)["counts"][:, TOTAL]
    order = sorted(range(snap.net.n), key=lambda i: (-counts[i], snap.ids[i]))
    return [{"id": snap.ids[i], "rank": k + 1, "total": int(counts[i]),
             "group": snap.sector[i]} for k, i in enumerate(order) if counts[i] > 0]


def _by_group(store: Store, snap: Snapshot, group_by: str) -> dict[str, dict[str, int]]:
    groups = actor_groups(store, snap.net, group_by) if snap.net.n else []
    g = np.array(groups, dtype=object)
    out: dict[str, dict[str, int]] = {}
    for name in sorted(set(groups)):
        inside = g == name
        touch = inside[snap.pairs[:, 0]] | inside[snap.pairs[:, 1]] if len(snap.pairs) else \
            np.zeros(0, dtype=bool)
        out[name] = {"actors": int(inside.sum()), "ties": int(touch.sum()),
                     "crossSectorTies": int((touch & snap.cross()).sum())}
    return out


# -- compare ---------------------------------------------------------------------------------
def compare(store: Store, *, before: Period, after: Period, region: str | None = None,
            level: int = 2, first: int = 20) -> dict[str, Any]:
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
    return {
        "before": str(before), "after": str(after), "region": region,
        "counts": {"newTies": new[1], "endedTies": ended[1],
                   "newCrossSectorTies": new[2], "endedCrossSectorTies": ended[2],
                   "newActors": len(actors_b - actors_a), "goneActors": len(actors_a - actors_b),
                   "gapsClosed": len(gaps_a - gaps_b), "gapsOpened": len(gaps_b - gaps_a)},
        "newTies": [_tie(store, snap, row, key, after, names)
                    for snap, row, key in new[0][:first]],
        "endedTies": [_tie(store, snap, row, key, before, names)
                      for snap, row, key in ended[0][:first]],
        "newBridges": _bridge_rows(a, b, keep, first, names),
        "gapsClosed": _gap_rows(store, sorted(gaps_a - gaps_b)[:first]),
        "gapsOpened": _gap_rows(store, sorted(gaps_b - gaps_a)[:first]),
        "newActors": _new_actors(store, sorted(actors_b - actors_a)[:first], names),
    }


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
        raise ValueError(f"region: {region!r} is not a NUTS region of this store")
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
         names: dict[str, str]) -> dict[str, Any]:
    i, j = snap.pairs[row].tolist()
    groups = {snap.ids[i]: snap.sector[i], snap.ids[j]: snap.sector[j]}
    return {"a": {"id": key[0], "name": names.get(key[0], key[0]), "group": groups[key[0]]},
            "b": {"id": key[1], "name": names.get(key[1], key[1]), "group": groups[key[1]]},
            "crossSector": _is_cross(snap, row), "strength": float(snap.weights[row]),
            "evidence": evidence(store, key[0], key[1], period)}


def evidence(store: Store, a: str, b: str, period: Period) -> list[dict[str, Any]]:
    """What ties ``a`` and ``b`` in ``period``: partnerships and memberships between them with
    their years, and the collaborations both took part in, with their dates."""
    rels = [TIES["partners"], TIES["membership"], TIES["collaborations"]]
    found = store.neighbours([a, b], rel_types=rels, direction="both")
    out: list[dict[str, Any]] = []
    for n in found.get(a, []):
        e = n.edge
        if n.node.id == b and e.type != TIES["collaborations"]:
            validity = SCHEMA.rel(e.type).validity
            since = e.props.get(validity.start) if validity else None
            until = e.props.get(validity.end) if validity else None
            if period.holds(since, until):
                out.append({"kind": e.type, "since": since, "until": until})
    theirs = {n.node.id for n in found.get(b, []) if n.edge.type == TIES["collaborations"]}
    for n in found.get(a, []):
        if n.edge.type == TIES["collaborations"] and n.node.id in theirs:
            p = n.node.props
            if period.holds(p.get("startDate"), p.get("endDate")):
                out.append({"kind": TIES["collaborations"], "collaboration": n.node.id,
                            "name": p.get(NAME), "startDate": p.get("startDate"),
                            "endDate": p.get("endDate")})
    return sorted(out, key=lambda x: (x["kind"], str(x.get("collaboration", ""))))


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
                 names: dict[str, str]) -> list[dict[str, Any]]:
    before, after = _brokerage(a), _brokerage(b)
    index = {x: k for k, x in enumerate(b.ids)}
    adj = b.net.undirected.tocsr()
    rows = []
    for actor in _bridges(a, b, keep, first):
        i = index[actor]
        neighbours = adj.indices[adj.indptr[i]:adj.indptr[i + 1]]
        connects = sorted({b.sector[j] for j in neighbours.tolist()} - {UNKNOWN})
        rows.append({"id": actor, "name": names.get(actor, actor), "group": b.sector[i],
                     "before": before.get(actor, 0), "after": after[actor],
                     "rise": after[actor] - before.get(actor, 0), "connects": connects})
    return rows


def _gap_rows(store: Store, gaps: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    regions = store.get_nodes(sorted({r for r, _ in gaps}))
    comps = store.get_nodes(sorted({c for _, c in gaps}))
    return [{"region": r, "regionName": str(regions[r].props.get(NAME, r)) if r in regions else r,
             "competence": c,
             "competenceName": str(comps[c].props.get(NAME, c)) if c in comps else c}
            for r, c in gaps]


def _new_actors(store: Store, ids: Sequence[str], names: dict[str, str]) -> list[dict[str, Any]]:
    founded = store.property_values(FOUNDED, list(ACTORS))
    return [{"id": i, "name": names.get(i, i), "foundedYear": founded.get(i)} for i in ids]


def _names(store: Store, ids: set[str]) -> dict[str, str]:
    nodes = store.get_nodes(sorted(ids))
    return {i: str(n.props.get(NAME, i)) for i, n in nodes.items()}
