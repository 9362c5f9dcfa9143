"""Exports (``coco export FORMAT OUT``): round trips, independent readers, filters.

Round trip: export a graph, import the files into an empty store, get the same graph back —
for every format. Independent readers (networkx for GraphML/GEXF, json, csv, openpyxl) check
that the files are what the other tools expect. Filters are checked against a slow, obvious
re-implementation of their documented meaning.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pytest

from coco_atlas.api.cli import main
from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.schema import Edge, Node
from tests.importing import SUFFIX, graph, reimport, run

FORMATS = ("csv", "jsonl", "xlsx", "graphml", "gexf", "gephi-csv", "kumu-json", "kumu-xlsx")
TRICKY = 'Ateliér "Nord", Łódź & <Söhne>\nzweite Zeile\ttab'


def _rich_graph(db: Path) -> None:
    """Every label and relationship type, every property type, awkward text."""
    with EmbeddedStore(db) as s, s.transaction("fixture") as tx:
        tx.upsert_nodes([
            Node("AT", "Region", {"name": "Österreich", "level": 0, "country": "AT"}),
            Node("AT13", "Region", {"name": "Wien", "level": 2, "country": "AT"}),
            Node("C", "Sector", {"name": "Manufacturing", "level": 1, "isCCI": False,
                                 "isAdvancedManufacturing": False,
                                 "definitionSource": "Eurostat; test"}),
            Node("C26", "Sector", {"name": "Computers", "level": 2, "isCCI": False,
                                   "isAdvancedManufacturing": True}),
            Node("h1", "Hub", {"name": TRICKY, "kind": "creative-hub", "country": "AT",
                               "city": "Wien", "website": "https://h1.example.org",
                               "foundedYear": 2010, "tags": ["design", "Łódź", "a,b"],
                               "description": "Quotes \"here\"; semicolons; and = signs"}),
            Node("c1", "Company", {"name": "Alpha", "country": "AT", "sizeClass": "micro",
                                   "foundedYear": 2001}),
            Node("c 2/ü", "Company", {"name": "Beta", "country": "AT"}),
            Node("k1", "Competence", {"name": "3D printing", "skillType": "skill/competence",
                                      "reuseLevel": "cross-sector",
                                      "altLabels": ["additive manufacturing", "AM"]}),
            Node("k0", "Competence", {"name": "manufacturing"}),
            Node("t1", "Training", {"name": "Workshop", "area": "future-trends",
                                    "format": "online", "startDate": "2024-01-31",
                                    "endDate": "2024-02-01", "language": "de"}),
            Node("p1", "Collaboration", {"name": "Pilot", "kind": "contract",
                                         "status": "active", "budget": 1234.56,
                                         "startDate": "2024-01-01"}),
        ])
        tx.upsert_edges([
            Edge("AT13", "PART_OF", "AT", {}), Edge("C26", "BROADER", "C", {}),
            Edge("k1", "BROADER", "k0", {}),
            Edge("c1", "MEMBER_OF", "h1", {"since": 2015, "until": 2020}),
            Edge("c1", "PARTNERS_WITH", "c 2/ü", {"weight": 0.25, "since": 2021}),
            Edge("c1", "PARTICIPATES_IN", "p1", {"role": "lead"}),
            Edge("h1", "OFFERS", "k1", {"level": "expert"}),
            Edge("c 2/ü", "NEEDS", "k1", {"priority": "high"}),
            Edge("h1", "PROVIDES", "t1", {}), Edge("c1", "ATTENDED", "t1", {"year": 2024}),
            Edge("t1", "TEACHES", "k1", {}), Edge("c1", "IN_SECTOR", "C26", {"primary": True}),
            Edge("c 2/ü", "IN_SECTOR", "C26", {"primary": False}),
            Edge("h1", "LOCATED_IN", "AT13", {}), Edge("c1", "LOCATED_IN", "AT13", {}),
        ])


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("rich") / "rich.db"
    _rich_graph(db)
    return db


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    assert main(["demo-data", "--size", "small", "--seed", "11", "--db", str(db)]) == 0
    return db


def _export(db: Path, fmt: str, out: Path, *extra: str) -> Path:
    target = out.with_suffix(SUFFIX.get(fmt, ""))
    assert main(["export", fmt, str(target), "--db", str(db), *extra]) == 0
    return target


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_of_every_format(fmt: str, rich: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = _export(rich, fmt, tmp_path / "out")
    assert "✓" in capsys.readouterr().err
    assert reimport(fmt, out, tmp_path / "back.db") == 0, capsys.readouterr().err
    assert graph(tmp_path / "back.db") == graph(rich)
    assert not [p for p in tmp_path.rglob(".*") if p.is_file()]  # no temporary files left


@pytest.mark.parametrize("fmt", ("csv", "graphml", "kumu-json"))
def test_round_trip_of_the_demo_ecosystem(fmt: str, demo: Path, tmp_path: Path) -> None:
    out = _export(demo, fmt, tmp_path / "out")
    assert reimport(fmt, out, tmp_path / "back.db") == 0
    assert graph(tmp_path / "back.db") == graph(demo)


# -- what other tools read -----------------------------------------------------------------------
def test_graphml_as_networkx_reads_it(rich: Path, tmp_path: Path) -> None:
    g = nx.read_graphml(_export(rich, "graphml", tmp_path / "out"), force_multigraph=True)
    nodes, edges = graph(rich)
    assert set(g.nodes) == set(nodes)
    assert g.nodes["h1"]["label"] == TRICKY and g.nodes["h1"]["type"] == "Hub"
    assert g.nodes["h1"]["foundedYear"] == 2010 and g.nodes["C26"]["isAdvancedManufacturing"]
    assert g.nodes["h1"]["tags"] == "design|Łódź|a,b"
    assert {(s, d["label"], t) for s, t, d in g.edges(data=True)} == set(edges)
    assert g.edges["c1", "c 2/ü", 0]["weight"] == 0.25


def test_gexf_as_networkx_reads_it(rich: Path, tmp_path: Path) -> None:
    g = nx.read_gexf(_export(rich, "gexf", tmp_path / "out"))
    nodes, edges = graph(rich)
    assert set(g.nodes) == set(nodes)
    assert g.nodes["h1"]["label"] == TRICKY and g.nodes["h1"]["type"] == "Hub"
    assert g.nodes["p1"]["budget"] == 1234.56 and g.nodes["t1"]["startDate"] == "2024-01-31"
    assert {(s, d["label"], t) for s, t, d in g.edges(data=True)} == set(edges)


def test_kumu_files_have_kumus_fields(rich: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    data = json.loads(_export(rich, "kumu-json", tmp_path / "out").read_text(encoding="utf-8"))
    hub = next(e for e in data["elements"] if e["id"] == "h1")
    assert (hub["label"], hub["type"], hub["tags"]) == (TRICKY, "Hub", ["design", "Łódź", "a,b"])
    partner = next(c for c in data["connections"] if c["type"] == "PARTNERS_WITH")
    assert (partner["from"], partner["to"], partner["strength"]) == ("c1", "c 2/ü", 0.25)
    book = load_workbook(_export(rich, "kumu-xlsx", tmp_path / "book"), read_only=True)
    try:
        assert book.sheetnames == ["Elements", "Connections"]
        head = [next(book[s].iter_rows(values_only=True)) for s in book.sheetnames]
    finally:
        book.close()
    assert head[0][:5] == ("ID", "Label", "Type", "Description", "Tags")
    assert head[1][:5] == ("From", "To", "Type", "Direction", "Strength")


def test_csv_and_gephi_tables_have_their_headers(rich: Path, tmp_path: Path) -> None:
    ours = _export(rich, "csv", tmp_path / "ours")
    gephi = _export(rich, "gephi-csv", tmp_path / "gephi")
    heads = {}
    for path in (ours / "nodes.csv", ours / "edges.csv", gephi / "nodes.csv",
                 gephi / "edges.csv"):
        with open(path, encoding="utf-8", newline="") as f:
            heads[path] = next(csv.reader(f))
    assert heads[ours / "nodes.csv"][:3] == ["id", "label", "name"]
    assert heads[ours / "edges.csv"][:3] == ["source", "target", "type"]
    assert heads[gephi / "nodes.csv"][:3] == ["Id", "Label", "Type"]
    assert heads[gephi / "edges.csv"][:5] == ["Source", "Target", "Type", "Label", "Weight"]


# -- filters ---------------------------------------------------------------------------------------
def _reference(db: Path, region: str | None = None, sector: str | None = None,
               labels: set[str] | None = None) -> set[str]:
    """The documented meaning of the filters, spelled out slowly."""
    nodes, edge_props = graph(db)
    edges = list(edge_props)

    def below(root: str, rel: str) -> set[str]:
        out, todo = {root}, [root]
        while todo:
            x = todo.pop()
            for s, t, d in edges:
                if t == rel and d == x and s not in out:
                    out.add(s)
                    todo.append(s)
        return out

    actors = {i for i, (lab, _) in nodes.items() if lab in ("Hub", "Company")}
    roots: set[str] = set()
    for root, down, link in ((region, "PART_OF", "LOCATED_IN"),
                             (sector, "BROADER", "IN_SECTOR")):
        if root is not None:
            tree = below(root, down)
            roots |= tree
            actors = {a for a in actors if any(s == a and t == link and d in tree
                                               for s, t, d in edges)}
    keep = actors | roots
    for s, _, d in edges:
        if s in actors and d not in actors and nodes[d][0] not in ("Hub", "Company"):
            keep.add(d)
        if d in actors and s not in actors and nodes[s][0] not in ("Hub", "Company"):
            keep.add(s)
    todo = list(keep)
    while todo:
        x = todo.pop()
        for s, t, d in edges:
            if s == x and t in ("PART_OF", "BROADER") and d not in keep:
                keep.add(d)
                todo.append(d)
    return {i for i in keep if labels is None or nodes[i][0] in labels}


@pytest.mark.parametrize("args, region, sector, labels", [
    (["--region", "AT"], "AT", None, None),
    (["--region", "DE11"], "DE11", None, None),
    (["--sector", "C"], None, "C", None),
    (["--sector", "J", "--region", "PL", "--labels", "Company,Sector"], "PL", "J",
     {"Company", "Sector"}),
    (["--labels", "hub,Region"], None, None, {"Hub", "Region"}),
])
def test_filtered_exports_match_the_documented_meaning(
        args: list[str], region: str | None, sector: str | None, labels: set[str] | None,
        demo: Path, tmp_path: Path) -> None:
    out = _export(demo, "jsonl", tmp_path / "part", *args)
    with open(out / "nodes.jsonl", encoding="utf-8") as f:
        ids = {json.loads(line)["id"] for line in f}
    expected = _reference(demo, region, sector, labels)
    assert ids == expected and len(ids) > 10
    with open(out / "edges.jsonl", encoding="utf-8") as f:
        ends = [(e["source"], e["target"]) for e in map(json.loads, f)]
    _, all_edges = graph(demo)
    assert len(ends) == sum(1 for s, _, t in all_edges if s in ids and t in ids)


def test_a_nace_code_without_its_section_letter(rich: Path, tmp_path: Path) -> None:
    out = _export(rich, "csv", tmp_path / "part", "--sector", "26")
    with open(out / "nodes.csv", encoding="utf-8", newline="") as f:
        ids = {row["id"] for row in csv.DictReader(f)}
    assert ids == _reference(rich, sector="C26")


def test_bad_filters_and_missing_store(rich: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(capsys, "export", "csv", tmp_path / "x", "--region", "XX99", "--db", rich)
    assert code == 2 and "expected the id of a Region in the store" in err and "XX99" in err
    code, err = run(capsys, "export", "csv", tmp_path / "x", "--labels", "Hubs", "--db", rich)
    assert code == 2 and "labels among Hub, Company" in err
    code, err = run(capsys, "export", "pdf", tmp_path / "x", "--db", rich)
    assert code == 2 and "pdf" in err
    code, err = run(capsys, "export", "csv", tmp_path / "x", "--db", tmp_path / "none.db")
    assert code == 1 and "no such store" in err
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_control_characters_do_not_break_an_export(fmt: str, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    with EmbeddedStore(db) as s:
        s.upsert_nodes([Node("x\x01", "Competence", {"name": "bell\x07 and vertical\x0btab"})],
                       source="t")
    out = _export(db, fmt, tmp_path / "out")
    assert reimport(fmt, out, tmp_path / "back.db") == 0
    (node_id, (_, props)), = graph(tmp_path / "back.db")[0].items()
    # XML 1.0 and Excel cannot hold these characters: those formats drop them
    kept = fmt in ("csv", "jsonl", "gephi-csv", "kumu-json")
    assert node_id == ("x\x01" if kept else "x")
    assert props["name"] == ("bell\x07 and vertical\x0btab" if kept else "bell and verticaltab")
