"""The four maps: the whole ecosystem, an ego map around one actor, brokers and competence gaps.

Each builder reads the actor network (:func:`graph.analytics.network.actor_network`: partnerships,
shared collaborations and memberships, the same projection the brokerage analysis uses) and the
actors' attributes (:mod:`viz.actors`), keeps the actors the filters select, and returns a
:class:`viz.build.MapData`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import numpy as np
import scipy.sparse as sp

from coco_atlas.graph.analytics.groups import REGION
from coco_atlas.graph.store import Store
from coco_atlas.schema import SCHEMA
from coco_atlas.viz import aggregate as agg
from coco_atlas.viz import geo, ranked
from coco_atlas.viz.actors import (
    ACTORS,
    UNKNOWN_TEXT,
    ActorTable,
    actor_table,
    describe,
    key_properties,
)
from coco_atlas.viz.build import Drawing, MapData, draw, rounded
from coco_atlas.viz.colours import CROSS_TIE, TIE, categorical, share_class, share_legend
from coco_atlas.viz.filters import actor_mask, gap_regions, in_words
from coco_atlas.viz.i18n import N_, Np_, ngettext
from coco_atlas.viz.i18n import gettext as _
from coco_atlas.viz.i18n import number as num
from coco_atlas.viz.params import MapError, MapSpec
from coco_atlas.viz.words import (
    GROUP_TEXT,
    MEASURES,
    Translated,
    label_text,
    measure_name,
    property_text,
    value_text,
)

COLOUR_TITLE = Translated({"group": N_("Sector group"), "label": N_("Kind of actor"),
                           "country": N_("Country")})
SIZE_TEXT = Translated({
    "degree": N_("Size: how many actors it is tied to"),
    "strength": N_("Size: its ties, counting repeated collaborations"),
    "none": N_("All actors the same size"),
})
PROPS = list(dict.fromkeys(p for lab in ACTORS for p in key_properties(lab) if p != "country"))


def actor_fields() -> list[str]:
    """The tooltip and table fields of an actor, in the reader's words."""
    return [_("Kind of actor"), _("Sector group"), _("Country"), _("Region"), _("Sector"),
            *(property_text(p) for p in PROPS), _("Ties")]


def actors_text(n: int) -> str:
    return ngettext("{n} actor", "{n} actors", n).format(n=num(n))


class MapNotFound(MapError):
    """The map's subject (an actor) is not in the store."""


def build_map(store: Store, spec: MapSpec, *, link_base: str = "") -> MapData:
    """The map ``spec`` asks for, as vis-network data and page meta."""
    builder: Callable[[Store, MapSpec, str], MapData] = {
        "ecosystem": ecosystem, "ego": ego, "brokers": brokers, "gaps": gaps}[spec.kind]
    data = builder(store, spec, link_base.rstrip("/"))
    _other_names(store, data.nodes)
    data.meta.setdefault("notes", [])
    data.meta["notes"] += data.meta.pop("geoNotes", [])
    if "table" not in data.meta:
        by = _("Actors") if _("Actors") in data.meta["fields"] else _("Ties")
        caption = (_("{title}: by actors, most first") if by == _("Actors")
                   else _("{title}: by ties, most first")).format(title=data.title)
        data.meta["table"] = ranked.from_nodes(
            data.nodes, data.meta["fields"], by, caption, f"coco-{spec.kind}.csv").as_dict()
    filters = in_words(spec, _table_of(store, spec))
    if spec.timeline:
        filters.append(_("in time, {first}–{last}").format(first=spec.timeline[0],
                                                          last=spec.timeline[1]))
    data.meta.update(kind=spec.kind, filters=filters,
                     base=link_base.rstrip("/"),
                     counts={"nodes": len(data.nodes), "edges": len(data.edges)})
    return data


