"""The data-quality report: figures checked against a small graph whose defects are known by
construction, through the CLI, the page and GraphQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from coco_atlas.api.cli import main
from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.graph.quality import KINDS, quality
from coco_atlas.graph.store import Store
from coco_atlas.schema import Node
from tests.conftest import company, edge, hub, region
from tests.server import running_server


def build(s: Store) -> None:
    """Two hubs, five companies; by construction:
    no region: c3, c4; no sector: c3, c4, h1, h2; isolated: c3 (alone in a collaboration,
    which ties nobody) and c4 (no relationship at all), not c5 (in a collaboration with h2);
    2 of 5 companies have a size class; an import normalised c1's website and sizeClass and
    c2's sizeClass."""
    s.upsert_nodes([
        region("AT", "Österreich", 0), region("AT13", "Wien"),
        Node("C", "Sector", {"name": "Manufacturing", "level": 1}),
        hub("h1", "Hub One"), hub("h2", "Hub Two"),
        company("c1", "Alpha", sizeClass="micro", normalised=["website", "sizeClass"]),
        company("c2", "Beta", sizeClass="small", normalised=["sizeClass"]),
        company("c3", "Gamma"), company("c4", "Delta"), company("c5", "Epsilon"),
        Node("k1", "Collaboration", {"name": "Solo pilot", "kind": "co-creation-pilot"}),
        Node("k2", "Collaboration", {"name": "Joint pilot", "kind": "co-creation-pilot"}),
    ], source="fixture")
    s.upsert_edges([
        edge("AT13", "PART_OF", "AT"),
        edge("h1", "LOCATED_IN", "AT13"), edge("h2", "LOCATED_IN", "AT13"),
        edge("c1", "LOCATED_IN", "AT13"), edge("c2", "LOCATED_IN", "AT13"),
        edge("c1", "IN_SECTOR", "C"), edge("c2", "IN_SECTOR", "C"),
        edge("c1", "MEMBER_OF", "h1"), edge("h1", "PARTNERS_WITH", "h2"),
        edge("c2", "PARTNERS_WITH", "c1"), edge("c3", "PARTICIPATES_IN", "k1"),
        edge("c5", "LOCATED_IN", "AT13"), edge("c5", "IN_SECTOR", "C"),
        edge("c5", "PARTICIPATES_IN", "k2"), edge("h2", "PARTICIPATES_IN", "k2"),
    ], source="fixture")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "q.db"
    with EmbeddedStore(path) as s:
        build(s)
    return path


def _finding(report: dict[str, object], kind: str) -> dict[str, object]:
    return next(f for f in report["findings"] if f["kind"] == kind)  # type: ignore[union-attr]


def test_findings_and_completeness_match_the_construction(store: Store) -> None:
    """Only the Store contract is used: the same figures on the embedded store and Neo4j."""
    build(store)
    report = quality(store).to_json()
    assert _finding(report, "noRegion") == {
        "kind": "noRegion", "title": "actors without a region", "count": 2,
        "examples": ["c3", "c4"]}
    assert _finding(report, "noSector")["examples"] == ["c3", "c4", "h1", "h2"]
    assert _finding(report, "isolated")["examples"] == ["c3", "c4"]
    assert _finding(report, "countryMismatch")["count"] == 0
    assert _finding(report, "duplicates")["count"] == 0
    size = next(c for c in report["completeness"]
                if (c["label"], c["property"]) == ("Company", "sizeClass"))
    assert (size["known"], size["total"], size["share"]) == (2, 5, 0.4)
    assert _finding(report, "normalisedValue") == {
        "kind": "normalisedValue", "count": 2, "examples": ["c1", "c2"],
        "title": "records with values an import normalised or filled in "
                 "(sizeClass 2, website 1)"}
    assert [f["kind"] for f in report["findings"]] == list(KINDS)


def test_an_import_records_what_it_normalised(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """The values an import changed are named on each record, and the report counts them."""
    nodes = tmp_path / "n.csv"
    nodes.write_text("id,label,name,country,website,sizeClass,foundedYear\n"
                     "a,Company,A,PL,www.a.pl,Micro,\n"
                     "b,Company,B,PL,https://b.pl,micro,\"1951,0\"\n"
                     "c,Company,C,PL,https://c.pl,small,1990\n", encoding="utf-8")
    db = tmp_path / "i.db"
    assert main(["import", "csv", "--nodes", str(nodes), "--db", str(db)]) == 0
    with EmbeddedStore(db) as s:
        assert {i: s.get_node(i).props.get("normalised") for i in "abc"} == {  # type: ignore[union-attr]
            "a": ["sizeClass", "website"], "b": ["foundedYear"], "c": None}
    capsys.readouterr()
    assert main(["quality", "--json", "--db", str(db)]) == 0
    found = _finding(json.loads(capsys.readouterr().out), "normalisedValue")
    assert (found["count"], found["examples"]) == (2, ["a", "b"])
    assert found["title"].endswith("(foundedYear 1, sizeClass 1, website 1)")  # type: ignore[union-attr]


def test_cli_json_and_tables(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["quality", "--json", "--examples", "1", "--db", str(db)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert _finding(report, "noRegion") == {
        "kind": "noRegion", "title": "actors without a region", "count": 2, "examples": ["c3"]}
    assert main(["quality", "--db", str(db)]) == 0
    table = capsys.readouterr().out
    assert "actors without a region" in table and "sizeClass" in table


@pytest.fixture
def url(db: Path) -> Iterator[str]:
    with running_server(db) as base:
        yield base


def test_page_and_graphql(url: str) -> None:
    page = httpx.get(url + "/quality", timeout=30)
    assert page.status_code == 200
    assert "actors without a region" in page.text and 'href="/nodes/c4"' in page.text
    assert "<script" not in page.text
    got = httpx.post(url + "/graphql", timeout=30, json={"query": """{ dataQuality(examples: 5) {
        findings { kind count records { id name } }
        completeness { label property known total share recommended } } }"""}).json()
    findings = {f["kind"]: f for f in got["data"]["dataQuality"]["findings"]}
    assert findings["isolated"] == {"kind": "isolated", "count": 2, "records": [
        {"id": "c3", "name": "Gamma"}, {"id": "c4", "name": "Delta"}]}
    bad = httpx.post(url + "/graphql", timeout=30,
                     json={"query": "{ dataQuality(examples: 1000) { findings { count } } }"})
    assert bad.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_suspected_duplicates_are_a_finding(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "d.db") as s:
        s.upsert_nodes([hub("h-a", "Akademia Sztuki w Szczecinie", "PL"),
                        hub("h-b", "Akademia Sztuki Szczecin", "PL"),
                        hub("h-c", "Kreativhub Graz", "AT")], source="t")
        found = _finding(quality(s).to_json(), "duplicates")
    assert found["count"] == 2 and sorted(found["examples"]) == ["h-a", "h-b"]
