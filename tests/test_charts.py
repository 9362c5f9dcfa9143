"""Charts: the served pages and files, ``coco chart``, and the page in a real browser.

The figures are checked against the analyses' own outputs (the brokerage ranking of
``brokerage_table``, the unmet counts of ``region_gaps``) and against slow, obvious counts over
the Store contract written here (gaps per competence group, ties per year from every edge); the
pictures against the figures (bar lengths, cell labels, line heights); the exports for a title,
a source and ink.
"""

from __future__ import annotations

import base64
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from html import unescape
from itertools import combinations
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image

from coco_atlas.api.cli import main
from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.graph.store import Store
from coco_atlas.schema import ACTOR_LABELS, Edge, Node
from tests.browser import Browser
from tests.server import ROOT

pytestmark = pytest.mark.slow  # a browser, a server, Neo4j or a fuzzer: run with -m slow

ARTIFACTS = ROOT / "test-artifacts" / "charts"
YEARS = range(2012, 2021)
TITLES = {"brokers": "Who bridges the most", "gaps": "Competence gaps by region",
          "ties": "Actors and ties per year"}



@pytest.fixture(scope="module")
def demo(demo_db: Path) -> Iterator[Store]:
    """The small demo, opened once (``store`` is conftest's: each backend, empty)."""
    s = EmbeddedStore(demo_db)
    yield s
    s.close()



def get(demo_url: str, path: str, **params: str) -> httpx.Response:
    return httpx.get(demo_url + path, params=params, timeout=120)


def table(html: str, kind: str) -> list[list[str]]:
    """The rows of a chart's figures table (its text alternative) on a page."""
    figure = re.search(rf'<figure id="chart-{kind}".*?</figure>', html, re.S)
    assert figure, f"no {kind} chart on the page"
    body = re.search(r"<tbody>(.*?)</tbody>", figure.group(0), re.S)
    assert body
    return [[unescape(re.sub(r"<[^>]+>", "", c)).strip()
             for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)]


def number(text: str) -> int:
    return int(text.replace(",", ""))


def group(svg: str, gid: str) -> str:
    found = re.search(rf'<g id="{gid}">(.*?)</g>', svg, re.S)
    assert found, f"no element {gid} in the SVG"
    return found.group(1)


def points(path: str) -> list[tuple[float, float]]:
    d = re.search(r'<path d="([^"]+)"', path)
    assert d
    nums = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", d.group(1))]
    return list(zip(nums[::2], nums[1::2], strict=True))


# -- reference values, the slow obvious way --------------------------------------------------
def sector_group(store: Store) -> dict[str, str]:
    """Each actor's sector group from its primary (else lowest) IN_SECTOR sector's flags."""
    sectors = {n.id: n.props for n in store.iter_nodes("Sector")}
    chosen: dict[str, list[tuple[bool, str]]] = defaultdict(list)
    for e in store.iter_edges("IN_SECTOR"):
        chosen[e.source].append((not e.props.get("primary"), e.target))
    out = {}
    for actor, options in chosen.items():
        s = min(options)[1]
        out[actor] = "cci" if sectors[s].get("isCCI") else "advanced-manufacturing" \
            if sectors[s].get("isAdvancedManufacturing") else "ict" if s[0] == "J" else "other"
    return out


def year_of(value: Any) -> int | None:
    return None if value in (None, "") else int(str(value)[:4])


def holds(lo: int | None, hi: int | None, year: int) -> bool:
    return (lo is None or lo <= year) and (hi is None or hi >= year)


