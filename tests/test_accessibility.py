"""Every screen passes an automated accessibility audit, and a keyboard reaches every control.

axe-core (npm ``axe-core``, injected into the page by the test only: the pages never ship it)
runs in the real headless Chromium on each page, once it has drawn; a violation of impact
"serious" or "critical" fails the test, naming the rule and the elements. Then Tab is pressed
until the focus comes round again, and every visible link, button and field must have been
reached (WCAG 2.1.1), the map itself included, which moves with the arrow keys.
"""

from __future__ import annotations

import time

import pytest

from tests.browser import DESCRIBE, Browser, Page

pytestmark = pytest.mark.slow  # a browser, a server, Neo4j or a fuzzer: run with -m slow

MAP = "window.__cocoDrawn"
IDE = "!!document.querySelector('.graphiql-execute-button')"
PAGES: dict[str, tuple[str, str | None]] = {  # name: (path, what to wait for)
    "landing": ("/", None),
    "ecosystem": ("/maps/ecosystem", MAP),
    "ecosystem-by-region": ("/maps/ecosystem?aggregate=region", MAP),
    "ego": ("/maps/ego?id=demo-hub-00003", MAP),
    "ego-choose": ("/maps/ego?q=lab", None),
    "brokers": ("/maps/brokers", MAP),
    "gaps": ("/maps/gaps", MAP),
    "embedded-map": ("/maps/gaps?embed=1", MAP),
    "node": ("/nodes/demo-hub-00003", None),
    "quality": ("/quality", None),
    "docs": ("/docs", None),
    "guide": ("/docs/maps.md", None),
    "error": ("/maps/atlas", None),
    "charts": ("/charts", None),
    "graphql-ide": ("/graphql", IDE),
}



def open_page(browser: Browser, url: str, ready: str | None, *, width: int = 1280,
              height: int = 800) -> Page:
    page = browser.new_page()
    if width != 1280:
        page.viewport(width, height, mobile=True)
    page.goto(url)
    if ready:
        page.wait_for(ready, timeout=60)
    return page


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violation(browser: Browser, demo_url: str, name: str) -> None:
    path, ready = PAGES[name]
    page = open_page(browser, demo_url + path, ready)
    if ready == IDE:  # with a result shown too
        page.evaluate("document.querySelector('.graphiql-execute-button').click()")
        page.wait_for("(document.querySelector('.graphiql-response') || {}).innerText"
                      "?.includes('totalCount')", timeout=60)
    assert page.axe() == []
    page.close()


@pytest.mark.parametrize("name", ["ecosystem", "gaps", "node"])
def test_no_serious_violation_on_a_phone(browser: Browser, demo_url: str, name: str) -> None:
    path, ready = PAGES[name]
    page = open_page(browser, demo_url + path, ready, width=390, height=844)
    assert page.axe() == []
    page.close()


@pytest.mark.parametrize("name", ["landing", "ecosystem", "ego", "node", "quality"])
def test_the_keyboard_reaches_every_control(browser: Browser, demo_url: str, name: str) -> None:
    path, ready = PAGES[name]
    page = open_page(browser, demo_url + path, ready)
    every = page.focusable()
    assert len(every) > 5
    reached = page.tab_order(limit=len(every) + 20)
    assert [c for c in every if c not in reached] == []
    page.close()


def test_the_map_moves_and_zooms_from_the_keyboard(browser: Browser, demo_url: str) -> None:
    page = open_page(browser, demo_url + "/maps/ecosystem", MAP)
    frame = "document.querySelector('#coco-map [role=application]')"
    assert page.evaluate(f"{frame}.getAttribute('aria-label')").startswith("The ecosystem")
    assert page.evaluate(f"({DESCRIBE})({frame})") in page.tab_order(limit=20)
    page.evaluate(f"{frame}.focus()")
    before = page.evaluate("[window.__cocoNetwork.getViewPosition().x, "
                           "window.__cocoNetwork.getScale()]")
    hold(page, "ArrowRight", "ArrowRight", 39)
    page.wait_for(f"window.__cocoNetwork.getViewPosition().x !== {before[0]}", timeout=5)
    hold(page, "=", "Equal", 187)  # the + key of a keyboard without a keypad
    page.wait_for(f"window.__cocoNetwork.getScale() > {before[1]}", timeout=5)
    assert page.errors() == []


def hold(page: Page, key: str, code: str, number: int) -> None:
    """Press a key, hold it a moment (the map moves while it is down), release it."""
    page.send("Input.dispatchKeyEvent", type="keyDown", key=key, code=code,
              windowsVirtualKeyCode=number)
    time.sleep(0.3)
    page.send("Input.dispatchKeyEvent", type="keyUp", key=key, code=code,
              windowsVirtualKeyCode=number)
