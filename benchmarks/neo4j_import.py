"""Neo4j store floors: import the demo ecosystems into the test Neo4j and page through them.

    .venv/bin/python benchmarks/neo4j_import.py [--sizes medium large] [--uri bolt://…]

Starts a Neo4j 5.26 server from the Maven artefacts (graph/neo4j/server) unless --uri is given,
imports each size into an emptied database through the Store contract (one bulk write), and
prints rows/s (nodes + edges written / wall seconds from the first batch to the commit; the
batches are generated before) and the p50 of a 50-row paged find of companies with a filter and
a sort, walked with cursors twice: right after the commit (after a multi-GiB transaction the
server is still busy for a while) and again. The small demo is imported first, untimed
(``--warmup``): a fresh JVM runs Neo4j's write path interpreted for its first seconds, which a
running server has long left behind.
Floor (issue 3): >= 50k rows/s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coco_atlas.graph.neo4j.store import Neo4jStore
from coco_atlas.graph.query import Cond, SortKey
from coco_atlas.graph.store import Transaction
from coco_atlas.importers.demo.generator import generate


def empty(uri: str) -> None:
    from neo4j import GraphDatabase

    with GraphDatabase.driver(uri, auth=None) as driver, driver.session() as s:
        s.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 20000 ROWS").consume()


def import_size(uri: str, size: str) -> tuple[int, float]:
    """Rows written and wall seconds from the first batch to the commit (batches made before)."""
    empty(uri)
    batches = [(b.nodes, b.edges) for b in generate(size, 42)]
    with Neo4jStore(uri) as store:
        t0 = time.perf_counter()
        with store.bulk(f"benchmark {size}") as writer:
            for nodes, edges in batches:
                total = writer.write(Transaction(writer.source, nodes, edges))
        spent = time.perf_counter() - t0
    return total.records, spent


def server_ceiling(uri: str, nodes: int, rels: int) -> float:
    """Rows/s of the server alone: one transaction creating ``nodes`` nodes and ``rels``
    relationships from values Cypher generates itself (no client, no parameters, no lookups by
    id), committed. What no Bolt client can beat on this machine."""
    from neo4j import GraphDatabase

    empty(uri)
    with GraphDatabase.driver(uri, auth=None, notifications_min_severity="OFF") as driver, \
            driver.session() as s:
        t0 = time.perf_counter()
        with s.begin_transaction() as tx:
            tx.run("UNWIND range(0, $n - 1) AS i CREATE (:Entity:Company {id: 'ceiling-' + i, "
                   "name: 'Company ' + i, country: 'AT', city: 'Wien', sizeClass: 'small', "
                   "foundedYear: 2000 + i % 20, source: 'ceiling', updatedAt: '2026'})",
                   n=nodes).consume()
            tx.run("MATCH (n:Company) WITH collect(n) AS ns UNWIND range(0, $m - 1) AS i "
                   "WITH ns[i % size(ns)] AS a, ns[(i * 7919 + 1) % size(ns)] AS b "
                   "CREATE (a)-[:PARTNERS_WITH {since: 2020, source: 'ceiling', "
                   "updatedAt: '2026'}]->(b)", m=rels).consume()
            tx.commit()
        spent = time.perf_counter() - t0
    empty(uri)
    return (nodes + rels) / spent


def paged_find(uri: str, pages: int = 40) -> float:
    """p50 seconds of one 50-row page (Austrian companies by name), following cursors."""
    times = []
    with Neo4jStore(uri) as store:
        after = None
        for _ in range(pages):
            t0 = time.perf_counter()
            page = store.find("Company", Cond("country", "eq", "AT"), [SortKey("name")], 50, after)
            times.append(time.perf_counter() - t0)
            after = page.end_cursor
            if not page.has_next:
                break
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=["medium", "large"])
    ap.add_argument("--uri", help="an existing, disposable Neo4j (it is emptied!)")
    ap.add_argument("--heap", default="6g", help="heap of the started server")
    ap.add_argument("--ceiling", action="store_true", help="also measure what the server "
                    "alone writes per second on this machine (see server_ceiling)")
    ap.add_argument("--warmup", default="small", help="size imported first, untimed, so that "
                    "the server's JIT has compiled its write path as in a running server "
                    "('' for none)")
    args = ap.parse_args()
    server = None
    uri = args.uri
    if uri is None:
        from coco_atlas.graph.neo4j.server.launcher import Neo4jServer

        server = Neo4jServer(heap=args.heap, pagecache="2g")
        server.start()
        uri = server.uri
    try:
        if args.warmup:
            rows, seconds = import_size(uri, args.warmup)
            print(f"warm-up ({args.warmup}, not a measurement): {rows:,} rows in {seconds:.1f} s",
                  flush=True)
        for size in args.sizes:
            rows, seconds = import_size(uri, size)
            first, again = paged_find(uri), paged_find(uri)
            print(f"{size}: {rows:,} rows in {seconds:.1f} s = {rows / seconds:,.0f} rows/s "
                  f"(floor 50,000); paged find p50 {first * 1000:.1f} ms right after the "
                  f"commit, {again * 1000:.1f} ms walking the pages again", flush=True)
            if args.ceiling:
                rate = server_ceiling(uri, rows // 8, rows - rows // 8)
                print(f"{size}: server-only ceiling {rate:,.0f} rows/s (the same number of "
                      f"rows created by Cypher itself, one transaction)", flush=True)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