def _other_names(store: Store, nodes: list[dict[str, Any]]) -> None:
    """Give nodes that stand for a region with names in other languages those names as
    ``alt``: the Find box matches them too (issue 15). Regions are the only translatable label
    maps draw as nodes (actors' names are not translated)."""
    wanted = {str(n["k"]) for n in nodes}
    found: dict[str, list[str]] = {}
    for label in (REGION,):
        for by_lang in SCHEMA.translations(label).values():
            for prop in by_lang.values():
                for key, value in store.property_values(prop, [label]).items():
                    if key in wanted:
                        texts = value if isinstance(value, list) else [value]
                        found.setdefault(key, []).extend(str(t) for t in texts)
    for node in nodes:
        names = found.get(str(node["k"]))
        if names:
            node["alt"] = sorted(set(names) - {node["name"]})


# -- the ecosystem ---------------------------------------------------------------------------
def ecosystem(store: Store, spec: MapSpec, base: str) -> MapData:
    net, table = _load(store, spec)
    idx = np.flatnonzero(actor_mask(table, spec))
    by = spec.aggregate
    if spec.timeline and by not in ("auto", "none"):
        raise MapError(_("aggregate: a map in time (timeline) draws actors one by one; use "
                         "aggregate=none, not {by}").format(by=by))
    if by == "auto":
        by = "none" if len(idx) <= spec.limit or spec.timeline else "region"
    if by == "none":
        if len(idx) > spec.limit:
            message = (_("limit: {n} actors match, more than the limit of {limit} drawn one by "
                         "one; narrow the filters or raise the limit (a map in time is not "
                         "aggregated)") if spec.timeline else
                       _("limit: {n} actors match, more than the limit of {limit} drawn one by "
                         "one; narrow the filters, raise the limit or aggregate"))
            raise MapError(message.format(n=num(len(idx)), limit=num(spec.limit)))
        data = _actor_map(store, net, table, idx, spec, base, _size(net, spec.size))
        data.title = _("The ecosystem: {actors}").format(actors=actors_text(len(idx)))
        return data
    data = _aggregate_map(store, net, table, idx, spec, base, by)
    if spec.aggregate == "auto":
        data.meta["notes"].insert(0, _(
            "{n} actors are more than the {limit} drawn one by one, so each node is a region. "
            "Click one to open its map.").format(n=num(len(idx)), limit=num(spec.limit)))
    return data


def _aggregate_map(store: Store, net: Any, table: ActorTable, idx: np.ndarray, spec: MapSpec,
                   base: str, by: str) -> MapData:
    sub = net.weights[idx][:, idx].tocsr()
    keys, texts = _group_keys(store, table, idx, sub, spec, by)
    groups = agg.fold(sub, keys)
    k = len(groups.keys)
    majority, legend = _majority(table, idx, groups, spec.colour)
    shown = agg.strongest(groups.edges, groups.ties, k)
    outside = np.zeros(k)
    np.add.at(outside, groups.edges[:, 0], groups.ties)
    np.add.at(outside, groups.edges[:, 1], groups.ties)
    info = [[int(groups.counts[g]), int(groups.internal[g]), int(outside[g]),
             legend["items"][majority[g]]["text"]] for g in range(k)]
    extra = {g: {"links": _drill_links(spec, base, by, key, int(groups.counts[g]))}
             for g, key in enumerate(groups.keys)}
    place = geo.place(store, spec, table, groups.keys, by)
    nodes, edges, labels = draw(Drawing(
        keys=groups.keys, texts=[texts[key] for key in groups.keys], value=groups.counts,
        category=majority, colours=[i["colour"] for i in legend["items"]],
        pairs=groups.edges[shown], ties=groups.ties[shown], info=info, radius=(10.0, 70.0),
        extra=extra, **(place.drawing() if place else {})))
    words = _BY_WORDS[by]
    legend["title"] = _("{title} (most of its actors)").format(title=legend["title"])
    legend["size"] = _("Size: number of actors")
    legend["edges"] = [{"colour": TIE, "text": translate(words.ties).format(
        level=spec.level, n=agg.STRONGEST)}]
    title = translate(words.title).format(level=spec.level, actors=actors_text(len(idx)),
                                          groups=plural(*words.groups, k).format(
                                         n=num(k), level=spec.level))
    return MapData("ecosystem", title, nodes, edges, {
                       "fields": [_("Actors"), _("Ties inside"), _("Ties with others"),
                                  _("Mostly")],
                       "links": [], "legend": legend, "notes": [],
                       "search": translate(words.find),
                       **labels, **geo.meta(place, nodes)}, springy=False)


