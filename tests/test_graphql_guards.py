"""Limits, errors without internals, CORS and the offline IDE, over real HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.cli import main
from graph.embedded import EmbeddedStore
from tests.server import running_server
from tests.test_graphql_http import data, gql, serving

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


def test_depth_limit(url: str) -> None:
    deep = "{ hubs { nodes { members { hubs { members { hubs { members { name } } } } } } } }"
    assert "exceeds maximum operation depth of 6" in _error(gql(url, deep))
    assert data(url, "{ hubs(first: 5) { nodes { members(first: 5) { hubs(first: 5) "
                     "{ name } } } } }")["hubs"]


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
    assert "access-control-allow-origin" not in r.headers
    r = httpx.post(default_url + "/graphql", json={"query": "{ hubs { totalCount } }"},
                   headers={"Origin": "https://atlas.example.org"})
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
