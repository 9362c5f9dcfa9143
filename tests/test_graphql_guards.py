"""Limits, errors without internals, CORS and the offline IDE, over real HTTP."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from coco_atlas.api.app import create_app
from coco_atlas.api.cli import main
from coco_atlas.graph.embedded.store import EmbeddedStore
from tests.graphql_client import data, gql, serving
from tests.server import running_server

LIMITS = {"COCO_GRAPHQL_MAX_DEPTH": "6", "COCO_GRAPHQL_MAX_TOKENS": "400",
          "COCO_GRAPHQL_MAX_ALIASES": "3", "COCO_GRAPHQL_MAX_NODES": "5000",
          "COCO_CORS_ORIGINS": "https://atlas.example.org"}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("guards") / "demo.db"
    assert main(["demo-data", "--size", "small", "--db", str(db)]) == 0
    return db


@pytest.fixture(scope="module")
def url(demo_db: Path) -> Iterator[str]:
    """A server with tight limits and one CORS origin."""
    with running_server(demo_db, env=LIMITS) as base:
        yield base


@pytest.fixture(scope="module")
def default_url(demo_db: Path) -> Iterator[str]:
    with running_server(demo_db) as base:
        yield base


def _error(reply: dict[str, Any]) -> str:
    assert reply.get("data") is None and reply["errors"], reply
    return str(reply["errors"][0]["message"])


def _timed(url: str, query: str) -> tuple[dict[str, Any], float]:
    t0 = time.perf_counter()
    reply = gql(url, query)
    return reply, time.perf_counter() - t0


def fan_out(levels: int, leaf: str = "__typename") -> str:
    """``F_i`` spreads ``F_{i-1}`` twice: a document of ~20 bytes a level that expands to
    2^levels copies of ``leaf``."""
    defs = [f"fragment F0 on Query {{ {leaf} }}"]
    defs += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)]
    return f"{{ ...F{levels} }} " + " ".join(defs)


def test_depth_limit(url: str) -> None:
    deep = "{ hubs { nodes { members { hubs { members { hubs { members { name } } } } } } } }"
    reply = gql(url, deep)
    assert "exceeds maximum operation depth of 6" in _error(reply)
    assert reply["errors"][0]["extensions"] == {
        "code": "QUERY_TOO_COMPLEX", "limit": "graphql_max_depth",
        "expected": "a depth of at most 6", "got": 7}
    assert data(url, "{ hubs(first: 5) { nodes { members(first: 5) { hubs(first: 5) "
                     "{ name } } } } }")["hubs"]


def test_depth_counts_through_fragments(url: str) -> None:
    frags = ("fragment A on Query { hubs(first: 2) { nodes { ...B } } } "
             "fragment B on Hub { members(first: 2) { hubs(first: 2) { members(first: 2) "
             "{ hubs(first: 2) { %s } } } } }")
    reply = gql(url, "query Deep { ...A } " + frags % "members(first: 2) { name }")
    assert "'Deep' exceeds maximum operation depth of 6" in _error(reply)
    assert reply["errors"][0]["extensions"]["got"] == 7
    assert data(url, "query Deep { ...A } " + frags % "name")["hubs"]["nodes"]


@pytest.mark.parametrize("levels", [30, 40])
def test_fragment_fan_out_is_refused_at_once(default_url: str, levels: int) -> None:
    reply, seconds = _timed(default_url, fan_out(levels))
    assert "fields once its fragments are spread" in _error(reply)
    assert reply["errors"][0]["extensions"] == {
        "code": "QUERY_TOO_COMPLEX", "limit": "graphql_max_fields",
        "expected": "at most 300 field selections, fragments spread", "got": 2**levels}
    assert seconds < 5, f"{levels} levels of fan-out took {seconds:.1f} s: exponential again?"


def test_aliases_count_through_fragments(url: str, default_url: str) -> None:
    """Aliases, like fields and depth, are counted with each fragment read once."""
    leaf = "a: hubs(first: 1) { nodes { members(first: 1) { name } } }"
    reply, seconds = _timed(default_url, fan_out(40, leaf))
    assert reply["errors"][0]["extensions"]["got"] == 4 * 2**40 and seconds < 5
    small = gql(url, fan_out(2, leaf))  # 4 aliases and 16 fields
    assert "4 aliases found; the limit (graphql_max_aliases) is 3" in _error(small)
    assert small["errors"][0]["extensions"] == {
        "code": "QUERY_TOO_COMPLEX", "limit": "graphql_max_aliases",
        "expected": "at most 3 aliases", "got": 4}


@pytest.mark.parametrize(("unit", "copies", "fields"), [
    ("__typename", 1249, 1249), ("hubs { totalCount }", 600, 1200)])
def test_duplicate_fields_are_refused_before_validation(default_url: str, unit: str,
                                                        copies: int, fields: int) -> None:
    """1,249 copies of one field took graphql-core's overlap rule seconds; now refused first."""
    reply, seconds = _timed(default_url, "{ a: " + " ".join([unit] * copies) + " }")
    assert "the limit (graphql_max_fields) is 300" in _error(reply)
    assert reply["errors"][0]["extensions"] == {
        "code": "QUERY_TOO_COMPLEX", "limit": "graphql_max_fields",
        "expected": "at most 300 field selections, fragments spread", "got": fields}
    assert seconds < 5