# What an aggregated ecosystem map says of its nodes, per kind of node.
@dataclass(frozen=True)
class _ByWords:
    title: str
    groups: tuple[str, str]
    ties: str
    find: str


_BY_WORDS = {
    "region": _ByWords(N_("The ecosystem by NUTS {level} region: {actors} in {groups}"),
                       Np_("{n} NUTS {level} region", "{n} NUTS {level} regions"),
                       N_("ties between NUTS {level} regions (each node's {n} strongest)"),
                       N_("Find a region…")),
    "country": _ByWords(N_("The ecosystem by country: {actors} in {groups}"),
                        Np_("{n} country", "{n} countries"),
                        N_("ties between countries (each node's {n} strongest)"),
                        N_("Find a country…")),
    "group": _ByWords(N_("The ecosystem by sector group: {actors} in {groups}"),
                      Np_("{n} sector group", "{n} sector groups"),
                      N_("ties between sector groups (each node's {n} strongest)"),
                      N_("Find a sector group…")),
    "community": _ByWords(N_("The ecosystem by community: {actors} in {groups}"),
                          Np_("{n} community", "{n} communities"),
                          N_("ties between communities (each node's {n} strongest)"),
                          N_("Find a community…")),
}
translate, plural = _, ngettext  # for messages declared above (not extracted a second time)


def _group_keys(store: Store, table: ActorTable, idx: np.ndarray, sub: sp.csr_matrix,
                spec: MapSpec, by: str) -> tuple[list[str], dict[str, str]]:
    if by == "region":
        keys = table.region_at(spec.level)[idx].tolist()
        return keys, {k: table.regions.names.get(k, k) if k else _("Region unknown")
                      for k in keys}
    if by == "country":
        keys = table.country[idx].tolist()
        return keys, {k: ranked.country_text(table, k) if k else _("Country unknown")
                      for k in keys}
    if by == "group":
        keys = table.group[idx].tolist()
        return keys, {k: GROUP_TEXT.get(k, k) for k in keys}
    member = agg.communities(sub)
    degree = np.diff(sub.indptr)
    order = np.lexsort((-degree, member))  # per community, best-connected actor first
    first = order[np.r_[True, member[order][1:] != member[order][:-1]]]
    size = np.bincount(member)
    rank = {int(c): r + 1 for r, c in enumerate(np.argsort(-size, kind="stable").tolist())}
    top, _props = describe(store, [table.ids[idx[i]] for i in first.tolist()])
    names = {int(member[i]): name for i, name in zip(first.tolist(), top, strict=True)}
    keys = [f"community-{rank[int(c)]:03d}" for c in member.tolist()]
    texts = {f"community-{rank[c]:03d}": _("Community {n}: {name}").format(n=rank[c],
                                                                             name=names[c])
             for c in names}
    return keys, texts


def _majority(table: ActorTable, idx: np.ndarray, groups: agg.Groups, by: str
              ) -> tuple[np.ndarray, dict[str, Any]]:
    values = _values(table, by)[idx]
    cats, legend = _legend(values, by, table)
    k = len(groups.keys)
    counts = np.zeros((k, len(legend["items"])), dtype=np.int64)
    np.add.at(counts, (groups.member, cats), 1)
    return counts.argmax(axis=1), legend


def _drill_links(spec: MapSpec, base: str, by: str, key: str, count: int) -> list[list[str]]:
    deeper = "none" if count <= spec.limit else "community"
    if by == "community":
        return []
    links = []
    if by == "region" and key:
        links.append([_("Details"), f"{base}/nodes/{quote(key, safe='')}"])
    if key:
        query = spec.query(**{by: key, "aggregate": deeper})
        links.insert(0, [ngettext("Map of this actor", "Map of these {n} actors", count).format(
            n=num(count)), f"{base}/maps/ecosystem?{urlencode(query)}"])
    return links


