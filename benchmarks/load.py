"""Load with writes and an import beside it: throughput, latency, errors and lost data.

    .venv/bin/python benchmarks/load.py [--size small] [--db PATH] [--clients 1 8 32]
                                        [--seconds 15] [--import-rows 50000]

Serves the demo ecosystem with ``coco serve`` (one process, a write token), then for each
number of clients runs, for ``--seconds``, a mix of GraphQL requests from that many concurrent
clients — a 50-row page with two nested relations, a node lookup, a search and, one request in
ten, a ``createNodes`` write — while ``coco import csv`` writes ``--import-rows`` new companies
into the same store file from another process. It prints requests/s, p50/p99 latency per kind
and every error (HTTP status >= 400 or a GraphQL error). Then it checks, against the SQLite file
read directly, that every write the server acknowledged and every imported row is stored, and
that the server's own counts (``/-/stats.json``) equal the file's.

Floor (issue 11): 0 errors and nothing lost at 32 clients with an import running beside it.
The first line is a CPU calibration (the machine is shared: read figures relative to it).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(
    __file__).resolve().parent]

import httpx  # noqa: E402

from benchmarks.common import calibrate, demo_db  # noqa: E402
from tests.server import running_server  # noqa: E402

TOKEN = "load-benchmark-secret-0123456789"
PAGE = """query($after: String) { companies(first: 50, after: $after) {
  pageInfo { endCursor } nodes { id name country offers { id name } hubs { id name } } } }"""
LOOKUP = """query($id: ID!) {
  node(id: $id) { id name ... on Hub { members(first: 20) { name } } } }"""
SEARCH = """query($t: String!) { search(text: $t, first: 10) { score node { id name } } }"""
WRITE = """mutation($n: [NodeInput!]!) { createNodes(nodes: $n) { id } }"""
TERMS = ["lodz design", "kosice", "wien", "robotics", "media studio", "ljubljana"]
RUN = f"{int(time.time()):x}"  # ids of this run's writes are new even in a reused store


class Tally:
    """Latencies per kind of request, errors, and the ids of acknowledged writes."""

    def __init__(self) -> None:
        self.ms: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.written: list[str] = []


async def client_loop(http: httpx.AsyncClient, k: int, level: int, stop: float,
                      hubs: list[str], tally: Tally) -> None:
    n, cursor = 0, None
    while time.monotonic() < stop:
        n += 1
        kind = "write" if (n + k) % 10 == 0 else ("page", "lookup", "search")[n % 3]
        body: dict[str, Any]
        headers = {}
        if kind == "page":
            body = {"query": PAGE, "variables": {"after": cursor}}
        elif kind == "lookup":
            body = {"query": LOOKUP, "variables": {"id": hubs[n % len(hubs)]}}
        elif kind == "search":
            body = {"query": SEARCH, "variables": {"t": TERMS[n % len(TERMS)]}}
        else:
            new_id = f"load-{RUN}-{level}-{k}-{n}"
            body = {"query": WRITE, "variables": {"n": [{"id": new_id, "label": "Hub",
                                                         "properties": {
                                                             "name": f"Load hub {new_id}",
                                                             "kind": "cluster",
                                                             "country": "AT"}}]}}
            headers = {"Authorization": f"Bearer {TOKEN}"}
        started = time.perf_counter()
        try:
            reply = await http.post("/graphql", json=body, headers=headers)
            data = reply.json()
        except (httpx.HTTPError, ValueError) as e:
            tally.errors.append(f"{kind}: {type(e).__name__}: {e}")
            continue
        tally.ms[kind].append((time.perf_counter() - started) * 1000)
        if reply.status_code >= 400 or data.get("errors"):
            tally.errors.append(f"{kind}: HTTP {reply.status_code} {str(data)[:200]}")
            continue
        if kind == "page":
            cursor = data["data"]["companies"]["pageInfo"]["endCursor"]
        elif kind == "write":
            tally.written.append(new_id)


async def run_level(base: str, clients: int, seconds: float, hubs: list[str]) -> Tally:
    tally = Tally()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as http:
        stop = time.monotonic() + seconds
        await asyncio.gather(*(client_loop(http, k, clients, stop, hubs, tally)
                               for k in range(clients)))
    return tally


def companies_csv(path: Path, rows: int, prefix: str) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "label", "name", "country"])
        w.writerows([f"{prefix}-{i}", "Company", f"Imported {prefix} {i}", "AT"]
                    for i in range(rows))
    return path


def report(clients: int, seconds: float, tally: Tally, import_s: float) -> None:
    total = sum(len(v) for v in tally.ms.values())
    print(f"\n{clients} client(s): {total / seconds:,.1f} req/s, {len(tally.errors)} errors, "
          f"{len(tally.written)} writes acknowledged; import beside it took {import_s:.1f} s")
    for kind, samples in sorted(tally.ms.items()):
        ordered = sorted(samples)
        p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
        print(f"  {kind:7} n={len(samples):6}  p50 {statistics.median(ordered):8.1f} ms  "
              f"p99 {p99:8.1f} ms")
    for e in tally.errors[:10]:
        print(f"  error: {e}")


def check(db: Path, base: str, written: list[str], imported: list[str]) -> list[str]:
    """What the server acknowledged or the import wrote but the file lacks; counts that
    differ between the server and the file."""
    with sqlite3.connect(db) as con:
        ids = {i for (i,) in con.execute("SELECT id FROM nodes")}
        file_counts = dict(con.execute(
            "SELECT l.name, count(*) FROM nodes n JOIN labels l ON l.code = n.label "
            "GROUP BY l.name"))
    lost = [i for i in [*written, *imported] if i not in ids]
    served = httpx.get(base + "/-/stats.json", timeout=60).json()["labels"]
    differ = [f"{label}: server {n}, file {file_counts.get(label, 0)}"
              for label, n in served.items() if n != file_counts.get(label, 0)]
    return [f"lost {i}" for i in lost[:20]] + (
        [f"... {len(lost)} lost in all"] if len(lost) > 20 else []) + differ


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="small", choices=["small", "medium"])
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--import-rows", type=int, default=50_000)
    args = ap.parse_args()
    print(f"calibration: sum(range(10M)) took {calibrate():.2f} s")
    work = Path(tempfile.mkdtemp(prefix="coco-load-"))
    db = demo_db(args.size, db=args.db or work / f"load-{args.size}.db")
    with sqlite3.connect(db) as con:
        hubs = [i for (i,) in con.execute(
            "SELECT n.id FROM nodes n JOIN labels l ON l.code = n.label WHERE l.name = 'Hub' "
            "AND n.id NOT LIKE 'load-%' LIMIT 50")]
    env = {"COCO_API_TOKENS": f"load:{TOKEN}", "COCO_WRITE_WAIT": "60"}
    failures: list[str] = []
    with running_server(db, env=env, log=work / "server.log") as base:
        for clients in args.clients:
            prefix = f"imp{clients}-{int(time.time())}"
            rows = companies_csv(work / f"{prefix}.csv", args.import_rows, prefix)
            started = time.monotonic()
            importer = subprocess.Popen(
                [sys.executable, "-m", "coco_atlas.api.cli", "import", "csv", "--nodes", str(rows),
                 "--db", str(db)], cwd=ROOT, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, text=True)
            tally = asyncio.run(run_level(base, clients, args.seconds, hubs))
            _, stderr = importer.communicate()
            if importer.returncode != 0:
                failures.append(f"import beside {clients} clients failed: {stderr.strip()}")
            report(clients, args.seconds, tally, time.monotonic() - started)
            problems = check(db, base, tally.written,
                             [f"{prefix}-{i}" for i in range(args.import_rows)])
            for p in problems:
                print(f"  DATA: {p}")
            failures += [f"{clients} clients: {e}" for e in tally.errors] + problems
    print(f"\nserver log: {work / 'server.log'}")
    verdict = "PASS" if not failures else f"FAIL ({len(failures)} problems)"
    print(f"floor: 0 errors and nothing lost at {max(args.clients)} clients with an import "
          f"beside: {verdict}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
