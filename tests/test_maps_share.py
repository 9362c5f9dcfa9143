"""Sharing and exporting a map, in the real browser (headless Chromium, tests/browser.py).

A link copied from a map reopens, in another browser with a fresh profile, the same zoom,
centre, selection and hidden legend categories; the PNG export is twice the drawn size, not
blank, with the title and legend drawn; the SVG export holds the title and the legend as text
and the map's dots; a map downloaded from the service and one written by ``coco map`` open from
disk with every link leading to the service and no form; an embedded map hides the panel and
may be framed only by the origins the operator lists; on a 390 px wide phone the map keeps most
of the screen and the panel goes below it.
"""

from __future__ import annotations

import base64
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from coco_atlas.api.cli import main
from tests.browser import Browser, Page
from tests.server import ROOT, running_server

pytestmark = pytest.mark.slow  # a browser, a server, Neo4j or a fuzzer: run with -m slow

ARTIFACTS = ROOT / "test-artifacts" / "maps"
NETWORK = "window.__cocoNetwork"
SVG = "{http://www.w3.org/2000/svg}"
HUB = "https://hub.example.org"



@pytest.fixture(scope="module")
def base_url(demo_db: Path) -> Iterator[str]:
    with running_server(demo_db, env={"COCO_FRAME_ANCESTORS": f"{HUB}, http://localhost:9"}) as url:
        yield url


def open_map(browser: Browser, url: str) -> Page:
    page = browser.new_page()
    page.goto(url)
    page.wait_for("window.__cocoDrawn", timeout=60)
    return page


def view_of(page: Page) -> dict[str, object]:
    """What the person sees: centre, zoom, selected node keys, hidden legend categories."""
    return page.evaluate(f"""(() => {{
        const net = {NETWORK}, v = net.getViewPosition();
        const keys = new Map(JSON.parse(document.getElementById('coco-data').textContent)
                             .nodes.map(n => [n.id, n.k]));
        return {{x: v.x, y: v.y, scale: net.getScale(),
                 selected: net.getSelectedNodes().map(id => keys.get(id)),
                 hidden: [...document.querySelectorAll('#coco-legend button[aria-pressed=false]')]
                         .map(b => Number(b.dataset.cat)),
                 hiddenNodes: net.body.data.nodes.get({{filter: n => n.hidden}}).length}};
    }})()""")  # type: ignore[no-any-return]


def change_view(page: Page) -> dict[str, object]:
    """Hide a legend category, find an actor by name (selects and zooms), then zoom further and
    pan a little: as a person would, through the page's controls and the map's own events."""
    page.evaluate("document.querySelector('#coco-legend button[data-cat=\"2\"]').click()")
    name = page.evaluate("JSON.parse(document.getElementById('coco-data').textContent)"
                         ".nodes.find(n => n.c === 0 && n.name.length > 6).name")
    page.evaluate("document.getElementById('coco-search').focus()")
    page.type(name)
    page.wait_for("document.querySelectorAll('#coco-matches button').length")
    page.press("Enter", 13)
    found = page.wait_for("window.__cocoView && window.__cocoView.includes('sel=') "
                          "&& window.__cocoView", timeout=10)
    box = page.evaluate("(() => { const r = document.getElementById('coco-map')"
                        ".getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()")
    page.send("Input.dispatchMouseEvent", type="mouseWheel", x=box[0] + box[2] * 0.3,
              y=box[1] + box[3] * 0.6, deltaX=0, deltaY=-240)  # zoom in off centre
    page.wait_for(f"window.__cocoView !== {found!r}", timeout=10)
    saved = f"window.__cocoView.includes({NETWORK}.getScale().toPrecision(6))"
    page.wait_for(saved, timeout=10)  # the wheel's last step saved too
    time.sleep(0.4)
    page.wait_for(saved, timeout=10)
    return view_of(page)


def assert_same_view(got: dict[str, object], want: dict[str, object]) -> None:
    assert abs(float(got["scale"]) - float(want["scale"])) < 1e-3 * float(want["scale"])
    assert abs(float(got["x"]) - float(want["x"])) < 0.2
    assert abs(float(got["y"]) - float(want["y"])) < 0.2
    assert got["selected"] == want["selected"] and got["hidden"] == want["hidden"]
    assert got["hiddenNodes"] == want["hiddenNodes"] > 0