# -- an ego map ------------------------------------------------------------------------------
def ego(store: Store, spec: MapSpec, base: str) -> MapData:
    net, table = _load(store, spec)
    centre = table.index.get(spec.id or "")
    if centre is None:
        raise MapNotFound(_("id: no actor {id!r} in this store").format(id=spec.id))
    keep = actor_mask(table, spec)
    keep[centre] = True
    hops = _hops(net.undirected, centre, spec.hops, keep)
    idx = np.flatnonzero(hops >= 0)
    degree = np.diff(net.undirected.indptr)
    notes = []
    if len(idx) > spec.limit:
        order = np.lexsort((-degree[idx], hops[idx]))
        notes.append(ngettext(
            "{n} actors are within {hops} step; the {limit} nearest and best-connected are "
            "shown.", "{n} actors are within {hops} steps; the {limit} nearest and "
            "best-connected are shown.", spec.hops).format(
                n=num(len(idx)), hops=spec.hops, limit=num(spec.limit)))
        idx = np.sort(idx[order[: spec.limit]])
    value = _size(net, spec.size)
    importance = value[idx].astype(float)
    where = int(np.searchsorted(idx, centre))
    importance[where] = np.inf
    data = _actor_map(store, net, table, idx, spec, base, value, importance=importance,
                      hops=hops[idx], extra={where: {"shape": "star", "borderWidth": 2}})
    name = data.nodes[where]["name"]
    data.title = ngettext("{name}: {actors} within {n} step", "{name}: {actors} within {n} steps",
                          spec.hops).format(name=name, actors=actors_text(len(idx) - 1),
                                            n=spec.hops)
    data.meta["notes"] = [_("★ marks {name}.").format(name=name), *notes]
    data.meta["centre"] = where
    return data


def _hops(adjacency: sp.csr_matrix, centre: int, hops: int, keep: np.ndarray) -> np.ndarray:
    """Breadth-first distance from ``centre`` through kept actors, -1 beyond ``hops`` steps."""
    dist = np.full(adjacency.shape[0], -1, dtype=np.int64)
    dist[centre] = 0
    frontier = np.array([centre])
    for step in range(1, hops + 1):
        reached = np.unique(adjacency[frontier].indices)
        reached = reached[keep[reached] & (dist[reached] < 0)]
        if len(reached) == 0:
            break
        dist[reached] = step
        frontier = reached
    return dist


# -- brokers ---------------------------------------------------------------------------------
def brokerage_measures() -> tuple[str, ...]:
    """What a brokerage map can size actors by: the columns of ``brokerage_table``."""
    from coco_atlas.graph.analytics.brokerage import ROLES

    return (*ROLES, "betweenness", "effectiveSize", "constraint")


FIELD_TEXT = Translated({
    "group": N_("Sector group"), "label": N_("Kind of actor"), "years": N_("Years"),
    "hops": N_("Steps from the centre"), "aggregate": N_("One node per"),
    "level": N_("NUTS level"), "colour": N_("Colour by"), "size": N_("Size by"),
    "limit": N_("Most actors drawn one by one"), "between": N_("Brokers between"),
    "layout": N_("Layout"), "sector": N_("Sector (NACE)"), "region": N_("Region (NUTS)"),
    "timeline": N_("Map in time (years)"), "country": N_("Country"), "id": N_("Actor"),
})
LAYOUT_TEXT = Translated({"auto": N_("Automatic: on the map of Europe for regions"),
                          "geo": N_("On the map of Europe"), "force": N_("By their ties")})
AGGREGATE_TEXT = Translated({"auto": N_("Automatic: actors, or regions when too many"),
                             "none": N_("One node per actor"),
                             "region": N_("One node per region"),
                             "country": N_("One node per country"),
                             "group": N_("One node per sector group"),
                             "community": N_("One node per community")})


