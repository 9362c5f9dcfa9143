"""Embedded store floors: write the `large` demo into a fresh store, then reopen it.

    .venv/bin/python benchmarks/store.py [--size large] [--seed 42] [--dir DIR]

Prints records/s written (time spent inside the store's writes only; generating the records is
not counted), seconds to reopen, and peak RSS of the writing and of the reopening process.
Floors (issue 2): >= 200k records/s, reopen of 500k nodes / 3M edges <= 15 s, <= 4 GiB RSS.
Each phase runs in its own process so that one's memory does not count against the other.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write(db: str, size: str, seed: int) -> dict[str, float]:
    from coco_atlas.graph.embedded.store import EmbeddedStore
    from coco_atlas.graph.store import Transaction
    from coco_atlas.importers.demo.generator import generate

    store = EmbeddedStore(db)
    spent = 0.0
    with store.bulk(f"benchmark {size}") as writer:
        for batch in generate(size, seed):
            tx = Transaction(writer.source, batch.nodes, batch.edges)
            t0 = time.perf_counter()
            total = writer.write(tx)
            spent += time.perf_counter() - t0
        t0 = time.perf_counter()
    spent += time.perf_counter() - t0  # the COMMIT
    store.close()
    return {"records": total.records, "write_s": spent, "records_per_s": total.records / spent,
            "rss_mib": _rss_mib()}


def reopen(db: str) -> dict[str, float]:
    from coco_atlas.graph.embedded.store import EmbeddedStore

    t0 = time.perf_counter()
    store = EmbeddedStore(db)
    seconds = time.perf_counter() - t0
    counts = store.counts()
    t0 = time.perf_counter()
    store.neighbours(["demo-hub-00000"], None, "both")
    first_query = time.perf_counter() - t0
    store.close()
    return {"reopen_s": seconds, "nodes": sum(counts["labels"].values()),
            "edges": sum(counts["relationships"].values()), "first_traversal_s": first_query,
            "rss_mib": _rss_mib()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="large", choices=["small", "medium", "large"])
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--dir", default=None, help="where the store file goes (default: a temp dir)")
    ap.add_argument("--phase", choices=["write", "reopen"], help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase == "write":
        print(json.dumps(write(args.db, args.size, args.seed)))
        return
    if args.phase == "reopen":
        print(json.dumps(reopen(args.db)))
        return
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        db = str(Path(tmp) / "bench.db")
        w = _run("write", db, args)
        r = _run("reopen", db, args)
        size_mib = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 2**20
    print(f"size={args.size} seed={args.seed}: {r['nodes']:,} nodes, {r['edges']:,} edges, "
          f"file {size_mib:,.0f} MiB")
    print(f"write   {w['records']:,} records in {w['write_s']:.1f} s = "
          f"{w['records_per_s']:,.0f} records/s (floor 200,000); peak RSS {w['rss_mib']:,.0f} MiB")
    print(f"reopen  {r['reopen_s']:.1f} s (floor 15 s); "
          f"first traversal {r['first_traversal_s']:.2f} s; "
          f"peak RSS {r['rss_mib']:,.0f} MiB (floor 4,096 MiB)")


def _run(phase: str, db: str, args: argparse.Namespace) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--phase", phase, "--db", db, "--size", args.size,
           "--seed", str(args.seed)]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


if __name__ == "__main__":
    main()
