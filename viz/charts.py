"""The figures behind the charts: broker ranking, competence gaps by region and group, ties a year.

Each chart is computed from the analyses the maps use, with the maps' filters
(:mod:`viz.params`, :mod:`viz.filters`), so a chart and a map of the same filters agree:

* ``brokers`` — the actors with the most Gould–Fernandez brokerage paths
  (:func:`graph.analytics.brokerage.brokerage_table`, groups = sector groups), in its order;
* ``gaps`` — for each NUTS region, the competences its actors need and none of them offers
  (what :func:`graph.analytics.gaps.region_gaps` counts), split by competence group: the top of
  the competence's BROADER hierarchy (ESCO's skill groups when the ESCO hierarchy is imported;
  the demo's categories such as "design" or "digital technology");
* ``ties`` — per year, the actors with a tie active that year, those ties, and the ties across
  sector groups (both ends with a known, different group: the brokerage map's red ties). A tie is
  active in a year as :func:`graph.analytics.network.actor_network` reads ``years``: a
  partnership or membership from its ``since`` to its ``until``, a shared collaboration from its
  start to its end year, a missing bound open.

Every chart comes with its figures as a table (:class:`Table`): the page shows it beside the
picture as its text alternative (WCAG 2.2 success criterion 1.1.1, non-text content).
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coco_atlas.graph.analytics.groups import SECTOR_GROUPS, UNKNOWN
from coco_atlas.graph.store import Store
from coco_atlas.schema import SCHEMA
from coco_atlas.viz.filters import actor_mask, gap_regions
from coco_atlas.viz.i18n import N_, ngettext
from coco_atlas.viz.i18n import gettext as _
from coco_atlas.viz.i18n import number as num
from coco_atlas.viz.params import MapError, MapSpec, parse
from coco_atlas.viz.words import GROUP_TEXT, MEASURES, Translated

KINDS = ("brokers", "gaps", "ties")
TITLES = Translated({
    "brokers": N_("Who bridges the most"),
    "gaps": N_("Competence gaps by region"),
    "ties": N_("Actors and ties per year"),
})
ABOUT = Translated({
    "brokers": N_("Actors ranked by their brokerage paths: how often they sit between two "
                  "actors who are not tied to each other (Gould & Fernandez 1989, by sector "
                  "group)."),
    "gaps": N_("Competences the actors of a region need that none of them offers, by "
               "competence group. The darker, the more gaps."),
    "ties": N_("Actors with a tie that year, their ties, and the ties across sector groups "
               "(partnerships, memberships and shared collaborations)."),
})
SOURCES = Translated({
    "brokers": N_("Gould–Fernandez brokerage roles by sector group"),
    "gaps": N_("NEEDS and OFFERS of each region's actors, by competence group"),
    "ties": N_("partnerships, memberships and collaborations active each year"),
})
# The ties chart's series: their keys (colours in viz/chart_draw.py) and what a reader sees.
SERIES_TEXT = Translated({"Actors with a tie": N_("Actors with a tie"), "Ties": N_("Ties"),
                          "Ties across sector groups": N_("Ties across sector groups")})
MAP_KIND = {"brokers": "brokers", "gaps": "gaps", "ties": "ecosystem", "all": "gaps"}
FILTERS = ("country", "region", "sector", "group", "label", "years")
PARAMS: dict[str, tuple[str, ...]] = {
    "brokers": (*FILTERS, "limit"),
    "gaps": (*FILTERS, "level", "limit"),
    "ties": FILTERS,
    "all": (*FILTERS, "level", "limit"),
}
DEFAULT_LIMIT = 20  # bars ranked, regions shown
MAX_LIMIT = 100
MAX_GROUPS = 12  # competence groups drawn as columns; the rest are summed in one
NO_GROUP = N_("Competences in no group")
MORE_GROUPS = N_("Other competence groups")
BROADER = SCHEMA.rel("BROADER").name
COMPETENCE = SCHEMA.label("Competence").name
NAME = SCHEMA.node_properties(COMPETENCE)["name"].name


@dataclass(frozen=True)
class ChartSpec:
    """What to chart: the kind, the map filters, and how many bars or regions at most."""

    kind: str
    spec: MapSpec
    limit: int = DEFAULT_LIMIT

    def query(self) -> dict[str, str]:
        """The parameters given, as a flat query dict (links and exports keep the filters)."""
        out = self.spec.query()
        if self.limit != DEFAULT_LIMIT:
            out["limit"] = str(self.limit)
        return out


@dataclass(frozen=True)
class Table:
    """A chart's figures as rows: its text alternative and the CSV-like view of the data."""

    columns: list[str]
    rows: list[list[Any]]