def form_words(table: ActorTable, spec: MapSpec) -> tuple[dict[str, list[tuple[str, str]]],
                                                          dict[str, str]]:
    """The filter form in people's words: the choices of each field as (value, text), and a
    sentence under the fields whose choice is a measure (what the chosen one means)."""
    from coco_atlas.graph.analytics.groups import SECTOR_GROUPS, UNKNOWN
    from coco_atlas.viz.params import ACTOR_SIZES, AGGREGATES, COLOURS, LAYOUTS

    any_ = [("", _("any"))]
    names = table.regions.names
    sizes = brokerage_measures() if spec.kind == "brokers" else ACTOR_SIZES
    choices = {
        "country": any_ + [(c, ranked.country_text(table, c))
                           for c in sorted(set(table.country.tolist()) - {""})],
        "region": any_ + sorted((r, f"{names.get(r, r)} ({r})")
                                for r, lvl in table.region_level.items() if lvl <= 2),
        "group": any_ + [(g, GROUP_TEXT[g]) for g in (*SECTOR_GROUPS, UNKNOWN)],
        "colour": [(c, COLOUR_TITLE[c]) for c in COLOURS],
        "aggregate": [(a, AGGREGATE_TEXT.get(a, a)) for a in AGGREGATES],
        "label": any_ + [(x, label_text(x)) for x in sorted(set(table.labels.tolist()))],
        "size": [(m, _("Same size for all") if m == "none" else measure_name(m))
                 for m in sizes],
        "layout": [(v, LAYOUT_TEXT.get(v, v)) for v in LAYOUTS],
        "between": any_ + [(f"{a},{b}", ranked.pair_text(a, b))
                           for k, a in enumerate(SECTOR_GROUPS) for b in SECTOR_GROUPS[k + 1:]],
    }
    helps = {"size": MEASURES[spec.size].sentence if spec.size in MEASURES else "",
             "between": MEASURES["between"].sentence}
    return choices, helps


def brokers(store: Store, spec: MapSpec, base: str) -> MapData:
    """Actors sized and ranked by a brokerage measure, or (``between``) by how often they link
    the two sector groups asked for; the ranked table says which groups each links most."""
    from coco_atlas.graph.analytics.brokerage import brokerage_table, group_pairs

    measures = list(brokerage_measures())
    if spec.size not in measures:
        raise MapError(_("size: expected a brokerage measure ({measures}), got {got!r}").format(
            measures=", ".join(measures), got=spec.size))
    net, table = _load(store, spec)
    rows = {r["id"]: r for r in brokerage_table(store, group_by="sectorGroup",
                                                 years=spec.timeline or spec.years)}
    counts, group_names = group_pairs(net.adjacency, table.group.tolist())
    measure = "between" if spec.between else spec.size
    if spec.between:
        i, j = sorted(group_names.index(g) if g in group_names else -1 for g in spec.between)
        pair = counts[:, i, j] if i >= 0 else np.zeros(net.n, dtype=np.int64)
        for k, node_id in enumerate(table.ids):
            rows.setdefault(node_id, {})["between"] = int(pair[k])
        measures.insert(0, "between")
    raw = np.array([_number(rows.get(i, {}).get(measure)) for i in table.ids])
    # Burt's constraint is low for brokers: the less constrained, the bigger the node.
    value = np.where(np.isnan(raw), 0.0, 1.0 - raw) if measure == "constraint" \
        else np.nan_to_num(raw)
    idx = np.flatnonzero(actor_mask(table, spec))
    named = measure_name(measure)
    notes = []
    if len(idx) > spec.limit:
        notes.append(_("{n} actors match; the {limit} highest by “{measure}” are shown.").format(
            n=num(len(idx)), limit=num(spec.limit), measure=named))
        idx = np.sort(idx[np.argsort(-value[idx], kind="stable")[: spec.limit]])
    fields = [m for m in measures if m != measure]
    values = {m: [rounded(rows.get(table.ids[i], {}).get(m)) for i in idx.tolist()]
              for m in measures}
    info = [[values[measure][j], *(values[m][j] for m in fields)] for j in range(len(idx))]
    data = _actor_map(store, net, table, idx, spec, base, value, cross=True, more=info)
    data.meta["fields"] += [measure_name(m) for m in (measure, *fields)]
    named_pair = [GROUP_TEXT.get(g, g) for g in spec.between]
    between = (_("{a} and {b}").format(a=named_pair[0], b=named_pair[1])
               if len(named_pair) == 2 else "")
    data.title = (_("Brokers between {groups}: {actors}").format(
        groups=between, actors=actors_text(len(idx))) if spec.between
        else _("Brokers: {actors} sized by “{measure}”").format(actors=actors_text(len(idx)),
                                                                 measure=named))
    data.meta["legend"]["size"] = (
        _("Size: how little constrained (1 − Burt's constraint)") if measure == "constraint"
        else _("Size: {measure}").format(measure=named))
    data.meta["legend"]["sentence"] = MEASURES[measure].sentence
    data.meta["legend"]["edges"] = [
        {"colour": CROSS_TIE, "text": _("tie across sector groups")},
        {"colour": TIE, "text": _("tie within a sector group (or with an actor without one)")}]
    data.meta["notes"] = notes
    names = [n["name"] for n in data.nodes]
    data.meta["table"] = ranked.broker_table(
        table, idx, names, measure, measures, values, ranked.bridged(counts, group_names, idx),
        _("Brokers between {groups}, most first").format(groups=between) if spec.between
        else (_("Brokers by “{measure}”, least constrained first") if measure == "constraint"
              else _("Brokers by “{measure}”, most first")).format(measure=named)).as_dict()
    return data