def test_a_copied_link_reopens_the_same_view_in_a_fresh_browser(browser: Browser,
                                                                 base_url: str) -> None:
    page = open_map(browser, base_url + "/maps/ecosystem?country=AT&country=DE")
    want = change_view(page)
    assert want["selected"] and want["hidden"] == [2]
    page.evaluate("document.getElementById('coco-share').click()")
    link = page.wait_for("document.getElementById('coco-status').textContent "
                         "&& document.getElementById('coco-link').value")
    assert link.startswith(base_url + "/maps/ecosystem?country=AT&country=DE#view=")
    assert page.errors() == []
    with Browser() as fresh:  # another profile: nothing kept but the link
        again = open_map(fresh, link)
        assert_same_view(view_of(again), want)
        assert again.errors() == [] and again.foreign_requests() == []


def png_of(page: Page) -> tuple[bytes, dict[str, object]]:
    """The PNG export, and what the page measures of it: its size, the layout it was drawn
    from and how much ink lies in the title's and the legend's boxes."""
    result = page.evaluate("""window.__cocoExport.png(2).then(async blob => {
        const img = await createImageBitmap(blob);
        const c = new OffscreenCanvas(img.width, img.height);
        const g = c.getContext('2d', {willReadFrequently: true});
        g.drawImage(img, 0, 0);
        const L = window.__cocoExportLayout;
        const ink = b => { const d = g.getImageData(2 * b[0], 2 * b[1], 2 * (b[2] - b[0]),
                                                     2 * (b[3] - b[1])).data;
                           let n = 0; for (let i = 0; i < d.length; i += 4)
                             if (d[i] + d[i + 1] + d[i + 2] < 300) n++; return n; };
        const m = L.map, d = g.getImageData(2 * m.x, 2 * m.y, 2 * m.w, 2 * m.h).data;
        const colours = new Set();
        for (let i = 0; i < d.length; i += 4 * 97)
          colours.add(d[i] << 16 | d[i + 1] << 8 | d[i + 2]);
        const bytes = new Uint8Array(await blob.arrayBuffer());
        let s = ''; for (let i = 0; i < bytes.length; i += 8192)
          s += String.fromCharCode(...bytes.subarray(i, i + 8192));
        return {width: img.width, height: img.height, layout: L, title: ink(L.title),
                legend: ink(L.legend), colours: colours.size, png: btoa(s)};
    })""", timeout=60)
    return base64.b64decode(result.pop("png")), result


def test_png_export_is_twice_the_size_with_title_and_legend(browser: Browser,
                                                            base_url: str) -> None:
    page = open_map(browser, base_url + "/maps/ecosystem?country=AT")
    png, info = png_of(page)
    layout = info["layout"]
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert (info["width"], info["height"]) == (2 * layout["width"], 2 * layout["height"])
    assert info["width"] > 2 * page.evaluate("document.getElementById('coco-map').clientWidth")
    assert info["title"] > 400, "no title drawn"  # dark pixels of ~25 bold letters at 2x
    assert info["legend"] > 400, "no legend drawn"
    assert info["colours"] > 5, "the map is blank"  # dots of every sector group, ties, names
    texts = [t["text"] for t in layout["texts"]]
    title = page.evaluate("document.querySelector('.map-area h1').textContent")
    assert texts[0] == title.strip()
    assert any("Cultural and creative" in t for t in texts)
    filters = page.evaluate("JSON.parse(document.getElementById('coco-data').textContent)"
                            ".meta.filters")
    assert filters and all(f in " ".join(texts) for f in filters)  # the country filter
    assert any(t.startswith("Map drawn ") for t in texts)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "export.png").write_bytes(png)
    assert page.errors() == [] and page.foreign_requests() == []


