"""GraphQL over HTTP on both stores, against the Neo4j GraphQL Library as the standard peer.

    .venv/bin/python benchmarks/graphql.py [--db PATH | --size medium] [--neo4j URI]
        [--peer URL | --peer start] [--workers N] [--requests 200] [--seconds 8]

The four queries of issue 16 on the demo ecosystem: a 50-row page of companies with their
offered competences and hubs nested (``page``, walking 40 pages by cursor), 20 Austrian
companies offering one competence (``at_offering``), one hub with 20 members (``hub``),
companies per country (``per_country``). For each store — the embedded file served by
``coco serve --workers N``, and with ``--neo4j URI`` the same data in Neo4j (copy it there first
with ``coco migrate DB URI``) — it prints p50/p95 ms and requests/s from one keep-alive client,
then requests/s from 8 clients at once; then, in this process without HTTP, the GraphQL layer's
p50 against the direct store calls that give the same answers (``find``, ``neighbours``,
``get_nodes``, ``count``). ``--peer URL`` replays equivalent queries against a Neo4j
GraphQL Library server on the same Neo4j; ``--peer start`` installs it from the npm registry
into benchmarks/peer/ (``npm install``: @neo4j/graphql 7.6.3, @apollo/server 5.5.1) and starts
it on that Neo4j, with type definitions generated from the schema (benchmarks/peer/typedefs.py).
With a peer, COCO on Neo4j and the peer are then measured once more, one request to each in
turn, and the floor compares those p50s: measured one after the other, a gap of a few tenths of
a millisecond flipped from run to run with the machine's load.

Floors (issue 16), each printed with the CPU calibration: embedded p50 <= 12 ms for ``page``
and <= 5 ms for ``hub``; on Neo4j every query's p50 <= the peer's in the same run; req/s at 8
clients >= 2x issue 16's table for every query on the embedded store; GraphQL p50 <= 2x the
direct store calls for each query.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# This file is named graphql.py, like the graphql-core package strawberry imports: put the
# project root in place of this folder at the head of the import path.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(
    __file__).resolve().parent]

import httpx  # noqa: E402

from benchmarks.common import calibrate, demo_db  # noqa: E402
from tests.server import free_port, running_server  # noqa: E402

HUB = "demo-hub-00200"  # 182 members in the medium demo
COMPETENCE = "demo-comp-business-0095"  # offered by 51 Austrian companies
COUNTRIES = ("AT", "DE", "IT", "PL", "SI", "SK")
PAGES = 40
# issue 16's table: COCO embedded req/s at 8 clients before this work
BEFORE_RPS = {"page": 23, "at_offering": 81, "hub": 63, "per_country": 91}
FLOOR_P50 = {"page": 12.0, "hub": 5.0}

Query = tuple[str, Callable[[int, list[Any]], dict[str, Any]]]
COCO: dict[str, Query] = {
    "page": ("""query($after: String) { companies(first: 50, after: $after) {
        pageInfo { endCursor } nodes { id name country offers { id name } hubs { id name } }
        } }""", lambda i, cursors: {"after": cursors[i % len(cursors)]}),
    "at_offering": ("""query($c: String!) { companies(first: 20, where: { country: { eq: "AT" },
        offers: { id: { eq: $c } } }) { nodes { id name } } }""",
                    lambda i, _: {"c": COMPETENCE}),
    "hub": ("""query($id: ID!) { node(id: $id) { id name ... on Hub {
        members(first: 20) { id name } } } }""", lambda i, _: {"id": HUB}),
    "per_country": ("""{ companies { aggregate(groupBy: ["country"]) { keys count } } }""",
                    lambda i, _: {}),
}
# The same answers from the Neo4j GraphQL Library 7 (sorted by id like COCO's pages; the
# counts per country as six aliased connection counts in one request).
PEER: dict[str, Query] = {
    "page": ("""query($offset: Int) { companies(limit: 50, offset: $offset,
        sort: [{ id: ASC }]) { id name country offers { id name } hubs { id name } } }""",
             lambda i, _: {"offset": 50 * (i % PAGES)}),
    "at_offering": ("""query($c: ID!) { companies(limit: 20, sort: [{ id: ASC }], where: {
        country: { eq: "AT" }, offers: { some: { id: { eq: $c } } } }) { id name } }""",
                    lambda i, _: {"c": COMPETENCE}),
    "hub": ("""query($id: ID!) { hubs(where: { id: { eq: $id } }) { id name
        members(limit: 20, sort: [{ id: ASC }]) { id name } } }""", lambda i, _: {"id": HUB}),
    "per_country": ("{ " + " ".join(
        f'{c}: companiesConnection(where: {{ country: {{ eq: "{c}" }} }}) {{ totalCount }}'
        for c in COUNTRIES) + " }", lambda i, _: {}),
}


# -- over HTTP --------------------------------------------------------------------------------
def post(client: httpx.Client, query: str, variables: dict[str, Any]) -> Any:
    r = client.post("/graphql", json={"query": query, "variables": variables})
    body = r.json()
    if r.status_code != 200 or "errors" in body:
        raise RuntimeError(f"query failed: {str(body)[:500]}")
    return body["data"]


def cursors(url: str) -> list[str | None]:
    """The cursors of the first pages, so that ``page`` reads different rows each time."""
    out: list[str | None] = [None]
    with httpx.Client(base_url=url, timeout=60) as client:
        while len(out) < PAGES:
            page = post(client, COCO["page"][0], {"after": out[-1]})["companies"]
            out.append(page["pageInfo"]["endCursor"])
    return out


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def one_client(url: str, queries: dict[str, Query], requests: int, pages: list[Any]
               ) -> dict[str, tuple[float, float, float]]:
    """Per query: p50 ms, p95 ms and requests/s, one keep-alive client, one request at a time."""
    out = {}
    with httpx.Client(base_url=url, timeout=60) as client:
        for name, (query, variables) in queries.items():
            for i in range(5):  # warm-up: parsed documents, caches, JIT on the peer
                post(client, query, variables(i, pages))
            samples = []
            for i in range(requests):
                v = variables(i, pages)
                t0 = time.perf_counter()
                post(client, query, v)
                samples.append((time.perf_counter() - t0) * 1000)
            p50, p95 = percentiles(samples)
            out[name] = (p50, p95, 1000 * len(samples) / sum(samples))
    return out


def many_clients(url: str, query: Query, clients: int, seconds: float,
                 pages: list[Any]) -> float:
    """Requests/s of one query from ``clients`` keep-alive clients at once."""
    done = [0] * clients
    start = threading.Barrier(clients + 1)
    stop = [float("inf")]
    errors: list[Exception] = []

    def run(k: int) -> None:
        try:
            with httpx.Client(base_url=url, timeout=120) as client:
                post(client, query[0], query[1](k, pages))  # connect before the clock starts
                start.wait()
                while time.monotonic() < stop[0]:
                    post(client, query[0], query[1](k + done[k] * clients, pages))
                    done[k] += 1
        except Exception as e:
            errors.append(e)
            start.abort()
            stop[0] = 0.0

    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    with suppress(threading.BrokenBarrierError):
        start.wait()
    stop[0] = min(stop[0], time.monotonic() + seconds)
    t0 = time.monotonic()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return sum(done) / (time.monotonic() - t0)


def alternated(coco: str, peer: str, pages: list[Any], requests: int
               ) -> dict[str, tuple[float, float]]:
    """Per query: p50 ms of COCO and of the peer, one request to each in turn, so that both
    meet the same moments of a shared machine (measured one after the other, a difference of
    a few tenths of a millisecond flipped between runs)."""
    def request(client: httpx.Client, query: Query, given: list[Any]) -> Callable[[int], Any]:
        return lambda i: post(client, query[0], query[1](i, given))

    with httpx.Client(base_url=coco, timeout=60) as mine, \
            httpx.Client(base_url=peer, timeout=60) as theirs:
        return {name: in_turn(request(mine, COCO[name], pages),
                              request(theirs, PEER[name], []), requests) for name in COCO}


def in_turn(first: Callable[[int], Any], second: Callable[[int], Any],
            requests: int) -> tuple[float, float]:
    """p50 ms of two calls made one after the other ``requests`` times, after five warm-up
    rounds: both meet the same load."""
    samples: tuple[list[float], list[float]] = ([], [])
    for i in range(-5, requests):
        for call, times in zip((first, second), samples, strict=True):
            t0 = time.perf_counter()
            call(i)
            if i >= 0:
                times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples[0]), statistics.median(samples[1])


def over_http(url: str, queries: dict[str, Query], pages: list[Any], requests: int,
              seconds: float) -> dict[str, tuple[float, float, float, float]]:
    """Per query: p50, p95, req/s with one client, req/s with 8."""
    single = one_client(url, queries, requests, pages)
    return {name: (*single[name], many_clients(url, q, 8, seconds, pages))
            for name, q in queries.items()}


# -- in this process: the GraphQL layer against direct store calls ----------------------------
def in_process(store: Any, pages: list[Any], requests: int) -> dict[str, tuple[float, float]]:
    """Per query: p50 ms of executing the GraphQL document (no HTTP) and of the direct store
    calls that give the same answers."""
    from coco_atlas.api.graphql.context import Context, GraphCache
    from coco_atlas.api.graphql.schema import build_schema
    from coco_atlas.api.settings import resolve
    from coco_atlas.graph.query import And, Cond

    schema = build_schema(resolve({}))
    cache = GraphCache()
    loop = asyncio.new_event_loop()  # one loop for all runs, as a server thread has

    def graphql(name: str) -> Callable[[int], Any]:
        query, variables = COCO[name]

        def run(i: int) -> Any:
            ctx = Context(request=None, response=None, store=store,  # type: ignore[arg-type]
                          settings={}, cache=cache, writer=None, denied=None)
            result = loop.run_until_complete(schema.execute(
                query, variable_values=variables(i, pages), context_value=ctx))
            if result.errors:
                raise RuntimeError(result.errors)
            return result.data
        return run

    def page(i: int) -> Any:
        found = store.find("Company", first=50, after=pages[i % len(pages)], count=False)
        ids = [n.id for n in found.items]
        nbs = store.neighbours(ids, ["OFFERS", "MEMBER_OF"], "out")
        return [{"id": n.id, "name": n.props["name"], "country": n.props.get("country"),
                 "offers": [{"id": b.node.id, "name": b.node.props["name"]} for b in nbs[n.id]
                            if b.edge.type == "OFFERS"],
                 "hubs": [{"id": b.node.id, "name": b.node.props["name"]} for b in nbs[n.id]
                          if b.edge.type == "MEMBER_OF"]} for n in found.items]

    def at_offering(i: int) -> Any:
        offerers = [b.node.id for b in store.neighbours([COMPETENCE], ["OFFERS"], "in")[
            COMPETENCE] if b.node.label == "Company"]
        found = store.find("Company", And((Cond("country", "eq", "AT"),
                                           Cond("id", "in", offerers))), first=20, count=False)
        return [{"id": n.id, "name": n.props["name"]} for n in found.items]

    def hub(i: int) -> Any:
        node = store.get_nodes([HUB])[HUB]
        members = sorted((b.node for b in store.neighbours([HUB], ["MEMBER_OF"], "in")[HUB]),
                         key=lambda n: n.id)[:20]
        return {"id": node.id, "name": node.props["name"],
                "members": [{"id": m.id, "name": m.props["name"]} for m in members]}

    def per_country(i: int) -> Any:  # one count per country (the demo has these six)
        return Counter({c: store.count("Company", Cond("country", "eq", c))
                        for c in COUNTRIES}).most_common()

    direct: dict[str, Callable[[int], Any]] = {
        "page": page, "at_offering": at_offering, "hub": hub, "per_country": per_country}
    out = {name: in_turn(graphql(name), direct[name], requests) for name in COCO}
    loop.close()
    return out


# -- the peer -------------------------------------------------------------------------------
@contextmanager
def started_peer(neo4j_uri: str) -> Iterator[str]:
    """Install (npm, once) and start the Neo4j GraphQL Library server on ``neo4j_uri``."""
    from benchmarks.peer.typedefs import typedefs

    peer = ROOT / "benchmarks" / "peer"
    if not (peer / "node_modules" / "@neo4j" / "graphql").exists():
        print("installing the peer from the npm registry (benchmarks/peer) …", flush=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=peer, check=True)
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        defs = Path(tmp) / "typedefs.graphql"
        defs.write_text(typedefs(), encoding="utf-8")
        proc = subprocess.Popen(["node", "server.mjs"], cwd=peer, env={
            **os.environ, "NEO4J_URI": neo4j_uri, "TYPEDEFS": str(defs), "PORT": str(port)})
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                if proc.poll() is not None:
                    raise RuntimeError("the peer exited; see its output above")
                try:
                    with httpx.Client(base_url=url, timeout=5) as c:
                        post(c, "{ __typename }", {})
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("the peer did not answer in 120 s") from None
                    time.sleep(0.3)
            yield url + "/"
        finally:
            proc.terminate()
            proc.wait(timeout=20)


# -- report -----------------------------------------------------------------------------------
def table(title: str, rows: dict[str, tuple[float, float, float, float]]) -> None:
    print(f"\n{title}")
    print(f"  {'query':<12} {'p50 ms':>8} {'p95 ms':>8} {'req/s 1':>8} {'req/s 8':>8}")
    for name, (p50, p95, r1, r8) in rows.items():
        print(f"  {name:<12} {p50:8.1f} {p95:8.1f} {r1:8.0f} {r8:8.0f}")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="medium", choices=["small", "medium", "large"])
    ap.add_argument("--db", type=Path, default=None, help="the embedded store to serve")
    ap.add_argument("--neo4j", default=None, help="a Neo4j holding the same data (bolt://…)")
    ap.add_argument("--peer", default=None, help="a Neo4j GraphQL Library URL, or 'start'")
    ap.add_argument("--workers", type=int, default=0, help="coco serve --workers (0: per core)")
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=8.0, help="per query at 8 clients")
    args = ap.parse_args()
    if args.peer and not args.neo4j:
        ap.error("--peer needs --neo4j: the peer reads the same Neo4j")
    db = demo_db(args.size, 42, args.db)
    print(f"calibration: sum(range(10_000_000)) = {calibrate():.3f} s "
          f"(figures are relative to it; the machine is shared)", flush=True)
    serve = ("--workers", str(args.workers))
    results: dict[str, dict[str, tuple[float, float, float, float]]] = {}
    with running_server(db, *serve, env={"COCO_NEO4J_URI": ""}, timeout=180) as url:
        pages = cursors(url)
        results["embedded"] = over_http(url, COCO, pages, args.requests, args.seconds)
    table(f"COCO Atlas, embedded store ({db}), coco serve --workers {args.workers or 'auto'}:",
          results["embedded"])
    paired: dict[str, tuple[float, float]] = {}
    if args.neo4j:
        with running_server(db, *serve, env={"COCO_NEO4J_URI": args.neo4j},
                            timeout=180) as url, \
                (started_peer(args.neo4j) if args.peer == "start" else _given(args.peer)) as peer:
            pages = cursors(url)
            results["neo4j"] = over_http(url, COCO, pages, args.requests, args.seconds)
            table(f"COCO Atlas on Neo4j ({args.neo4j}):", results["neo4j"])
            if peer:
                results["peer"] = over_http(peer, PEER, [], args.requests, args.seconds)
                table(f"peer: Neo4j GraphQL Library 7.6.3 on Apollo Server 5.5.1 ({peer}):",
                      results["peer"])
                paired = alternated(url, peer, pages, args.requests)
                print("\nCOCO Atlas on Neo4j and the peer, requests alternated (one client "
                      "each):")
                print(f"  {'query':<12} {'COCO p50':>8} {'peer p50':>8}")
                for name, (mine, theirs) in paired.items():
                    print(f"  {name:<12} {mine:8.1f} {theirs:8.1f}")

    print("\nthe GraphQL layer against direct store calls (in this process, no HTTP):")
    print(f"  {'store':<9} {'query':<12} {'GraphQL p50':>11} {'direct p50':>10} {'ratio':>6}")
    ratios_ok = True
    stores = [("embedded", lambda: _embedded(db))]
    if args.neo4j:
        stores.append(("neo4j", lambda: _neo4j(args.neo4j)))
    for kind, opener in stores:
        store = opener()
        try:
            layer = in_process(store, _store_cursors(store), max(50, args.requests // 4))
        finally:
            store.close()
        for name, (g, d) in layer.items():
            ratios_ok &= g <= 2 * d
            print(f"  {kind:<9} {name:<12} {g:11.1f} {d:10.1f} {g / d:6.2f}")

    print("\nfloors (issue 16):")
    emb = results["embedded"]
    ok = ratios_ok
    for name, limit in FLOOR_P50.items():
        good = emb[name][0] <= limit
        ok &= good
        print(f"  embedded {name} p50 <= {limit:g} ms: {emb[name][0]:.1f}  {verdict(good)}")
    for name, before in BEFORE_RPS.items():
        good = emb[name][3] >= 2 * before
        ok &= good
        print(f"  embedded {name} req/s at 8 clients >= 2 x {before}: {emb[name][3]:.0f}  "
              f"{verdict(good)}")
    for name, (mine, theirs) in paired.items():
        good = mine <= theirs
        ok &= good
        print(f"  Neo4j {name} p50 <= the peer's (alternated): {mine:.1f} vs {theirs:.1f}  "
              f"{verdict(good)}")
    print(f"  GraphQL p50 <= 2 x direct store calls, every query: {verdict(ratios_ok)}")
    return 0 if ok else 1


@contextmanager
def _given(url: str | None) -> Iterator[str | None]:
    yield url


def _embedded(db: Path) -> Any:
    from coco_atlas.graph.embedded.store import EmbeddedStore

    return EmbeddedStore(db)


def _neo4j(uri: str) -> Any:
    from coco_atlas.graph.neo4j.store import Neo4jStore

    return Neo4jStore(uri)


def _store_cursors(store: Any) -> list[str | None]:
    out: list[str | None] = [None]
    while len(out) < PAGES:
        out.append(store.find("Company", first=50, after=out[-1], count=False).end_cursor)
    return out


if __name__ == "__main__":
    sys.exit(main())