def _number(x: Any) -> float:
    return float("nan") if x is None else float(x)


# -- competence gaps -------------------------------------------------------------------------
def gaps(store: Store, spec: MapSpec, base: str) -> MapData:
    from coco_atlas.graph.analytics.gaps import region_gaps

    net, table = _load(store, spec)
    chosen = actor_mask(table, spec)
    narrowed = any((spec.sector, spec.group, spec.label, spec.years))
    found = region_gaps(store, level=spec.level, actors=[
        a for a, k in zip(table.ids, chosen.tolist(), strict=True) if k] if narrowed else None)
    regions = gap_regions(table, spec, sorted(found))
    lifted = table.region_at(spec.level)
    inside = np.flatnonzero(np.isin(lifted, regions) & chosen)
    groups = agg.fold(net.weights[inside][:, inside].tocsr(), lifted[inside].tolist())
    position = {r: i for i, r in enumerate(regions)}
    pos = np.array([position[k] for k in groups.keys], dtype=np.int64) \
        if groups.keys else np.zeros(0, dtype=np.int64)
    actors = np.zeros(len(regions))
    actors[pos] = groups.counts
    pairs = pos[groups.edges] if len(groups.edges) else np.zeros((0, 2), dtype=np.int64)
    shown = agg.strongest(pairs, groups.ties, len(regions))
    cats = np.array([share_class(100 * found[r]["unmet"] / found[r]["needed"]
                                 if found[r]["needed"] else None) for r in regions], dtype=int)
    items = [{**item, "count": int((cats == b).sum())} for b, item in enumerate(share_legend())]
    colours = [str(item["colour"]) for item in items]
    info = [[r, ranked.country_text(table, table.region_country.get(r, "")), int(actors[i]),
             found[r]["needed"],
             found[r]["offered"], found[r]["unmet"],
             f"{100 * found[r]['unmet'] / found[r]['needed']:.0f}%" if found[r]["needed"]
             else None] for i, r in enumerate(regions)]
    extra = {i: {"links": [[_("Details"), f"{base}/nodes/{quote(r, safe='')}"],
                           [ngettext("Map of its actor", "Map of its {n} actors",
                                     int(actors[i])).format(n=num(int(actors[i]))),
                            f"{base}/maps/ecosystem?" + urlencode({
                                "region": r, "aggregate": "none" if actors[i] <= spec.limit
                                else "community"})]]}
             for i, r in enumerate(regions)}
    place = geo.place(store, spec, table, regions, "region")
    nodes, edges, labels = draw(Drawing(
        keys=regions, texts=[table.regions.names.get(r, r) for r in regions], value=actors,
        category=cats, colours=colours, pairs=pairs[shown], ties=groups.ties[shown], info=info,
        radius=(10.0, 60.0), extra=extra, **(place.drawing() if place else {})))
    legend = {"title": _("Share of the competences needed that nobody in the region offers"),
              "sentence": MEASURES["share"].sentence + " "
              + _("Fixed classes: the same on every gap map."),
              "items": items, "size": _("Size: number of actors"),
              "edges": [{"colour": TIE, "text": _(
                  "ties between regions (each region's {n} strongest)").format(
                      n=agg.STRONGEST)}]}
    title = ngettext("Competence gaps in {n} NUTS {level} region",
                     "Competence gaps in {n} NUTS {level} regions", len(regions)).format(
                         n=num(len(regions)), level=spec.level)
    data = MapData("gaps", title, nodes, edges, {
        "fields": [_("NUTS id"), _("Country"), _("Actors"), MEASURES["needed"].name,
                   MEASURES["offered"].name, MEASURES["unmet"].name, MEASURES["share"].name],
        "links": [], "legend": legend, "notes": [], "search": _("Find a region…"), **labels,
        **geo.meta(place, nodes)}, springy=False)
    data.meta["table"] = ranked.gap_table(table, regions, found, actors, spec.level).as_dict()
    data.meta["gaps"] = ranked.gap_details(
        store, table, regions, spec.level,
        [a for a, k in zip(table.ids, chosen.tolist(), strict=True) if k] if narrowed else None,
        set(spec.region) if len(spec.region) == 1 else set(), base)
    return data


