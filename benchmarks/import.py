"""Import floor: a 1M-row CSV import (nodes + edges) into a fresh embedded store.

    .venv/bin/python benchmarks/import.py [--rows 1000000] [--dir DIR] [--profile]

Generates the CSV files first (not timed): 25% node rows (companies and hubs with seven
columns: id, label, name, country, city, sizeClass or kind, foundedYear, tags) and 75% edge
rows (PARTNERS_WITH with since and weight, MEMBER_OF with since). Then times
``coco import csv`` as a user runs it, through :func:`importers.tables.import_tables`: parsing,
conversion, validation, the all-or-nothing write and the commit. Prints rows/s (wall time) and
rows per CPU second with the load average, since the machine may be shared.
Floor (issue 6): >= 100,000 rows/s.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import os
import pstats
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COUNTRIES = ("AT", "DE", "IT", "PL", "SI", "SK")
CITIES = ("Wien", "Stuttgart", "Padova", "Szczecin", "Ljubljana", "Bratislava")


def generate(folder: Path, rows: int, seed: int = 7) -> tuple[Path, Path, int, int]:
    """Write nodes.csv and edges.csv with ``rows`` data rows in all; returns their counts."""
    rng = np.random.default_rng(seed)
    n_nodes = rows // 4
    n_hubs = max(1, n_nodes // 20)
    n_co = n_nodes - n_hubs
    n_edges = rows - n_nodes
    nodes, edges = folder / "nodes.csv", folder / "edges.csv"
    place = rng.integers(0, len(COUNTRIES), n_nodes)
    years = rng.integers(1950, 2026, n_nodes)
    with open(nodes, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "label", "name", "country", "city", "sizeClass", "kind",
                    "foundedYear", "tags"])
        sizes = ("micro", "small", "medium", "large")
        for i in range(n_co):
            c = int(place[i])
            w.writerow([f"co-{i:07d}", "Company", f"Firma {i} Łódź-Košice", COUNTRIES[c],
                        CITIES[c], sizes[i % 4], "", int(years[i]), "synthetic|benchmark"])
        for i in range(n_hubs):
            c = int(place[n_co + i])
            w.writerow([f"hub-{i:05d}", "Hub", f"Hub {i}", COUNTRIES[c], CITIES[c], "",
                        "creative-hub", int(years[n_co + i]), "synthetic"])
    n_member = n_edges // 5
    n_partner = n_edges - n_member
    with open(edges, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["source", "target", "type", "since", "weight"])
        # distinct partner pairs: (i, i + offset) for a few offsets, all valid and unique
        per = -(-n_partner // 8)
        written = 0
        for off in range(1, 9):
            for i in range(min(per, n_co - off, n_partner - written)):
                w.writerow([f"co-{i:07d}", f"co-{i + off:07d}", "PARTNERS_WITH",
                            2000 + (i + off) % 26, float((i * off) % 5 + 1)])
                written += 1
        members = rng.permutation(n_co)[:n_member]
        hubs = rng.integers(0, n_hubs, n_member)
        for co, hub in zip(members.tolist(), hubs.tolist(), strict=True):
            w.writerow([f"co-{co:07d}", f"hub-{hub:05d}", "MEMBER_OF", 2010, ""])
    return nodes, edges, n_nodes, written + n_member


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--dir", type=Path, default=None)
    ap.add_argument("--profile", action="store_true", help="print the top of a cProfile")
    args = ap.parse_args()

    from coco_atlas.graph.embedded.store import EmbeddedStore
    from coco_atlas.importers.tables import import_tables

    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        nodes, edges, n_nodes, n_edges = generate(folder, args.rows)
        print(f"generated {n_nodes:,} node rows + {n_edges:,} edge rows "
              f"({(nodes.stat().st_size + edges.stat().st_size) / 2**20:.0f} MiB) "
              f"in {time.perf_counter() - t0:.1f} s (not timed)")
        store = EmbeddedStore(folder / "bench.db")
        profile = cProfile.Profile() if args.profile else None
        t0, c0 = time.perf_counter(), time.process_time()
        if profile:
            profile.enable()
        report = import_tables(store, nodes=[nodes], edges=[edges])
        if profile:
            profile.disable()
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        counts = store.counts()
        store.close()
    rows = n_nodes + n_edges
    stored = sum(counts["labels"].values()) + sum(counts["relationships"].values())
    assert stored == rows == report.rows, (stored, rows, report.rows)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"imported {rows:,} rows in {seconds:.2f} s: {rows / seconds:,.0f} rows/s "
          f"(floor 100,000), peak RSS {rss:,.0f} MiB")
    print(f"CPU time of the import {cpu:.2f} s ({rows / cpu:,.0f} rows per CPU second; on a "
          f"busy machine wall time exceeds it), load average {os.getloadavg()[0]:.1f}")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
