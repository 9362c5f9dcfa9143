"""Gap analysis: competences a region or a hub's network needs versus those it offers.

For a scope (the actors located in a NUTS region of any level, or a hub with its members and
partners):

* demand and supply — distinct competences NEEDED and OFFERED by actors in the scope, how many
  actors need or offer each, and the ratio supply / demand;
* unmet needs — competences needed in the scope that nobody in it offers, each with the nearest
  suppliers elsewhere: actors that offer it, by hop distance from the scope's actors that need it
  in the actor network (breadth-first search), with their country;
* training coverage — for each unmet need, the trainings that TEACH it, per training area (the
  three COCO areas and ``other``, from the schema);
* mixing — observed versus expected ties between sector groups inside the scope
  (:mod:`graph.analytics.mixing`, Newman 2003), with the most under-linked pairs.

Nearest suppliers are found by one multi-source breadth-first search per unmet competence (from
all the scope's actors that need it), with scipy's csgraph routines.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from coco_atlas.graph.analytics.groups import LEVEL, PART_OF, REGION, actor_groups, actor_regions
from coco_atlas.graph.analytics.mixing import Mixing, group_mixing
from coco_atlas.graph.analytics.network import (
    ACTORS,
    ALL_TIES,
    NAME,
    TIES,
    ActorNetwork,
    actor_network,
    by_id,
)
from coco_atlas.graph.analytics.results import Result
from coco_atlas.graph.names import names_in
from coco_atlas.graph.store import Store
from coco_atlas.graph.timeline import Period
from coco_atlas.schema import SCHEMA, TRAINING_AREAS
from coco_atlas.schema.messages import N_, Msg

__all__ = ["CompetenceBalance", "Gap", "GapAnalysis", "HubScope", "Named", "RegionScope",
           "Supplier", "Supply", "demand_supply", "gap_analysis", "region_gap_details",
           "region_gaps", "scope_actors", "unmet_needs"]

NEEDS = SCHEMA.rel("NEEDS").name
OFFERS = SCHEMA.rel("OFFERS").name
TEACHES = SCHEMA.rel("TEACHES").name
COMPETENCE = SCHEMA.label("Competence").name
TRAINING = SCHEMA.label("Training").name
HUB = SCHEMA.label("Hub").name
AREA = SCHEMA.node_properties(TRAINING)["area"].name
COUNTRY = SCHEMA.node_properties(HUB)["country"].name
NEEDERS_SHOWN = 10  # needers listed per unmet need (the count is in "demand")


def region_gaps(store: Store, *, level: int = 2,
                actors: Collection[str] | None = None) -> dict[str, dict[str, int]]:
    """``{region id: {"needed", "offered", "unmet"}}`` for every NUTS region of ``level`` with
    actors: distinct competences needed, offered, and needed but offered by nobody in it.

    ``actors`` restricts the count to some actors (a sector, a label…): then "unmet" means
    needed by them and offered by none of them in the region.
    """
    if level not in range(4):
        raise ValueError(Msg(N_("{field}: expected a NUTS level 0 to 3, got {got}"),
                             field="level", got=repr(level)))
    regions = actor_regions(store, level=level)
    if actors is not None:
        wanted = set(actors)
        regions = {a: r for a, r in regions.items() if a in wanted}
    ds = demand_supply(store)
    names = sorted(set(regions.values()))
    code = {r: i for i, r in enumerate(names)}
    actor_region = np.array([code.get(regions.get(a, ""), -1) for a in ds.actor_ids],
                            dtype=np.int64)
    k = len(ds.competence_ids)
    out = {r: {"needed": 0, "offered": 0, "unmet": 0} for r in names}
    keys = {}
    for kind, (actor, comp) in (("needed", ds.needs), ("offered", ds.offers)):
        reg = actor_region[actor]
        keys[kind] = np.unique(reg[reg >= 0] * k + comp[reg >= 0])
    unmet = np.setdiff1d(keys["needed"], keys["offered"], assume_unique=True)
    for kind, values in (*keys.items(), ("unmet", unmet)):
        for r, c in zip(*np.unique(values // k, return_counts=True), strict=True):
            out[names[int(r)]][kind] = int(c)
    return out


def region_gap_details(store: Store, regions: Sequence[str], *, level: int = 2,
                       actors: Collection[str] | None = None, first: int | None = None,
                       needers: int = 5, suppliers: int = 3,
                       trainings: int = 5) -> dict[str, list[dict[str, Any]]]:
    """The unmet needs of each of ``regions`` (NUTS ``level``), named: for every competence its
    actors need and none of them offers, who needs it, the nearest suppliers and the trainings
    that teach it. The same competences as :func:`region_gaps` counts (and ``gap_analysis``
    lists for one region).

    Nearest suppliers are actors outside the region that offer the competence, nearest first on
    the NUTS tree: the fewer steps from the region up to the smallest NUTS region holding both
    (1: same NUTS 1 region, 2: same country, one more: another country), then by name. The
    tree distance is what a reader can check on a NUTS map, where network hops are not
    (``gap_analysis`` ranks by hops in the actor network instead).

    ``first`` caps the competences per region (most needed first, then by name); ``needers``,
    ``suppliers`` and ``trainings`` the names listed per competence (each with its total).
    Each entry: ``{"id", "name", "demand", "needers": [{id, name}], "supply",
    "suppliers": [{id, name, region, distance}], "taught", "trainings": [{id, name, area}]}``.
    """
    located = actor_regions(store, level=level)
    if actors is not None:
        wanted = set(actors)
        located = {a: r for a, r in located.items() if a in wanted}
    ds = demand_supply(store)
    codes = {r: i for i, r in enumerate(sorted(set(located.values())))}
    where = np.array([codes.get(located.get(a, ""), -1) for a in ds.actor_ids], dtype=np.int64)
    k = len(ds.competence_ids)
    held = {kind: (pairs[0][where[pairs[0]] >= 0], pairs[1][where[pairs[0]] >= 0])
            for kind, pairs in (("needs", ds.needs), ("offers", ds.offers))}
    offered = set(np.unique(where[held["offers"][0]] * k + held["offers"][1]).tolist())
    names = store.property_values(NAME, [*ACTORS, COMPETENCE])
    taught = _taught(store)
    offerers = _by_competence(held["offers"], k)
    distance = _nuts_distance(store, list(codes), level)
    out: dict[str, list[dict[str, Any]]] = {}
    for region in regions:
        r = codes.get(region, -1)
        mine = held["needs"][0][where[held["needs"][0]] == r]
        comps = held["needs"][1][where[held["needs"][0]] == r]
        need: dict[int, list[int]] = {}
        for a, c in zip(mine.tolist(), comps.tolist(), strict=True):
            if r * k + c not in offered:
                need.setdefault(c, []).append(a)
        order = sorted(need, key=lambda c: (-len(set(need[c])), str(
            names.get(ds.competence_ids[c], ds.competence_ids[c])), ds.competence_ids[c]))
        rows = []
        for c in order[:first]:
            cid = ds.competence_ids[c]
            who = sorted({ds.actor_ids[a] for a in need[c]},
                         key=lambda a: (str(names.get(a, a)), a))
            sup = offerers.get(c, np.zeros(0, dtype=np.int64))
            d = distance[r][where[sup]]
            near = sorted(zip(d.tolist(), sup.tolist(), strict=True), key=lambda t: (
                t[0], str(names.get(ds.actor_ids[t[1]], "")), ds.actor_ids[t[1]]))
            teach = taught.get(cid, [])
            rows.append({
                "id": cid, "name": names.get(cid, cid), "demand": len(who),
                "needers": [{"id": a, "name": names.get(a, a)} for a in who[:needers]],
                "supply": len(sup),
                "suppliers": [{"id": ds.actor_ids[o], "name": names.get(ds.actor_ids[o],
                                                                        ds.actor_ids[o]),
                               "region": located[ds.actor_ids[o]], "distance": int(dist)}
                              for dist, o in near[:suppliers]],
                "taught": len(teach), "trainings": teach[:trainings]})
        out[region] = rows
    return out


def _by_competence(pairs: tuple[np.ndarray, np.ndarray], k: int) -> dict[int, np.ndarray]:
    """The distinct actors of ``(actor, competence)`` pairs, per competence."""
    actor, comp = pairs
    if len(actor) == 0:
        return {}
    uniq = np.unique(comp * (int(actor.max()) + 1) + actor)
    span = int(actor.max()) + 1
    cs, acts = uniq // span, uniq % span
    cuts = np.flatnonzero(np.diff(cs)) + 1
    return {int(c[0]): a for c, a in zip(np.split(cs, cuts), np.split(acts, cuts), strict=True)}


def _nuts_distance(store: Store, regions: list[str], level: int) -> np.ndarray:
    """Steps from each region up to the smallest NUTS region it shares with each other one
    (``level + 1`` when they share none: another country)."""
    parent = _parent(store)
    chains = []
    for r in regions:
        chain = [r]
        while chain[-1] in parent and len(chain) <= level:
            chain.append(parent[chain[-1]])
        chains.append(chain)
    n = len(regions)
    out = np.zeros((n, n), dtype=np.int64)
    for i, a in enumerate(chains):
        for j, b in enumerate(chains):
            common = [step for step, x in enumerate(a) if x in b]
            out[i, j] = common[0] if common else level + 1
    return out


def _parent(store: Store) -> dict[str, str]:
    topo = store.topology(labels=[REGION], rel_types=[PART_OF])
    ids = topo.ids
    return {ids[s]: ids[d] for s, d in zip(topo.src.tolist(), topo.dst.tolist(), strict=True)}


def _taught(store: Store) -> dict[str, list[dict[str, Any]]]:
    """``{competence id: [{id, name, area}]}``: the trainings that TEACH each, by name."""
    topo = store.topology(labels=[TRAINING, COMPETENCE], rel_types=[TEACHES])
    areas = store.property_values(AREA, [TRAINING])
    training_names = store.property_values(NAME, [TRAINING])
    out: dict[str, list[dict[str, Any]]] = {}
    ids = topo.ids
    for s, d in zip(topo.src.tolist(), topo.dst.tolist(), strict=True):
        t = ids[s]
        out.setdefault(ids[d], []).append({"id": t, "name": training_names.get(t, t),
                                           "area": areas.get(t)})
    for rows in out.values():
        rows.sort(key=lambda x: (str(x["name"]), x["id"]))
    return out


def unmet_needs(store: Store, *, level: int = 2, during: Period | None = None,
                actors: Collection[str] | None = None) -> list[tuple[str, str]]:
    """``(region id, competence id)`` of every competence needed in a NUTS region of ``level``
    and offered by nobody there (the gaps :func:`region_gaps` counts), sorted; with ``during``,
    as the needs and offers stood in that period."""
    if level not in range(4):
        raise ValueError(Msg(N_("{field}: expected a NUTS level 0 to 3, got {got}"),
                             field="level", got=repr(level)))
    regions = actor_regions(store, level=level)
    if actors is not None:
        wanted = set(actors)
        regions = {a: r for a, r in regions.items() if a in wanted}
    ds = demand_supply(store, during=during)
    names = sorted(set(regions.values()))
    code = {r: i for i, r in enumerate(names)}
    where = np.array([code.get(regions.get(a, ""), -1) for a in ds.actor_ids], dtype=np.int64)
    k = len(ds.competence_ids)
    keys = []
    for actor, comp in (ds.needs, ds.offers):
        reg = where[actor]
        keys.append(np.unique(reg[reg >= 0] * k + comp[reg >= 0]))
    unmet = np.setdiff1d(keys[0], keys[1], assume_unique=True)  # sorted: region, competence
    return [(names[u // k], ds.competence_ids[u % k]) for u in unmet.tolist()]


@dataclass(frozen=True)
class Supply:
    """Who needs and who offers what: (actor, competence) index pairs into the id lists."""

    actor_ids: list[str]
    competence_ids: list[str]
    needs: tuple[np.ndarray, np.ndarray]
    offers: tuple[np.ndarray, np.ndarray]

    def matrix(self, kind: str, n_actors: int | None = None) -> sp.csr_matrix:
        """Actors × competences, 1 where the actor needs (``needs``) or offers (``offers``)."""
        actor, comp = getattr(self, kind)
        shape = (n_actors or len(self.actor_ids), len(self.competence_ids))
        m = sp.csr_matrix((np.ones(len(actor)), (actor, comp)), shape=shape)
        m.data = np.ones_like(m.data)
        return m


def demand_supply(store: Store, net: ActorNetwork | None = None, *,
                  during: Period | None = None) -> Supply:
    """NEEDS and OFFERS as index arrays; actors are indexed as in ``net`` when given; with
    ``during``, only the needs and offers that hold then, of actors that exist then."""
    topo = store.topology(labels=[*ACTORS, COMPETENCE], rel_types=[NEEDS, OFFERS],
                          during=during)
    names = SCHEMA.label_names
    comp_pos, comp_ids = by_id(topo.ids, np.flatnonzero(topo.labels == names.index(COMPETENCE)))
    to_comp = np.full(topo.n_nodes, -1, dtype=np.int64)
    to_comp[comp_pos] = np.arange(len(comp_pos))
    if net is None:
        actor_pos, actor_ids = by_id(topo.ids,
                                     np.flatnonzero(topo.labels != names.index(COMPETENCE)))
        to_actor = np.full(topo.n_nodes, -1, dtype=np.int64)
        to_actor[actor_pos] = np.arange(len(actor_pos))
    else:
        actor_ids = net.ids
        index = net.index
        to_actor = np.fromiter((index.get(i, -1) for i in topo.ids), np.int64, topo.n_nodes)
    pairs = []
    for rel in (NEEDS, OFFERS):
        mask = topo.types == SCHEMA.rel_names.index(rel)
        a, c = to_actor[topo.src[mask]], to_comp[topo.dst[mask]]
        keep = (a >= 0) & (c >= 0)
        pairs.append((a[keep], c[keep]))
    return Supply(actor_ids, comp_ids, pairs[0], pairs[1])


@dataclass(frozen=True, slots=True)
class RegionScope(Result):
    """A NUTS region of any level as the scope of an analysis: every actor located in it."""

    region: str
    level: int
    name: Any


@dataclass(frozen=True, slots=True)
class HubScope(Result):
    """A hub's network as the scope of an analysis: the hub, its members and partners."""

    hub: str
    name: Any


