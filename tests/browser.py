"""Headless Chromium for tests and benchmarks, driven over the Chrome DevTools Protocol (CDP).

One websocket to the browser (``websocket-client``), one flat session per page (CDP's
``Target.attachToTarget`` with ``flatten``): commands are sent and their answers awaited in order,
events are collected on the way — every network request, console message and uncaught exception —
so a test can assert that a page asked nothing of any other host and logged no error.

Chromium is Debian's package (``scripts/setup-browser`` installs it), started with the flags that
keep it quiet on a closed network (no background networking, component updates, sync or QUIC) and
a fresh profile in a temporary folder.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import websocket

CHROMIUM = os.environ.get("COCO_CHROMIUM", "/usr/bin/chromium")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
    "--no-default-browser-check", "--remote-debugging-port=0",
)
WINDOW = (1280, 800)
LOCAL = ("127.0.0.1", "localhost", "[::1]", "::1")
INLINE_SCHEMES = ("data", "blob", "about", "file", "devtools", "chrome")


class BrowserError(RuntimeError):
    pass


DESCRIBE = """e => [...document.getElementsByTagName('*')].indexOf(e) + ' '
    + e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (e.getAttribute('href') !== null ? '[href=' + e.getAttribute('href') + ']' : '')
    + (e.name ? '[name=' + e.name + ']' : '')
    + '[' + (e.getAttribute('aria-label') || e.textContent || e.value || '').trim().slice(0, 40)
    + ']'"""


@dataclass
class Page:
    """One tab: send CDP commands to it, read what it did."""

    browser: Browser
    session: str
    target: str
    requests: list[str] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)  # (level, text)
    exceptions: list[str] = field(default_factory=list)
    loaded: int = 0

    def send(self, method: str, timeout: float = 30, **params: Any) -> dict[str, Any]:
        return self.browser.send(method, params, session=self.session, timeout=timeout)

    def goto(self, url: str, timeout: float = 60) -> None:
        """Open ``url`` and wait for its load event."""
        before = self.loaded
        answer = self.send("Page.navigate", url=url, timeout=timeout)
        if answer.get("errorText"):
            raise BrowserError(f"{url}: {answer['errorText']}")
        deadline = time.monotonic() + timeout
        while self.loaded == before:
            self.browser.pump(deadline)

    def evaluate(self, expression: str, timeout: float = 30) -> Any:
        """The value of a JavaScript expression (promises awaited), as JSON data."""
        answer = self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True, timeout=timeout)
        if "exceptionDetails" in answer:
            details = answer["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise BrowserError(f"{expression[:80]!r} threw: {text}")
        return answer.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float = 30, poll: float = 0.05) -> Any:
        """Poll ``expression`` until it is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out after {timeout} s waiting for {expression!r}")
            time.sleep(poll)

    def type(self, text: str) -> None:
        """Type into the focused element, as a user would (input events fire)."""
        self.send("Input.insertText", text=text)

    def press(self, key: str, code: int) -> None:
        """Press and release a key, e.g. ``press("Enter", 13)``."""
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", type=kind, key=key, code=key,
                      windowsVirtualKeyCode=code, nativeVirtualKeyCode=code,
                      text="\r" if key == "Enter" and kind == "keyDown" else "")

    def screenshot(self, path: Path) -> Path:
        """A PNG, or a JPEG (quality 85) when ``path`` ends in .jpg."""
        jpeg = path.suffix.lower() in (".jpg", ".jpeg")
        data = self.send("Page.captureScreenshot", format="jpeg" if jpeg else "png",
                         **({"quality": 85} if jpeg else {}))["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def viewport(self, width: int, height: int, *, mobile: bool = False) -> None:
        """Emulate a screen of ``width`` × ``height`` CSS pixels (a phone when ``mobile``)."""
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=2 if mobile else 1, mobile=mobile)

    def tab_order(self, limit: int = 400) -> list[str]:
        """Press Tab until the focus comes back round (or ``limit`` presses): a description of
        each element focused, in order (WCAG 2.1.1, keyboard)."""
        seen: list[str] = []
        for _ in range(limit):
            self.press("Tab", 9)
            here = self.evaluate(f"({DESCRIBE})(document.activeElement)")
            if here in seen or " body" in here:
                if seen:
                    break
                continue
            seen.append(here)
        return seen

    def focusable(self) -> list[str]:
        """Every control a keyboard user should reach: visible links, buttons, fields,
        summaries and elements given a tabindex ≥ 0, described as :meth:`tab_order` does."""
        return self.evaluate(f"""[...document.querySelectorAll(
            'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]')]
            .filter(e => !e.disabled && e.tabIndex >= 0 && e.getClientRects().length
                         && getComputedStyle(e).visibility !== 'hidden')
            .map({DESCRIBE})""")  # type: ignore[no-any-return]

    def axe(self, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
        """Violations of ``impacts`` found by axe-core (npm ``axe-core``, injected into this
        page for the test only: pages never ship it), WCAG 2.x A and AA rules and best
        practices, each with the elements concerned."""
        from coco_atlas.viz.vendor import npm_file

        if not self.evaluate("typeof axe !== 'undefined'"):
            self.evaluate(npm_file("axe-core", "axe.min.js").read_text(encoding="utf-8"))
        found = self.evaluate("""axe.run(document, {resultTypes: ['violations']}).then(r =>
            r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' '
                                                  + n.html.slice(0, 120))})))""",
                              timeout=120)
        return [v for v in found if v["impact"] in impacts]

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target})
        self.browser.pages.pop(self.session, None)

    def foreign_requests(self) -> list[str]:
        """Requests to anything but this machine or inline data."""
        out = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in INLINE_SCHEMES:
                continue
            if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname in LOCAL:
                continue
            out.append(url)
        return out

    def errors(self) -> list[str]:
        """Console errors and warnings, and uncaught exceptions."""
        return [f"{lvl}: {text}" for lvl, text in self.console
                if lvl in ("error", "warning", "assert")] + self.exceptions

    def on_event(self, method: str, params: dict[str, Any]) -> None:
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Network.webSocketCreated":
            self.requests.append(params["url"])
        elif method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            self.console.append((params["type"], text))
        elif method == "Log.entryAdded":
            entry = params["entry"]
            self.console.append((entry["level"], f"[{entry.get('source')}] {entry['text']} "
                                                 f"{entry.get('url', '')}"))
        elif method == "Runtime.exceptionThrown":
            d = params["exceptionDetails"]
            self.exceptions.append(d.get("exception", {}).get("description") or d["text"])
        elif method == "Page.loadEventFired":
            self.loaded += 1


