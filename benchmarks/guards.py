"""Time to refuse the hostile queries of issue 11: fragment fan-out and duplicated fields.

    .venv/bin/python benchmarks/guards.py [--size small] [--seed 42] [--db PATH] [--requests 50]

Serves the demo ecosystem with ``coco serve`` (default limits) and sends, ``--requests`` times
each, from one keep-alive client:

* ``fanout20/30/40``: ``F_i`` spreads ``F_{i-1}`` twice, 20/30/40 levels (2^n fields once
  expanded, under 2 kB of text): the depth limiter and the node budget used to walk every
  expansion, so 39 levels kept a core busy for more than ten minutes;
* ``dup1249``: ``{ a: __typename __typename … }``, 1,249 copies of one field, and ``dup600x2``:
  600 copies of ``hubs { totalCount }`` — graphql-core's field-overlap rule is quadratic in
  them (seconds each before the field limit);
* ``limit300``: 150 copies of ``hubs { totalCount }``, exactly at the default field limit:
  accepted, validated and run — about the most a query at the limit costs, for comparison.

Prints a CPU calibration first (the machine may be shared), then p50 / max milliseconds per
query and whether each was refused with ``QUERY_TOO_COMPLEX``. Floor (issue 11): p50 <= 100 ms
to refuse the 40-level fan-out.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# benchmarks/graphql.py would shadow the graphql-core package: put the project root in place
# of this folder at the head of the import path (as benchmarks/graphql.py does).
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(
    __file__).resolve().parent]

import httpx  # noqa: E402

from benchmarks.common import calibrate, demo_db  # noqa: E402
from tests.server import running_server  # noqa: E402

FLOOR_MS = 100.0
SERIAL = itertools.count()


def fan_out(levels: int) -> str:
    defs = ["fragment F0 on Query { __typename }"]
    defs += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)]
    return f"{{ ...F{levels} }} " + " ".join(defs)


def copies(unit: str, n: int) -> str:
    return "{ a: " + " ".join([unit] * n) + " }"


QUERIES: dict[str, str] = {
    "fanout20": fan_out(20),
    "fanout30": fan_out(30),
    "fanout40": fan_out(40),
    "dup1249": copies("__typename", 1249),
    "dup600x2": copies("hubs { totalCount }", 600),
    "limit300": copies("hubs { totalCount }", 150),
}


def measure(client: httpx.Client, query: str, requests: int) -> tuple[float, float, str]:
    """p50 ms, max ms and the outcome (the error code, or ``ok``) of ``requests`` sends.

    Each send names its operation differently, so that neither the parser cache nor the
    validation cache answers (an attacker would vary the text the same way)."""
    samples, outcome = [], ""
    for _ in range(requests):
        named = f"query Q{next(SERIAL)} {query}"
        t0 = time.perf_counter()
        reply = client.post("/graphql", json={"query": named})
        samples.append((time.perf_counter() - t0) * 1000)
        body = reply.json()
        outcome = body["errors"][0].get("extensions", {}).get("code", "uncoded") \
            if body.get("errors") else "ok"
    return statistics.median(samples), max(samples), outcome


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="small", choices=["small", "medium", "large"])
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--requests", type=int, default=50)
    args = ap.parse_args()
    db = demo_db(args.size, args.seed, args.db)
    print(f"CPU calibration: sum(range(10_000_000)) = {calibrate():.3f} s; "
          f"load average {os.getloadavg()[0]:.2f}")
    results = {}
    with running_server(db, timeout=120) as url, httpx.Client(base_url=url, timeout=120) as c:
        for name, query in QUERIES.items():
            measure(c, query, 2)  # warm-up: the first request of a kind pays for imports
            results[name] = measure(c, query, args.requests)
    print(f"\n{args.requests} requests per query, one keep-alive client, default limits:")
    print(f"{'query':<10} {'bytes':>6} {'p50 ms':>8} {'max ms':>8}  outcome")
    for name, (p50, worst, outcome) in results.items():
        print(f"{name:<10} {len(QUERIES[name]):6} {p50:8.1f} {worst:8.1f}  {outcome}")
    p50, _, outcome = results["fanout40"]
    ok = p50 <= FLOOR_MS and outcome == "QUERY_TOO_COMPLEX"
    print(f"\nfloor p50 <= {FLOOR_MS:.0f} ms to refuse the 40-level fan-out: {p50:.1f} ms, "
          f"{'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