def scope_actors(store: Store, net: ActorNetwork, *, region: str | None = None,
                 hub: str | None = None) -> tuple[np.ndarray, RegionScope | HubScope]:
    """Indices (into ``net``) of the actors of a region or a hub's network, and the scope."""
    if (region is None) == (hub is None):
        raise ValueError(Msg(N_("give exactly one of region (a NUTS id) or hub (a Hub id)")))
    if region is not None:
        levels = store.property_values(LEVEL, [REGION])
        if region not in levels:
            raise ValueError(Msg(N_("{field}: no NUTS region {got} in the store"),
                                 field="region", got=repr(region)))
        level = int(levels[region])
        located = actor_regions(store, level=level)
        members = np.array([located.get(a) == region for a in net.ids], dtype=bool)
        node = store.get_node(region)
        return np.flatnonzero(members), RegionScope(
            region, level, node.props.get(NAME) if node else region)
    assert hub is not None  # exactly one of region and hub, checked above
    node = store.get_node(hub)
    if node is None or node.label != HUB:
        raise ValueError(Msg(N_("{field}: no Hub {got} in the store"), field="hub",
                             got=repr(hub)))
    ties = store.neighbours([hub], [TIES["membership"], TIES["partners"]], "both")
    ids = {hub, *(nb.node.id for nb in ties[hub])}
    idx = np.array(sorted(net.index[i] for i in ids if i in net.index), dtype=np.int64)
    return idx, HubScope(hub, node.props.get(NAME, hub))


