"""What the benchmark scripts share: a CPU calibration and the demo store they measure on."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def calibrate() -> float:
    """Seconds for ``sum(range(10_000_000))``: the speed of this core right now (the machine
    is shared, so figures are read relative to it)."""
    t0 = time.perf_counter()
    sum(range(10_000_000))
    return time.perf_counter() - t0


def demo_db(size: str, seed: int = 42, db: Path | None = None) -> Path:
    """The demo ecosystem of ``size`` in ``db`` (default under /tmp), generated if missing."""
    db = db or Path(f"/tmp/coco-bench-{size}-{seed}.db")
    if not db.exists():
        print(f"generating the {size} demo into {db} …", flush=True)
        subprocess.run([sys.executable, "-m", "coco_atlas.api.cli", "demo-data", "--size", size,
                        "--seed", str(seed), "--db", str(db)], cwd=ROOT, check=True)
    return db


def timed_map(db: Path, kind: str, raw: dict[str, list[str]]) -> dict[str, Any]:
    """Build and render one map twice on one store: ``cold_s`` (first use: imports, the
    network read, caches filled) and ``warm_s`` (what a running server pays); ``data`` is the
    MapData (pop it before printing the result as JSON)."""
    from coco_atlas.graph.embedded.store import EmbeddedStore
    from coco_atlas.viz.kinds import build_map
    from coco_atlas.viz.page import render_map
    from coco_atlas.viz.params import parse

    spec = parse(kind, raw)
    store = EmbeddedStore(db)
    try:
        times = []
        for _ in range(2):  # cold, then warm
            t0 = time.perf_counter()
            data = build_map(store, spec)
            html = render_map(data)
            times.append(time.perf_counter() - t0)
    finally:
        store.close()
    return {"html": html, "nodes": len(data.nodes), "edges": len(data.edges),
            "cold_s": times[0], "warm_s": times[1], "data": data}


def timed_draws(path: Path, runs: int, *, probe: str | None = None,
                timeout: float = 180) -> dict[str, Any]:
    """Open a saved map ``runs`` times in headless Chromium: seconds until it reports itself
    drawn (``window.__cocoDrawn``), whether it then stays idle (no frames for 0.5 s), page
    errors and foreign requests, and ``probe`` (a JavaScript expression) read once drawn."""
    import statistics

    from tests.browser import Browser

    drawn, idle, errors, probed = [], True, [], None
    with Browser() as browser:
        for _ in range(runs):
            page = browser.new_page()
            page.goto(path.as_uri(), timeout=timeout)
            drawn.append(page.wait_for("window.__cocoDrawn", timeout=timeout) / 1000)
            if probe:
                probed = page.evaluate(probe)
            frames = page.evaluate("window.__cocoFrames")
            time.sleep(0.5)
            idle &= page.evaluate("window.__cocoFrames") == frames
            errors += page.errors() + page.foreign_requests()
            page.close()
    return {"drawn_s": statistics.median(drawn), "drawn_all": drawn, "idle": idle,
            "errors": errors, "probe": probed}