class Browser:
    """A headless Chromium process and a CDP connection to it (use as a context manager)."""

    def __init__(self, timeout: float = 30):
        if not Path(CHROMIUM).exists():
            raise BrowserError(f"{CHROMIUM} not found: run scripts/setup-browser (as root)")
        self.profile = Path(tempfile.mkdtemp(prefix="coco-chromium-"))
        self.log = open(self.profile / "chromium.log", "wb")  # noqa: SIM115 (closed in close())
        self.proc = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}",
             f"--window-size={WINDOW[0]},{WINDOW[1]}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        self.ids = itertools.count(1)
        self.pages: dict[str, Page] = {}
        self.ws: websocket.WebSocket | None = None
        try:
            self.ws = websocket.create_connection(self._endpoint(timeout), timeout=timeout,
                                                  suppress_origin=True, enable_multithread=False)
        except BaseException:
            self.close()
            raise

    def _endpoint(self, timeout: float) -> str:
        """The browser's websocket address, from the DevToolsActivePort file it writes."""
        marker = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not marker.exists() or len(marker.read_text().split()) < 2:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise BrowserError(f"chromium did not start: {self._log_tail()}")
            time.sleep(0.05)
        port, path = marker.read_text().split()[:2]
        return f"ws://127.0.0.1:{port}{path}"

    def _log_tail(self) -> str:
        self.log.flush()
        return (self.profile / "chromium.log").read_text(errors="replace")[-2000:]

    def send(self, method: str, params: dict[str, Any] | None = None, *,
             session: str | None = None, timeout: float = 30) -> dict[str, Any]:
        assert self.ws is not None
        msg_id = next(self.ids)
        message: dict[str, Any] = {"id": msg_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + timeout
        while True:
            answer = self.pump(deadline)
            if answer is not None and answer.get("id") == msg_id:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error'].get('message')}")
                return answer.get("result", {})

    def pump(self, deadline: float) -> dict[str, Any] | None:
        """Read one message; dispatch events to their page; return it."""
        assert self.ws is not None
        left = deadline - time.monotonic()
        if left <= 0:
            raise BrowserError("timed out waiting for the browser")
        self.ws.settimeout(left)
        try:
            message: dict[str, Any] = json.loads(self.ws.recv())
        except websocket.WebSocketTimeoutException as e:
            raise BrowserError("timed out waiting for the browser") from e
        if "method" in message:
            page = self.pages.get(message.get("sessionId", ""))
            if page is not None:
                page.on_event(message["method"], message.get("params", {}))
        return message

    def new_page(self) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target,
                                                      "flatten": True})["sessionId"]
        page = self.pages[session] = Page(self, session, target)
        for domain in ("Page", "Runtime", "Network", "Log"):
            page.send(f"{domain}.enable")
        page.send("Emulation.setDeviceMetricsOverride", width=WINDOW[0], height=WINDOW[1],
                  deviceScaleFactor=1, mobile=False)
        return page

    def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                self.send("Browser.close", timeout=5)
            self.ws.close()
            self.ws = None
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def browser(timeout: float = 30) -> Iterator[Browser]:
    with Browser(timeout) as b:
        yield b


def demo_store(base: Path) -> Path:
    """The small demo ecosystem (seed 42) under ``base``, generated once and then reused: the
    map tests of one session share it (pass ``tmp_path_factory.getbasetemp()``)."""
    from coco_atlas.api.cli import main

    db = base / "maps-demo" / "demo.db"
    if not db.exists():
        db.parent.mkdir(parents=True, exist_ok=True)
        tmp = db.with_suffix(".partial.db")
        if main(["demo-data", "--size", "small", "--seed", "42", "--db", str(tmp)]) != 0:
            raise RuntimeError("could not generate the demo ecosystem")
        tmp.rename(db)
    return db
