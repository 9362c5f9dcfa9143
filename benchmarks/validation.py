"""Schema fast checks of a bulk write: keys, then every label's and type's properties column by
column (:mod:`schema.fastcheck`), as :mod:`graph.writeplan` runs them before a bulk write.

    .venv/bin/python benchmarks/validation.py [--size medium] [--seed 42] [--runs 5]

Prints a CPU calibration first (seconds for ``sum(range(10_000_000))``), then the best of
``--runs`` passes as records/s. The checks bound every text's length and refuse lone surrogates
(issue 11); this measures what that costs against the store's write floor of 200,000
records/s (benchmarks/store.py): validation must stay a small part of it (floor here: 1,000,000
records/s, five times the store's, i.e. at most a fifth of a write at the floor).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FLOOR = 1_000_000  # records/s


def calibrate() -> float:
    t0 = time.perf_counter()
    sum(range(10_000_000))
    return time.perf_counter() - t0


def check_all(nodes: list[Any], edges: list[Any]) -> bool:
    from coco_atlas.schema import SCHEMA
    from coco_atlas.schema.fastcheck import compiled

    rules = compiled(SCHEMA)
    keys_ok = getattr(rules, "keys_ok", None)  # absent before issue 11: keys were not checked
    ok = keys_ok is None or keys_ok([n.id for n in nodes])
    by_label: dict[str, list[Any]] = defaultdict(list)
    for n in nodes:
        by_label[n.label].append(n.props)
    by_type: dict[str, list[Any]] = defaultdict(list)
    for e in edges:
        by_type[e.type].append(e.props)
    ok &= all(rules.labels[lab].ok_many(p) for lab, p in by_label.items())
    return ok and all(rules.rels[t].ok_many(p) for t, p in by_type.items())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="medium", choices=["small", "medium", "large"])
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    from coco_atlas.importers.demo.generator import generate

    print(f"calibration: sum(range(10_000_000)) in {calibrate():.3f} s")
    nodes, edges = [], []
    for batch in generate(args.size, args.seed):
        nodes.extend(batch.nodes)
        edges.extend(batch.edges)
    best = float("inf")
    for _ in range(args.runs):
        t0 = time.perf_counter()
        assert check_all(nodes, edges), "the demo data must be valid"
        best = min(best, time.perf_counter() - t0)
    records = len(nodes) + len(edges)
    print(f"size={args.size}: {records:,} records checked in {best:.3f} s (best of {args.runs}) "
          f"= {records / best:,.0f} records/s (floor {FLOOR:,})")


if __name__ == "__main__":
    main()
