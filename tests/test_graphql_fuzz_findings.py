"""Regression tests for what fuzzing the GraphQL API found (see tests/test_fuzz_graphql.py),
each through a real HTTP client against the real server on loopback.

Every request here once made the server fail inside (an ``INTERNAL_SERVER_ERROR`` with a
traceback in the log); each must now be refused with a coded error that names the argument.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from coco_atlas.api.cli import main
from tests.server import running_server


def cursor(raw: str) -> str:
    """A cursor as :func:`graph.query.encode_cursor` would write it, around any JSON text."""
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("findings") / "demo.db"
    assert main(["demo-data", "--size", "small", "--seed", "42", "--db", str(db)]) == 0
    with running_server(db) as base:
        yield base


def errors(url: str, query: str, variables: dict[str, Any]) -> list[dict[str, Any]]:
    r = httpx.post(url + "/graphql", json={"query": query, "variables": variables}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json().get("errors") or []  # type: ignore[no-any-return]


# Each JSON text has the length a one-key sort expects (a value and an id), but holds what no
# store can bind: the fuzzer's cursors reached SQLite with these and failed there.
FORGED = {
    "nested 100 000 deep": "[" * 100_000 + "]" * 100_000,
    "an integer past 64 bits": json.dumps([2**70, "demo-hub-00000"]),
    "a list as sort value": '[[null, 1], "demo-hub-00000"]',
    "an object as sort value": '[{"a": 1}, "demo-hub-00000"]',
    "a lone surrogate": '["\\ud800", "demo-hub-00000"]',
    "a lone surrogate as id": '["\\ud800"]',
    "infinity": '[1e999, "demo-hub-00000"]',
}

LISTS = {
    "root list sorted by name": "query($a: String) { hubs(first: 3, after: $a, orderBy: "
                                "[NAME_ASC]) { nodes { id } } }",
    "root list by id": "query($a: String) { hubs(first: 3, after: $a) { nodes { id } } }",
    "relationship field": 'query($a: String) { node(id: "demo-hub-00000") { ... on Hub { '
                          "membersConnection(first: 3, after: $a, orderBy: [NAME_ASC]) "
                          "{ nodes { id } } } } }",
}


@pytest.mark.parametrize("forged", FORGED, ids=list(FORGED))
@pytest.mark.parametrize("where", LISTS, ids=list(LISTS))
def test_a_forged_cursor_is_refused_as_bad_input(url: str, where: str, forged: str) -> None:
    found = errors(url, LISTS[where], {"a": cursor(FORGED[forged])})
    assert [e["extensions"]["code"] for e in found] == ["BAD_USER_INPUT"], found
    assert found[0]["extensions"]["field"] == "after"


def test_a_real_cursor_still_pages(url: str) -> None:
    """The check lets through what the server itself wrote: page two follows page one."""
    query = ("query($a: String) { hubs(first: 3, after: $a, orderBy: [NAME_ASC]) "
             "{ nodes { id } pageInfo { endCursor } } }")
    first = httpx.post(url + "/graphql", json={"query": query, "variables": {"a": None}},
                       timeout=60).json()["data"]["hubs"]
    second = httpx.post(url + "/graphql", json={"query": query, "variables": {
        "a": first["pageInfo"]["endCursor"]}}, timeout=60).json()["data"]["hubs"]
    ids = [n["id"] for n in first["nodes"] + second["nodes"]]
    assert len(ids) == 6 and len(set(ids)) == 6
