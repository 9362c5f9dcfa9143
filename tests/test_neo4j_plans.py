"""What Neo4j does for the queries a GraphQL page sends: read from its query plans (``PROFILE``).

A page of one label sorted by a key must walk that label's index on the key in order and stop
after the page; scanning every node of the label (``NodeByLabelScan``, ``AllNodesScan``) and
sorting them all costs the whole label on every page (issue 16: 53 ms against 5 ms a page on
the medium demo). The GraphQL API runs over a real Neo4j (the session's test server, the small
demo ecosystem in it) in this process, its store recording every statement; each statement is
then profiled with its own parameters.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import neo4j
import pytest
from neo4j import GraphDatabase

from coco_atlas.api.app import create_app
from coco_atlas.api.cli import main
from coco_atlas.graph.neo4j.store import Neo4jStore
from coco_atlas.graph.query import Cond, SortKey
from tests.conftest import wipe_neo4j
from tests.graphql_client import data, serving

pytestmark = pytest.mark.slow  # a real Neo4j

SCANS = {"NodeByLabelScan", "AllNodesScan", "UnionNodeByLabelsScan",
         "IntersectionNodeByLabelsScan"}
SORTS = {"Sort", "Top", "PartialSort", "PartialTop"}


class RecordingStore(Neo4jStore):
    """The Neo4j store, keeping every read statement with its parameters."""

    def __init__(self, uri: str):
        super().__init__(uri)
        self.statements: list[tuple[str, dict[str, Any]]] = []

    def _read(self, query: str, **params: Any) -> list[neo4j.Record]:
        self.statements.append((query, params))
        return super()._read(query, **params)


@pytest.fixture(scope="module")
def demo(neo4j_uri: str) -> Iterator[RecordingStore]:
    wipe_neo4j(neo4j_uri)
    assert main(["demo-data", "--size", "small", "--neo4j", neo4j_uri]) == 0
    store = RecordingStore(neo4j_uri)
    try:
        yield store
    finally:
        store.close()
        wipe_neo4j(neo4j_uri)


def operators(uri: str, query: str, params: dict[str, Any]) -> list[tuple[str, int, str]]:
    """The plan of a statement as run: (operator, rows it produced, details), depth first."""
    with GraphDatabase.driver(uri, auth=None) as driver, driver.session() as s:
        plan = s.run("PROFILE " + query, params).consume().profile
    out: list[tuple[str, int, str]] = []
    todo = [plan]
    while todo:
        op = todo.pop()
        out.append((op["operatorType"].split("@")[0], int(op.get("rows", 0)),
                    str(op.get("args", {}).get("Details", ""))))
        todo.extend(op.get("children", []))
    return out


def _version(query: str) -> bool:
    """The store's version read (one meta node by key; issue 17 caches it)."""
    return "RETURN m.version" in query


def _no_scan(uri: str, query: str, params: dict[str, Any], page: int) -> list[str]:
    """Operators of the plan, after checking it scans no label and sorts no more than a page."""
    ops = operators(uri, query, params)
    names = [name for name, _, _ in ops]
    assert not SCANS & set(names), (query, ops)
    # a sort may order the rows of one page (or of the matches of an indexed filter, few
    # here); never the whole label
    assert all(rows <= page + 1 for name, rows, _ in ops if name in SORTS), (query, ops)
    return names


@pytest.mark.parametrize("order", [(), (SortKey("name"),), (SortKey("name", True),)])
def test_pages_walk_the_labels_index_in_order(demo: RecordingStore, neo4j_uri: str,
                                             order: tuple[SortKey, ...]) -> None:
    assert demo.count("Company") > 500  # enough nodes that a scan would not be the cheap plan
    after = None
    for _ in range(3):  # the first page, then pages after a cursor
        demo.statements.clear()
        page = demo.find("Company", None, order, first=50, after=after, count=False)
        assert len(page.items) == 50 and page.total_count is None
        # one statement per segment of the walk (nodes with the sort value, then those
        # without: graph/neo4j/store.py's _segments), no count: it was not asked for
        pages = [(q, p) for q, p in demo.statements if not _version(q)]
        assert 1 <= len(pages) <= 2 and not any("count(" in q for q, _ in pages), pages
        names = [n for q, p in pages for n in _no_scan(neo4j_uri, q, p, 50)]
        assert {"NodeIndexScan", "NodeIndexSeekByRange"} & set(names), names
        after = page.end_cursor


def test_a_filtered_page_uses_an_index_too(demo: RecordingStore, neo4j_uri: str) -> None:
    demo.statements.clear()
    page = demo.find("Company", Cond("country", "eq", "AT"), (), first=20)
    assert page.items and page.total_count is not None and page.total_count >= len(page.items)
    statements = [(q, p) for q, p in demo.statements if not _version(q)]
    assert 1 <= len(statements) <= 3, statements  # the page's segments and the count
    for query, params in statements:
        _no_scan(neo4j_uri, query, params, page.total_count)


def test_a_graphql_page_with_nested_lists_scans_no_label(demo: RecordingStore,
                                                         neo4j_uri: str) -> None:
    with serving(create_app({"neo4j": neo4j_uri}, store=demo)) as url:
        query = """query($after: String) { companies(first: 50, after: $after) {
            pageInfo { endCursor } nodes { id name offers { id name } hubs { id name } } } }"""
        first = data(url, query)["companies"]
        demo.statements.clear()
        got = data(url, query, {"after": first["pageInfo"]["endCursor"]})["companies"]
    assert len(got["nodes"]) == 50 and any(n["hubs"] for n in got["nodes"])
    pages = [(q, p) for q, p in demo.statements if "MATCH (n:Company)" in q]
    nested = [(q, p) for q, p in demo.statements if "UNWIND $ids" in q]
    # one statement for the page (no count: totalCount is not asked), one for both nested
    # lists (same direction), and nothing else but the store's version
    assert len(pages) == 1 and len(nested) == 1, demo.statements
    assert "count(" not in pages[0][0]
    for q, p in demo.statements:
        if not _version(q):  # the version (one node; issue 17 makes it cheap)
            _no_scan(neo4j_uri, q, p, 50)
