"""Chart timings on the medium demo (50k nodes, 44k actors): seconds to compute each chart's
figures and draw it, as the server does for ``/charts/KIND`` and ``/charts/KIND.png``.

    .venv/bin/python benchmarks/charts.py [--size medium] [--runs 3]

For each chart (brokers, gaps, ties; default filters): "cold" is the chart on a freshly opened
store (the actor network, the actors' attributes, the brokerage of every actor and every tie's
span are read or computed, then kept per store version), "warm" the median of ``--runs`` more on
the same store (what a new filter costs on data the server has already read); then the SVG and
the PNG (2×) drawing alone. The whole ``/charts`` page (three charts) is timed warm after the three.
Served pages are cached per store version and query, so these are the costs of a first view.

Ceiling: each chart's figures and SVG, warm, ≤ 2 s (a page a person waits for once); the
brokerage analysis is most of the brokers chart (Gould–Fernandez counts, Burt's constraint and
sampled Brandes betweenness over every actor).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import calibrate, demo_db  # noqa: E402

KINDS = ("brokers", "gaps", "ties")
CEILING = 2.0  # seconds, warm, figures + SVG of one chart


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="medium", choices=("small", "medium", "large"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"calibration: sum(range(10_000_000)) = {calibrate():.3f} s", flush=True)
    db = demo_db(args.size)

    from coco_atlas.graph.embedded.store import EmbeddedStore
    from coco_atlas.viz.chart_draw import png, svg
    from coco_atlas.viz.chart_page import render_charts
    from coco_atlas.viz.charts import build_chart, parse_chart

    spec = parse_chart("all", {})
    rows = []
    for kind in KINDS:
        store = EmbeddedStore(db)  # a fresh store: nothing of it read or cached yet
        try:
            def one(kind: str = kind, store: Any = store) -> Any:
                chart = build_chart(store, kind, spec)
                svg(chart)
                return chart

            cold, chart = timed(one)
            warm = statistics.median(timed(one)[0] for _ in range(args.runs))
            svg_s = statistics.median(timed(lambda c=chart: svg(c))[0] for _ in range(args.runs))
            png_s = statistics.median(timed(lambda c=chart: png(c))[0] for _ in range(args.runs))
            rows.append((kind, cold, warm, svg_s, png_s, len(chart.table.rows)))
            if kind == KINDS[-1]:  # the page twice: the second is what a new filter costs
                for _ in range(2):
                    page_s, html = timed(lambda s=store: render_charts(
                        [build_chart(s, k, spec) for k in KINDS], spec, form=[]))
        finally:
            store.close()
    print(f"\n{args.size} demo: {db}")
    print(f"{'chart':8} {'rows':>5} {'cold s':>7} {'warm s':>7} {'SVG s':>6} {'PNG s':>6}  "
          f"ceiling (warm ≤ {CEILING} s)")
    for kind, cold, warm, svg_s, png_s, n in rows:
        print(f"{kind:8} {n:>5} {cold:>7.2f} {warm:>7.2f} {svg_s:>6.2f} {png_s:>6.2f}  "
              f"{'met' if warm <= CEILING else 'MISSED'}")
    print(f"/charts page (three charts, warm): {page_s:.2f} s, {len(html) / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
