"""Time in files: Gephi's dynamic attributes and spells become the schema's validity on import,
and exports carry start/end dates that Gephi's timeline plays and that read back exactly."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest

from coco_atlas.api.cli import main
from coco_atlas.graph.embedded.store import EmbeddedStore
from tests.timegraphs import build_changes

DYNAMIC = """<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" version="1.3">
  <graph mode="dynamic" timeformat="date" defaultedgetype="directed">
    <attributes class="node"><attribute id="0" title="type" type="string"/></attributes>
    <nodes>
      <node id="c1" label="Atelier" start="2015-01-01">
        <attvalues><attvalue for="0" value="Company"/></attvalues></node>
      <node id="c2" label="Werke" start="2012-03-01" end="2020-06-30">
        <attvalues><attvalue for="0" value="Company"/></attvalues></node>
      <node id="k1" label="Pilot">
        <attvalues><attvalue for="0" value="Collaboration"/></attvalues>
        <spells><spell start="2021-02-01" end="2021-05-31"/>
                <spell start="2021-09-01" end="2021-12-15"/></spells></node>
    </nodes>
    <edges>
      <edge id="0" source="c1" target="c2" label="PARTNERS_WITH" start="2018-01-01"
            end="2020-12-31"/>
      <edge id="1" source="c1" target="k1" label="PARTICIPATES_IN"/>
    </edges>
  </graph>
</gexf>
"""


def test_dynamic_attributes_and_spells_become_validity(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "dynamic.gexf"
    path.write_text(DYNAMIC, encoding="utf-8")
    db = tmp_path / "d.db"
    assert main(["import", "gephi", str(path), "--db", str(db)]) == 0, capsys.readouterr().err
    with EmbeddedStore(db) as s:
        nodes = s.get_nodes(["c1", "c2", "k1"])
        assert nodes["c1"].props.get("foundedYear") == 2015
        assert "closedYear" not in nodes["c1"].props  # no end: still acting
        assert (nodes["c2"].props["foundedYear"], nodes["c2"].props["closedYear"]) == (2012, 2020)
        # spells: from the first one's start to the last one's end
        assert (nodes["k1"].props["startDate"], nodes["k1"].props["endDate"]) == (
            "2021-02-01", "2021-12-15")
        partners = s.get_edge("c1", "PARTNERS_WITH", "c2")
        assert partners is not None
        assert (partners.props["since"], partners.props["until"]) == (2018, 2020)


def test_an_export_carries_dates_and_reads_back_exactly(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    source, copy, out = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "g.gexf"
    with EmbeddedStore(source) as s:
        build_changes(s)
    assert main(["export", "gexf", str(out), "--db", str(source)]) == 0
    root = ElementTree.parse(out).getroot()
    ns = {"g": "http://gexf.net/1.3"}
    graph = root.find("g:graph", ns)
    assert graph is not None and graph.get("mode") == "dynamic"
    node = {n.get("id"): n for n in root.iter("{http://gexf.net/1.3}node")}
    assert (node["c4"].get("start"), node["c4"].get("end")) == ("2015-01-01", "2020-12-31")
    assert (node["k1"].get("start"), node["k1"].get("end")) == ("2021-01-01", "2021-12-31")
    assert node["c1"].get("end") is None and node["AT13"].get("start") is None
    edge = next(e for e in root.iter("{http://gexf.net/1.3}edge")
                if (e.get("source"), e.get("target")) == ("c1", "c4"))
    assert (edge.get("start"), edge.get("end")) == ("2018-01-01", "2020-12-31")
    assert main(["import", "gephi", str(out), "--db", str(copy)]) == 0, capsys.readouterr().err
    with EmbeddedStore(source) as a, EmbeddedStore(copy) as b:
        def plain(store: EmbeddedStore) -> tuple[dict[str, object], set[object]]:
            nodes = {n.id: {k: v for k, v in n.props.items() if k not in ("source", "updatedAt")}
                     for n in store.iter_nodes()}
            edges = {(e.source, e.type, e.target,
                      tuple(sorted((k, v) for k, v in e.props.items()
                                   if k not in ("source", "updatedAt"))))
                     for e in store.iter_edges()}
            return nodes, edges
        assert plain(a) == plain(b)


@pytest.mark.parametrize("fmt", ["kumu-json", "kumu-xlsx"])
def test_kumu_exports_keep_every_date_field(fmt: str, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Kumu has no native time: its maps keep dates as fields (its time filters read them);
    ours travel as fields named after the properties and come back as they were."""
    source, copy = tmp_path / "a.db", tmp_path / "b.db"
    out = tmp_path / ("k.json" if fmt == "kumu-json" else "k.xlsx")
    with EmbeddedStore(source) as s:
        build_changes(s)
    assert main(["export", fmt, str(out), "--db", str(source)]) == 0
    assert main(["import", "kumu", str(out), "--db", str(copy)]) == 0, capsys.readouterr().err
    with EmbeddedStore(copy) as b:
        c4 = b.get_node("c4")
        assert c4 is not None and (c4.props["foundedYear"], c4.props["closedYear"]) == (2015, 2020)
        k1 = b.get_node("k1")
        assert k1 is not None and k1.props["endDate"] == "2021-12-31"
        tie = b.get_edge("c1", "PARTNERS_WITH", "c4")
        assert tie is not None and (tie.props["since"], tie.props["until"]) == (2018, 2020)
        offer = b.get_edge("c2", "OFFERS", "s1")
        assert offer is not None and offer.props["since"] == 2021
