"""Maps in time (``timeline=FIRST-LAST``), in the real browser (headless Chromium).

On the small hand-made history of ``tests/timegraphs.py`` (``build_changes``: four companies,
ties 2018–2020, since 2020 and in 2021, one company closing in 2020) and on the demo ecosystem:
moving the year slider leaves every actor where it was and highlights exactly the ties that
``graph.analytics.change.compare`` finds new since the year before (and dashes those it finds
ended); Play advances the years; the before/after view shows the two years' ties side by side
over the same positions; the year travels in the address's fragment and comes back from a
shared link or a saved file; the trend figures equal ``graph.analytics.change.trends``; axe-core
finds no serious or critical violation on a map in time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from coco_atlas.api.cli import main
from coco_atlas.graph.analytics.change import compare, snapshot, trends
from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.graph.timeline import Period
from tests.browser import Browser, Page
from tests.server import running_server
from tests.timegraphs import build_changes

pytestmark = pytest.mark.slow  # a browser, a server, Neo4j or a fuzzer: run with -m slow

TIMELINE = "timeline=2016-2022"
NEW = "#000000"


@pytest.fixture(scope="module")
def changes_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("time") / "changes.db"
    store = EmbeddedStore(db)
    build_changes(store)
    store.close()
    return db


@pytest.fixture(scope="module")
def changes(changes_db: Path) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(changes_db)
    yield store
    store.close()


@pytest.fixture(scope="module")
def changes_url(changes_db: Path) -> Iterator[str]:
    with running_server(changes_db) as url:
        yield url



def open_map(browser: Browser, url: str) -> Page:
    page = browser.new_page()
    page.goto(url)
    page.wait_for("window.__cocoDrawn", timeout=60)
    return page


def pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


SEEN = """((net) => {
    const keys = new Map(net.body.data.nodes.get().map(n => [n.id, n.k]));
    const key = e => [keys.get(e.from), keys.get(e.to)].sort();
    const edges = net.body.data.edges.get().filter(e => !e.hidden);
    const nodes = net.body.data.nodes.get().filter(n => !n.hidden);
    return {
      shown: edges.filter(e => !e.dashes).map(key),
      fresh: edges.filter(e => e.color && e.color.color === '%s' && !e.dashes).map(key),
      ended: edges.filter(e => e.dashes).map(key),
      actors: nodes.filter(n => n.opacity !== 0.25).map(n => n.k),
      faded: nodes.filter(n => n.opacity === 0.25).map(n => n.k),
      positions: Object.fromEntries(net.body.data.nodes.get()
                   .map(n => { const p = net.getPosition(n.id); return [n.k, [p.x, p.y]]; })),
      year: document.getElementById('coco-year').value,
    };
})(%s)"""


def seen(page: Page, net: str = "window.__cocoNetwork") -> dict[str, object]:
    """What the map shows now: drawn ties (solid), highlighted new ties, dashed ended ties,
    actors drawn (and faded), each actor's position, the slider's year."""
    out = page.evaluate(SEEN % (NEW, net))
    for k in ("shown", "fresh", "ended"):
        out[k] = {tuple(x) for x in out[k]}
    for k in ("actors", "faded"):
        out[k] = set(out[k])
    return out  # type: ignore[no-any-return]


def move_to(page: Page, year: int) -> None:
    """Put the slider at ``year`` as a pointer would (value, then an input event)."""
    page.evaluate(f"(() => {{ const s = document.getElementById('coco-year'); s.value = '{year}';"
                  f" s.dispatchEvent(new Event('input', {{bubbles: true}})); }})()")


def changes_between(store: EmbeddedStore, before: int, after: int
                    ) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    found = compare(store, before=Period.years(before, before), after=Period.years(after, after))
    return ({pair(t.a.id, t.b.id) for t in found.new_ties},
            {pair(t.a.id, t.b.id) for t in found.ended_ties})


def ties_in(store: EmbeddedStore, year: int) -> set[tuple[str, str]]:
    snap = snapshot(store, Period.years(year, year))
    return {pair(snap.ids[a], snap.ids[b]) for a, b in snap.pairs.tolist()}


# -- the slider --------------------------------------------------------------------------------
def test_the_slider_keeps_places_and_highlights_exactly_the_new_ties(
        browser: Browser, changes_url: str, changes: EmbeddedStore) -> None:
    page = open_map(browser, f"{changes_url}/maps/ecosystem?{TIMELINE}")
    start = seen(page)
    assert start["year"] == "2022" and set(start["positions"]) == {"c1", "c2", "c3", "c4"}
    page.evaluate("document.getElementById('coco-year').focus()")
    page.press("Home", 36)  # the keyboard moves it (WCAG 2.1.1)
    page.wait_for("document.getElementById('coco-year-text').textContent === '2016'")
    first = seen(page)
    assert first["fresh"] == first["ended"] == set()  # nothing earlier to compare with
    for year in range(2017, 2023):
        page.press("ArrowRight", 39)
        page.wait_for(f"document.getElementById('coco-year-text').textContent === '{year}'")
        now = seen(page)
        assert now["positions"] == start["positions"], year  # nobody moved
        new, ended = changes_between(changes, year - 1, year)
        assert now["fresh"] == new, year
        assert now["ended"] == ended, year
        assert now["shown"] == ties_in(changes, year), year
        assert now["actors"] == set(snapshot(changes, Period.years(year, year)).ids), year
    # the hand-worked figures of build_changes, read on the map
    move_to(page, 2021)
    y2021 = seen(page)
    assert y2021["fresh"] == {("c1", "c3")} and y2021["ended"] == {("c1", "c4")}
    assert y2021["faded"] == {"c4"} and "c3" in y2021["actors"]  # c4 closed in 2020
    status = page.evaluate("document.getElementById('coco-time-status').textContent")
    assert status.startswith("2021: 3 actors, 2 ties, 1 new and 1 ended since 2020")
    assert page.evaluate("document.getElementById('coco-year').getAttribute('aria-valuetext')"
                         ).startswith("2021: 3 actors")
    assert page.errors() == [] and page.foreign_requests() == []


def test_new_ties_on_the_demo_match_compare(browser: Browser, demo_url: str,
                                            demo_db: Path) -> None:
    store = EmbeddedStore(demo_db)
    try:
        page = open_map(browser, f"{demo_url}/maps/ecosystem?timeline=2018-2026")
        before = seen(page)["positions"]
        for year in (2020, 2026):
            move_to(page, year)
            now = seen(page)
            found = compare(store, before=Period.years(year - 1, year - 1),
                            after=Period.years(year, year))
            assert len(now["fresh"]) == found.counts.new_ties > 0, year
            assert len(now["ended"]) == found.counts.ended_ties, year
            assert now["positions"] == before
    finally:
        store.close()
    assert page.errors() == []


def test_play_advances_the_years(browser: Browser, changes_url: str) -> None:
    page = open_map(browser, f"{changes_url}/maps/ecosystem?{TIMELINE}#year=2016")
    assert page.evaluate("document.getElementById('coco-year').value") == "2016"
    page.evaluate("document.getElementById('coco-play').click()")
    assert page.evaluate("document.getElementById('coco-play').getAttribute('aria-pressed')"
                         ) == "true"
    page.wait_for("document.getElementById('coco-year').value === '2017'", timeout=5)
    page.wait_for("document.getElementById('coco-year').value === '2018'", timeout=5)
    assert seen(page)["fresh"] == {("c1", "c4")}
    page.evaluate("document.getElementById('coco-play').click()")  # pause
    stopped = page.evaluate("document.getElementById('coco-year').value")
    time.sleep(1.5)
    assert page.evaluate("document.getElementById('coco-year').value") == stopped
    assert page.evaluate("document.getElementById('coco-play').textContent") == "Play"


# -- before / after ----------------------------------------------------------------------------
def boxes(page: Page) -> dict[str, list[float]]:
    return page.evaluate("""Object.fromEntries(['coco-map-before', 'coco-map'].map(id => {
        const r = document.getElementById(id).getBoundingClientRect();
        return [id, [r.left, r.top, r.right, r.bottom]]; }))""")  # type: ignore[no-any-return]


def test_before_and_after_side_by_side(browser: Browser, changes_url: str,
                                       changes: EmbeddedStore) -> None:
    page = open_map(browser, f"{changes_url}/maps/ecosystem?{TIMELINE}")
    page.evaluate("document.getElementById('coco-compare').click()")
    page.wait_for("!!window.__cocoBefore")
    for select, year in (("coco-before", 2019), ("coco-after", 2021)):
        page.evaluate(f"(() => {{ const s = document.getElementById('{select}'); "
                      f"s.value = '{year}'; s.dispatchEvent(new Event('change')); }})()")
    time.sleep(0.3)
    before, after = seen(page, "window.__cocoBefore"), seen(page)
    assert before["shown"] == ties_in(changes, 2019) == {("c1", "c4")}
    assert after["shown"] == ties_in(changes, 2021) == {("c1", "c2"), ("c1", "c3")}
    new, ended = changes_between(changes, 2019, 2021)
    assert after["fresh"] == new and after["ended"] == ended
    assert before["positions"] == after["positions"]  # one layout for both
    b = boxes(page)
    assert b["coco-map-before"][2] <= b["coco-map"][0] and b["coco-map-before"][1] == \
        b["coco-map"][1]  # side by side
    assert "year=2021&before=2019" in page.evaluate("location.hash")
    page.viewport(390, 844, mobile=True)  # a phone: one above the other
    time.sleep(0.3)
    b = boxes(page)
    assert b["coco-map-before"][3] <= b["coco-map"][1] + 1
    assert page.axe() == []
    assert page.errors() == []


def test_a_hidden_legend_category_stays_hidden_from_year_to_year(browser: Browser,
                                                                 changes_url: str) -> None:
    page = open_map(browser, f"{changes_url}/maps/ecosystem?{TIMELINE}#year=2019")
    cat = page.evaluate("JSON.parse(document.getElementById('coco-data').textContent)"
                        ".nodes.find(n => n.k === 'c1').c")
    page.evaluate(f"document.querySelector('#coco-legend button[data-cat=\"{cat}\"]').click()")
    for year in (2020, 2021, 2022, 2016):  # c1 and c3: cci; c2 and c4: manufacturing
        move_to(page, year)
        shown = seen(page)["actors"] | seen(page)["faded"]
        assert not {"c1", "c3"} & shown and "c2" in shown, year
        assert ("c4" in shown) == (year <= 2021), year  # closed in 2020, faded in 2021
    page.evaluate(f"document.querySelector('#coco-legend button[data-cat=\"{cat}\"]').click()")
    assert seen(page)["actors"] == {"c1", "c2", "c4"}  # 2016: c3 is not founded yet


# -- sharing and files -----------------------------------------------------------------------
def test_the_address_keeps_the_year(browser: Browser, changes_url: str) -> None:
    page = open_map(browser, f"{changes_url}/maps/ecosystem?{TIMELINE}#year=2019")
    assert seen(page)["year"] == "2019"
    move_to(page, 2020)
    page.wait_for("location.hash.includes('year=2020')", timeout=5)
    page.evaluate("document.getElementById('coco-share').click()")
    link = page.wait_for("document.getElementById('coco-link').value.includes('year=2020') "
                         "&& document.getElementById('coco-link').value")
    with Browser() as fresh:
        again = open_map(fresh, link)
        assert seen(again)["year"] == "2020"
        assert seen(again)["fresh"] == {("c1", "c2")}
        assert again.errors() == []
    compared = open_map(browser, f"{changes_url}/maps/ecosystem?{TIMELINE}"
                                 f"#year=2021&before=2018")
    assert compared.evaluate("document.getElementById('coco-compare')"
                             ".getAttribute('aria-pressed')") == "true"
    assert seen(compared, "window.__cocoBefore")["shown"] == {("c1", "c4")}


def test_a_saved_file_works_from_disk(browser: Browser, changes_db: Path, changes_url: str,
                                      tmp_path: Path) -> None:
    out = tmp_path / "time.html"
    assert main(["map", "--db", str(changes_db), "--timeline", "2016-2022", "--out",
                 str(out)]) == 0
    page = open_map(browser, out.as_uri())
    move_to(page, 2021)
    assert seen(page)["fresh"] == {("c1", "c3")}
    assert page.errors() == [] and page.foreign_requests() == []
    saved = httpx.get(f"{changes_url}/maps/ecosystem?{TIMELINE}&download=1&view="
                      + quote("view=0,0,1&year=2018"), timeout=60)
    assert saved.status_code == 200 and "attachment" in saved.headers["content-disposition"]
    kept = tmp_path / "downloaded.html"
    kept.write_text(saved.text, encoding="utf-8")
    page = open_map(browser, kept.as_uri())
    now = seen(page)
    assert now["year"] == "2018" and now["fresh"] == {("c1", "c4")}
    page.press("Tab", 9)
    assert page.errors() == [] and page.foreign_requests() == []


def test_a_big_saved_file_restores_the_year_from_its_address(browser: Browser, demo_db: Path,
                                                               tmp_path: Path) -> None:
    """A large page may draw its first frame (and rewrite the address) before the timeline
    script has run: the year asked for must survive that."""
    out = tmp_path / "brokers.html"
    assert main(["map", "--kind", "brokers", "--db", str(demo_db), "--timeline", "2016-2026",
                 "--layout", "geo", "--out", str(out)]) == 0
    page = open_map(browser, out.as_uri() + "#year=2021&before=2017")
    assert seen(page)["year"] == "2021"
    assert page.evaluate("document.getElementById('coco-before').value") == "2017"
    page.wait_for("location.hash.includes('year=2021&before=2017')", timeout=5)
    assert page.errors() == [] and page.foreign_requests() == []


# -- trends ---------------------------------------------------------------------------------
def test_trend_figures_equal_the_analysis(changes_url: str, changes: EmbeddedStore) -> None:
    html = httpx.get(f"{changes_url}/maps/ecosystem?{TIMELINE}", timeout=60).text
    assert 'class="trend"' in html and 'role="img"' in html
    want = trends(changes, first=2016, last=2022).periods
    table = html[html.index('class="props year-figures"'):]
    for row in want:
        share = row.cross_sector_share
        cells = (f'<tr><th scope="row">{row.from_}</th><td>{row.actors}</td>'
                 f'<td>{row.ties}</td>\n              <td>{row.cross_sector_ties}</td>\n'
                 f'              <td>{"–" if share is None else f"{100 * share:.0f}%"}</td>')
        assert cells in table, row.from_


def test_bad_timelines_are_refused_in_words(changes_url: str) -> None:
    for query, words in (("timeline=2016", "timeline: expected FIRST-LAST"),
                         ("timeline=2016-2022&aggregate=region", "aggregate: a map in time"),
                         ("timeline=2016-2022&years=2018-", "either timeline or years"),
                         ("timeline=1900-2022", "at most 60 years")):
        r = httpx.get(f"{changes_url}/maps/ecosystem?{query}", timeout=30)
        assert r.status_code == 400 and words in r.text, query
        assert "Traceback" not in r.text
    r = httpx.get(f"{changes_url}/maps/gaps?{TIMELINE}", timeout=30)
    assert r.status_code == 400 and "does not take this parameter" in r.text


# -- accessibility ---------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/maps/ecosystem?timeline=2016-2026",
                                  "/maps/brokers?timeline=2016-2026&layout=geo"])
def test_no_serious_accessibility_violation_on_a_map_in_time(browser: Browser, demo_url: str,
                                                             path: str) -> None:
    page = open_map(browser, demo_url + path)
    assert page.axe() == []
    page.evaluate("document.getElementById('coco-compare').click()")
    page.wait_for("!!window.__cocoBefore")
    assert page.axe() == []
    reached = " ".join(page.tab_order())
    for control in ("#coco-play", "#coco-year", "#coco-compare", "#coco-before", "#coco-after"):
        assert control in reached, control
    assert page.errors() == []
