"""What the Neo4j store's watchdog costs a call: every driver call runs on a worker thread while
the caller waits with a bound (graph/neo4j/store.py, ``Neo4jStore._await``).

    .venv/bin/python benchmarks/neo4j_watchdog.py [--uri bolt://…] [--calls 500]

Starts a Neo4j 5.26 server from the Maven artefacts (graph/neo4j/server) unless --uri is given
(a disposable one: nodes with ids ``bench-*`` are written). Prints a CPU calibration first (the
machine may be shared), then the p50 microseconds of two reads, ``version`` and ``get_nodes`` of
50 ids, through the store and through the bare driver (the same Cypher, a session per call as the
store does), in alternating rounds so that both see the same load.
Floor: the store adds <= 200 µs per call at p50 (a round trip to a local server costs ~1 ms).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import neo4j
from neo4j import GraphDatabase

from coco_atlas.graph.neo4j.store import TIMEOUT, Neo4jStore, _node
from coco_atlas.schema import Node

FLOOR_US = 200
IDS = [f"bench-{i}" for i in range(50)]
VERSION = "MATCH (m:CocoMeta {key: 'meta'}) RETURN m.version AS v"
NODES = ("UNWIND $ids AS i MATCH (n:Entity {id: i}) "
         "RETURN n.id AS id, labels(n) AS labels, properties(n) AS p")


def calibrate() -> float:
    """Seconds for ``sum(range(10_000_000))``: the speed of this core right now."""
    t0 = time.perf_counter()
    sum(range(10_000_000))
    return time.perf_counter() - t0


def bare(driver: neo4j.Driver, query: str, shape: Callable[[list[neo4j.Record]], object],
         **params: object) -> Callable[[], object]:
    """The store's call without the store: the same Cypher, transaction and result shaping."""
    @neo4j.unit_of_work(timeout=TIMEOUT)
    def work(tx: neo4j.ManagedTransaction) -> list[neo4j.Record]:
        return list(tx.run(query, params))

    def call() -> object:
        with driver.session() as s:
            return shape(s.execute_read(work))

    return call


def p50_us(call: Callable[[], object], n: int) -> float:
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        call()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--uri", help="an existing, disposable Neo4j")
    ap.add_argument("--calls", type=int, default=500, help="calls per round")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    server = None
    uri = args.uri
    if uri is None:
        from coco_atlas.graph.neo4j.server.launcher import Neo4jServer

        server = Neo4jServer().start()
        uri = server.uri
    try:
        print(f"CPU calibration: sum(range(10_000_000)) = {calibrate():.3f} s; "
              f"load average {os.getloadavg()[0]:.2f}", flush=True)
        with Neo4jStore(uri) as store, GraphDatabase.driver(
                uri, auth=None, notifications_min_severity="OFF") as driver:
            store.upsert_nodes([Node(i, "Hub", {"name": i, "kind": "creative-hub",
                                                "country": "AT"}) for i in IDS], source="bench")
            pairs = {
                "version": (lambda: store.version,
                            bare(driver, VERSION, lambda rows: int(rows[0]["v"]))),
                "get_nodes(50)": (lambda: store.get_nodes(IDS), bare(
                    driver, NODES, lambda rows: {r["id"]: _node(r) for r in rows}, ids=IDS)),
            }
            for via_store, via_driver in pairs.values():  # warm-up: JIT, pools, lanes
                p50_us(via_store, 50), p50_us(via_driver, 50)
            worst = 0.0
            for name, (via_store, via_driver) in pairs.items():
                rounds = [(p50_us(via_store, args.calls), p50_us(via_driver, args.calls))
                          for _ in range(args.rounds)]
                s, d = (statistics.median(r[k] for r in rounds) for k in (0, 1))
                worst = max(worst, s - d)
                print(f"{name}: store p50 {s:,.0f} µs, bare driver p50 {d:,.0f} µs, "
                      f"added {s - d:+,.0f} µs (floor {FLOOR_US} µs)", flush=True)
        print("OK" if worst <= FLOOR_US else "BELOW FLOOR")
        return 0 if worst <= FLOOR_US else 1
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
