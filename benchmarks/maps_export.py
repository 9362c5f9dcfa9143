"""Export floor (issue 13): seconds for a map page to export itself as a PNG (twice the drawn
size, for print) and as an SVG, on a map of about 10,000 actors drawn one by one.

    .venv/bin/python benchmarks/maps_export.py [--runs 3]

The case is benchmarks/maps.py's 10k: the `medium` demo's German actors (about 10,400),
``--country DE --aggregate none``, written by ``coco map`` and opened from disk in headless
Chromium at 1280 × 800. Each run calls the page's own export (``window.__cocoExport``, what the
PNG and SVG buttons call) and times it in the page, from the call until the PNG file's bytes
exist (``canvas.toBlob``) or the SVG text is serialised. The figure is the median of ``--runs``.
A CPU calibration is printed first: the machine is shared, so read figures relative to it.
Floor: PNG of the 10k map ≤ 2 s. The SVG has no floor (printed for information).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import calibrate, demo_db  # noqa: E402

FLOOR_PNG_S = 2.0
FILTERS = ["--country", "DE", "--aggregate", "none", "--limit", "20000"]
TIMED = {
    "png": """(async () => { const t0 = performance.now();
        const blob = await window.__cocoExport.png(2);
        return [performance.now() - t0, blob.size]; })()""",
    "svg": """(() => { const t0 = performance.now(); const s = window.__cocoExport.svg();
        return [performance.now() - t0, s.length]; })()""",
}


def write_map(db: Path, out: Path) -> None:
    from coco_atlas.api.cli import main

    if main(["map", "--kind", "ecosystem", *FILTERS, "--db", str(db), "--out", str(out)]) != 0:
        raise SystemExit("coco map failed")


def measure(page_file: Path, runs: int) -> dict[str, list[tuple[float, int]]]:
    from tests.browser import Browser

    found: dict[str, list[tuple[float, int]]] = {"png": [], "svg": []}
    with Browser() as browser:
        page = browser.new_page()
        page.goto(page_file.as_uri(), timeout=120)
        page.wait_for("window.__cocoDrawn", timeout=120)
        nodes = page.evaluate("window.__cocoNetwork.body.nodeIndices.length")
        print(f"map drawn: {nodes:,} nodes", flush=True)
        for _ in range(runs):
            for kind, script in TIMED.items():
                ms, size = page.evaluate(script, timeout=300)
                found[kind].append((ms / 1000, size))
        if page.errors():
            print("page problems:", page.errors()[:3])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="exports of each kind")
    args = parser.parse_args()
    print(f"CPU calibration: sum(range(10M)) in {calibrate():.3f} s")
    db = demo_db("medium")
    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "map-10k.html"
        write_map(db, page_file)
        found = measure(page_file, args.runs)
    for kind, rows in found.items():
        median = statistics.median(s for s, _ in rows)
        runs = ", ".join(f"{s:.2f}" for s, _ in rows)
        size = rows[-1][1] / 1e6
        verdict = ""
        if kind == "png":
            ok = median <= FLOOR_PNG_S
            verdict = f"  floor ≤ {FLOOR_PNG_S} s: {'met' if ok else 'MISSED'}"
        print(f"{kind}: median {median:.2f} s (runs {runs}), {size:.1f} MB{verdict}")


if __name__ == "__main__":
    main()
