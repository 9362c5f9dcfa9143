"""Maps that name things, in a real browser (headless Chromium against the running server): the
gap panel lists what a region misses as ``coco gaps --region`` does, the ranked table beside a
map sorts by any column (mouse or keyboard) and saves as CSV, brokers between one pair of groups
are those ``coco brokers --between`` finds, and gap maps of different filters share one colour
scale.

Expected values come from the CLI (a subprocess, as a user runs it) and the Store contract, never
from the page code.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from coco_atlas.api.cli import main
from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.schema import Edge, Node
from tests.browser import Browser, Page
from tests.server import ROOT

pytestmark = pytest.mark.slow  # a browser, a server, Neo4j or a fuzzer: run with -m slow

ARTIFACTS = ROOT / "test-artifacts" / "maps"
PAIR = ("cci", "advanced-manufacturing")
TABLE = "document.getElementById('coco-table')"
HEADERS = f"[...{TABLE}.tHead.rows[0].cells].map(th => th.textContent.trim())"
PANEL = "document.getElementById('coco-gaps')"



def coco(demo_db: Path, *args: str) -> Any:
    """``coco … --json`` as a user runs it, its output parsed."""
    done = subprocess.run([sys.executable, "-m", "coco_atlas.api.cli", *args, "--db", str(demo_db),
                           "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout)


def open_map(browser: Browser, url: str) -> Page:
    page = browser.new_page()
    page.goto(url)
    page.wait_for("window.__cocoDrawn", timeout=60)
    return page


def column(page: Page, name: str) -> list[Any]:
    """The values of a table column in the order shown (numbers as numbers, blanks as None)."""
    return page.evaluate(f"""(() => {{
        const t = {TABLE}, k = {HEADERS}.indexOf({json.dumps(name)});
        if (k < 0) throw new Error('no column ' + {json.dumps(name)});
        const num = t.tHead.rows[0].cells[k].classList.contains('num');
        return [...t.tBodies[0].rows].map(tr => {{
            const td = tr.cells[k];
            const v = td.hasAttribute('data-value') ? td.getAttribute('data-value')
                                                    : td.textContent.trim();
            return num ? (v === '' ? null : Number(v)) : v;
        }});
    }})()""")


def folded(text: str) -> str:
    """Text as a collation compares letters first: accents and case left out (Ł reads L)."""
    text = text.translate(str.maketrans("ŁłØøĐđ", "LlOoDd"))
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c)).casefold()


def sorted_as(page: Page, name: str) -> str | None:
    return page.evaluate(f"{TABLE}.tHead.rows[0].cells[{HEADERS}.indexOf({json.dumps(name)})]"
                         f".getAttribute('aria-sort')")


def click_header(page: Page, name: str) -> None:
    page.evaluate(f"{TABLE}.tHead.rows[0].cells[{HEADERS}.indexOf({json.dumps(name)})]"
                  f".querySelector('button').click()")


def panel_gaps(page: Page) -> dict[str, dict[str, Any]]:
    """What the gap panel lists: per competence, its demand and the lines under it."""
    return {g["name"]: g for g in page.evaluate(f"""[...{PANEL}.querySelectorAll('li')].map(
        li => ({{name: li.querySelector('h3 a').textContent,
                demand: Number(li.querySelector('h3 span').textContent.replace(/\\D/g, '')),
                lines: [...li.querySelectorAll('p')].map(p => p.textContent),
                links: [...li.querySelectorAll('p a')].map(a => decodeURIComponent(
                    a.getAttribute('href').split('/nodes/')[1]))}}))""")}


def assert_matches_cli(listed: dict[str, dict[str, Any]], cli: dict[str, Any]) -> None:
    assert cli["unmet"] == len(cli["gaps"]) > 0
    expected = {g["competence"]["name"]: g for g in cli["gaps"]}
    assert set(listed) == set(expected)
    for name, g in expected.items():
        shown = listed[name]
        assert shown["demand"] == g["demand"], name
        trainings = shown["lines"][2]
        assert trainings.startswith("Trainings that teach it")
        assert ("none" in trainings) == (g["training"]["total"] == 0), (name, trainings)


# -- the gap panel -----------------------------------------------------------------------------
def test_gap_panel_names_what_the_region_misses_as_the_cli_does(browser: Browser, demo_url: str,
                                                                demo_db: Path) -> None:
    regions = coco(demo_db, "gaps")
    region = max(sorted(regions), key=lambda r: regions[r]["unmet"])
    cli = coco(demo_db, "gaps", "--region", region, "--first", "1000")
    page = open_map(browser, f"{demo_url}/maps/gaps?region={region}")
    assert page.wait_for(f"!{PANEL}.hidden")
    assert page.evaluate(f"{PANEL}.querySelector('h2').textContent") == \
        f"Missing in {cli['scope']['name']}"
    listed = panel_gaps(page)
    assert_matches_cli(listed, cli)
    # each supplier named is elsewhere and offers what is missing
    with EmbeddedStore(demo_db) as s:
        competences = {n.props["name"]: n.id for n in s.iter_nodes("Competence")}
        for name, shown in listed.items():
            suppliers = [a for a in shown["links"] if a.startswith("demo-") and a in set(
                nb.node.id for nb in s.neighbours([competences[name]], ["OFFERS"],
                                                  "in")[competences[name]])]
            assert suppliers, f"no supplier of {name} named"
            where = s.neighbours(suppliers, ["LOCATED_IN"], "out")
            for a in suppliers:
                assert all(not nb.node.id.startswith(region) for nb in where[a])
    page.screenshot(ARTIFACTS / "gap-panel.png")
    assert page.errors() == [] and page.foreign_requests() == []


def test_choosing_a_region_in_the_table_lists_its_gaps(browser: Browser, demo_url: str,
                                                       demo_db: Path) -> None:
    regions = coco(demo_db, "gaps")
    region = sorted(regions, key=lambda r: (-regions[r]["unmet"], r))[1]
    cli = coco(demo_db, "gaps", "--region", region, "--first", "1000")
    page = open_map(browser, f"{demo_url}/maps/gaps")
    assert page.evaluate(f"{PANEL}.hidden")  # nothing chosen yet
    page.evaluate(f"""[...{TABLE}.querySelectorAll('button[data-node]')]
        .find(b => b.textContent.endsWith('({region})')).click()""")
    assert page.wait_for(f"!{PANEL}.hidden && {PANEL}.querySelector('h2').textContent === "
                         f"{json.dumps('Missing in ' + cli['scope']['name'])}")
    assert_matches_cli(panel_gaps(page), cli)
    chosen = page.evaluate("window.__cocoNetwork.getSelectedNodes()")
    assert page.evaluate(f"window.__cocoNetwork.body.data.nodes.get({chosen[0]}).k") == region
    assert page.errors() == []


# -- the ranked table --------------------------------------------------------------------------
def test_ranked_table_sorts_by_any_column(browser: Browser, demo_url: str, demo_db: Path) -> None:
    regions = coco(demo_db, "gaps")
    page = open_map(browser, f"{demo_url}/maps/gaps")
    unmet = "Needed, offered by nobody here"
    assert sorted_as(page, unmet) == "descending"
    values = column(page, unmet)
    assert len(values) == len(regions) and values == sorted(values, reverse=True)
    assert Counter(values) == Counter(g["unmet"] for g in regions.values())
    # a click sorts by share unmet, most first; a second click, least first
    click_header(page, "Share unmet")
    assert sorted_as(page, "Share unmet") == "descending" and sorted_as(page, unmet) is None
    shares = [v for v in column(page, "Share unmet") if v is not None]
    assert shares == sorted(shares, reverse=True)
    click_header(page, "Share unmet")
    assert sorted_as(page, "Share unmet") == "ascending"
    shares = [v for v in column(page, "Share unmet") if v is not None]
    assert shares == sorted(shares)
    # by keyboard: the header is a button; Enter sorts by region name
    name = "NUTS 2 region"
    page.evaluate(f"{TABLE}.tHead.rows[0].cells[{HEADERS}.indexOf('{name}')]"
                  f".querySelector('button').focus()")
    page.press("Enter", 13)
    assert sorted_as(page, name) == "ascending"
    names = column(page, name)
    assert names == sorted(names, key=folded)  # as a reader expects: Kärnten before Kassel
    assert column(page, "#") == list(range(1, len(regions) + 1))  # ranks follow the order
    # one tab stop for the rows; arrows move between them, Enter shows the row on the map
    rows = f"[...{TABLE}.tBodies[0].querySelectorAll('button[data-node]')]"
    assert page.evaluate(f"{rows}.filter(b => b.tabIndex === 0).length") == 1
    page.evaluate(f"{rows}[0].focus()")
    page.press("ArrowDown", 40)
    assert page.evaluate(f"document.activeElement === {rows}[1]")
    page.press("Enter", 13)
    node = page.evaluate(f"Number({rows}[1].getAttribute('data-node'))")
    assert page.wait_for(f"window.__cocoNetwork.getSelectedNodes()[0] === {node}")
    # each measure explained: the header's tooltip is its sentence, listed under the table
    title = page.evaluate(f"{TABLE}.tHead.querySelector('th:nth-child(7) button').title")
    assert title and title in page.evaluate("document.querySelector('.measures').textContent")
    assert page.errors() == []


def download(browser: Browser, page: Page, folder: Path, name: str) -> str:
    """Click "Download CSV" and return the file the browser saved."""
    folder.mkdir(parents=True, exist_ok=True)
    browser.send("Browser.setDownloadBehavior", {"behavior": "allow",
                                                 "downloadPath": str(folder)})
    page.evaluate("document.getElementById('coco-csv').click()")
    target = folder / name
    deadline = time.monotonic() + 30
    while not target.exists() or list(folder.glob("*.crdownload")):
        assert time.monotonic() < deadline, f"no {name} in {list(folder.iterdir())}"
        time.sleep(0.1)
    raw = target.read_bytes()
    assert raw.startswith("\ufeff".encode())  # spreadsheets read the accents as UTF-8
    return raw.decode("utf-8-sig")


def test_table_downloads_as_the_csv_it_shows(browser: Browser, demo_url: str, demo_db: Path,
                                             tmp_path: Path) -> None:
    regions = coco(demo_db, "gaps")
    page = open_map(browser, f"{demo_url}/maps/gaps")
    click_header(page, "Share unmet")
    text = download(browser, page, tmp_path, "coco-gaps-nuts2.csv")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == page.evaluate(HEADERS)
    assert text.count("\r\n") == len(rows)  # RFC 4180 line ends
    head = rows[0]
    body = rows[1:]
    assert [r[head.index("NUTS 2 region")] for r in body] == column(page, "NUTS 2 region")
    for r in body:
        code = r[head.index("NUTS 2 region")].rsplit("(", 1)[1].rstrip(")")
        expected = regions[code]
        assert int(r[head.index("Competences needed")]) == expected["needed"]
        assert int(r[head.index("Competences offered")]) == expected["offered"]
        assert int(r[head.index("Needed, offered by nobody here")]) == expected["unmet"]
    assert page.errors() == []


def test_csv_neutralises_formulas_even_from_a_file_on_disk(browser: Browser,
                                                           tmp_path: Path) -> None:
    store = tmp_path / "hostile.db"
    evil = {"h1": "=HYPERLINK(\"http://x\",\"y\")", "c1": "+1+2", "c2": "@SUM(A1)",
            "c3": "-3 Ltd, \"quoted\""}
    with EmbeddedStore(store) as s:
        s.upsert_nodes([
            Node("AT", "Region", {"name": "Österreich", "level": 0, "country": "AT"}),
            Node("h1", "Hub", {"name": evil["h1"], "kind": "cluster", "country": "AT"}),
            *(Node(i, "Company", {"name": evil[i], "country": "AT"}) for i in ("c1", "c2", "c3")),
        ], source="test")
        s.upsert_edges([Edge(c, "MEMBER_OF", "h1", {}) for c in ("c1", "c2", "c3")],
                       source="test")
    out = tmp_path / "map.html"
    assert main(["map", "--db", str(store), "--out", str(out)]) == 0
    page = open_map(browser, out.as_uri())
    text = download(browser, page, tmp_path / "saved", "coco-ecosystem.csv")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    names = {r[rows[0].index("Name")] for r in rows[1:]}
    assert names == {"'" + name for name in evil.values()}
    ties = [r[rows[0].index("Ties")] for r in rows[1:]]
    assert sorted(ties) == ["1", "1", "1", "3"]  # numbers stay numbers
    assert page.errors() == [] and page.requests == [out.as_uri()]


# -- brokers between one pair of groups -----------------------------------------------------------
def test_brokers_between_two_groups_are_those_the_cli_finds(browser: Browser, demo_url: str,
                                                            demo_db: Path) -> None:
    cli = coco(demo_db, "brokers", "--between", ",".join(PAIR))
    assert cli, "nobody links the two groups in the demo"
    page = open_map(browser, f"{demo_url}/maps/brokers?between={','.join(PAIR)}")
    measure = "Brokerage between the two groups"
    assert sorted_as(page, measure) == "descending"
    values, names = column(page, measure), column(page, "Actor")
    shown = [(n, v) for n, v in zip(names, values, strict=True) if v]
    assert Counter(shown) == Counter((r["name"], r["between"]) for r in cli)
    assert [v for _, v in shown] == [r["between"] for r in cli]  # ranked alike
    assert all(v == 0 for v in values[len(shown):])
    # the measure is explained where it is shown: legend, header, form
    sentence = page.evaluate("document.querySelector('.legend .measure').textContent.trim()")
    assert sentence.startswith("How often it links an actor of the one group")
    assert page.evaluate(f"{TABLE}.tHead.querySelector('th[aria-sort] button').title") == sentence
    assert page.evaluate("document.getElementById('f-between').nextElementSibling"
                         ".textContent.trim()") == sentence
    assert "Cultural and creative (CCI) and Advanced manufacturing" in page.evaluate(
        "document.querySelector('h1').textContent")
    # the form in words: field names, sector groups and countries by name
    form = page.evaluate("""({group: document.querySelector('label[for=f-group]').textContent,
        groups: [...document.querySelectorAll('#f-group option')].map(o => o.textContent),
        countries: [...document.querySelectorAll('#f-country option')].map(o => o.textContent),
        sizes: [...document.querySelectorAll('#f-size option')].map(o => o.textContent)})""")
    assert form["group"] == "Sector group"
    assert "Cultural and creative (CCI)" in form["groups"] and "cci" not in form["groups"]
    # countries in the reader's language, from the CLDR (issue 15): English here
    assert "Austria (AT)" in form["countries"] and "AT" not in form["countries"]
    assert "Effective size" in form["sizes"] and "effectiveSize" not in form["sizes"]
    page.screenshot(ARTIFACTS / "brokers-between.png")
    assert page.errors() == []


def test_pair_brokerage_adds_up_to_the_cross_group_roles(demo_db: Path) -> None:
    """Over every pair of groups, the brokerage between them sums to each actor's
    representative, gatekeeper and liaison counts (Gould & Fernandez 1989)."""
    rows = coco(demo_db, "brokers")
    groups = sorted({r["group"] for r in rows})
    total: Counter[str] = Counter()
    for k, a in enumerate(groups):
        for b in groups[k + 1:]:
            for r in coco(demo_db, "brokers", "--between", f"{a},{b}"):
                total[r["id"]] += r["between"]
    assert total == Counter({r["id"]: r["representative"] + r["gatekeeper"] + r["liaison"]
                             for r in rows if r["representative"] + r["gatekeeper"]
                             + r["liaison"]})


# -- one colour scale ------------------------------------------------------------------------------
def legend(page: Page) -> list[tuple[str, str]]:
    return [tuple(x) for x in page.evaluate("""[...document.querySelectorAll(
        '#coco-legend li')].map(li => [li.querySelector('span:not(.swatch):not(.count)')
        .textContent, getComputedStyle(li.querySelector('.swatch')).backgroundColor])""")]


def colours(page: Page) -> dict[str, str]:
    return {n["k"]: n["color"] for n in page.evaluate(
        "window.__cocoNetwork.body.data.nodes.get().map(n => ({k: n.k, color: n.color}))")}


def test_gap_maps_of_different_filters_share_their_colour_classes(browser: Browser,
                                                                   demo_url: str,
                                                                   demo_db: Path) -> None:
    regions = coco(demo_db, "gaps")
    everywhere = open_map(browser, f"{demo_url}/maps/gaps")
    austria = open_map(browser, f"{demo_url}/maps/gaps?country=AT")
    poland = open_map(browser, f"{demo_url}/maps/gaps?country=PL&years=2015-2024")
    classes = legend(everywhere)
    assert len(classes) == 6 and classes == legend(austria) == legend(poland)
    assert [text for text, _ in classes] == ["less than 20 %", "20 % to 40 %", "40 % to 60 %",
                                             "60 % to 80 %", "80 % or more",
                                             "no needs recorded"]
    whole, at = colours(everywhere), colours(austria)
    assert set(at) == {r for r in regions if r.startswith("AT")}
    assert all(at[r] == whole[r] for r in at)  # not re-broken for the smaller map
    hexes = everywhere.evaluate("""[...document.querySelectorAll('#coco-legend .swatch')]
        .map(s => s.getAttribute('style').split(':')[1].trim())""")
    for r, colour in whole.items():
        g = regions[r]
        share = 100 * g["unmet"] / g["needed"] if g["needed"] else None
        k = 5 if share is None else min(4, int(share // 20))
        assert colour.lower() == hexes[k].lower(), (r, share, colour)
    everywhere.screenshot(ARTIFACTS / "gaps-fixed-scale.png")
    for page in (everywhere, austria, poland):
        assert page.errors() == []