# -- shared ----------------------------------------------------------------------------------
def _table_of(store: Store, spec: MapSpec) -> ActorTable:
    """The actor table the map was built from (cached: no second read)."""
    return _load(store, spec)[1]


def _load(store: Store, spec: MapSpec) -> tuple[Any, ActorTable]:
    from coco_atlas.graph.analytics.network import actor_network

    net = actor_network(store, years=spec.timeline or spec.years)
    return net, actor_table(store, net.ids)


def _size(net: Any, size: str) -> np.ndarray:
    if size == "strength":
        return np.asarray(net.weights.sum(axis=1)).ravel()
    if size == "none":
        return np.ones(net.n)
    return np.diff(net.undirected.indptr).astype(float)


def _values(table: ActorTable, by: str) -> np.ndarray:
    return {"group": table.group, "label": table.labels, "country": table.country}[by]


def _legend(values: np.ndarray, by: str, table: ActorTable | None = None
            ) -> tuple[np.ndarray, dict[str, Any]]:
    """Category index of each value, and the legend. Colours are fixed per category whatever
    the filters: sector groups and labels by :data:`viz.colours.FIXED`, countries by their rank
    in the whole store (most actors first), so a country keeps its colour from map to map."""
    from coco_atlas.graph.analytics.groups import SECTOR_GROUPS, UNKNOWN

    names, counts = np.unique(values.astype(str), return_counts=True)
    present = dict(zip(names.tolist(), counts.tolist(), strict=True))
    everyone = present
    if by == "country" and table is not None:
        all_names, all_counts = np.unique(table.country.astype(str), return_counts=True)
        everyone = dict(zip(all_names.tolist(), all_counts.tolist(), strict=True))
    order = {"group": [*SECTOR_GROUPS, UNKNOWN], "label": list(ACTORS)}.get(
        by, sorted(everyone, key=lambda c: (-everyone[c], c)))
    order = order + sorted(set(present) - set(order))
    colours = categorical(order)
    order = [c for c in order if c in present]
    position = {c: i for i, c in enumerate(order)}
    cats = np.array([position[v] for v in values.astype(str).tolist()], dtype=np.int64)
    if by == "country" and table is not None:
        text = {c: ranked.country_text(table, c) for c in order}
    else:
        text = GROUP_TEXT if by == "group" else {c: label_text(c) for c in order if c}
    items = [{"name": c, "text": text.get(c, c or _(UNKNOWN_TEXT)), "colour": colours[c],
              "count": present[c]} for c in order]
    return cats, {"title": COLOUR_TITLE[by], "items": items}