def test_svg_export_holds_title_legend_and_the_drawn_map(browser: Browser,
                                                         base_url: str) -> None:
    page = open_map(browser, base_url + "/maps/brokers?country=AT")
    page.evaluate("document.querySelector('#coco-legend button[data-cat=\"1\"]').click()")
    svg = page.evaluate("window.__cocoExport.svg()", timeout=60)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    title = page.evaluate("document.querySelector('.map-area h1').textContent").strip()
    assert root.find(f"{SVG}title").text == title and title in texts
    legend = page.evaluate("[...document.querySelectorAll('#coco-legend button')]"
                           ".map(b => b.querySelector('span:nth-child(2)').textContent)")
    for item in legend:
        assert any(t.startswith(item) for t in texts), item
    assert any(t.endswith(", hidden") for t in texts)  # the category hidden on screen
    assert any("COCO Atlas" in t for t in texts)
    names = page.evaluate("window.__cocoLabels.map(l => l[0])")
    assert len(names) > 5
    drawn = [p for p in root.iter(f"{SVG}path") if " A " in (p.get("d") or "")]
    visible = page.evaluate(f"{NETWORK}.body.data.nodes.get({{filter: n => !n.hidden}}).length")
    assert len(drawn) >= visible  # a filled arc (and its border) per dot on screen
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "export.svg").write_text(svg, encoding="utf-8")
    assert page.errors() == []


def assert_links_lead_to_the_service(page: Page, base_url: str) -> list[str]:
    """Every link of a page opened from disk is absolute, to the service, and answers there;
    the page has no form (which could not work from disk)."""
    hrefs = page.evaluate("""[...document.querySelectorAll('a[href]')]
        .filter(a => !(a.getAttribute('href').startsWith('#')  // a place in the page itself
                       && document.getElementById(a.getAttribute('href').slice(1))))
        .map(a => a.href)""")
    hrefs += page.evaluate("""(() => {  // the details links of the first nodes' cards
        const d = JSON.parse(document.getElementById('coco-data').textContent);
        return d.nodes.slice(0, 5).flatMap(n => n.links ? n.links.map(l => l[1])
            : d.meta.links.map(l => l.href.split('{key}').join(encodeURIComponent(n.k))));
    })()""")
    assert hrefs and page.evaluate("document.forms.length") == 0
    for href in sorted(set(hrefs)):
        assert href.startswith(base_url + "/"), href
        answer = httpx.get(href, timeout=60)
        assert answer.status_code == 200, href
    return hrefs


def test_downloaded_map_opens_from_disk_with_its_view_and_working_links(
        browser: Browser, base_url: str, tmp_path: Path) -> None:
    page = open_map(browser, base_url + "/maps/ecosystem?country=AT&country=DE")
    want = change_view(page)
    href = page.wait_for("(document.getElementById('coco-download').href.includes('sel') "
                         "&& document.getElementById('coco-download').href)")
    answer = httpx.get(href, timeout=60)
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == 'attachment; filename="coco-ecosystem.html"'
    saved = tmp_path / "coco-ecosystem.html"
    saved.write_text(answer.text, encoding="utf-8")
    local = open_map(browser, saved.as_uri())
    assert_same_view(view_of(local), want)
    assert local.errors() == [] and local.requests == [saved.as_uri()]
    links = assert_links_lead_to_the_service(local, base_url)
    assert base_url + "/maps/brokers" in links  # the menu leads to the service
    permalink = local.evaluate("document.getElementById('coco-link').value")
    assert permalink.startswith(base_url + "/maps/ecosystem?country=")
    assert "#view=" in permalink and "&hide=2" in permalink


def test_written_map_links_lead_to_the_service(browser: Browser, base_url: str, demo_db: Path,
                                               tmp_path: Path) -> None:
    out = tmp_path / "gaps.html"
    assert main(["map", "--kind", "gaps", "--db", str(demo_db), "--link-base", base_url,
                 "--out", str(out)]) == 0
    page = open_map(browser, out.as_uri())
    assert page.errors() == [] and page.requests == [out.as_uri()]
    assert_links_lead_to_the_service(page, base_url)
    link = page.evaluate("document.getElementById('coco-link').value")
    assert link.startswith(base_url + "/maps/gaps#view=")
    assert len(page.evaluate("window.__cocoExport.svg()")) > 1000  # exports work from disk


