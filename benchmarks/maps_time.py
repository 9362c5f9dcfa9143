"""Map-in-time floor (issue 14, item 6): a timeline map of about 2,000 actors over 2015–2026 is
built in ≤ 3 s and drawn in ≤ 3 s.

    .venv/bin/python benchmarks/maps_time.py [--runs 3]

Prints a CPU calibration first (benchmarks/common.py: the machine is shared, read figures
against it). Two cases on the `medium` demo ecosystem (generated once into /tmp, then reused),
both ``timeline=2015-2026``:

* ecosystem — the Austrian actors of advanced manufacturing and ICT (about 2,180, few ties);
* brokers — the 2,000 strongest brokers of the whole demo (44,000 actors), about 5,200 ties.

Build: ``build_map`` + ``render_map`` on a freshly opened store ("cold": the actor network, the
actors' attributes and every tie's years are read from the store) and again on the same store
("warm": what the server pays for another map of data it has read). Drawn: the page, written to
a file, opened in headless Chromium ``--runs`` times; the figure is the median of
``window.__cocoDrawn`` (ms from navigation start to the first frame with the final layout, the
year shown). Also measured in the page: one slider step (DataSet updates and a redraw, median of
the 11 steps from 2015 to 2026) and opening the before/after view.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import calibrate, demo_db  # noqa: E402

CASES = (
    ("ecosystem", {"country": ["AT"], "group": ["advanced-manufacturing", "ict"],
                   "timeline": ["2015-2026"], "limit": ["2500"]}),
    ("brokers", {"timeline": ["2015-2026"]}),
)
FLOOR_S = {"build": 3.0, "drawn": 3.0}
STEPS = """(() => {
    const t = window.__cocoTime, net = window.__cocoNetwork, out = [];
    t.setYear(2015);
    for (let y = 2016; y <= 2026; y++) {
        const t0 = performance.now();
        t.setYear(y);
        net.renderer._redraw(false);
        out.push(performance.now() - t0);
    }
    const t0 = performance.now();
    t.compare(true);
    window.__cocoBefore.renderer._redraw(false);
    net.renderer._redraw(false);
    return {steps: out, compare: performance.now() - t0};
})()"""


def build(db: Path, kind: str, raw: dict[str, list[str]]) -> dict[str, Any]:
    from benchmarks.common import timed_map

    return timed_map(db, kind, raw)

def draw(path: Path, runs: int) -> dict[str, Any]:
    from tests.browser import Browser

    drawn, steps, compare, errors = [], [], [], []
    with Browser() as browser:
        for _ in range(runs):
            page = browser.new_page()
            page.goto(path.as_uri(), timeout=120)
            drawn.append(page.wait_for("window.__cocoDrawn", timeout=120) / 1000)
            measured = page.evaluate(STEPS, timeout=120)
            steps.append(statistics.median(measured["steps"]) / 1000)
            compare.append(measured["compare"] / 1000)
            errors += page.errors() + page.foreign_requests()
            page.close()
    return {"drawn_s": statistics.median(drawn), "drawn_all": drawn,
            "step_s": statistics.median(steps), "compare_s": statistics.median(compare),
            "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="page loads")
    args = parser.parse_args()
    print(f"CPU calibration: sum(range(10_000_000)) in {calibrate():.3f} s", flush=True)
    db = demo_db("medium")
    for kind, raw in CASES:
        report(kind, build(db, kind, raw), args.runs)


def report(kind: str, built: dict[str, Any], runs: int) -> None:
    page = Path(tempfile.gettempdir()) / f"coco-bench-map-time-{kind}.html"
    page.write_text(built["html"], encoding="utf-8")
    shown = draw(page, runs)
    ok = {"cold": built["cold_s"] <= FLOOR_S["build"], "warm": built["warm_s"] <= FLOOR_S["build"],
          "drawn": shown["drawn_s"] <= FLOOR_S["drawn"]}
    print(f"\n{kind} map, timeline 2015-2026: {built['nodes']:,} actors, {built['edges']:,} ties, "
          f"page {page.stat().st_size / 1e6:.1f} MB")
    print(f"build: cold {built['cold_s']:.2f} s, warm {built['warm_s']:.2f} s "
          f"(floor ≤ {FLOOR_S['build']} s: cold {'met' if ok['cold'] else 'MISSED'}, "
          f"warm {'met' if ok['warm'] else 'MISSED'})")
    print(f"drawn: {shown['drawn_s']:.2f} s median of "
          f"{', '.join(f'{s:.2f}' for s in shown['drawn_all'])} (floor ≤ {FLOOR_S['drawn']} s: "
          f"{'met' if ok['drawn'] else 'MISSED'})")
    print(f"in the page: one year step {1000 * shown['step_s']:.0f} ms, before/after opened in "
          f"{1000 * shown['compare_s']:.0f} ms")
    if shown["errors"]:
        print(f"page problems: {shown['errors'][:3]}")


if __name__ == "__main__":
    main()
