"""Gephi files in (``coco import gephi``): GEXF, GraphML and Gephi's spreadsheet tables.

Fixtures follow the GEXF 1.3 and GraphML primers and Gephi's CSV import format; expected
graphs are read off them by eye. For the real files in ../shared/samples/gephi the counts and
labels come from networkx's own GEXF/GraphML readers, an independent implementation.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import networkx as nx
import pytest

from tests.importing import graph, run, state

FIX = Path(__file__).parent / "fixtures" / "gephi"
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "gephi"


def test_gexf_with_attribute_defaults_and_viz_data(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "g.db"
    code, err = run(capsys, "import", "gephi", FIX / "ecosystem.gexf", "--db", db)
    assert code == 0, err
    assert graph(db) == (
        {"n1": ("Hub", {"name": "Kreativhub Wien", "country": "AT", "kind": "creative-hub",
                        "foundedYear": 2010}),
         "n2": ("Company", {"name": "Alpha Design GmbH", "country": "AT"}),  # the default
         "n3": ("Company", {"name": "Beta Robotics", "country": "SK", "foundedYear": 1999})},
        {("n2", "MEMBER_OF", "n1"): {"since": 2015},
         ("n2", "PARTNERS_WITH", "n3"): {"weight": 2.5}})
    code, err = run(capsys, "import", "gephi", FIX / "ecosystem.gexf", "--db", db)
    assert code == 0 and "3 unchanged; edges: 0 created, 0 changed, 2 unchanged" in err


def test_graphml_with_key_defaults(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "g.db"
    code, err = run(capsys, "import", "gephi", FIX / "ecosystem.graphml", "--db", db)
    assert code == 0, err
    assert graph(db) == (
        {"h1": ("Hub", {"name": "Kreativni center Ljubljana", "country": "SI",
                        "kind": "academy"}),
         "c1": ("Company", {"name": "Delta Čevlji d.o.o.", "country": "SI"}),
         "c2": ("Company", {"name": "c2", "country": "SI"})},  # no label: Gephi shows the id
        {("c1", "MEMBER_OF", "h1"): {}, ("c1", "PARTNERS_WITH", "c2"): {"weight": 1.5}})


def test_gephi_spreadsheet_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "g.db"
    code, err = run(capsys, "import", "gephi", FIX / "edges.csv", FIX / "nodes.csv", "--db", db)
    assert code == 0, err
    assert graph(db) == (
        {"h1": ("Hub", {"name": "Kreativhub Wien", "country": "AT", "kind": "creative-hub",
                        "foundedYear": 2010}),
         "c1": ("Company", {"name": "Alpha Design GmbH", "country": "AT", "foundedYear": 2001}),
         "c2": ("Company", {"name": "c2", "country": "AT"})},
        # Gephi's default weight 1.0 is dropped where MEMBER_OF has no weight
        {("c1", "MEMBER_OF", "h1"): {}, ("c1", "PARTNERS_WITH", "c2"): {"weight": 4.0}})


def test_a_dtd_is_refused_and_nothing_is_written(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "g.db"
    assert run(capsys, "import", "gephi", FIX / "ecosystem.graphml", "--db", db)[0] == 0
    before = state(db)
    laughs = tmp_path / "laughs.graphml"
    laughs.write_text('<?xml version="1.0"?>\n<!DOCTYPE graphml [\n<!ENTITY a "aaaaaaaaaa">\n'
                      '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n'
                      '<graphml><graph><node id="x"><data key="d">&b;</data></node></graph>'
                      "</graphml>\n", encoding="utf-8")
    code, err = run(capsys, "import", "gephi", laughs, "--db", db)
    assert code == 2
    assert f"{laughs}, line 2: expected XML without a DOCTYPE or entity declarations" in err
    assert state(db) == before


def test_malformed_xml_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.gexf"
    path.write_text('<gexf version="1.3">\n<graph>\n<nodes>\n<node id="a" label="A">\n'
                    "</nodes>\n</graph>\n</gexf>\n", encoding="utf-8")
    code, err = run(capsys, "import", "gephi", path, "--db", tmp_path / "g.db")
    assert code == 2
    assert f"{path}, line 5: expected well-formed XML, got 'mismatched tag (column 3)'" in err


def test_problems_name_the_xml_line_and_attribute(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    text = (FIX / "ecosystem.gexf").read_text(encoding="utf-8")
    path = tmp_path / "bad.gexf"
    path.write_text(text.replace('value="1999"', 'value="late nineties"')
                    .replace('label="MEMBER_OF"', 'label="MENTORS"'), encoding="utf-8")
    code, err = run(capsys, "import", "gephi", path, "--db", tmp_path / "g.db")
    assert code == 2
    lines = path.read_text(encoding="utf-8").splitlines()
    node = 1 + next(i for i, t in enumerate(lines) if '<node id="n3"' in t)
    edge = 1 + next(i for i, t in enumerate(lines) if "MENTORS" in t)
    assert f"{path}, line {node}, attvalue 'foundedYear': expected a whole number, " \
           "got 'late nineties'" in err
    assert f"{path}, line {edge}, attribute 'label': expected one of MEMBER_OF" in err


# -- real files by others ----------------------------------------------------------------------
def _sample(name: str) -> Path:
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"real Gephi sample {name} not here (../shared/samples/gephi)")
    return path


def _mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_sample_les_miserables_gexf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _sample("les-miserables.gexf")
    ref = nx.read_gexf(path)  # an independent reader (networkx)
    mapping = _mapping(tmp_path, '[nodes.columns]\n"Modularity Class" = ""\n'
                       '[nodes.values]\nlabel = "Company"\ncountry = "FR"\n'
                       '[edges.values]\ntype = "PARTNERS_WITH"\n')
    db = tmp_path / "g.db"
    code, err = run(capsys, "import", "gephi", path, "--mapping", mapping, "--db", db)
    assert code == 0, err
    nodes, edges = graph(db)
    assert {k: v[1]["name"] for k, v in nodes.items()} == {
        k: d["label"] for k, d in ref.nodes(data=True)}
    assert len(edges) == ref.number_of_edges() == 254
    weights = {frozenset((s, t)): d.get("weight") for s, t, d in ref.edges(data=True)}
    assert {frozenset((s, t)): p.get("weight") for (s, _, t), p in edges.items()} == weights


@pytest.mark.parametrize("name, mapping", [
    ("florentine.graphml", '[nodes.values]\nlabel = "Company"\ncountry = "IT"\n'
                           '[edges.values]\ntype = "PARTNERS_WITH"\n'),
    ("movnet.graphml", '[nodes.columns]\nacronym = ""\nlocation = "city"\ncontact = ""\n'
                       'website = ""\n'
                       '[nodes.values]\nlabel = "Hub"\nkind = "other"\ncountry = "BE"\n'
                       '[types]\ncollaborates = "PARTNERS_WITH"\nknows = "PARTNERS_WITH"\n'
                       'ispartof = "PARTNERS_WITH"\n'),
])
def test_sample_graphml(name: str, mapping: str, tmp_path: Path,
                        capsys: pytest.CaptureFixture[str]) -> None:
    path = _sample(name)
    # the reference: the file read with ElementTree (networkx refuses movnet's key ids)
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    root = ElementTree.parse(path).getroot()
    names = {k.get("id"): k.get("attr.name") for k in root.iterfind(".//g:key", ns)}
    ref_nodes = {}
    for node in root.iterfind(".//g:node", ns):
        data = {names[d.get("key")]: d.text for d in node.iterfind("g:data", ns)}
        ref_nodes[node.get("id")] = data.get("name", node.get("id"))
    ref_edges = {(e.get("source"), e.get("target")) for e in root.iterfind(".//g:edge", ns)}
    db = tmp_path / "g.db"
    code, err = run(capsys, "import", "gephi", path, "--mapping", _mapping(tmp_path, mapping),
                    "--db", db)
    assert code == 0, err
    nodes, edges = graph(db)
    assert {k: v[1]["name"] for k, v in nodes.items()} == ref_nodes
    assert {(s, t) for s, _, t in edges} == ref_edges