def ties_per_year(store: Store, country: str) -> dict[int, tuple[int, int, int]]:
    """Per year: actors with a tie, ties, ties across sector groups, among one country's actors,
    counted from every edge: a partnership or membership holds from its since to its until, a
    shared collaboration from its start to its end year, while both actors exist."""
    life = {n.id: (n.props.get("foundedYear"), n.props.get("closedYear"))
            for label in ACTOR_LABELS for n in store.iter_nodes(label)
            if n.props.get("country") == country}
    spans = [(e.source, e.target, e.props.get("since"), e.props.get("until"))
             for rel in ("PARTNERS_WITH", "MEMBER_OF") for e in store.iter_edges(rel)
             if e.props.get("weight", 1) > 0]
    dates = {n.id: (year_of(n.props.get("startDate")), year_of(n.props.get("endDate")))
             for n in store.iter_nodes("Collaboration")}
    members: dict[str, set[str]] = defaultdict(set)
    for e in store.iter_edges("PARTICIPATES_IN"):
        members[e.target].add(e.source)
    for venue, who in members.items():
        spans += [(a, b, *dates[venue]) for a, b in combinations(sorted(who), 2)]
    groups = sector_group(store)
    out = {}
    for year in YEARS:
        pairs = {frozenset((a, b)) for a, b, lo, hi in spans
                 if a != b and a in life and b in life and holds(lo, hi, year)
                 and holds(*life[a], year) and holds(*life[b], year)}
        cross = [p for p in pairs if len({groups.get(x, "unknown") for x in p}) == 2
                 and all(groups.get(x) for x in p)]
        out[year] = (len(set().union(*pairs)) if pairs else 0, len(pairs), len(cross))
    return out


def gaps_by_group(store: Store, country: str) -> dict[str, dict[str, int]]:
    """{NUTS 2 region of the country: {competence group name: needed there, offered by none
    there}}; a competence's group is the top of its BROADER chain."""
    comps = {n.id: n.props["name"] for n in store.iter_nodes("Competence")}
    parent = {e.source: e.target for e in store.iter_edges("BROADER") if e.source in comps}
    levels = {n.id: n.props["level"] for n in store.iter_nodes("Region")}
    up = {e.source: e.target for e in store.iter_edges("PART_OF")}
    located = {e.source: e.target for e in store.iter_edges("LOCATED_IN")}
    country_of = {n.id: n.props.get("country") for label in ACTOR_LABELS
                  for n in store.iter_nodes(label)}

    def level2(region: str) -> str | None:
        while levels.get(region, 0) > 2 and region in up:
            region = up[region]
        return region if levels.get(region) == 2 else None

    def top(c: str) -> str:
        while c in parent:
            c = parent[c]
        return comps[c][:1].upper() + comps[c][1:]

    need: dict[str, set[str]] = defaultdict(set)
    offer: dict[str, set[str]] = defaultdict(set)
    for rel, into in (("NEEDS", need), ("OFFERS", offer)):
        for e in store.iter_edges(rel):
            region = level2(located.get(e.source, ""))
            if region and country_of.get(e.source) == country:
                into[region].add(e.target)
    out: dict[str, dict[str, int]] = {}
    for region in need.keys() | offer.keys():
        counts: dict[str, int] = defaultdict(int)
        for c in need[region] - offer[region]:
            counts[top(c)] += 1
        out[region] = dict(counts)
    return out


# -- served ----------------------------------------------------------------------------------
def test_brokers_are_ranked_as_the_brokerage_analysis_ranks_them(demo_url: str,
                                                                 demo: Store) -> None:
    from coco_atlas.graph.analytics.brokerage import brokerage_table

    country = {n.id: n.props.get("country") for label in ACTOR_LABELS
               for n in demo.iter_nodes(label)}
    expected = [r for r in brokerage_table(demo) if country[r["id"]] == "AT"
                and r["total"] > 0][:8]
    assert len(expected) == 8
    rows = table(get(demo_url, "/charts/brokers", country="AT", limit="8").text, "brokers")
    assert [(r[1], number(r[4])) for r in rows] == [(r["name"], r["total"]) for r in expected]
    assert [r[0] for r in rows] == [str(k) for k in range(1, 9)]

    svg = get(demo_url, "/charts/brokers.svg", country="AT", limit="8").text
    widths = []
    for i in range(8):
        xs = [x for x, _ in points(group(svg, f"bar-{i}"))]
        widths.append(max(xs) - min(xs))
    for w, r in zip(widths, expected, strict=True):  # bar length ∝ brokerage paths
        assert w / widths[0] == pytest.approx(r["total"] / expected[0]["total"], rel=1e-4)
    labels = re.findall(r'<g id="ytick_\d+">.*?>([^<>]+)</text>', svg, re.S)
    assert len(labels) == len(expected)
    for label, r in zip(labels, expected, strict=True):  # top to bottom, in ranking order
        assert label == r["name"] or (label.endswith("…") and r["name"].startswith(label[:-1]))


