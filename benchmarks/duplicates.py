"""Duplicate detection floor: every actor and competence of the medium demo (~45k actors) compared
for likely duplicates in ≤ 10 s (issue 12), as ``coco duplicates`` does it.

    .venv/bin/python benchmarks/duplicates.py [--size medium] [--seed 42] [--db PATH]

The medium demo holds ~44k actors: ``--actors`` (default 50,000) tops the candidates up to that
many with copies of stored actors under new ids, each with one letter of its name changed (the
typos duplicate detection is for). Prints the CPU calibration first, then the time to read the
candidates from the store, the time to block and score them (graph/duplicates.py), the pairs
found and the verdict against the floor.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import calibrate, demo_db  # noqa: E402

FLOOR = 10.0  # seconds for detection over 50k actors


def _typos(candidates: list[Any], actors: int) -> list[Any]:
    """Copies of stored actors, one letter of the name changed, until there are ``actors``."""
    from coco_atlas.graph.duplicates import Candidate

    rng = random.Random(12)
    stored = [c for c in candidates if c.label != "Competence"]
    out = []
    for k in range(max(0, actors - len(stored))):
        c = stored[rng.randrange(len(stored))]
        i = rng.randrange(len(c.name))
        name = c.name[:i] + rng.choice("aeiourstn") + c.name[i + 1:]
        out.append(Candidate.of(f"typo-{k}", c.label, name, c.country, c.city))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="medium", choices=("small", "medium", "large"))
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--actors", type=int, default=50_000, help="top the actors up to this many")
    args = ap.parse_args()
    print(f"calibration: sum(range(10_000_000)) = {calibrate():.3f} s", flush=True)

    from coco_atlas.api.settings import resolve
    from coco_atlas.api.stores import open_location
    from coco_atlas.graph.duplicates import LABELS, find_duplicates, store_candidates

    db = demo_db(args.size, args.seed, args.db)
    with open_location(str(db), resolve()) as store:
        t0 = time.perf_counter()
        candidates = store_candidates(store, LABELS)
    candidates += _typos(candidates, args.actors)  # normalised as stored ones are: timed too
    read = time.perf_counter() - t0
    t1 = time.perf_counter()
    found = find_duplicates(candidates)
    match = time.perf_counter() - t1
    actors = sum(c.label != "Competence" for c in candidates)
    total = read + match
    print(f"{actors:,} actors, {len(candidates) - actors:,} competences: "
          f"read and normalised {read:.2f} s, blocked and scored {match:.2f} s, "
          f"{len(found):,} likely duplicate pairs")
    verdict = "ok" if total <= FLOOR else "OVER"
    print(f"duplicates total {total:.2f} s (floor {FLOOR:.0f} s): {verdict}")
    return 0 if total <= FLOOR else 1


if __name__ == "__main__":
    sys.exit(main())
