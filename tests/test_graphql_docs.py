"""Every example of ``docs/graphql.md`` runs, without errors, on both stores, with the same
answers: the cookbook cannot drift from the API, and the API does not depend on the store."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.cli import main
from tests.conftest import wipe_neo4j
from tests.server import running_server
from tests.test_graphql_http import gql

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "graphql.md").read_text(encoding="utf-8")
GRAPHQL = re.findall(r"```graphql\n(.*?)```", DOC, re.S)
PYTHON = re.findall(r"```python\n(.*?)```", DOC, re.S)
TOKEN = "docs-writer-secret-2024"
ENV = {"COCO_API_TOKENS": f"docs:{TOKEN}"}
_RESULTS: dict[str, list[dict[str, Any]]] = {}


def test_the_cookbook_has_examples_of_every_kind() -> None:
    text = "\n".join(GRAPHQL)
    for feature in ("after:", "where:", "within:", "orderBy:", "Connection", "node(id:",
                    "search(", "aggregate(", "shortestPath(", "neighbourhood(", "mutation",
                    "OR:", "NOT:"):
        assert feature in text, feature
    assert len(GRAPHQL) >= 15 and PYTHON


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[str, str]]:
    """A fresh small demo (seed 42) served from each store, with a write token."""
    db = tmp_path_factory.mktemp("docs") / "demo.db"
    args: list[str] = []
    if request.param == "neo4j":
        uri = request.getfixturevalue("neo4j_uri")
        wipe_neo4j(uri)
        args = ["--neo4j", uri]
    assert main(["demo-data", "--size", "small", "--seed", "42", "--db", str(db), *args]) == 0
    with running_server(db, *args, env=ENV, timeout=60) as url:
        yield request.param, url


def test_every_example_runs_without_errors(served: tuple[str, str]) -> None:
    kind, url = served
    results = []
    for i, example in enumerate(GRAPHQL):
        token = TOKEN if example.lstrip().startswith("mutation") else None
        reply = gql(url, example, token=token)
        assert "errors" not in reply, (i, example, reply["errors"])
        assert reply["data"] and all(v is not None for v in reply["data"].values()), (i, reply)
        results.append(reply["data"])
    _RESULTS[kind] = results


def test_the_python_example_runs(served: tuple[str, str]) -> None:
    _, url = served
    for code in PYTHON:
        exec(compile(code, "docs/graphql.md", "exec"), {"URL": url})


def _without_stamps(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_stamps(v) for k, v in value.items() if k != "updatedAt"}
    if isinstance(value, list):
        return [_without_stamps(v) for v in value]
    return value


def test_both_stores_give_the_same_answers(neo4j_uri: str) -> None:
    if set(_RESULTS) != {"embedded", "neo4j"}:
        pytest.fail(f"the examples ran on {sorted(_RESULTS)} only; both stores must run first")
    for i, (a, b) in enumerate(zip(_RESULTS["embedded"], _RESULTS["neo4j"], strict=True)):
        assert _without_stamps(a) == _without_stamps(b), (i, GRAPHQL[i])