def test_gap_heatmap_cells_count_unmet_needs_by_competence_group(demo_url: str,
                                                                 demo: Store) -> None:
    from coco_atlas.graph.analytics.gaps import region_gaps

    html = get(demo_url, "/charts/gaps", country="AT").text
    head = re.search(r'<figure id="chart-gaps".*?<thead>(.*?)</thead>', html, re.S)
    assert head
    columns = [unescape(c) for c in re.findall(r"<th[^>]*>(.*?)</th>", head.group(1))]
    rows = table(html, "gaps")
    expected = gaps_by_group(demo, "AT")
    unmet = region_gaps(demo, level=2)
    at = sorted((r for r in unmet if r.startswith("AT")), key=lambda r: (-unmet[r]["unmet"], r))
    assert [re.search(r"\((\w+)\)$", r[0]).group(1) for r in rows] == at  # type: ignore[union-attr]
    assert columns[0] == "Region" and columns[-1] == "All groups"
    for row in rows:
        region = row[0][-5:-1]
        assert number(row[-1]) == unmet[region]["unmet"]  # the analysis' own count
        cells = dict(zip(columns[1:-1], map(number, row[1:-1]), strict=True))
        assert {g: n for g, n in cells.items() if n} == expected[region]
    assert "Digital technology" in columns  # a group people recognise, not an id

    svg = get(demo_url, "/charts/gaps.svg", country="AT").text
    for i, row in enumerate(rows):
        for j, value in enumerate(row[1:-1]):
            assert re.search(r">([^<]+)</text>", group(svg, f"cell-{i}-{j}")).group(1) == value  # type: ignore[union-attr]


def test_ties_per_year_match_a_count_from_every_edge(demo_url: str, demo: Store) -> None:
    years = f"{YEARS[0]}-{YEARS[-1]}"
    rows = table(get(demo_url, "/charts/ties", country="AT", years=years).text, "ties")
    expected = ties_per_year(demo, "AT")
    assert [int(r[0]) for r in rows] == list(YEARS)
    assert {int(r[0]): tuple(map(number, r[1:])) for r in rows} == expected
    assert any(c[2] for c in expected.values()), "no cross-sector tie to test with"

    svg = get(demo_url, "/charts/ties.svg", country="AT", years=years).text
    for k in range(3):  # each line: one point a year, its height linear in the count
        line = points(group(svg, f"series-{k}"))
        values = [expected[y][k] for y in YEARS]
        assert len(line) == len(values)
        lo, hi = values.index(min(values)), values.index(max(values))
        scale = (line[hi][1] - line[lo][1]) / (values[hi] - values[lo])
        for (_, y), v in zip(line, values, strict=True):
            assert y == pytest.approx(line[lo][1] + scale * (v - values[lo]), abs=0.01)