def _actor_map(store: Store, net: Any, table: ActorTable, idx: np.ndarray, spec: MapSpec,
               base: str, value: np.ndarray, *, importance: np.ndarray | None = None,
               hops: np.ndarray | None = None, cross: bool = False,
               more: list[list[Any]] | None = None,
               extra: dict[int, dict[str, Any]] | None = None) -> MapData:
    """A map with one node per actor of ``idx`` and their ties."""
    sub = sp.triu(net.weights[idx][:, idx], k=1).tocoo()
    pairs = np.column_stack((sub.row, sub.col)).astype(np.int64)
    cats, legend = _legend(_values(table, spec.colour)[idx], spec.colour, table)
    degree = np.diff(net.undirected.indptr)
    names, props = describe(store, [table.ids[i] for i in idx.tolist()])
    info = _actor_info(table, idx, degree, props)
    fields = actor_fields()
    if hops is not None:
        fields.append(_("Steps from the centre"))
        for row, h in zip(info, hops.tolist(), strict=True):
            row.append(h)
    if more is not None:
        for row, m in zip(info, more, strict=True):
            row.extend(m)
    edge_colours = None
    if cross:
        g = table.group[idx]
        a, b = g[sub.row], g[sub.col]
        differ = (a != b) & (a != "unknown") & (b != "unknown")
        edge_colours = [CROSS_TIE if d else None for d in differ.tolist()]
    keys = [table.ids[i] for i in idx.tolist()]
    place = geo.place(store, spec, table, keys, "none")
    points = geo.as_points(place, len(keys), bool(spec.timeline))
    drawing = Drawing(
        keys=keys, texts=names,
        value=value[idx], category=cats, colours=[i["colour"] for i in legend["items"]],
        pairs=pairs[:0] if points else pairs, ties=sub.data[:0] if points else sub.data,
        info=info, edge_colours=None if points else edge_colours, extra=extra or {},
        importance=importance, **(place.drawing() if place else {}))
    nodes, edges, labels = draw(drawing)
    geo_meta = geo.meta(place, nodes)
    if points:  # one canvas layer; only the selected actor's ties are drawn
        geo_meta["geo"]["points"] = geo.tie_lists(len(keys), pairs)
        geo_meta["geoNotes"].append(_(
            "{actors} are drawn as points and {ties} ties are not all drawn: {why}.").format(
                actors=actors_text(len(keys)), ties=num(len(pairs)), why=_(geo.POINTS_TEXT)))
        legend["edges"] = [{"colour": TIE, "text": _(geo.POINTS_TEXT)}]
    legend["size"] = SIZE_TEXT.get(spec.size, "")
    if spec.size in MEASURES:
        legend["sentence"] = MEASURES[spec.size].sentence
    links = [{"text": _("Details"), "href": f"{base}/nodes/{{key}}"},
             {"text": _("Ego map"), "href": f"{base}/maps/ego?id={{key}}"}]
    data = MapData(spec.kind, "", nodes, edges, {
        "fields": fields, "links": links, "legend": legend, "notes": [],
        "search": _("Find an actor…"), **labels, **geo_meta})
    if spec.timeline:  # the years each actor and tie hold (viz/timeline.py)
        from coco_atlas.viz.timeline import attach

        attach(store, data, keys, table.group[idx], *spec.timeline)
    return data


def _actor_info(table: ActorTable, idx: np.ndarray, degree: np.ndarray,
                props: list[dict[str, Any]]) -> list[list[Any]]:
    """Tooltip values of each actor: what it should have but lacks (country, region, sector,
    a hub's kind) reads "unknown"; a value that does not apply (a company's kind) is left out
    (``None``)."""
    names = table.regions.names
    sector_names = table.sectors_tree.names
    out = []
    for i, own in zip(idx.tolist(), props, strict=True):
        region, sectors = table.region[i], table.sectors[i]
        out.append([
            label_text(table.labels[i]), GROUP_TEXT.get(table.group[i], table.group[i]),
            ranked.country_text(table, table.country[i]),
            f"{names.get(region, region)} ({region})" if region else _(UNKNOWN_TEXT),
            "; ".join(f"{sector_names.get(s, s)} ({s})" for s in sectors[:2])
            or _(UNKNOWN_TEXT),
            *(value_text(p, own[p]) if isinstance(own.get(p), str) else own.get(p)
              for p in PROPS),
            int(degree[i])])
    return out