@dataclass
class Chart:
    """One chart: its figures (``table``) and what drawing them needs."""

    kind: str
    title: str
    table: Table
    filters: list[str]
    notes: list[str] = field(default_factory=list)
    draw: dict[str, Any] = field(default_factory=dict)
    date: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).date().isoformat())

    @property
    def source(self) -> str:
        """The line printed under the chart: where the figures come from, filters and date."""
        from coco_atlas.viz.i18n import day

        where = f"; {', '.join(self.filters)}" if self.filters else ""
        return _("Source: COCO Atlas, {source}{filters}. Drawn {date}.").format(
            source=SOURCES[self.kind], filters=where,
            date=day(dt.date.fromisoformat(self.date)))

    @property
    def summary(self) -> str:
        """One sentence for screen readers (the chart's accessible description)."""
        return self.draw.get("summary", ABOUT[self.kind])


def parse_chart(kind: str, raw: Mapping[str, Sequence[str]]) -> ChartSpec:
    """Check raw parameters (query strings or CLI options) with the maps' own parser.

    ``kind`` is a chart kind or ``all`` (the page with every chart); :class:`MapError` names the
    parameter at fault.
    """
    if kind not in PARAMS:
        raise MapError(_("kind: expected one of {kinds}, got {got!r}").format(
            kinds=", ".join(KINDS), got=kind))
    allowed = PARAMS[kind]
    raw = {k: list(v) for k, v in raw.items() if any(str(x).strip() for x in v)}
    for name in raw:
        if name not in allowed:
            message = (_("unknown parameter {name!r}; the charts take {allowed}") if kind == "all"
                       else _("unknown parameter {name!r}; the {kind} chart takes {allowed}"))
            raise MapError(message.format(name=name, kind=kind, allowed=", ".join(allowed)))
    limit = _limit(raw.pop("limit")) if "limit" in raw else DEFAULT_LIMIT
    return ChartSpec("all" if kind == "all" else kind, parse(MAP_KIND[kind], raw), limit)


def _limit(values: Sequence[str]) -> int:
    text = ",".join(values).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise MapError(_("limit: expected a whole number from 1 to {max}, got {got!r}").format(
            max=MAX_LIMIT, got=text))
    return int(text)


def build_chart(store: Store, kind: str, chart: ChartSpec) -> Chart:
    """The figures of one chart ``kind`` for the filters of ``chart``."""
    builder = {"brokers": brokers, "gaps": gaps, "ties": ties}[kind]
    return builder(store, chart)


