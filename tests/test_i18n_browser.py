"""The maps in Polish in a real browser (issue 15): no English left on the screen.

Headless Chromium opens each map with ``?lang=pl`` from the running service, shows what the
scripts write only on demand (a node's tooltip, the selected node's card, the gap panel, the
year slider's status, the search's "no match") and reads the visible text, the tooltips, labels
and placeholders. Every line is checked against the Polish catalogue with the same check as the
HTTP pages (tests/test_i18n.py): no English message that Polish translates, nothing that reads as
English. Names from the data (actors, NUTS regions, NACE sectors) are left out.
"""

from __future__ import annotations

import pytest

from tests.browser import Browser, Page
from tests.i18n_text import CODED, english_lines

pytestmark = pytest.mark.slow  # a browser and a server: run with -m slow

NETWORK = "window.__cocoNetwork"
# the page's text as a reader meets it, without the names that come from the data
SHOWN = r"""(() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('script, style, svg, canvas, a[href*="/nodes/"], [data-node], code')
      .forEach(e => e.remove());
  body.querySelectorAll('option').forEach(o => {
    if (/^[A-Z]{2}[0-9A-Z]*$/.test(o.value)) o.remove(); });
  const attrs = [...body.querySelectorAll('[title], [placeholder], [aria-label]')].flatMap(e =>
      ['title', 'placeholder', 'aria-label'].map(a => e.getAttribute(a)).filter(Boolean));
  document.body.appendChild(body);
  body.hidden = false;
  const text = body.innerText;
  body.remove();
  return [...text.split(/[\n\t]/), ...attrs].map(s => s.trim())
      .filter(s => /[A-Za-z]/.test(s));
})()"""



def open_map(browser: Browser, url: str) -> Page:
    page = browser.new_page()
    page.goto(url)
    page.wait_for("window.__cocoDrawn", timeout=90)
    return page


def shown(page: Page) -> list[str]:
    lines = page.evaluate(SHOWN)
    return [x for x in lines if not CODED.search(x)]


def hover_first(page: Page) -> None:
    at = page.evaluate(f"""(() => {{
        const net = {NETWORK}, id = net.body.nodeIndices[0];
        const p = net.canvasToDOM(net.getPosition(id));
        const box = document.getElementById('coco-map').getBoundingClientRect();
        return {{x: box.left + p.x, y: box.top + p.y}};
    }})()""")
    page.send("Input.dispatchMouseEvent", type="mouseMoved", x=at["x"], y=at["y"])
    page.wait_for("!document.getElementById('coco-tip').hidden", timeout=10)


def select_first(page: Page) -> None:
    page.evaluate(f"""(() => {{ const net = {NETWORK}, id = net.body.nodeIndices[0];
        net.selectNodes([id]); net.emit('selectNode', {{nodes: [id], edges: []}}); }})()""")
    page.wait_for("document.getElementById('coco-selected').children.length > 0", timeout=10)


MAPS = {
    "ecosystem-by-region": "/maps/ecosystem?aggregate=region",
    "ecosystem": "/maps/ecosystem",
    "brokers": "/maps/brokers",
    "gaps": "/maps/gaps",
    "ego": "/maps/ego?id=demo-hub-00003",
    "in-time": "/maps/ecosystem?timeline=2016-2024&aggregate=none",
}


@pytest.mark.parametrize("name", MAPS)
def test_map_reads_fully_in_polish(browser: Browser, demo_url: str, name: str) -> None:
    page = open_map(browser, demo_url + MAPS[name] + ("&" if "?" in MAPS[name] else "?")
                    + "lang=pl")
    assert page.evaluate("document.documentElement.lang") == "pl"
    tip = ""
    if name in ("ecosystem-by-region", "gaps"):  # big nodes: the first is under the pointer
        hover_first(page)
        tip = page.evaluate("document.getElementById('coco-tip').innerText")
    select_first(page)  # the same card as the tooltip, in the panel
    if name == "gaps":
        page.wait_for("!document.getElementById('coco-gaps').hidden", timeout=10)
        assert "Brakuje w regionie" in page.evaluate(
            "document.getElementById('coco-gaps').innerText")
    if name == "in-time":
        page.evaluate("document.getElementById('coco-compare').click()")
        page.wait_for("document.getElementById('coco-time-status').textContent.length > 0")
        assert "Przed" in page.evaluate("document.getElementById('coco-time-status').textContent")
    page.evaluate("(() => { const s = document.getElementById('coco-search');"
                  " s.value = 'zzzzqqq'; s.dispatchEvent(new Event('input')); })()")
    assert page.evaluate("document.getElementById('coco-matches').innerText") == "Brak wyników"
    lines = shown(page) + [x.strip() for x in tip.split("\n") if x.strip()]
    assert len(lines) > 30
    assert english_lines(lines, "pl") == []
    assert page.errors() == [] and page.foreign_requests() == []


def test_exported_image_speaks_polish(browser: Browser, demo_url: str) -> None:
    """The PNG/SVG export draws its title, counts, legend and source line in Polish too."""
    page = open_map(browser, demo_url + "/maps/brokers?lang=pl")
    texts = page.evaluate("window.__cocoExport.svg() && "
                          "window.__cocoExportLayout.texts.map(t => t.text)")
    joined = " ".join(texts)
    assert "węzł" in joined and "Mapa narysowana" in joined and "Źródło: COCO Atlas" in joined
    assert english_lines(texts, "pl") == []
