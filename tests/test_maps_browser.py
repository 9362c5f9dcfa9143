"""The maps in a real browser: headless Chromium loads each map from the running server (and a
written file from disk), and we check what a person would see.

For every map: no console error, no request to any other host, the network holds and draws the
expected number of nodes (expected values from slow reference code over the Store contract), the
canvas is not blank; a screenshot of each goes to ``test-artifacts/maps/``. The search box must
focus the actor typed into it, and hovering a node must show its tooltip.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from coco_atlas.api.cli import main
from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.graph.store import Store
from tests.browser import Browser, Page
from tests.mapdata import actors, ancestors, located, tied_to
from tests.server import ROOT

pytestmark = pytest.mark.slow  # a browser, a server, Neo4j or a fuzzer: run with -m slow

ARTIFACTS = ROOT / "test-artifacts" / "maps"
NETWORK = "window.__cocoNetwork"
DATA_NODES = "JSON.parse(document.getElementById('coco-data').textContent).nodes.length"
INKED = """(() => {  // pixels of the map's canvas that are not background
  const c = document.querySelector('#coco-map canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] > 0 && d[i] + d[i + 1] + d[i + 2] < 720) n++;
  }
  return n;
})()"""



@pytest.fixture(scope="module")
def store(demo_db: Path) -> Iterator[Store]:
    s = EmbeddedStore(demo_db)
    yield s
    s.close()



def regions_level2(store: Store) -> int:
    up = ancestors(store, "PART_OF")
    levels = {n.id: n.props["level"] for n in store.iter_nodes("Region")}
    return len(Counter(next(r for r in up.get(x, [x]) if levels[r] == 2)
                       for x in located(store).values()))


def gap_regions(store: Store) -> int:
    from coco_atlas.graph.analytics.gaps import region_gaps

    return len(region_gaps(store, level=2))


MAPS: dict[str, tuple[str, Callable[[Store], int]]] = {
    "ecosystem": ("/maps/ecosystem", lambda s: len(actors(s))),
    "ecosystem-by-region": ("/maps/ecosystem?aggregate=region", regions_level2),
    "ego": ("/maps/ego?id=demo-hub-00003&hops=1",
            lambda s: len(tied_to(s, "demo-hub-00003")) + 1),
    "brokers": ("/maps/brokers", lambda s: len(actors(s))),
    "gaps": ("/maps/gaps", gap_regions),
}


def open_map(browser: Browser, url: str) -> Page:
    page = browser.new_page()
    page.goto(url)
    page.wait_for("window.__cocoDrawn", timeout=60)
    return page


@pytest.mark.parametrize("name", MAPS)
def test_map_draws_offline_without_errors(browser: Browser, demo_url: str, store: Store,
                                          name: str) -> None:
    path, expected = MAPS[name]
    page = open_map(browser, demo_url + path)
    page.screenshot(ARTIFACTS / f"{name}.png")
    assert page.errors() == []
    assert page.foreign_requests() == []
    assert page.requests[0] == demo_url + path
    n = expected(store)
    assert page.evaluate(DATA_NODES) == n
    assert page.evaluate(f"{NETWORK}.body.data.nodes.length") == n
    assert page.evaluate(f"{NETWORK}.body.nodeIndices.length") == n  # all of them drawable
    assert page.evaluate(INKED) > 2_000, "the canvas is blank"
    assert_names_do_not_overlap(page)


def assert_names_do_not_overlap(page: Page) -> list[list[float]]:
    """The names drawn in the last frame: some, and no two boxes overlapping."""
    boxes = page.evaluate("window.__cocoLabels")
    assert boxes, "no names drawn"
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]), (a, b)
    return boxes  # type: ignore[no-any-return]


def test_search_box_focuses_an_actor(browser: Browser, demo_url: str, store: Store) -> None:
    everyone = actors(store)
    names = Counter(n.props["name"] for n in everyone.values())
    members = store.neighbours(sorted(everyone), ["MEMBER_OF"])  # in the main component
    target = next(i for i in sorted(everyone) if i.startswith("demo-co-0003")
                  and names[everyone[i].props["name"]] == 1 and members.get(i))
    name = everyone[target].props["name"]
    page = open_map(browser, demo_url + "/maps/ecosystem")
    page.evaluate("document.getElementById('coco-search').focus()")
    page.type(name)
    assert page.wait_for("document.querySelectorAll('#coco-matches button').length") >= 1
    page.press("Enter", 13)
    node = page.evaluate(f"JSON.parse(document.getElementById('coco-data').textContent)"
                         f".nodes.find(n => n.k === {target!r}).id")
    assert page.wait_for(f"{NETWORK}.getSelectedNodes()[0] === {node}")
    centred = (f"(() => {{ const v = {NETWORK}.getViewPosition(), p = {NETWORK}.getPosition"
               f"({node}); return Math.hypot(v.x - p.x, v.y - p.y) < 1; }})()")
    assert page.wait_for(centred, timeout=5)
    # zoomed in: the actor's name is drawn first, and more names than in the overview fit
    boxes = assert_names_do_not_overlap(page)
    assert boxes[0][0] == node and len(boxes) > 50
    assert name in page.evaluate("document.getElementById('coco-selected').textContent")
    time.sleep(0.2)
    page.screenshot(ARTIFACTS / "search.png")
    assert page.errors() == [] and page.foreign_requests() == []


def test_hovering_a_node_shows_its_tooltip(browser: Browser, demo_url: str) -> None:
    page = open_map(browser, demo_url + "/maps/ecosystem?aggregate=region")
    first = page.evaluate(f"""(() => {{
        const net = {NETWORK}, id = net.body.nodeIndices[0];
        const p = net.canvasToDOM(net.getPosition(id));
        const box = document.getElementById('coco-map').getBoundingClientRect();
        return {{x: box.left + p.x, y: box.top + p.y, id: id}};
    }})()""")
    page.send("Input.dispatchMouseEvent", type="mouseMoved", x=first["x"], y=first["y"])
    assert page.wait_for("!document.getElementById('coco-tip').hidden", timeout=5)
    tip = page.evaluate("document.getElementById('coco-tip').innerText")
    assert "Actors" in tip and "Details" in tip
    links = page.evaluate("[...document.querySelectorAll('#coco-tip a')].map(a => a.href)")
    assert any("/maps/ecosystem?" in link for link in links)
    page.screenshot(ARTIFACTS / "tooltip.png")


def test_written_file_opens_from_disk_and_fetches_nothing(browser: Browser, demo_db: Path,
                                                          tmp_path: Path, store: Store) -> None:
    out = tmp_path / "ego.html"
    assert main(["map", "--kind", "ego", "--id", "demo-hub-00003", "--hops", "1",
                 "--db", str(demo_db), "--out", str(out)]) == 0
    page = open_map(browser, out.as_uri())
    assert page.errors() == []
    assert page.requests == [out.as_uri()]
    assert page.evaluate(f"{NETWORK}.body.nodeIndices.length") == \
        len(tied_to(store, "demo-hub-00003")) + 1
    page.screenshot(ARTIFACTS / "file.png")