@dataclass(frozen=True, slots=True)
class Named(Result):
    """A node by its id and its name (None: it has none)."""

    id: str
    name: Any


@dataclass(frozen=True, slots=True)
class CompetenceBalance(Result):
    """A competence needed in the scope: actors there that need it, that offer it, the ratio."""

    id: str
    name: Any
    demand: int
    supply: int
    ratio: float


@dataclass(frozen=True, slots=True)
class Supplier(Result):
    """An actor outside the scope that offers an unmet need, ``hops`` ties from the nearest
    actor that needs it (None: out of reach)."""

    id: str
    name: Any
    country: str | None
    hops: int | None


@dataclass(frozen=True, slots=True)
class Gap(Result):
    """A competence needed in the scope and offered by nobody in it: who needs it (at most
    :data:`NEEDERS_SHOWN` ids), the nearest suppliers, and the trainings that teach it per
    training area (:func:`training_coverage`)."""

    competence: Named
    demand: int
    needers: list[str]
    suppliers: list[Supplier]
    training: dict[str, int]


@dataclass(frozen=True, slots=True)
class GapAnalysis(Result):
    """Needed versus offered competences of a scope: :func:`gap_analysis`."""

    scope: RegionScope | HubScope
    actors: int
    needed: int
    offered: int
    unmet: int
    ratio: float | None
    coverage: float | None
    competences: list[CompetenceBalance]
    gaps: list[Gap]
    mixing: Mixing