def test_embedding_is_allowed_only_to_the_listed_origins(browser: Browser,
                                                         base_url: str) -> None:
    answer = httpx.get(base_url + "/maps/gaps", params={"embed": "1"}, timeout=60)
    policy = answer.headers["content-security-policy"]
    assert f"frame-ancestors {HUB} http://localhost:9" in policy
    assert "x-frame-options" not in answer.headers
    for other in ("/", "/quality", "/maps/nothing"):  # only maps may be framed
        refused = httpx.get(base_url + other, timeout=60)
        assert "frame-ancestors 'none'" in refused.headers["content-security-policy"]
        assert refused.headers["x-frame-options"] == "DENY"
    page = open_map(browser, base_url + "/maps/gaps")
    snippet = page.evaluate("document.getElementById('coco-embed').value")
    assert snippet.startswith(f'<iframe src="{base_url}/maps/gaps?embed=1#view=')
    embedded = open_map(browser, base_url + "/maps/gaps?embed=1")
    assert embedded.evaluate("getComputedStyle(document.querySelector('.panel')).display") \
        == "none"
    box = embedded.evaluate("document.getElementById('coco-map').getBoundingClientRect().width")
    assert box > 1200 * 0.9
    opened = embedded.evaluate("document.getElementById('coco-open').href")
    assert opened.startswith(base_url + "/maps/gaps#view=")


def test_a_bad_frame_ancestors_setting_is_named(demo_db: Path) -> None:
    with running_server(demo_db, env={"COCO_FRAME_ANCESTORS": "*; script-src *"}) as url:
        answer = httpx.get(url + "/maps/gaps", timeout=60)
    assert answer.status_code == 400
    assert "frame_ancestors" in answer.text and "is not an origin" in answer.text


def test_on_a_phone_the_map_keeps_most_of_the_screen(browser: Browser, base_url: str) -> None:
    page = browser.new_page()
    page.viewport(390, 844, mobile=True)
    page.goto(base_url + "/maps/ecosystem?country=AT")
    page.wait_for("window.__cocoDrawn", timeout=60)
    sizes = page.evaluate("""(() => {
        const m = document.getElementById('coco-map').getBoundingClientRect();
        const p = document.querySelector('.panel').getBoundingClientRect();
        return {width: innerWidth, height: innerHeight, map: m.height, mapWidth: m.width,
                mapBottom: m.bottom, panelTop: p.top,
                scroll: document.scrollingElement.scrollWidth};
    })()""")
    assert sizes["width"] == 390
    assert sizes["map"] >= 0.6 * sizes["height"], sizes
    assert sizes["mapWidth"] >= 0.9 * 390
    assert sizes["panelTop"] >= sizes["mapBottom"], "the panel must go below the map"
    assert sizes["scroll"] <= 390, "nothing may stick out sideways"
    page.screenshot(ARTIFACTS / "phone.png")
    assert page.errors() == []


def test_printing_shows_the_map_and_legend_without_controls(browser: Browser,
                                                            base_url: str) -> None:
    page = open_map(browser, base_url + "/maps/brokers?country=AT")
    page.send("Emulation.setEmulatedMedia", media="print")
    shown = page.evaluate("""(() => {
        const seen = s => [...document.querySelectorAll(s)].some(e => e.getClientRects().length);
        return {map: document.getElementById('coco-map').getBoundingClientRect().height,
                legend: seen('#coco-legend button'), title: seen('.map-area h1'),
                controls: ['#coco-search', '.filters', '.share', '.bar'].filter(seen)};
    })()""")
    page.send("Emulation.setEmulatedMedia", media="")
    assert shown["legend"] and shown["title"] and shown["map"] > 300
    assert shown["controls"] == []


def test_svg_export_of_a_geographic_map_keeps_its_outlines(browser: Browser,
                                                           base_url: str) -> None:
    """What other scripts draw under the nodes (geo.js's country outlines, built as Path2D
    objects) is in the SVG too, as vector paths."""
    page = open_map(browser, base_url + "/maps/ecosystem?layout=geo&country=AT&country=SI")
    outlines = page.evaluate("window.__cocoGeo.outlines")
    assert outlines > 0
    root = ET.fromstring(page.evaluate("window.__cocoExport.svg()", timeout=60))
    shapes = [p for p in root.iter(f"{SVG}path") if p.get("fill-rule") == "evenodd"
              and len((p.get("d") or "").split(" L ")) > 2]
    assert len(shapes) >= outlines
    assert page.errors() == []
