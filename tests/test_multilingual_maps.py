"""The maps' Find box folds names as the server's search does (issue 15): "lodz" finds "Łódź"
(a stroke letter NFKD leaves whole), and every word typed may start a word of the name, in any
order. In headless Chromium on the small demo ecosystem aggregated by NUTS 2 region.

The expected matches are computed here with a reference fold (NFKD, marks dropped, the stroke
letters of Polish, Croatian and German mapped by hand, lower case).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import Browser, demo_store
from tests.server import running_server

pytestmark = pytest.mark.slow  # a browser and a server

STROKES = {"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss"}


def reference_fold(text: str) -> str:
    text = "".join(STROKES.get(c, c) for c in text)
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c)).lower()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db: Path = demo_store(tmp_path_factory.getbasetemp())
    with running_server(db) as url:
        yield url


def test_find_box_folds_and_matches_word_prefixes(browser: Browser, base_url: str) -> None:
    page = browser.new_page()
    page.goto(base_url + "/maps/ecosystem?aggregate=region")
    page.wait_for("window.__cocoDrawn", timeout=60)
    nodes = json.loads(page.evaluate("document.getElementById('coco-data').textContent"))["nodes"]
    accented = [n["name"] for n in nodes if not n["name"].isascii()]
    assert accented, "the demo regions have names with diacritics"
    # a name with a letter NFKD leaves whole (ß in Gießen, ł in Łódzkie), else one of two
    # words or more: typed folded, words in the other order, the last of several cut short
    name = next((x for x in accented if set(x) & set(STROKES)),
                next(x for x in accented if len(x.replace("-", " ").split()) > 1))
    words = list(reversed(reference_fold(name).replace("-", " ").split()))
    query = " ".join([*words[:-1], words[-1][:3]] if len(words) > 1 else words)
    page.evaluate("document.getElementById('coco-search').focus()")
    page.type(query)
    page.wait_for("document.querySelectorAll('#coco-matches button').length")
    shown = page.evaluate("[...document.querySelectorAll('#coco-matches button')]"
                          ".map(b => b.textContent)")
    assert name in shown, (query, shown)