def gap_analysis(store: Store, *, region: str | None = None, hub: str | None = None,
                 ties: Sequence[str] = ALL_TIES, first: int = 20, suppliers: int = 3,
                 max_hops: int | None = None, during: Period | None = None,
                 lang: str | None = None) -> GapAnalysis:
    """Needed versus offered competences of a region or a hub's network; see the module doc.

    ``first`` limits the detailed unmet needs (most needed first), ``suppliers`` the nearest
    suppliers listed per need, ``max_hops`` the search radius (None: the whole network);
    ``during`` takes actors, ties, needs and offers as they stood on a day or in a period.
    ``lang`` (BCP 47) names the competences in that language (:mod:`graph.names`): needs and
    offers meet on one concept whatever language each actor wrote it in.
    """
    net = actor_network(store, ties=ties, directed=False, during=during)
    scope, described = scope_actors(store, net, region=region, hub=hub)
    ds = demand_supply(store, net, during=during)
    inside = np.zeros(net.n, dtype=bool)
    inside[scope] = True
    demand = _count(ds.needs, inside, len(ds.competence_ids))
    supply = _count(ds.offers, inside, len(ds.competence_ids))
    needed, offered = int((demand > 0).sum()), int((supply > 0).sum())
    unmet = np.flatnonzero((demand > 0) & (supply == 0))
    unmet = unmet[np.lexsort((unmet, -demand[unmet]))]
    comp_names = names_in(store, [COMPETENCE], lang)
    shown = unmet[:first]
    gaps = _detail_gaps(store, net, ds, inside, shown, comp_names, suppliers, max_hops)
    mixing = group_mixing(net.undirected[scope][:, scope],
                          [g for i, g in enumerate(actor_groups(store, net, "sectorGroup"))
                           if inside[i]])
    return GapAnalysis(
        scope=described, actors=int(inside.sum()), needed=needed, offered=offered,
        unmet=len(unmet), ratio=offered / needed if needed else None,
        coverage=(needed - len(unmet)) / needed if needed else None,
        competences=_balance(ds, demand, supply, comp_names, first), gaps=gaps, mixing=mixing)


