"""``coco import geometry``: NUTS boundaries from GISCO-style GeoJSON, kept by both stores, checked
all or nothing, and drawn by the maps as areas (a choropleth) in the real browser."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from shapely.geometry import Point, Polygon, box, shape

from coco_atlas.api.cli import main
from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.graph.store import Store
from coco_atlas.importers.geometry import import_geometry
from tests.browser import Browser, demo_store
from tests.conftest import region
from tests.mapdata import outline
from tests.server import running_server

pytestmark = pytest.mark.slow  # a browser, a server, Neo4j or a fuzzer: run with -m slow

# Boxes round the two Slovenian NUTS-2 regions: west (Ljubljana) and east (Maribor).
WEST = (13.4, 45.45, 14.85, 46.5)  # SI04 Zahodna Slovenija
EAST = (14.85, 45.45, 16.6, 46.85)  # SI03 Vzhodna Slovenija


def feature(nuts_id: Any, geometry: Any, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "id": nuts_id,
            "properties": {"NUTS_ID": nuts_id, "LEVL_CODE": 2, "CNTR_CODE": "SI", **props},
            "geometry": geometry}


def polygon(bounds: tuple[float, float, float, float]) -> dict[str, Any]:
    x0, y0, x1, y1 = bounds
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1],
                                                 [x0, y0]]]}


def gisco(path: Path, features: list[Any], crs: str | None = None) -> Path:
    data: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if crs:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_bytes(orjson.dumps(data))
    return path


def test_boundaries_are_kept_by_both_stores(store: Store, tmp_path: Path) -> None:
    store.upsert_nodes([region("SI03", "Vzhodna Slovenija"), region("SI04", "Zahodna Slovenija")],
                       source="fixture")
    f = gisco(tmp_path / "nuts.geojson", [feature("SI03", polygon(EAST)),
                                          feature("SI04", polygon(WEST)),
                                          feature("TR21", polygon((26, 40, 28, 42)))])
    report = import_geometry(store, f)
    assert (report.nodes_changed, report.nodes_unchanged) == (2, 0)
    assert any("TR21" in n and "left out" in n for n in report.notes)
    for nuts_id, bounds in (("SI03", EAST), ("SI04", WEST)):
        node = store.get_node(nuts_id)
        assert node is not None and node.props["name"]  # the rest of the region is kept
        stored = shape(json.loads(node.props["geometry"]))
        assert stored.symmetric_difference(box(*bounds)).area < 1e-6
    again = import_geometry(store, f)
    assert (again.nodes_changed, again.nodes_unchanged) == (0, 2)


def test_projected_gisco_files_are_read_back_to_lon_lat(store: Store, tmp_path: Path) -> None:
    from pyproj import Transformer

    store.upsert_nodes([region("SI04", "Zahodna Slovenija")], source="fixture")
    to_laea = Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)
    ring = [list(to_laea.transform(x, y)) for x, y in polygon(WEST)["coordinates"][0]]
    f = gisco(tmp_path / "laea.geojson",
              [feature("SI04", {"type": "Polygon", "coordinates": [ring]})],
              crs="urn:ogc:def:crs:EPSG::3035")
    import_geometry(store, f)
    stored = shape(json.loads(store.get_node("SI04").props["geometry"]))  # type: ignore[union-attr]
    assert stored.symmetric_difference(box(*WEST)).area < 1e-3


def test_a_detailed_boundary_is_simplified_within_the_bound_on_a_text(tmp_path: Path) -> None:
    import math

    from coco_atlas.schema.types import LONG_TEXT_MAX

    # 40,000 vertices round Ljubljana (~70 km across): ~1.6 MB of GeoJSON as GISCO 1:1M has it.
    ring = [[14.5 + 0.5 * math.cos(2 * math.pi * k / 40_000),
             46.05 + 0.33 * math.sin(2 * math.pi * k / 40_000)] for k in range(40_000)]
    ring.append(ring[0])
    f = gisco(tmp_path / "fine.geojson",
              [feature("SI04", {"type": "Polygon", "coordinates": [ring]})])
    with EmbeddedStore(tmp_path / "s.db") as store:
        store.upsert_nodes([region("SI04", "Zahodna Slovenija")], source="fixture")
        import_geometry(store, f)
        text = store.get_node("SI04").props["geometry"]  # type: ignore[union-attr]
    assert len(f.read_text()) > 50 * LONG_TEXT_MAX and len(text) <= LONG_TEXT_MAX
    fine, kept = Polygon(ring), shape(json.loads(text))
    assert kept.symmetric_difference(fine).area < 0.01 * fine.area


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("geometry") / "demo.db"
    shutil.copy(demo_store(tmp_path_factory.getbasetemp()), out)
    return out


def test_a_bad_file_is_refused_whole_naming_feature_and_field(
        db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = gisco(tmp_path / "bad.geojson", [
        feature("SI03", polygon(EAST)),
        feature(None, polygon(WEST)),
        feature("SI04", {"type": "Point", "coordinates": [14.5, 46.0]}),
        feature("SK01", polygon((1500, 4000, 1600, 4100))),
        feature("SK02", {"type": "Polygon", "coordinates": [[[16.18, 48.12], [16.58]]]}),
        feature("SK03", {"type": "Polygon",
                         "coordinates": [[[16.1, 48.1], [16.5, 48.3], [16.1, 48.1]]]}),
    ])
    assert main(["import", "geometry", str(f), "--db", str(db)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "nothing was written" in err and "Traceback" not in err
    assert "$.features[1].properties.NUTS_ID: expected the region's NUTS id" in err
    assert "$.features[2].geometry.type: expected Polygon or MultiPolygon, got 'Point'" in err
    assert "$.features[3].geometry.coordinates: expected lon/lat degrees" in err
    # malformed rings are named in the file's terms, not the geometry library's
    assert "$.features[4].geometry.coordinates: expected closed rings of at least 4 [x, y] " \
           "positions, got 'the position [16.58]'" in err
    assert "$.features[5].geometry.coordinates: expected closed rings of at least 4 [x, y] " \
           "positions, got 'a ring of 3 position(s)'" in err
    assert "numpy" not in err and "gufunc" not in err
    with EmbeddedStore(db) as s:
        assert "geometry" not in s.get_node("SI03").props  # type: ignore[union-attr]
    assert main(["import", "geometry", str(tmp_path / "none.geojson"), "--db", str(db)]) == 2
    (tmp_path / "text.geojson").write_text("not json", encoding="utf-8")
    assert main(["import", "geometry", str(tmp_path / "text.geojson"), "--db", str(db)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "none.geojson: expected an existing GeoJSON file" in err
    assert "text.geojson: expected a GeoJSON file (JSON)" in err and "Traceback" not in err


@pytest.fixture(scope="module")
def imported(db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    f = gisco(tmp_path_factory.mktemp("gisco") / "NUTS_RG_20M_2021_4326.geojson",
              [feature("SI03", polygon(EAST)), feature("SI04", polygon(WEST))])
    assert main(["import", "geometry", str(f), "--db", str(db)]) == 0
    return db


@pytest.fixture(scope="module")
def base_url(imported: Path) -> Iterator[str]:
    with running_server(imported) as url:
        yield url


def test_region_maps_become_choropleths_in_the_browser(base_url: str) -> None:
    from pyproj import Transformer

    to_laea = Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)

    def canvas(lon: float, lat: float) -> tuple[float, float]:
        e, n = to_laea.transform(lon, lat)
        return (e - 4_321_000) / 1000, (3_210_000 - n) / 1000

    with Browser() as browser:
        page = browser.new_page()
        page.goto(f"{base_url}/maps/gaps?country=SI", timeout=60)
        page.wait_for("window.__cocoDrawn && window.__cocoGeo.frames > 0", timeout=60)
        geo = page.evaluate("window.__cocoGeo")
        data = page.evaluate("JSON.parse(document.getElementById('coco-data').textContent)")
        assert geo["areas"] == 2 and page.errors() == []
        areas = {data["nodes"][a["i"]]["k"] for a in data["meta"]["geo"]["areas"]}
        assert areas == {"SI03", "SI04"}
        for node in data["nodes"]:  # each region's dot lies inside its own area
            bounds = {"SI03": EAST, "SI04": WEST}[node["k"]]
            corners = [canvas(x, y) for x, y in polygon(bounds)["coordinates"][0]]
            assert Polygon(corners).contains(Point(node["x"], node["y"]))
        # The area is painted in its region's colour (blended over the land at 75 %).
        colour = next(n["color"] for n in data["nodes"] if n["k"] == "SI04")
        want = [round(0.75 * int(colour[i:i + 2], 16) + 0.25 * land)
                for i, land in zip((1, 3, 5), (238, 240, 242), strict=True)]
        # A point of SI04's area on land (under it the land colour), off its dot and borders.
        dot = next(n for n in data["nodes"] if n["k"] == "SI04")
        land = outline(data["meta"]["geo"], "SI").buffer(-4)
        inside = [xy for i in range(26) for j in range(18)
                  if land.contains(Point(xy := canvas(WEST[0] + 0.1 + 0.05 * i,
                                                      WEST[1] + 0.1 + 0.05 * j)))]
        x, y = max(inside, key=lambda p: (p[0] - dot["x"]) ** 2 + (p[1] - dot["y"]) ** 2)
        assert ((x - dot["x"]) ** 2 + (y - dot["y"]) ** 2) ** 0.5 > dot["size"] + 5
        got = page.evaluate(f"""(() => {{
            const p = window.__cocoNetwork.canvasToDOM({{x: {x}, y: {y}}});
            const c = document.querySelector('#coco-map canvas');
            const r = c.width / c.clientWidth;
            return Array.from(c.getContext('2d').getImageData(
                Math.round(p.x * r), Math.round(p.y * r), 1, 1).data).slice(0, 3);
        }})()""")
        assert all(abs(g - w) <= 6 for g, w in zip(got, want, strict=True)), (got, want)
        page.close()