def test_field_limit_counts_a_fragment_wherever_it_is_spread(default_url: str) -> None:
    def query(ids: int) -> str:
        return ("{ a: hubs(first: 1) { nodes { ...F } } b: hubs(first: 1) { nodes { ...F } } }"
                " fragment F on Hub { " + "id " * ids + "}")

    assert data(default_url, query(148))["a"]["nodes"]  # 2 x (hubs + nodes + 148) = 300
    reply = gql(default_url, query(149))
    assert reply["errors"][0]["extensions"]["got"] == 302
    unused = "{ hubs { totalCount } } fragment U on Query { " + "__typename " * 300 + "}"
    assert gql(default_url, unused)["errors"][0]["extensions"]["got"] == 302


def test_fragment_cycles_are_reported_by_validation(url: str) -> None:
    reply = gql(url, "{ ...A } fragment A on Query { ...B hubs { totalCount } } "
                     "fragment B on Query { ...A }")
    assert "Cannot spread fragment 'A' within itself via 'B'" in _error(reply)


def test_introspection_is_not_cut_by_the_depth_limit(url: str) -> None:
    from graphql import get_introspection_query

    reply = gql(url, get_introspection_query())
    assert "errors" not in reply and reply["data"]["__schema"]["queryType"]["name"] == "Query"


def test_token_limit(url: str) -> None:
    fields = " ".join(["name"] * 500)
    assert "more than 400 tokens" in _error(gql(url, f"{{ hubs {{ nodes {{ {fields} }} }} }}"))


def test_alias_limit(url: str) -> None:
    q = "{ a: hubs { totalCount } b: hubs { totalCount } c: hubs { totalCount } " \
        "d: hubs { totalCount } }"
    assert "aliases" in _error(gql(url, q)).lower()


def test_page_size_limit_names_the_field(url: str) -> None:
    reply = gql(url, "{ companies(first: 1001) { totalCount } }")
    ext = reply["errors"][0]["extensions"]
    assert ext == {"code": "BAD_USER_INPUT", "where": "companies", "field": "first",
                   "expected": "a page size from 0 to 1000", "got": 1001}
    nested = gql(url, '{ node(id: "demo-hub-00000") { ... on Hub { members(first: -1) '
                      '{ id } } } }')
    assert nested["errors"][0]["extensions"]["where"] == "Hub.members"


def test_node_budget_counts_nested_pages_and_variables(url: str) -> None:
    q = "query($n: Int!) { companies(first: $n) { nodes { offers(first: 100) { id } } } }"
    assert "could return up to 5,050 nodes" in _error(gql(url, q, {"n": 50}))
    assert data(url, q, {"n": 40})["companies"]["nodes"]


def test_node_budget_counts_nodes_by_ids_as_many_as_the_ids(url: str) -> None:
    """``nodes(ids:)`` has no ``first``: its page is the list of ids (the fuzzer's way past
    the budget, 1,000 ids × offeredBy(first: 1000))."""
    q = ("query($ids: [ID!]!) { nodes(ids: $ids) { ... on Competence { "
         "offeredBy(first: 100) { id } } } }")
    ids = [f"c-{i}" for i in range(60)]
    assert "could return up to 6,060 nodes" in _error(gql(url, q, {"ids": ids}))
    assert "nodes" in data(url, q, {"ids": ids[:40]})


def test_node_budget_counts_fragments_where_they_are_spread(url: str) -> None:
    """A fragment costs its pages times the pages above each place it is spread."""
    q = ("query($h: Int!) { hubs(first: $h) { nodes { ...M } } "
         "companies(first: 20) { nodes { ...Off } } } "
         "fragment M on Hub { members(first: 10) { ...Off name } } "
         "fragment Off on Company { offers(first: 100) { id } }")
    # companies 20 + offers 20 x 100; hubs h + members 10h + offers 1000h
    assert "could return up to 5,053 nodes" in _error(gql(url, q, {"h": 3}))
    assert gql(url, q, {"h": 3})["errors"][0]["extensions"]["got"] == 5053
    inline = ("query($h: Int!) { hubs(first: $h) { nodes { members(first: 10) "
              "{ offers(first: 100) { id } name } } } "
              "companies(first: 20) { nodes { offers(first: 100) { id } } } }")
    assert gql(url, inline, {"h": 3})["errors"][0]["extensions"]["got"] == 5053
    assert data(url, q, {"h": 2}) == data(url, inline, {"h": 2})