@pytest.mark.parametrize("kind", ["brokers", "gaps", "ties"])
def test_exports_carry_title_source_and_ink(demo_url: str, kind: str) -> None:
    svg = get(demo_url, f"/charts/{kind}.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert TITLES[kind] in svg.text and "Source: COCO Atlas" in svg.text
    # the date as the reader's locale writes it (issue 15): CLDR's English medium date, MMM d, y
    assert re.search(r"Drawn [A-Z][a-z]{2} \d{1,2}, \d{4}\.", svg.text)
    assert "<image" not in svg.text  # vector all through, no embedded bitmap
    png = get(demo_url, f"/charts/{kind}.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(png.content))
    assert image.width == 1536  # twice the 768 px the page shows
    assert TITLES[kind] in image.info["Title"] and "Source: COCO Atlas" in image.info[
        "Description"]
    inked = int((np.asarray(image.convert("RGB"), dtype=int).sum(axis=2) < 600).sum())
    assert inked > 0.01 * image.width * image.height, "the picture is blank"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{kind}.png").write_bytes(png.content)


def test_the_charts_page_has_the_three_charts_with_text_alternatives(demo_url: str) -> None:
    r = get(demo_url, "/charts", country="AT")
    assert r.status_code == 200
    assert "script-src 'none'" in r.headers["content-security-policy"]
    html = r.text
    assert "<script" not in html
    for kind, title in TITLES.items():
        svg = re.search(rf'<figure id="chart-{kind}".*?(<svg [^>]+>)', html, re.S)
        assert svg and 'role="img"' in svg.group(1) and title in svg.group(1)
        assert table(html, kind)
        assert f'href="/charts/{kind}.svg?country=AT' in html
        assert f'href="/charts/{kind}.png?country=AT' in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "three inline SVGs share element ids"
    assert 'value="AT" selected' in html  # the filter form keeps the filters


def test_the_landing_page_and_the_maps_link_to_the_charts(demo_url: str) -> None:
    assert 'href="/charts"' in get(demo_url, "/").text
    page = get(demo_url, "/maps/brokers", country="SI", years="2018-2022").text
    link = re.search(r'<a id="coco-charts" href="([^"]+)"', page)
    assert link and unescape(link.group(1)) == "/charts?country=SI&years=2018-2022"


@pytest.mark.parametrize("path, params, status, message", [
    ("/charts", {"limit": "0"}, 400, "limit: expected a whole number from 1 to 100"),
    ("/charts/ties", {"level": "2"}, 400, "unknown parameter &#39;level&#39;"),
    ("/charts/gaps.svg", {"country": "XX"}, 400, "country: &#39;XX&#39; not found"),
    ("/charts", {"years": "2020-2010"}, 400, "years: the first year 2020 comes after"),
    ("/charts/pie", {}, 404, "the charts are brokers, gaps, ties"),
    ("/charts/brokers.gif", {}, 404, "as a page or as .svg or .png"),
])
def test_bad_parameters_get_a_message_naming_them(demo_url: str, path: str,
                                                  params: dict[str, str], status: int,
                                                  message: str) -> None:
    r = get(demo_url, path, **params)
    assert r.status_code == status
    assert message in r.text and "Traceback" not in r.text


# -- the command ------------------------------------------------------------------------------
def test_command_writes_svg_png_and_a_page_that_exports_from_disk(demo_db: Path,
                                                                  tmp_path: Path) -> None:
    assert main(["chart", "brokers", "--country", "AT", "--db", str(demo_db),
                 "--out", str(tmp_path / "b.svg")]) == 0
    svg = (tmp_path / "b.svg").read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and TITLES["brokers"] in svg and 'id="bar-0"' in svg
    assert main(["chart", "gaps", "--level", "1", "--db", str(demo_db),
                 "--out", str(tmp_path / "g.png")]) == 0
    with Image.open(tmp_path / "g.png") as image:
        assert image.width == 1536 and "(NUTS 1)" in image.info["Title"]
    out = tmp_path / "all.html"
    assert main(["chart", "all", "--years", "2015-2022", "--db", str(demo_db),
                 "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    exports = re.findall(r'href="data:image/svg\+xml;base64,([^"]+)" download="coco-(\w+).svg"',
                         html)
    assert sorted(k for _, k in exports) == sorted(TITLES)
    for data, kind in exports:
        assert TITLES[kind] in base64.b64decode(data).decode("utf-8")
    pngs = re.findall(r'href="data:image/png;base64,([^"]+)"', html)
    assert len(pngs) == 3 and all(Image.open(io.BytesIO(base64.b64decode(p))).width == 1536
                                  for p in pngs)


@pytest.mark.parametrize("args, message", [
    (["ties", "--level", "2"], "unknown parameter 'level'; the ties chart takes"),
    (["gaps", "--limit", "500"], "limit: expected a whole number from 1 to 100"),
    (["brokers", "--years", "soon"], "years: expected FIRST-LAST"),
])
def test_command_refuses_bad_input_in_one_line(demo_db: Path, tmp_path: Path, args: list[str],
                                               message: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chart", *args, "--db", str(demo_db), "--out", str(tmp_path / "x.svg")]) != 0
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "x.svg").exists()


@pytest.mark.parametrize("kind, out, message", [
    ("all", "x.svg", "write it to a .html file"),
    ("brokers", "x.pdf", "expected a file name ending in .svg, .png, .html"),
])
def test_command_names_the_file_types_it_writes(demo_db: Path, tmp_path: Path, kind: str, out: str,
                                                message: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chart", kind, "--db", str(demo_db), "--out", str(tmp_path / out)]) == 2
    assert message in capsys.readouterr().err


def test_an_empty_store_gets_charts_that_say_so(tmp_path: Path) -> None:
    EmbeddedStore(tmp_path / "empty.db").close()
    out = tmp_path / "empty.html"
    assert main(["chart", "all", "--db", str(tmp_path / "empty.db"), "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    for note in ("No actor of these filters sits between two others.",
                 "No region of these filters has actors that need a competence.",
                 "No tie of these actors has a date, and no years were given."):
        assert note in html
    assert "the top 0" not in html


# -- both stores, figures worked out by hand ---------------------------------------------------
def tiny_ecosystem(store: Store) -> None:
    """A hub (cultural), a manufacturer, an ICT firm that closed in 2015 and a firm without a
    sector; two competence groups and a competence in none; one collaboration in 2014–2016."""
    def node(i: str, label: str, **p: Any) -> Node:
        return Node(i, label, p)

    store.upsert_nodes([
        node("AT", "Region", name="Österreich", level=0, country="AT"),
        node("AT1", "Region", name="Ostösterreich", level=1, country="AT"),
        node("AT13", "Region", name="Wien", level=2, country="AT"),
        node("AT12", "Region", name="Niederösterreich", level=2, country="AT"),
        node("R90", "Sector", name="Creative, arts and entertainment", level=2, isCCI=True),
        node("C26", "Sector", name="Computers and electronics", level=2,
             isAdvancedManufacturing=True),
        node("J62", "Sector", name="Computer programming", level=2),
        node("g-design", "Competence", name="design"),
        node("c-ux", "Competence", name="user experience design"),
        node("g-digital", "Competence", name="digital technology"),
        node("c-ml", "Competence", name="machine learning"),
        node("c-solo", "Competence", name="beekeeping"),
        node("h1", "Hub", name="Kreativhub Wien", country="AT", kind="creative-hub",
             foundedYear=2000),
        node("c1", "Company", name="Präzision GmbH", country="AT", foundedYear=2010),
        node("c2", "Company", name="Code OG", country="AT", foundedYear=2000, closedYear=2015),
        node("c3", "Company", name="Ohne Branche KG", country="AT"),
        node("k1", "Collaboration", name="Pilot", kind="project", startDate="2014-03-01",
             endDate="2016-06-30"),
    ], source="test")
    e = Edge
    store.upsert_edges([
        e("AT1", "PART_OF", "AT", {}), e("AT13", "PART_OF", "AT1", {}),
        e("AT12", "PART_OF", "AT1", {}),
        e("c-ux", "BROADER", "g-design", {}), e("c-ml", "BROADER", "g-digital", {}),
        *(e(a, "LOCATED_IN", r, {}) for a, r in (("h1", "AT13"), ("c1", "AT13"), ("c3", "AT13"),
                                                 ("c2", "AT12"))),
        e("h1", "IN_SECTOR", "R90", {}), e("c1", "IN_SECTOR", "C26", {}),
        e("c2", "IN_SECTOR", "J62", {}),
        e("h1", "PARTNERS_WITH", "c1", {"since": 2012}),
        e("c2", "MEMBER_OF", "h1", {"since": 2005, "until": 2020}),
        *(e(a, "PARTICIPATES_IN", "k1", {}) for a in ("h1", "c1", "c3")),
        e("h1", "NEEDS", "c-ml", {}), e("h1", "NEEDS", "c-ux", {}), e("c1", "OFFERS", "c-ux", {}),
        e("c3", "NEEDS", "c-solo", {}), e("c2", "NEEDS", "c-ux", {}),
        e("c2", "OFFERS", "c-ml", {}),
    ], source="test")


def test_charts_agree_with_hand_counts_on_both_stores(store: Store, tmp_path: Path,
                                                      request: pytest.FixtureRequest) -> None:
    from coco_atlas.graph.analytics.gaps import region_gaps

    tiny_ecosystem(store)
    where = ["--db", str(store.path)] if isinstance(store, EmbeddedStore) else \
        ["--neo4j", request.getfixturevalue("neo4j_uri")]
    out = tmp_path / "all.html"
    assert main(["chart", "all", "--years", "2010-2017", *where, "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    # a year: (actors with a tie, ties, ties across sector groups); c2 closed in 2015, the
    # collaboration ran 2014–2016, c3 has no sector (its ties are never across groups)
    assert {int(r[0]): tuple(map(number, r[1:])) for r in table(html, "ties")} == {
        2010: (2, 1, 1), 2011: (2, 1, 1), 2012: (3, 2, 2), 2013: (3, 2, 2),
        2014: (4, 4, 2), 2015: (4, 4, 2), 2016: (3, 3, 1), 2017: (2, 1, 1)}
    head = re.search(r'<figure id="chart-gaps".*?<thead>(.*?)</thead>', html, re.S)
    assert head
    columns = [unescape(c) for c in re.findall(r"<th[^>]*>(.*?)</th>", head.group(1))]
    cells = {r[0]: dict(zip(columns[1:], map(number, r[1:]), strict=True))
             for r in table(html, "gaps")}
    assert cells == {
        "Wien (AT13)": {"Digital technology": 1, "Design": 0, "Competences in no group": 1,
                        "All groups": 2},
        "Niederösterreich (AT12)": {"Digital technology": 0, "Design": 1,
                                    "Competences in no group": 0, "All groups": 1}}
    assert {r: g["unmet"] for r, g in region_gaps(store, level=2).items()} == \
        {"AT13": 2, "AT12": 1}
    brokers = table(html, "brokers")
    assert brokers[0][1:4] == ["Kreativhub Wien", "Cultural and creative (CCI)",
                               "Austria (AT)"]  # CLDR's English name, as on the maps


# -- a real browser ---------------------------------------------------------------------------
def test_chart_pages_render_in_chromium_under_their_csp(demo_url: str, demo_db: Path,
                                                        tmp_path: Path) -> None:
    out = tmp_path / "ties.html"
    assert main(["chart", "ties", "--db", str(demo_db), "--out", str(out)]) == 0
    with Browser() as browser:
        for url in (demo_url + "/charts?country=AT", out.as_uri()):
            page = browser.new_page()
            page.goto(url)
            boxes = page.wait_for("""(() => {
                const s = [...document.querySelectorAll('figure svg')];
                const b = s.map(e => e.getBoundingClientRect());
                return s.length && b.every(r => r.width > 500 && r.height > 200) && b.length;
            })()""")
            assert boxes == (3 if url.startswith("http") else 1)
            assert page.errors() == []
            assert page.foreign_requests() == []
            assert page.requests == [url]  # the SVGs are in the page: nothing else is loaded
            assert page.evaluate("document.querySelectorAll('table tbody tr').length") > 0
            page.screenshot(ARTIFACTS / ("page.png" if url.startswith("http") else "file.png"))