# -- brokers -------------------------------------------------------------------------------
def brokers(store: Store, chart: ChartSpec) -> Chart:
    """The ``limit`` actors with the most brokerage paths among those the filters keep, in the
    order of :func:`~graph.analytics.brokerage.brokerage_table` (total, then id)."""
    from coco_atlas.graph.analytics.brokerage import ROLES, brokerage_table

    spec = chart.spec
    wanted = ("id", "name", "group", *ROLES)
    rows = _KEPT.get(store, ("brokers", spec.years), lambda: [  # brokers only, fields shown
        {k: r[k] for k in wanted} for r in brokerage_table(
            store, group_by="sectorGroup", years=spec.years) if r["total"] > 0])
    table = _actors(store, spec)
    keep = actor_mask(table, spec)
    kept = {table.ids[i] for i in np.flatnonzero(keep).tolist()}
    ranked = [r for r in rows if r["id"] in kept and r["total"] > 0][: chart.limit]
    from coco_atlas.viz.ranked import country_text  # the reader's language, as on the maps (CLDR)

    country = {i: country_text(table, c) for i, c in
               zip(table.ids, table.country.tolist(), strict=True) if c}
    roles = [r for r in ROLES if r != "total"]
    out = Table([_("Rank"), _("Actor"), _("Sector group"), _("Country"), _("Brokerage paths"),
                 *(MEASURES[r].name for r in roles)],
                [[k + 1, r["name"], GROUP_TEXT.get(r["group"], r["group"]),
                  country.get(r["id"]) or _("unknown"), r["total"], *(r[x] for x in roles)]
                 for k, r in enumerate(ranked)])
    notes = [] if ranked else [_("No actor of these filters sits between two others.")]
    summary = (ngettext("{name} ranks first with {paths} brokerage paths; {n} actor shown.",
                        "{name} ranks first with {paths} brokerage paths; {n} actors shown.",
                        len(ranked)).format(name=ranked[0]["name"],
                                            paths=num(ranked[0]["total"]), n=len(ranked))
               if ranked else notes[0])
    title = (TITLES["brokers"] if not ranked else
             ngettext("{title}: the top broker", "{title}: the top {n} brokers",
                      len(ranked)).format(title=TITLES["brokers"], n=len(ranked)))
    return Chart("brokers", title,
                 out, in_words(table, spec), notes, {
                     "labels": [_short(r["name"]) for r in ranked],
                     "values": [r["total"] for r in ranked],
                     "groups": [r["group"] for r in ranked],
                     "group_order": [*SECTOR_GROUPS, UNKNOWN],
                     "summary": summary})


def in_words(table: Any, spec: MapSpec) -> list[str]:
    """The filters as people say them: place and sector names with their codes in brackets,
    sector groups by name (the maps' :func:`viz.filters.in_words` with names)."""
    from coco_atlas.viz.i18n import country_name
    from coco_atlas.viz.words import label_text

    regions, sectors = table.regions.names, table.sectors_tree.names
    countries = {c: country_name(c) if country_name(c) != c else n
                 for c, n in regions.items() if len(c) == 2}
    labels = {v: label_text(v) for v in spec.label}
    out = []
    for name, words, names in (("country", N_("country {values}"), countries),
                               ("region", N_("region {values}"), regions),
                               ("sector", N_("sector {values}"), sectors),
                               ("group", N_("sector group {values}"), GROUP_TEXT),
                               ("label", N_("only {values}"), labels)):
        values = getattr(spec, name)
        if values:
            shown = [_named(names, v, name not in ("group", "label")) for v in values]
            text = shown[0]
            for v in shown[1:]:
                text = _("{a} or {b}").format(a=text, b=v)
            out.append(_(words).format(values=text))
    if spec.years is not None:
        first, last = spec.years
        out.append(_("years {first}–{last}").format(first=first or "…", last=last or "…"))
    return out


def _named(names: Mapping[str, str], code: str, with_code: bool = True) -> str:
    name = names.get(code)
    if not name or name == code:
        return code
    return f"{name} ({code})" if with_code else name


def _short(name: str, width: int = 38) -> str:
    return name if len(name) <= width else name[: width - 1].rstrip() + "…"


def _actors(store: Store, spec: MapSpec) -> Any:
    from coco_atlas.graph.analytics.network import actor_network
    from coco_atlas.viz.actors import actor_table

    return actor_table(store, actor_network(store, years=spec.years).ids)


# -- gaps ----------------------------------------------------------------------------------
def competence_groups(store: Store) -> tuple[dict[str, str], dict[str, str]]:
    """``({competence id: group id}, {group id: its name})``: a competence's group is the top
    of its BROADER chain (the lowest-id broader concept where it has several); a top concept
    that has narrower ones is its own group; a competence in no hierarchy has none."""
    topo = store.topology(labels=[COMPETENCE], rel_types=[BROADER])
    ids = topo.ids
    parent: dict[str, str] = {}
    for s, d in sorted(zip(topo.src.tolist(), topo.dst.tolist(), strict=True), reverse=True):
        parent[ids[s]] = ids[d]
    heads = set(parent.values())
    out = {}
    for c in parent.keys() | heads:
        top, seen = c, {c}
        while top in parent and parent[top] not in seen:
            top = parent[top]
            seen.add(top)
        out[c] = top
    names = store.property_values(NAME, [COMPETENCE])
    return out, {g: _capital(str(names.get(g, g))) for g in set(out.values())}


