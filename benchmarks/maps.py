"""Map floors (issue 7): seconds to build a map's HTML, and seconds until headless Chromium has it
drawn and idle, for about 1,000 and 10,000 actors drawn one by one.

    .venv/bin/python benchmarks/maps.py [--data DIR] [--runs 3]

Cases, on the synthetic demo ecosystems (generated into DIR once, then reused):

* 1k  — the whole `small` demo (1,400 actors), ``coco map`` defaults;
* 10k — the `medium` demo's German actors (10,430), ``--country DE --aggregate none``.

Build: ``build_map`` + ``render_map`` on a freshly opened store ("cold": the actor network and
the actors' attributes are read from the store) and again on the same store ("warm": what the
server pays for a new map of data it has already read; it caches per store version). Drawn: the
page written to a file is opened in headless Chromium ``--runs`` times; the figure is the median
of ``window.__cocoDrawn`` (ms from navigation start to the first frame with the final layout),
and the page is idle if no frame is drawn in the following half second.
Floors for 10k: HTML ≤ 2 s, drawn ≤ 3 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASES = (
    ("1k", "small", {}),
    ("10k", "medium", {"country": ["DE"], "aggregate": ["none"], "limit": ["20000"]}),
)
FLOORS = {"10k": {"html_s": 2.0, "drawn_s": 3.0}}


def store_for(size: str, data: Path) -> Path:
    from coco_atlas.api.cli import main

    db = data / f"demo-{size}.db"
    if not db.exists():
        print(f"generating the {size} demo into {db} (once) …", flush=True)
        tmp = db.with_suffix(".partial.db")
        tmp.unlink(missing_ok=True)
        if main(["demo-data", "--size", size, "--seed", "42", "--db", str(tmp)]) != 0:
            raise SystemExit("demo generation failed")
        tmp.rename(db)
    return db


def build(db: Path, raw: dict[str, list[str]]) -> dict[str, Any]:
    from benchmarks.common import timed_map

    return timed_map(db, "ecosystem", raw)

def draw(path: Path, runs: int) -> dict[str, Any]:
    from benchmarks.common import timed_draws

    return timed_draws(path, runs, timeout=120)

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "coco-bench",
                        help="folder for the demo stores (kept between runs)")
    parser.add_argument("--runs", type=int, default=3, help="page loads per case")
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    from benchmarks.common import calibrate

    print(f"calibration: sum(range(10_000_000)) = {calibrate():.3f} s on this core now",
          flush=True)
    rows = []
    for name, size, raw in CASES:
        db = store_for(size, args.data)
        built = build(db, raw)
        page = args.data / f"map-{name}.html"
        page.write_text(built["html"], encoding="utf-8")
        shown = draw(page, args.runs)
        rows.append((name, built, shown, page.stat().st_size))
    print(f"\n{'case':5} {'nodes':>7} {'ties':>7} {'HTML MB':>8} {'build cold s':>13} "
          f"{'build warm s':>13} {'drawn s':>8}  idle  floors")
    for name, built, shown, size in rows:
        floor = FLOORS.get(name)
        verdict = ""
        if floor:
            ok_html = built["warm_s"] <= floor["html_s"]
            ok_cold = built["cold_s"] <= floor["html_s"]
            ok_draw = shown["drawn_s"] <= floor["drawn_s"]
            verdict = (f"HTML ≤ {floor['html_s']} s: warm {'met' if ok_html else 'MISSED'}, "
                       f"cold {'met' if ok_cold else 'MISSED'}; drawn ≤ {floor['drawn_s']} s: "
                       f"{'met' if ok_draw else 'MISSED'}")
        print(f"{name:5} {built['nodes']:>7,} {built['edges']:>7,} {size / 1e6:>8.1f} "
              f"{built['cold_s']:>13.2f} {built['warm_s']:>13.2f} {shown['drawn_s']:>8.2f}  "
              f"{'yes' if shown['idle'] else 'NO':4}  {verdict}")
        print(f"      drawn per run: {', '.join(f'{s:.2f}' for s in shown['drawn_all'])}"
              + (f"; page problems: {shown['errors'][:3]}" if shown["errors"] else ""))


if __name__ == "__main__":
    main()
