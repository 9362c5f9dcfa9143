"""GraphQL over HTTP against uvicorn on the demo ecosystem, and the same answers from the store.

    .venv/bin/python benchmarks/graphql.py [--size medium] [--seed 42] [--db PATH]
                                           [--requests 200] [--clients 4]

Generates the demo into ``--db`` when the file does not exist, serves it with ``coco serve``
(uvicorn, one process), warms every query up, then sends a fixed mix of queries one after the
other from one keep-alive client and prints p50/p95 latency and requests/s per query; then the
whole mix from ``--clients`` concurrent clients (throughput); then the same questions answered
in this process by calling the Store contract directly (``find``, ``neighbours``, …) and the
search / aggregate / path code behind the API, for the cost of the GraphQL layer itself.
Floor (issue 4): p50 <= 25 ms for a 50-row page with two nested relations (``page50``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# This file is named graphql.py, like the graphql-core package strawberry imports: put the
# project root in place of this folder at the head of the import path.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(
    __file__).resolve().parent]

import httpx  # noqa: E402

from benchmarks.common import demo_db  # noqa: E402
from tests.server import running_server  # noqa: E402

FLOOR_MS = 25.0
PAGE50 = """query($after: String) { companies(first: 50, after: $after) {
  pageInfo { endCursor }
  nodes { id name country offers { id name } hubs { id name } } } }"""
QUERIES: dict[str, tuple[str, dict[str, Any]]] = {
    "page50": (PAGE50, {}),
    "node_nested": ("""query($id: ID!) { node(id: $id) { id name ... on Hub {
        members(first: 20) { name sizeClass } trainings { name area }
        partnersConnection(first: 10) { totalCount edges { weight node { name } } } } } }""",
                    {"id": "demo-hub-00000"}),
    "filter_rel": ("""{ companies(first: 20, where: { country: { eq: "AT" },
        sectors: { within: { id: { eq: "C" } } } }) { totalCount nodes { id name } } }""", {}),
    "search": ("""{ search(text: "lodz design", first: 10) { score node { id name } } }""", {}),
    "aggregate": ("""{ companies { aggregate(groupBy: ["sectors.broader*[level=1].id",
        "country"]) { keys count } } }""", {}),
    "path": ("""{ shortestPath(from: "demo-hub-00000", to: "demo-hub-00004", maxHops: 6) {
        length nodes { id name } } }""", {}),
}


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def over_http(url: str, requests: int) -> dict[str, tuple[float, float, float]]:
    """Per query: p50 ms, p95 ms, requests/s, one client sending one request at a time."""
    out = {}
    with httpx.Client(base_url=url, timeout=60) as client:
        cursors = _cursors(client, requests)
        for name, (query, variables) in QUERIES.items():
            for _ in range(5):  # warm-up: caches, parsed documents, SQLite pages
                _post(client, query, variables)
            samples = []
            for i in range(requests):
                v = {"after": cursors[i % len(cursors)]} if name == "page50" else variables
                t0 = time.perf_counter()
                _post(client, query, v)
                samples.append((time.perf_counter() - t0) * 1000)
            p50, p95 = percentiles(samples)
            out[name] = (p50, p95, 1000 * len(samples) / sum(samples))
    return out


def _cursors(client: httpx.Client, n: int) -> list[str | None]:
    """Cursors of the first pages, so that page50 reads different rows each time."""
    cursors: list[str | None] = [None]
    while len(cursors) < min(n, 40):
        page = _post(client, PAGE50, {"after": cursors[-1]})["companies"]
        cursors.append(page["pageInfo"]["endCursor"])
    return cursors


def _post(client: httpx.Client, query: str, variables: dict[str, Any]) -> Any:
    r = client.post("/graphql", json={"query": query, "variables": variables})
    body = r.json()
    if r.status_code != 200 or "errors" in body:
        raise RuntimeError(f"query failed: {body}")
    return body["data"]


def concurrent(url: str, clients: int, seconds: float = 10.0) -> float:
    """Requests/s of the whole mix from several clients at once."""
    done = [0] * clients
    stop = time.monotonic() + seconds

    def run(k: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            names = list(QUERIES)
            while time.monotonic() < stop:
                query, variables = QUERIES[names[done[k] % len(names)]]
                _post(client, query, variables)
                done[k] += 1

    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / seconds


def direct(db: Path, requests: int) -> dict[str, tuple[float, float]]:
    """The same questions answered in-process from the store (no HTTP, no GraphQL)."""
    from coco_atlas.api.graphql import aggregate, paths
    from coco_atlas.api.graphql.context import GraphCache
    from coco_atlas.api.graphql.graphdata import arrays
    from coco_atlas.graph.embedded.store import EmbeddedStore
    from coco_atlas.graph.query import And, Cond
    from coco_atlas.graph.search import SearchIndex

    store = EmbeddedStore(db)
    cache = GraphCache()
    ctx = SimpleNamespace(store=store, memo={}, cached=lambda k, b: cache.get(store.version, k, b))
    ctx.memoised = lambda k, b: ctx.memo.setdefault(k, b())
    pages = [p.end_cursor for p in _store_pages(store)]

    def page50(i: int) -> None:
        page = store.find("Company", first=50, after=pages[i % len(pages)])
        ids = [n.id for n in page.items]
        store.neighbours(ids, ["OFFERS"], "out")
        store.neighbours(ids, ["MEMBER_OF"], "out")

    def node_nested(i: int) -> None:
        store.get_nodes(["demo-hub-00000"])
        for rel, way in (("MEMBER_OF", "in"), ("PROVIDES", "out"), ("PARTNERS_WITH", "out")):
            store.neighbours(["demo-hub-00000"], [rel], way)

    def filter_rel(i: int) -> None:  # what filters._related and _within do
        ga = arrays(ctx)
        within = ga.closure(ga.positions(["C"]), ["BROADER"], "in")
        owners = ga.linked(within, "IN_SECTOR", "in")
        ids = ga.id_list(owners[ga.label_mask(["Company"])[owners]])
        store.find("Company", And((Cond("country", "eq", "AT"), Cond("id", "in", ids))),
                   first=20)

    index = ctx.cached("search", lambda: SearchIndex(store.iter_nodes()))
    calls: dict[str, Callable[[int], Any]] = {
        "page50": page50,
        "node_nested": node_nested,
        "filter_rel": filter_rel,
        "search": lambda i: index.search("lodz design", first=10),
        "aggregate": lambda i: aggregate.group_counts(
            ctx, "Company", None, ["sectors.broader*[level=1].id", "country"]),
        "path": lambda i: paths.shortest_path(ctx, "demo-hub-00000", "demo-hub-00004",
                                              max_hops=6),
    }
    out = {}
    for name, call in calls.items():
        for i in range(3):
            call(i)
        samples = []
        for i in range(requests):
            t0 = time.perf_counter()
            call(i)
            samples.append((time.perf_counter() - t0) * 1000)
        out[name] = percentiles(samples)
    store.close()
    return out


def _store_pages(store: Any) -> list[Any]:
    pages = [SimpleNamespace(end_cursor=None)]
    while len(pages) < 40:
        pages.append(store.find("Company", first=50, after=pages[-1].end_cursor))
    return pages


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="medium", choices=["small", "medium", "large"])
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--clients", type=int, default=4)
    args = ap.parse_args()
    db = demo_db(args.size, args.seed, args.db)
    with running_server(db, timeout=120) as url:
        http = over_http(url, args.requests)
        rps = concurrent(url, args.clients)
    store = direct(db, args.requests)
    print(f"\nGraphQL on the {args.size} demo ({db}), {args.requests} requests per query, "
          "one client, keep-alive:")
    print(f"{'query':<12} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8}   "
          f"{'store p50':>9} {'store p95':>9}")
    for name, (p50, p95, r) in http.items():
        s50, s95 = store[name]
        print(f"{name:<12} {p50:8.1f} {p95:8.1f} {r:8.0f}   {s50:9.1f} {s95:9.1f}")
    print(f"\nmix from {args.clients} concurrent clients: {rps:.0f} requests/s")
    ok = http["page50"][0] <= FLOOR_MS
    print(f"floor p50 <= {FLOOR_MS:.0f} ms for page50 (50 rows, two nested relations): "
          f"{http['page50'][0]:.1f} ms, {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
