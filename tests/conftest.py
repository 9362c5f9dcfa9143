"""Shared fixtures: a fresh store per test, and small helpers to build records."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.graph.store import Store
from coco_atlas.schema import Edge, Node
from tests.browser import Browser, demo_store
from tests.server import running_server


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that runs on a real Neo4j is ``slow`` (the README's quick subset, ``-m "not
    slow"``, leaves them out): the ``[neo4j]`` case of a test parametrised over the backends,
    and any test that asks for :func:`neo4j_uri`. Their embedded cases stay quick."""
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "neo4j" in params.values() or "neo4j_uri" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def neo4j_uri() -> Iterator[str]:
    """A real Neo4j for the session: ``NEO4J_URI`` if set, else one started from Maven artefacts.

    Where Java or Maven is missing the Neo4j tests skip with the reason — except under CI=true,
    where a missing Neo4j fails the run instead of passing it silently.
    """
    if os.environ.get("NEO4J_URI"):
        yield os.environ["NEO4J_URI"]
        return
    from coco_atlas.graph.neo4j.server.launcher import Neo4jServer, Neo4jUnavailable

    server = Neo4jServer()
    try:
        server.start()
    except Neo4jUnavailable as e:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Neo4j is required under CI=true but could not start: {e}")
        pytest.skip(f"NEO4J TESTS SKIPPED: no Neo4j could be started here ({e})")
    try:
        yield server.uri
    finally:
        server.stop()


def wipe_neo4j(uri: str) -> None:
    """Empty the test database between tests (constraints stay)."""
    from neo4j import GraphDatabase

    with GraphDatabase.driver(uri, auth=None) as driver, driver.session() as s:
        s.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


@pytest.fixture
def neo4j_wiped(neo4j_uri: str) -> str:
    """The test Neo4j, emptied first."""
    wipe_neo4j(neo4j_uri)
    return neo4j_uri


def neo4j_value(uri: str, query: str) -> Any:
    """One value straight from the database, past the store's filters."""
    from neo4j import GraphDatabase

    with GraphDatabase.driver(uri, auth=None) as driver, driver.session() as s:
        return s.run(query).single()[0]


