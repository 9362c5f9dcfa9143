"""NUTS boundaries from a GeoJSON file (``coco import geometry FILE.geojson``), so that maps of
regions become choropleths.

Input: a GeoJSON FeatureCollection (RFC 7946), as Eurostat GISCO distributes NUTS 2021
boundaries (``NUTS_RG_20M_2021_4326.geojson`` and the like): one feature per region, its id in
``properties.NUTS_ID`` (else the feature's ``id``), a Polygon or MultiPolygon geometry. RFC 7946
coordinates are WGS 84 lon/lat; GISCO also ships files in ETRS89-LAEA (EPSG:3035) and Web
Mercator (EPSG:3857) that name their system in a ``crs`` member (the 2008 GeoJSON draft's way):
those are projected back to lon/lat with pyproj.

Each boundary is repaired where invalid (shapely ``make_valid``: GIS files often have
self-touching rings), simplified (Douglas–Peucker, topology preserved, :data:`TOLERANCE_DEG`,
coarser until it fits the schema's bound on a text, 20,000 characters), and stored as
GeoJSON text in the region's ``geometry`` property, through the Store contract, so both stores
keep it. Everything is checked first, and nothing is written if anything is wrong: every
problem names the file, the feature (``$.features[i]``) and the field. Features of regions the
store does not hold (GISCO files cover all of Europe) are left out and counted.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from coco_atlas.graph.store import Store
from coco_atlas.importers.errors import Location, Problems
from coco_atlas.importers.load import ImportReport
from coco_atlas.schema import SCHEMA, Node
from coco_atlas.schema.messages import N_, Msg, Np_, Num

REGION = SCHEMA.label("Region").name
GEOMETRY = SCHEMA.node_properties(REGION)["geometry"]
TOLERANCE_DEG = 0.005  # ~500 m: finer than a map of regions shows, far coarser than GISCO 1:1M
DECIMALS = 4  # ~10 m
KINDS = ("Polygon", "MultiPolygon")
CRS_EPSG = re.compile(r"EPSG:{1,2}(?:[\d.]*:)?(\d+)$")
PROJECTED = {3035: "ETRS89-LAEA", 3857: "Web Mercator"}
SHOWN_LEFT_OUT = 5


def import_geometry(store: Store, path: Path, *, source: str | None = None,
                    dry_run: bool = False, progress: Any = None) -> ImportReport:
    """Read ``path``, check every feature, and write the boundaries of the regions the store
    holds, all or nothing (:class:`importers.errors.ImportFailed` lists every problem)."""
    source = source or f"import geometry {path.name}"
    problems = Problems()
    where = Location(str(path), "json", array="$.features")
    features, epsg = _features(path, where, problems)
    shapes = {}
    for i, feature in enumerate(features):
        got = _feature(feature, where.at(i), epsg, problems)
        if got is not None:
            if got[0] in shapes:
                problems.add(where.at(i, "properties.NUTS_ID"), N_("each region once"),
                             got[0])
            shapes[got[0]] = got[1]
    problems.raise_if_any(Msg(N_("the boundaries in {file}"), file=path.name))
    existing = store.get_nodes(sorted(shapes))
    held = {k: v for k, v in shapes.items() if k in existing and existing[k].label == REGION}
    report = ImportReport(source, dry_run)
    changed = [k for k, text in held.items() if existing[k].props.get(GEOMETRY.name) != text]
    report.nodes_changed, report.nodes_unchanged = len(changed), len(held) - len(changed)
    missing = sorted(set(shapes) - set(held))
    if missing:
        report.notes.append(Msg(Np_(
            "{n} feature names a region this store does not hold, left out: {regions} (coco "
            "import reference loads the NUTS regions)",
            "{n} features name regions this store does not hold, left out: {regions} (coco "
            "import reference loads the NUTS regions)"), n=Num(len(missing)),
            regions=", ".join(missing[:SHOWN_LEFT_OUT])
            + (" …" if len(missing) > SHOWN_LEFT_OUT else "")))
    if changed and not dry_run:
        store.upsert_nodes([Node(k, REGION, {GEOMETRY.name: held[k]}) for k in changed],
                           source=source)
    return report


def _features(path: Path, where: Location, problems: Problems
              ) -> tuple[list[Any], int | None]:
    """The features of the file and the EPSG code its ``crs`` names (None: WGS 84)."""
    top = Location(str(path), "json")
    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        problems.add(top, N_("an existing GeoJSON file"))
        return [], None
    except orjson.JSONDecodeError as e:
        problems.add(top, N_("a GeoJSON file (JSON)"), str(e))
        return [], None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" \
            or not isinstance(data.get("features"), list):
        problems.add(top.at(None, "type"), N_("a GeoJSON FeatureCollection with a features list"),
                     data.get("type") if isinstance(data, dict) else type(data).__name__)
        return [], None
    return data["features"], _crs(data.get("crs"), top.at(None, "crs"), problems)


def _crs(crs: Any, where: Location, problems: Problems) -> int | None:
    if crs is None:
        return None
    name = str((crs.get("properties") or {}).get("name", "")) if isinstance(crs, dict) else ""
    if "CRS84" in name:
        return None
    m = CRS_EPSG.search(name)
    code = int(m.group(1)) if m else None
    if code == 4326:
        return None
    if code not in PROJECTED:
        problems.add(where, N_("WGS 84 lon/lat (EPSG:4326, RFC 7946), EPSG:3035 or EPSG:3857"),
                     name or crs)
        return None
    return code


def _feature(feature: Any, where: Location, epsg: int | None, problems: Problems
             ) -> tuple[str, str] | None:
    """(NUTS id, simplified GeoJSON text) of one feature, or None after adding its problems."""
    if not isinstance(feature, dict):
        problems.add(where, N_("a GeoJSON Feature"), type(feature).__name__)
        return None
    props = feature.get("properties") or {}
    key = props.get("NUTS_ID", feature.get("id")) if isinstance(props, dict) else None
    ok = True
    if not isinstance(key, str) or not key.strip():
        problems.add(where.at(where.row, "properties.NUTS_ID"), N_("the region's NUTS id"), key)
        ok = False
    geometry = feature.get("geometry")
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in KINDS:
        problems.add(where.at(where.row, "geometry.type"), N_("Polygon or MultiPolygon"), kind)
        return None
    assert isinstance(geometry, dict)  # its type was read from it just above
    text = _simplified(geometry, where.at(where.row, "geometry.coordinates"), epsg, problems)
    return (key.strip(), text) if ok and key is not None and text is not None else None


def _first_bad_position(coordinates: Any) -> str | None:
    """What is wrong with the coordinates, in the user's terms (not the library's message);
    None when every ring is a list of at least 4 [x, y] number pairs."""
    stack = [coordinates]
    while stack:
        item = stack.pop()
        if isinstance(item, list) and item and all(isinstance(x, list) for x in item):
            if all(x and not isinstance(x[0], list) for x in item):
                bad = next((x for x in item if len(x) < 2 or not all(
                    isinstance(v, int | float) and not isinstance(v, bool) for v in x[:2])), None)
                if bad is not None:
                    return f"the position {bad!r}"
                if len(item) < 4:
                    return f"a ring of {len(item)} position(s)"
            else:
                stack.extend(reversed(item))
        elif not isinstance(item, list) or not item:
            return f"{item!r} where a list of positions belongs"
    return None


def _simplified(geometry: dict[str, Any], where: Location, epsg: int | None,
                problems: Problems) -> str | None:
    import shapely
    from shapely.geometry import mapping, shape

    wrong = _first_bad_position(geometry.get("coordinates"))
    geom = None
    try:
        geom = None if wrong else shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError):
        wrong = "coordinates that do not make a polygon"
    if geom is None:
        problems.add(where, N_("closed rings of at least 4 [x, y] positions"), wrong)
        return None
    if epsg is not None:
        geom = shapely.transform(geom, _to_lonlat(epsg))
    lon0, lat0, lon1, lat1 = geom.bounds if not geom.is_empty else (0, 0, 0, 0)
    if geom.is_empty or not (-180 <= lon0 <= lon1 <= 180 and -90 <= lat0 <= lat1 <= 90):
        problems.add(where, N_("lon/lat degrees within ±180/±90 (or a crs member naming "
                     "EPSG:3035 or EPSG:3857)"), [lon0, lat0, lon1, lat1])
        return None
    geom = shapely.make_valid(geom)
    if geom.geom_type not in KINDS:  # repair may leave stray lines or points beside the area
        geom = shapely.multipolygons([p for g in shapely.get_parts(geom)
                                      for p in shapely.get_parts(g) if p.geom_type == "Polygon"])
    tolerance = TOLERANCE_DEG
    while True:
        simple = shapely.set_precision(geom.simplify(tolerance, preserve_topology=True),
                                       10 ** -DECIMALS)
        text = orjson.dumps(mapping(simple)).decode()
        if len(text) <= GEOMETRY.max_length or tolerance > 1:
            break
        tolerance *= 2
    if simple.is_empty or len(text) > GEOMETRY.max_length:
        problems.add(where, Msg(N_("a boundary that keeps an area once simplified to {n} "
                                   "characters"), n=Num(GEOMETRY.max_length)))
        return None
    return text


@cache
def _to_lonlat(epsg: int) -> Any:
    """EPSG:``epsg`` to WGS 84 lon/lat, for shapely.transform (made once: ~70 ms each)."""
    from pyproj import Transformer

    t = Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True)

    def apply(xy: Any) -> Any:
        import numpy as np

        lon, lat = t.transform(xy[:, 0], xy[:, 1])
        return np.column_stack((lon, lat))
    return apply
