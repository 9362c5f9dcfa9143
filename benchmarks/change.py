"""Change over time and training impact: the issue's floors on the demo stores.

    .venv/bin/python benchmarks/change.py [--sizes medium,large] [--seed 42] [--db PATH]

Floors (issue 14, this 2-core machine): trends by year over six years on the medium demo
≤ 10 s, compare two periods on medium ≤ 5 s, impact for all trainings on medium ≤ 10 s; on
large, trends within 2 minutes. Each analysis runs on a fresh store object (nothing cached from
the one before: the actor network cache is per store). Prints a CPU calibration first, then one
JSON line per measurement, and exits 1 if a floor is missed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import calibrate, demo_db  # noqa: E402
from coco_atlas.graph.analytics.change import compare, trends  # noqa: E402
from coco_atlas.graph.analytics.impact import impact  # noqa: E402
from coco_atlas.graph.embedded.store import EmbeddedStore  # noqa: E402
from coco_atlas.graph.timeline import Period  # noqa: E402

FLOORS: dict[str, dict[str, float]] = {
    "medium": {"trends": 10.0, "compare": 5.0, "impact": 10.0},
    "large": {"trends": 120.0},
}


def measure(db: Path, name: str, fn: Callable[[Any], Any]) -> tuple[float, Any]:
    with EmbeddedStore(db) as store:
        store.topology()  # open and index the file first: that is not the analysis
        t0 = time.perf_counter()
        result = fn(store)
        return time.perf_counter() - t0, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="medium")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--db", type=Path, default=None, help="Measure this store instead.")
    args = parser.parse_args()
    print(json.dumps({"calibration_s": round(calibrate(), 3),
                      "what": "sum(range(10_000_000)) on this core now"}), flush=True)
    ok = True
    for size in args.sizes.split(","):
        db = args.db or demo_db(size, args.seed)
        runs: dict[str, Callable[[Any], Any]] = {
            "trends": lambda s: trends(s, first=2019, last=2024),
            "compare": lambda s: compare(s, before=Period.years(2019, 2019),
                                         after=Period.years(2023, 2023)),
            "impact": lambda s: impact(s),
        }
        for name, fn in runs.items():
            if name not in FLOORS.get(size, {}) and size != "medium":
                continue
            seconds, result = measure(db, name, fn)
            floor = FLOORS.get(size, {}).get(name)
            passed = floor is None or seconds <= floor
            ok &= passed
            print(json.dumps({"size": size, "analysis": name, "seconds": round(seconds, 2),
                              "floor_s": floor, "pass": passed, **_summary(name, result)}),
                  flush=True)
    return 0 if ok else 1


def _summary(name: str, result: Any) -> dict[str, Any]:
    """A few figures of the result (the typed results of graph.analytics.change and impact)."""
    if name == "trends":
        return {"periods": len(result.periods), "actors_last": result.periods[-1].actors,
                "ties_last": result.periods[-1].ties}
    if name == "compare":
        return {"counts": result.counts.to_json()}
    return {"attendances": result.attendances, "matched": result.matched}


if __name__ == "__main__":
    sys.exit(main())