@pytest.fixture(params=["embedded", "neo4j"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Every Store contract test runs on each backend listed in ``params``."""
    if request.param == "embedded":
        s: Store = EmbeddedStore(tmp_path / "test.db")
    else:
        from coco_atlas.graph.neo4j.store import Neo4jStore

        uri = request.getfixturevalue("neo4j_uri")
        wipe_neo4j(uri)
        s = Neo4jStore(uri)
    yield s
    s.close()


def region(rid: str, name: str, level: int = 2) -> Node:
    return Node(rid, "Region", {"name": name, "level": level, "country": rid[:2]})


def hub(hid: str, name: str, country: str = "AT", **props: object) -> Node:
    return Node(hid, "Hub", {"name": name, "kind": "creative-hub", "country": country, **props})


def company(cid: str, name: str, country: str = "AT", **props: object) -> Node:
    return Node(cid, "Company", {"name": name, "country": country, **props})


def edge(source: str, rel: str, target: str, **props: object) -> Edge:
    return Edge(source, rel, target, dict(props))


@pytest.fixture
def small_graph(store: Store) -> Store:
    """Three regions, two hubs, four companies, a few ties."""
    store.upsert_nodes([
        region("AT", "Österreich", 0), region("AT13", "Wien"), region("SK04", "Východné Slovensko"),
        hub("h-wien", "Wiener Kreativhub", "AT", foundedYear=2010),
        hub("h-kosice", "Košice Creative Hub", "SK", foundedYear=2015),
        company("c1", "Alpha Design", "AT", foundedYear=2001, sizeClass="micro"),
        company("c2", "Beta Robotics", "AT", foundedYear=1999, sizeClass="large"),
        company("c3", "Gamma Media", "SK", foundedYear=2012, sizeClass="small"),
        company("c4", "Łódź Motion", "SK", foundedYear=2020),
    ], source="fixture")
    store.upsert_edges([
        edge("AT13", "PART_OF", "AT"),
        edge("h-wien", "LOCATED_IN", "AT13"), edge("h-kosice", "LOCATED_IN", "SK04"),
        edge("c1", "MEMBER_OF", "h-wien", since=2015), edge("c2", "MEMBER_OF", "h-wien"),
        edge("c3", "MEMBER_OF", "h-kosice"),
        edge("h-wien", "PARTNERS_WITH", "h-kosice", weight=2.0),
        edge("c1", "PARTNERS_WITH", "c2"),
    ], source="fixture")
    return store


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium for one test module (tests/browser.py), closed after it."""
    with Browser() as b:
        yield b


# -- a small hand-built ecosystem the analytics tests share ----------------------------------
# The ecosystem (ids sort in this order: co-1 … co-6, hub-1, hub-2):
#   regions AT ⊃ AT1 ⊃ {AT12, AT13}, SK ⊃ SK0 ⊃ SK01
#   co-1 AT13 cci (R90.01)            co-2 AT13 advanced-manufacturing (C26.11)
#   co-3 AT12 ict (J62.01)            co-4 SK01 other (A01.11)
#   co-5 SK01 two sectors: J62.01 primary, C26.11 not → ict (the lower id would give a.-m.)
#   co-6 AT13 no sector → unknown;    hub-1 AT13, hub-2 SK01 (no sector → unknown)
# Ties:
#   PARTNERS_WITH co-1→co-2 (since 2015, weight 3), co-3→co-4 (2022–2023), hub-1→hub-2 (weight 2)
#   MEMBER_OF co-1→hub-1, co-3→hub-1 (since 2010), co-4→hub-2
#   col-1 (2019-01-01 … 2020-06-30): co-1, co-3, co-5;  col-2 (2024-01-01, open): co-2, co-5
#   NEEDS co-1:k1 co-2:k3 co-6:k2 co-3:k3 co-4:k1;  OFFERS hub-1:k1 co-1:k2 co-2:k4 co-3:k3 co-5:k3
#   trainings: t1 (technology-development) and t2 (future-trends) TEACH k3, t3 (other) k1


def sector(code: str, **flags: bool) -> Node:
    return Node(code, "Sector", {"name": code, "level": 4, **flags})


@pytest.fixture
def eco(tmp_path: Path) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(tmp_path / "eco.db")
    with store.transaction("test") as tx:
        tx.upsert_nodes([
            region("AT", "Österreich", 0), region("AT1", "Ostösterreich", 1),
            region("AT12", "Niederösterreich"), region("AT13", "Wien"),
            region("SK", "Slovensko", 0), region("SK0", "Slovensko", 1),
            region("SK01", "Bratislavský kraj"),
            sector("R90.01", isCCI=True), sector("C26.11", isAdvancedManufacturing=True),
            sector("J62.01"), sector("A01.11"),
            hub("hub-1", "Wiener Kreativhub"), hub("hub-2", "Bratislava Hub", "SK"),
            company("co-1", "Alpha Design"), company("co-2", "Beta Robotics"),
            company("co-3", "Gamma Code"), company("co-4", "Delta Farm", "SK"),
            company("co-5", "Epsilon Soft", "SK"), company("co-6", "Zeta Lonely"),
            Node("col-1", "Collaboration", {"name": "Pilot", "kind": "project",
                                            "startDate": "2019-01-01", "endDate": "2020-06-30"}),
            Node("col-2", "Collaboration", {"name": "Contract", "kind": "contract",
                                            "startDate": "2024-01-01"}),
            *(Node(f"k{i}", "Competence", {"name": f"skill {i}"}) for i in range(1, 5)),
            Node("t1", "Training", {"name": "T1", "area": "technology-development"}),
            Node("t2", "Training", {"name": "T2", "area": "future-trends"}),
            Node("t3", "Training", {"name": "T3", "area": "other"}),
        ])
        tx.upsert_edges([
            edge("AT1", "PART_OF", "AT"), edge("AT12", "PART_OF", "AT1"),
            edge("AT13", "PART_OF", "AT1"), edge("SK0", "PART_OF", "SK"),
            edge("SK01", "PART_OF", "SK0"),
            *(edge(a, "LOCATED_IN", r) for a, r in [
                ("co-1", "AT13"), ("co-2", "AT13"), ("co-3", "AT12"), ("co-4", "SK01"),
                ("co-5", "SK01"), ("co-6", "AT13"), ("hub-1", "AT13"), ("hub-2", "SK01")]),
            edge("co-1", "IN_SECTOR", "R90.01", primary=True),
            edge("co-2", "IN_SECTOR", "C26.11"), edge("co-3", "IN_SECTOR", "J62.01"),
            edge("co-4", "IN_SECTOR", "A01.11"),
            edge("co-5", "IN_SECTOR", "J62.01", primary=True),
            edge("co-5", "IN_SECTOR", "C26.11", primary=False),
            edge("co-1", "PARTNERS_WITH", "co-2", since=2015, weight=3.0),
            edge("co-3", "PARTNERS_WITH", "co-4", since=2022, until=2023),
            edge("hub-1", "PARTNERS_WITH", "hub-2", weight=2.0),
            edge("co-1", "MEMBER_OF", "hub-1"), edge("co-3", "MEMBER_OF", "hub-1", since=2010),
            edge("co-4", "MEMBER_OF", "hub-2"),
            *(edge(a, "PARTICIPATES_IN", "col-1") for a in ("co-1", "co-3", "co-5")),
            *(edge(a, "PARTICIPATES_IN", "col-2") for a in ("co-2", "co-5")),
            *(edge(a, "NEEDS", k) for a, k in [("co-1", "k1"), ("co-2", "k3"), ("co-6", "k2"),
                                               ("co-3", "k3"), ("co-4", "k1")]),
            *(edge(a, "OFFERS", k) for a, k in [("hub-1", "k1"), ("co-1", "k2"), ("co-2", "k4"),
                                                ("co-3", "k3"), ("co-5", "k3")]),
            edge("t1", "TEACHES", "k3"), edge("t2", "TEACHES", "k3"), edge("t3", "TEACHES", "k1"),
        ])
    yield store
    store.close()


# -- the small demo ecosystem, served once ---------------------------------------------------
@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo ecosystem (seed 42), generated once per session. Tests only read it: a
    test that writes copies it first (``shutil.copy``)."""
    return demo_store(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session")
def demo_url(demo_db: Path) -> Iterator[str]:
    """``coco serve`` over :func:`demo_db` with the default settings, started once for every
    page, map and i18n test that only reads (a module that needs other settings starts its
    own server, as ``test_maps_share`` does)."""
    with running_server(demo_db) as url:
        yield url
