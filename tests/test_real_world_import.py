"""Issue 12, end to end: files in the shapes people have, imported without editing them.

A network a cluster manager drew in Gephi (a GEXF whose node ``label`` is the organisation's
name, its own type names and attribute names, hubs without a kind), and a partner's CSV list
that overlaps it: the same actors under other ids and other spellings. The import takes the
GEXF with a mapping; the CSV's dry run shows the overlaps before anything is written; the
duplicate finder and the quality report name them; a merge makes them one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coco_atlas.api.cli import main
from coco_atlas.graph.embedded.store import EmbeddedStore

GEXF = """<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" version="1.3">
  <graph defaultedgetype="undirected">
    <attributes class="node">
      <attribute id="0" title="Typ" type="string"/>
      <attribute id="1" title="Land" type="string"/>
      <attribute id="2" title="Stadt" type="string"/>
    </attributes>
    <nodes>
      <node id="0" label="Kreativni center Ljubljana">
        <attvalues><attvalue for="0" value="Zentrum"/><attvalue for="1" value="SI"/>
          <attvalue for="2" value="Ljubljana"/></attvalues></node>
      <node id="1" label="Tovarna Robotov d.o.o.">
        <attvalues><attvalue for="0" value="Firma"/><attvalue for="1" value="SI"/>
          <attvalue for="2" value="Maribor"/></attvalues></node>
      <node id="2" label="Oblikovalski Studio Kranj s.p.">
        <attvalues><attvalue for="0" value="Firma"/><attvalue for="1" value="SI"/>
          <attvalue for="2" value="Kranj"/></attvalues></node>
    </nodes>
    <edges>
      <edge id="0" source="1" target="2"/>
    </edges>
  </graph>
</gexf>
"""
MAPPING = """[nodes.columns]
Typ = "label"
Land = "country"
Stadt = "city"

[labels]
Zentrum = "Hub"
Firma = "Company"

[edges.values]
type = "PARTNERS_WITH"
"""
PARTNER_CSV = """id,label,name,country,city
si-042,Company,TOVARNA ROBOTOV,SI,Maribor
si-077,Company,Oblikovalski studio Kranj,SI,Kranj
si-101,Company,Pekarna Novak,SI,Celje
"""


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "cluster.gexf").write_text(GEXF, encoding="utf-8")
    (tmp_path / "cluster.toml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "partners.csv").write_text(PARTNER_CSV, encoding="utf-8")
    return tmp_path


def test_overlapping_files_become_one_clean_graph(
        files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(files / "atlas.db")
    assert main(["import", "gephi", str(files / "cluster.gexf"), "--mapping",
                 str(files / "cluster.toml"), "--db", db]) == 0, capsys.readouterr().err
    with EmbeddedStore(files / "atlas.db") as store:
        hub = store.get_node("0")
        assert hub is not None and hub.label == "Hub"
        assert hub.props["name"] == "Kreativni center Ljubljana"  # the GEXF label is a name
        assert "kind" not in hub.props  # recommended, unknown: stored without it
    capsys.readouterr()

    # the partner's list: its dry run names the actors already stored under other ids
    assert main(["import", "csv", "--nodes", str(files / "partners.csv"), "--dry-run",
                 "--db", db]) == 0
    err = capsys.readouterr().err.replace("\n", " ")
    assert "si-042" in err and "si-077" in err and "si-101" not in err
    assert main(["import", "csv", "--nodes", str(files / "partners.csv"), "--db", db]) == 0
    capsys.readouterr()

    assert main(["duplicates", "--json", "--db", db]) == 0
    pairs = {tuple(sorted((p["a"]["id"], p["b"]["id"])))
             for p in json.loads(capsys.readouterr().out)}
    assert pairs == {("1", "si-042"), ("2", "si-077")}
    assert main(["quality", "--json", "--db", db]) == 0
    report = json.loads(capsys.readouterr().out)
    found = {f["kind"]: f for f in report["findings"]}
    assert found["duplicates"]["count"] == 4
    assert found["noRegion"]["count"] == 6  # nobody is placed in a NUTS region yet

    # one actor, kept under the cluster's id, with the partner's relationships and values
    assert main(["merge", "1", "si-042", "--db", db]) == 0
    capsys.readouterr()
    with EmbeddedStore(files / "atlas.db") as store:
        assert store.get_node("si-042") is None
        kept = store.get_node("1")
        assert kept is not None and kept.props["name"] == "Tovarna Robotov d.o.o."
        assert store.get_edge("1", "PARTNERS_WITH", "2") is not None
    assert main(["duplicates", "--json", "--db", db]) == 0
    left = json.loads(capsys.readouterr().out)
    assert [tuple(sorted((p["a"]["id"], p["b"]["id"]))) for p in left] == [("2", "si-077")]
