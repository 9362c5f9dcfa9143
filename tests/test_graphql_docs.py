"""Every example of ``docs/graphql.md`` runs, without errors, on both stores, with the same
answers: the cookbook cannot drift from the API, and the API does not depend on the store."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from coco_atlas.api.cli import main
from tests.conftest import wipe_neo4j
from tests.graphql_client import gql
from tests.server import running_server

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


@contextmanager
def _serve(kind: str, tmp_path_factory: pytest.TempPathFactory, neo4j_uri: str | None
           ) -> Iterator[str]:
    """A fresh small demo (seed 42) served from one store, with a write token."""
    db = tmp_path_factory.mktemp("docs") / "demo.db"
    args: list[str] = []
    if kind == "neo4j":
        assert neo4j_uri is not None
        wipe_neo4j(neo4j_uri)
        args = ["--neo4j", neo4j_uri]
    assert main(["demo-data", "--size", "small", "--seed", "42", "--db", str(db), *args]) == 0
    with running_server(db, *args, env=ENV, timeout=60) as url:
        yield url


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[str, str]]:
    uri = request.getfixturevalue("neo4j_uri") if request.param == "neo4j" else None
    with _serve(request.param, tmp_path_factory, uri) as url:
        yield request.param, url


def _run_examples(url: str) -> list[dict[str, Any]]:
    """The data of every cookbook example, in order, each checked for errors and nulls."""
    results = []
    for i, example in enumerate(GRAPHQL):
        token = TOKEN if example.lstrip().startswith("mutation") else None
        reply = gql(url, example, token=token)
        assert "errors" not in reply, (i, example, reply["errors"])
        assert reply["data"] and all(v is not None for v in reply["data"].values()), (i, reply)
        results.append(reply["data"])
    return results


def test_every_example_runs_without_errors(served: tuple[str, str]) -> None:
    kind, url = served
    _RESULTS[kind] = _run_examples(url)


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


def test_both_stores_give_the_same_answers(neo4j_uri: str,
                                          tmp_path_factory: pytest.TempPathFactory) -> None:
    for kind in ("embedded", "neo4j"):
        if kind not in _RESULTS:  # this test alone, or the other one failed
            with _serve(kind, tmp_path_factory, neo4j_uri) as url:
                _RESULTS[kind] = _run_examples(url)
    for i, (a, b) in enumerate(zip(_RESULTS["embedded"], _RESULTS["neo4j"], strict=True)):
        assert _without_stamps(a) == _without_stamps(b), (i, GRAPHQL[i])