def _capital(text: str) -> str:
    """ESCO writes labels in lower case ("digital technology"); a heading starts upper case."""
    return text[:1].upper() + text[1:]


def region_group_gaps(store: Store, *, level: int, actors: Sequence[str] | None,
                      group_of: Mapping[str, str]) -> dict[str, dict[str, int]]:
    """``{region: {group: competences needed by its actors and offered by none of them}}``:
    :func:`graph.analytics.gaps.region_gaps`' "unmet" split by competence group (groups with
    no gap are left out; ``""`` is the group of competences in none)."""
    from coco_atlas.graph.analytics.gaps import demand_supply
    from coco_atlas.graph.analytics.groups import actor_regions

    regions = actor_regions(store, level=level)
    if actors is not None:
        wanted = set(actors)
        regions = {a: r for a, r in regions.items() if a in wanted}
    ds = demand_supply(store)
    k = len(ds.competence_ids)
    names = sorted(set(regions.values()))
    code = {r: i for i, r in enumerate(names)}
    where = np.array([code.get(regions.get(a, ""), -1) for a in ds.actor_ids], dtype=np.int64)
    keys = []
    for actor, comp in (ds.needs, ds.offers):
        reg = where[actor]
        keys.append(np.unique(reg[reg >= 0] * k + comp[reg >= 0]))
    unmet = np.setdiff1d(keys[0], keys[1], assume_unique=True)
    out: dict[str, dict[str, int]] = {r: {} for r in names}
    for key in unmet.tolist():
        row = out[names[key // k]]
        group = group_of.get(ds.competence_ids[key % k], "")
        row[group] = row.get(group, 0) + 1
    return out


def gaps(store: Store, chart: ChartSpec) -> Chart:
    """Regions (the gap map's, with its filters) × competence groups, worst regions first."""
    spec = chart.spec
    table = _actors(store, spec)
    chosen = actor_mask(table, spec)
    narrowed = any((spec.sector, spec.group, spec.label, spec.years))
    actors = [a for a, k in zip(table.ids, chosen.tolist(), strict=True) if k] \
        if narrowed else None
    group_of, group_names = _KEPT.get(store, ("groups",), lambda: competence_groups(store))
    found = region_group_gaps(store, level=spec.level, actors=actors, group_of=group_of)
    regions = gap_regions(table, spec, sorted(found))
    totals = {r: sum(found[r].values()) for r in regions}
    regions.sort(key=lambda r: (-totals[r], r))
    shown = regions[: chart.limit]
    group_total: dict[str, int] = {}
    for r in regions:
        for g, n in found[r].items():
            group_total[g] = group_total.get(g, 0) + n
    order = sorted(group_total, key=lambda g: (-group_total[g], group_names.get(g, g)))
    columns, folded = order[:MAX_GROUPS], set(order[MAX_GROUPS:])
    if folded:
        columns = [*order[: MAX_GROUPS - 1], "\0more"]
        folded = set(order[MAX_GROUPS - 1:])
    heads = [_(MORE_GROUPS) if g == "\0more" else group_names.get(g, _(NO_GROUP)) if g
             else _(NO_GROUP) for g in columns]
    cells = [[sum(found[r].get(g, 0) for g in folded) if g == "\0more" else found[r].get(g, 0)
              for g in columns] for r in shown]
    names = table.regions.names
    labels = [f"{names.get(r, r)} ({r})" for r in shown]
    notes = []
    if len(regions) > len(shown):
        notes.append(_("The {n} regions with the most gaps of {total} are shown.").format(
            n=len(shown), total=num(len(regions))))
    if not shown:
        notes.append(_("No region of these filters has actors that need a competence."))
    out = Table([_("Region"), *heads, _("All groups")],
                [[label, *row, totals[r]] for label, row, r in zip(labels, cells, shown,
                                                                    strict=True)])
    summary = (ngettext("{region} has the most gaps: {n} competence needed that no actor there "
                        "offers.", "{region} has the most gaps: {n} competences needed that no "
                        "actor there offers.", totals[shown[0]]).format(
                            region=labels[0], n=num(totals[shown[0]]))
               if shown and totals[shown[0]] else
               _("No region has a competence gap.") if shown else notes[-1])
    return Chart("gaps", f"{TITLES['gaps']} (NUTS {spec.level})", out, in_words(table, spec), notes,
                 {"rows": labels, "columns": heads, "cells": cells, "summary": summary})


# -- ties per year -------------------------------------------------------------------------
def ties(store: Store, chart: ChartSpec) -> Chart:
    """Per year: actors with a tie, ties and cross-sector ties among the actors kept."""
    from coco_atlas.viz.chart_ties import tie_spans, year_counts

    spec = chart.spec
    table = _actors(store, spec)
    keep = actor_mask(table, spec)
    spans = _KEPT.get(store, ("ties", tuple(table.ids)), lambda: tie_spans(store, table.ids))
    inside = keep[spans.a] & keep[spans.b]
    group = table.group
    cross = (group[spans.a] != group[spans.b]) & (group[spans.a] != UNKNOWN) & \
        (group[spans.b] != UNKNOWN)
    years = _year_range(spans, spec.years)
    counts = year_counts(spans, inside, cross, years, len(table.ids))
    rows = [[y, *c] for y, c in zip(years, counts, strict=True)]
    notes = [] if years else [_("No tie of these actors has a date, and no years were given.")]
    summary = (_("From {first} to {last}: {ties0} ties in {first}, {ties1} in {last}, of which "
                 "{cross} across sector groups.").format(
                     first=years[0], last=years[-1], ties0=num(counts[0][1]),
                     ties1=num(counts[-1][1]), cross=num(counts[-1][2]))
               if years else notes[0])
    return Chart("ties", TITLES["ties"], Table(
        [_("Year"), *SERIES_TEXT.values()], rows),
        in_words(table, spec), notes, {"years": years, "series": {
            "Actors with a tie": [c[0] for c in counts], "Ties": [c[1] for c in counts],
            "Ties across sector groups": [c[2] for c in counts]}, "summary": summary})


class _PerVersion:
    """What a chart reads whatever its filters (the brokerage of every actor, every tie's
    span), kept per store and store version: a new filter costs only the filtering."""

    def __init__(self, size: int = 8):
        self.size = size
        self.lock = threading.Lock()
        self.by_store: weakref.WeakKeyDictionary[Store, OrderedDict[Any, Any]] = \
            weakref.WeakKeyDictionary()

    def get(self, store: Store, key: Any, build: Callable[[], Any]) -> Any:
        full = (store.version, key)
        with self.lock:
            kept = self.by_store.setdefault(store, OrderedDict())
            if full in kept:
                kept.move_to_end(full)
                return kept[full]
        value = build()
        with self.lock:
            kept[full] = value
            while len(kept) > self.size:
                kept.popitem(last=False)
        return value


_KEPT = _PerVersion(size=6)


def _year_range(spans: Any, years: tuple[int | None, int | None] | None) -> list[int]:
    """The years asked; open ends are the first and last dated tie (not after this year)."""
    first, last = years if years is not None else (None, None)
    known = np.concatenate([spans.first[np.isfinite(spans.first)],
                            spans.last[np.isfinite(spans.last)]])
    this_year = dt.datetime.now(dt.UTC).year
    if first is None:
        first = int(known.min()) if len(known) else last
    if last is None:
        last = min(int(known.max()), this_year) if len(known) else first
        if last is not None and first is not None:
            last = max(last, first)
    if first is None or last is None:
        return []
    return list(range(first, last + 1))