def test_bad_filter_values_are_explained(url: str) -> None:
    reply = gql(url, '{ hubs(where: { kind: { in: ["cluster", "museum"] } }) { totalCount } }')
    ext = reply["errors"][0]["extensions"]
    assert ext["field"] == "kind.in" and ext["got"] == "museum"
    assert "creative-hub" in ext["expected"]
    bad_date = gql(url, '{ trainings(where: { startDate: { gte: "2024-13-40" } }) '
                        '{ totalCount } }')
    assert "expected a date YYYY-MM-DD" in bad_date["errors"][0]["message"]
    cursor = gql(url, '{ hubs(after: "bm9wZQ") { nodes { id } } }')
    assert cursor["errors"][0]["extensions"]["field"] == "after"
    path = gql(url, '{ hubs { aggregate(groupBy: ["members.nope"]) { count } } }')
    assert "a property of Company at the end" in path["errors"][0]["extensions"]["expected"]


def test_errors_never_show_internals(tmp_path: Path, demo_db: Path) -> None:
    class Broken(EmbeddedStore):
        def find(self, *args: Any, **kwargs: Any) -> Any:
            raise KeyError("/srv/secret/path.db is corrupt")

    store = Broken(demo_db)
    try:
        with serving(create_app({"db": str(demo_db)}, store=store)) as url:
            r = httpx.post(url + "/graphql", json={"query": "{ hubs { nodes { id } } }"})
            assert r.status_code == 200
            assert r.json()["errors"][0]["message"] == \
                "internal error: the request could not be completed"
            assert r.json()["errors"][0]["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
            assert not re.search(r"secret|Traceback|KeyError|\.py", r.text)
            ok = httpx.post(url + "/graphql", json={"query": '{ node(id: "AT") { id } }'})
            assert ok.status_code == 200
            assert ok.json() == {"data": {"node": {"id": "AT"}}}
    finally:
        store.close()


def test_malformed_requests_get_plain_answers(url: str) -> None:
    r = httpx.post(url + "/graphql", content=b"{nope", headers={
        "Content-Type": "application/json"})
    assert r.status_code == 400 and "Traceback" not in r.text
    r = httpx.post(url + "/graphql", content=b"x" * (5 * 1024 * 1024),
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["errors"][0]["extensions"]["code"] == \
        "PAYLOAD_TOO_LARGE"
    assert httpx.put(url + "/graphql").status_code == 405
    assert "Syntax Error" in _error(gql(url, "{ hubs { "))


def test_cors_is_off_by_default(default_url: str) -> None:
    r = httpx.options(default_url + "/graphql", headers={
        "Origin": "https://atlas.example.org", "Access-Control-Request-Method": "POST"})
    assert r.status_code == 405  # no CORS middleware answers the preflight
    assert "access-control-allow-origin" not in r.headers
    r = httpx.post(default_url + "/graphql", json={"query": "{ hubs { totalCount } }"},
                   headers={"Origin": "https://atlas.example.org"})
    assert r.status_code == 200 and r.json()["data"]["hubs"]["totalCount"] > 0
    assert "access-control-allow-origin" not in r.headers


def test_cors_allows_only_configured_origins(url: str) -> None:
    pre = {"Access-Control-Request-Method": "POST",
           "Access-Control-Request-Headers": "authorization, content-type"}
    ok = httpx.options(url + "/graphql", headers={"Origin": "https://atlas.example.org", **pre})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "https://atlas.example.org"
    bad = httpx.options(url + "/graphql", headers={"Origin": "https://evil.example", **pre})
    assert bad.status_code == 400 and "access-control-allow-origin" not in bad.headers


def test_graphiql_page_loads_only_local_assets(default_url: str) -> None:
    r = httpx.get(default_url + "/graphql", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert "connect-src 'self'" in r.headers["content-security-policy"]
    html = r.text
    assert not re.search(r"https?://", html), "the IDE must not fetch anything from outside"
    assets = [a for a in re.findall(r'(?:src|href)="([^"]+)"', html) if a.startswith("/")]
    assert {"/graphql/static/graphiql.min.js", "/graphql/static/react.production.min.js",
            "/graphql/static/react-dom.production.min.js", "/graphql/ide.js"} <= set(assets)
    for asset in assets:
        got = httpx.get(default_url + asset)
        assert got.status_code == 200 and len(got.content) > 100, asset
    script = httpx.get(default_url + "/graphql/ide.js").text
    assert "GraphiQL.createFetcher" in script and "useExplorerPlugin" in script
    assert not re.search(r"https?://", script)