def _count(pairs: tuple[np.ndarray, np.ndarray], inside: np.ndarray, k: int) -> np.ndarray:
    """Distinct scope actors per competence."""
    actor, comp = pairs
    keep = inside[actor]
    uniq = np.unique(actor[keep] * k + comp[keep])
    return np.bincount(uniq % k, minlength=k) if k else np.zeros(0, dtype=np.int64)


def _balance(ds: Supply, demand: np.ndarray, supply: np.ndarray, names: dict[str, Any],
             first: int) -> list[CompetenceBalance]:
    """The most needed competences of the scope with their supply and ratio supply/demand."""
    needed = np.flatnonzero(demand > 0)
    needed = needed[np.lexsort((needed, -demand[needed]))][:first]
    out = []
    for c in needed.tolist():
        cid = ds.competence_ids[c]
        out.append(CompetenceBalance(cid, names.get(cid, cid), int(demand[c]), int(supply[c]),
                                     float(supply[c] / demand[c])))
    return out


def _detail_gaps(store: Store, net: ActorNetwork, ds: Supply, inside: np.ndarray,
                 comps: np.ndarray, comp_names: dict[str, Any], suppliers: int,
                 max_hops: int | None) -> list[Gap]:
    if len(comps) == 0:
        return []
    need = ds.matrix("needs", net.n).tocsc()
    offer = ds.matrix("offers", net.n).tocsc()
    coverage = training_coverage(store, [ds.competence_ids[c] for c in comps.tolist()])
    countries = store.property_values(COUNTRY, list(ACTORS))
    names = store.property_values(NAME, list(ACTORS))
    graph = net.undirected
    out = []
    for c in comps.tolist():
        needers = need[:, c].indices
        needers = needers[inside[needers]]
        offerers = offer[:, c].indices
        hops = _hops_from(graph, needers, max_hops)[offerers]
        order = np.lexsort((offerers, hops))[:suppliers]
        cid = ds.competence_ids[c]
        out.append(Gap(
            competence=Named(cid, comp_names.get(cid, cid)), demand=len(needers),
            needers=[net.ids[i] for i in needers[:NEEDERS_SHOWN].tolist()],
            suppliers=[Supplier(net.ids[o], names.get(net.ids[o], net.ids[o]),
                                countries.get(net.ids[o]), None if np.isinf(h) else int(h))
                       for o, h in zip(offerers[order].tolist(), hops[order].tolist(),
                                       strict=True)],
            training=coverage[cid]))
    return out


def _hops_from(graph: sp.csr_matrix, sources: np.ndarray, max_hops: int | None) -> np.ndarray:
    """Hop distance of every actor to the nearest of ``sources`` (inf if out of reach)."""
    if len(sources) == 0:
        return np.full(graph.shape[0], np.inf)
    return dijkstra(graph, directed=False, indices=sources, unweighted=True, min_only=True,
                    limit=np.inf if max_hops is None else max_hops)


def training_coverage(store: Store, competence_ids: Sequence[str]) -> dict[str, dict[str, int]]:
    """``{competence id: {area: trainings teaching it, …, "total": n}}``, areas from the schema."""
    topo = store.topology(labels=[TRAINING, COMPETENCE], rel_types=[TEACHES])
    areas = store.property_values(AREA, [TRAINING])
    wanted = set(competence_ids)
    out = {c: {**dict.fromkeys(TRAINING_AREAS, 0), "total": 0} for c in competence_ids}
    ids = topo.ids
    for s, d in zip(topo.src.tolist(), topo.dst.tolist(), strict=True):
        comp = ids[d]
        if comp in wanted:
            area = areas.get(ids[s])
            if area in out[comp]:
                out[comp][area] += 1
            out[comp]["total"] += 1
    return out
