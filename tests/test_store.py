"""The Store contract, through its public methods only. Parametrised over every backend."""

from __future__ import annotations

import pytest

from coco_atlas.graph.query import And, Cond, Not, Or, SortKey, where
from coco_atlas.graph.store import NeighbourQuery, Store, Transaction, neighbour_order
from coco_atlas.schema import Node, ValidationError
from tests.conftest import company, edge, hub


def test_get_and_stamps(small_graph: Store) -> None:
    node = small_graph.get_node("c4")
    assert node is not None and node.label == "Company"
    assert node.props["name"] == "Łódź Motion"
    assert node.props["source"] == "fixture" and node.props["updatedAt"].endswith("+00:00")
    assert small_graph.get_node("nope") is None
    e = small_graph.get_edge("c1", "MEMBER_OF", "h-wien")
    assert e is not None and e.props["since"] == 2015 and e.props["source"] == "fixture"


def test_upsert_is_idempotent_and_merges(small_graph: Store) -> None:
    before = small_graph.counts()
    r = small_graph.upsert_nodes([company("c1", "Alpha Design", "AT", city="Wien")], source="t2")
    assert (r.nodes_created, r.nodes_updated) == (0, 1)
    node = small_graph.get_node("c1")
    assert node is not None
    assert node.props["city"] == "Wien" and node.props["foundedYear"] == 2001  # merged
    assert node.props["source"] == "t2"
    small_graph.upsert_nodes([company("c1", "Alpha Design", "AT", city=None)], source="t3")
    assert "city" not in small_graph.get_node("c1").props  # type: ignore[union-attr]
    assert small_graph.counts() == before


def test_version_changes_on_every_write_only(small_graph: Store) -> None:
    v = small_graph.version
    small_graph.get_node("c1")
    small_graph.find("Company")
    assert small_graph.version == v
    small_graph.upsert_edges([edge("c3", "PARTNERS_WITH", "c4")], source="t")
    assert small_graph.version > v


def test_failing_batch_leaves_store_exactly_as_it_was(small_graph: Store) -> None:
    before = (small_graph.counts(), small_graph.version, small_graph.get_node("c1"))
    with pytest.raises(ValidationError) as info, small_graph.transaction("bad") as tx:
        tx.upsert_nodes([company("c9", "New Co"), company("c1", "Renamed")])
        tx.upsert_edges([edge("c9", "MEMBER_OF", "h-wien"),
                         edge("c9", "MEMBER_OF", "AT13")])  # wrong target label
    assert [p.field for p in info.value.problems] == ["target"]
    after = (small_graph.counts(), small_graph.version, small_graph.get_node("c1"))
    assert after == before
    assert small_graph.get_node("c9") is None


def test_label_cannot_change(small_graph: Store) -> None:
    with pytest.raises(ValidationError) as info:
        small_graph.upsert_nodes([hub("c1", "Now a hub")], source="t")
    assert info.value.problems[0].field == "label"


def test_located_in_keeps_country_consistent(small_graph: Store) -> None:
    with pytest.raises(ValidationError) as info:
        small_graph.upsert_edges([edge("c3", "LOCATED_IN", "AT13")], source="t")
    assert info.value.problems[0].field == "country"
    with pytest.raises(ValidationError):  # changing the country of a located hub
        small_graph.upsert_nodes([hub("h-wien", "Wiener Kreativhub", "SK")], source="t")


def test_transaction_commits_nodes_and_edges_together(store: Store) -> None:
    with store.transaction("tx") as tx:
        tx.upsert_nodes([hub("h", "H"), company("c", "C")])
        tx.upsert_edges([edge("c", "MEMBER_OF", "h", since=2020)])
    assert store.counts()["relationships"]["MEMBER_OF"] == 1


def test_later_batches_of_a_bulk_see_the_earlier_ones(store: Store) -> None:
    """Within one bulk: an edge written again is updated (not duplicated), a node deleted and
    written again comes back without its old edges, and the counts say so."""
    with store.bulk("b") as writer:
        writer.write(Transaction("b", [hub("h", "H"), company("c", "C"), company("d", "D")],
                                 [edge("c", "MEMBER_OF", "h", since=2020),
                                  edge("d", "PARTNERS_WITH", "c")]))
        writer.write(Transaction("b", [], [edge("c", "MEMBER_OF", "h", until=2024)]))
        writer.write(Transaction("b", delete_nodes=["d"]))
        total = writer.write(Transaction("b", [company("d", "D2")],
                                         [edge("d", "MEMBER_OF", "h")]))
    assert (total.nodes_created, total.nodes_deleted, total.edges_created,
            total.edges_updated) == (4, 1, 3, 1)
    kept = store.get_edges([("c", "MEMBER_OF", "h")])[("c", "MEMBER_OF", "h")]
    assert (kept.props["since"], kept.props["until"]) == (2020, 2024)
    assert store.counts()["relationships"]["MEMBER_OF"] == 2
    assert store.counts()["relationships"]["PARTNERS_WITH"] == 0
    assert store.get_nodes(["d"])["d"].props["name"] == "D2"


def test_find_filters_sort_and_pages(small_graph: Store) -> None:
    page = small_graph.find("Company", where(country="AT"), [SortKey("name")], first=10)
    assert [n.id for n in page.items] == ["c1", "c2"] and page.total_count == 2
    older = small_graph.find("Company", Cond("foundedYear", "lt", 2005))
    assert {n.id for n in older.items} == {"c1", "c2"}
    either = small_graph.find("Company", Or((Cond("sizeClass", "eq", "micro"),
                                             Cond("sizeClass", "eq", "large"))))
    assert {n.id for n in either.items} == {"c1", "c2"}
    not_at = small_graph.find("Company", Not(Cond("country", "eq", "AT")))
    assert {n.id for n in not_at.items} == {"c3", "c4"}
    combo = small_graph.find("Company", And((Cond("name", "startsWith", "Ga"),
                                             Cond("id", "in", ["c3", "c2"]))))
    assert [n.id for n in combo.items] == ["c3"]
    no_size = small_graph.find("Company", Cond("sizeClass", "exists", False))
    assert [n.id for n in no_size.items] == ["c4"]


def test_cursor_paging_visits_every_row_once_in_order(small_graph: Store) -> None:
    for order in ([SortKey("name")], [SortKey("name", True)], [SortKey("sizeClass", True)],
                  [SortKey("foundedYear")], []):
        seen, after = [], None
        while True:
            page = small_graph.find("Company", None, order, first=1, after=after)
            seen.extend(n.id for n in page.items)
            if not page.has_next:
                break
            after = page.end_cursor
        full = small_graph.find("Company", None, order, first=100)
        assert seen == [n.id for n in full.items] and len(seen) == 4, order


def test_nulls_sort_last(small_graph: Store) -> None:
    page = small_graph.find("Company", None, [SortKey("sizeClass")], first=10)
    assert [n.id for n in page.items] == ["c2", "c1", "c3", "c4"]  # large, micro, small, none


def test_cursor_stays_valid_while_rows_are_added(small_graph: Store) -> None:
    first = small_graph.find("Company", None, [SortKey("name")], first=2)
    small_graph.upsert_nodes([company("c0", "Aardvark Studio")], source="t")
    rest = small_graph.find("Company", None, [SortKey("name")], first=10, after=first.end_cursor)
    assert [n.id for n in rest.items] == ["c3", "c4"]


def test_find_rejects_unknown_properties_and_bad_cursors(small_graph: Store) -> None:
    with pytest.raises(ValidationError) as info:
        small_graph.find("Company", where(colour="red"))
    assert info.value.problems[0].field == "colour"
    with pytest.raises(ValidationError):
        small_graph.find("Company", after="not-a-cursor")
    with pytest.raises(ValidationError):
        small_graph.find("Startup")


def test_count(small_graph: Store) -> None:
    assert small_graph.count("Company") == 4
    assert small_graph.count("Company", where(country="SK")) == 2


def test_neighbours_by_type_and_direction(small_graph: Store) -> None:
    out = small_graph.neighbours(["c1"], ["MEMBER_OF"], "out")["c1"]
    assert [(n.node.id, n.edge.props.get("since")) for n in out] == [("h-wien", 2015)]
    members = small_graph.neighbours(["h-wien"], ["MEMBER_OF"], "in")["h-wien"]
    assert sorted(n.node.id for n in members) == ["c1", "c2"]
    both = small_graph.neighbours(["h-wien", "zzz"], None, "both")
    assert sorted(n.node.id for n in both["h-wien"]) == ["AT13", "c1", "c2", "h-kosice"]
    assert both["zzz"] == []


def test_neighbours_first_by_id_then_type_then_out(small_graph: Store) -> None:
    """``first`` keeps each id's first neighbours in neighbour_order, whatever the store's
    own order; a node met over two relationships is two neighbours."""
    small_graph.upsert_edges([edge("c2", "PARTNERS_WITH", "c1")], source="test")
    firsts = small_graph.neighbours(["h-wien", "c1", "c3", "zzz"], ["MEMBER_OF"], "in", first=1)
    assert [nb.node.id for nb in firsts["h-wien"]] == ["c1"]
    assert firsts["c1"] == firsts["c3"] == firsts["zzz"] == []
    both = small_graph.neighbours(["c1", "h-wien"], None, "both", first=2)
    assert [(nb.node.id, nb.edge.type, nb.direction) for nb in both["c1"]] == [
        ("c2", "PARTNERS_WITH", "out"), ("c2", "PARTNERS_WITH", "in")]
    assert [(nb.edge.source, nb.edge.target) for nb in both["c1"]] == [("c1", "c2"),
                                                                       ("c2", "c1")]
    assert [nb.node.id for nb in both["h-wien"]] == ["AT13", "c1"]
    whole = small_graph.neighbours(["c1", "h-wien"], None, "both")
    for i in ("c1", "h-wien"):
        assert sorted(whole[i], key=neighbour_order)[:2] == both[i]
        assert small_graph.neighbours([i], None, "both", first=0)[i] == []
        assert sorted(small_graph.neighbours([i], None, "both", first=50)[i],
                      key=neighbour_order) == sorted(whole[i], key=neighbour_order)


def test_nodes_and_neighbours_in_one_call(small_graph: Store) -> None:
    """The nodes, and per query the neighbours of those of its label: the same answers as
    get_nodes and neighbours one after another."""
    g = small_graph
    queries = [NeighbourQuery("Hub", ("MEMBER_OF",), "in", ("Company", "Hub"), 1),
               NeighbourQuery("Company", ("MEMBER_OF", "PARTNERS_WITH"), "both"),
               NeighbourQuery("Hub", ("PARTNERS_WITH", "LOCATED_IN"), "both", None, 2),
               NeighbourQuery("Sector", ("IN_SECTOR",), "in")]
    ids = ["h-wien", "c1", "c3", "zzz", "h-kosice"]
    nodes, found = g.nodes_and_neighbours(ids, queries)
    assert nodes == g.get_nodes(ids)
    assert [nb.node.id for nb in found[0]["h-wien"]] == ["c1"]
    assert set(found[0]) == {"h-wien", "h-kosice"} and found[0]["h-kosice"] == [
        nb for nb in g.neighbours(["h-kosice"], ["MEMBER_OF"], "in")["h-kosice"]]
    for i in ("c1", "c3"):
        assert sorted(found[1][i], key=neighbour_order) == sorted(
            g.neighbours([i], ["MEMBER_OF", "PARTNERS_WITH"], "both")[i], key=neighbour_order)
    assert set(found[1]) == {"c1", "c3"}
    assert found[2]["h-wien"] == g.neighbours(["h-wien"], ["PARTNERS_WITH", "LOCATED_IN"],
                                              "both", first=2)["h-wien"]
    assert found[3] == {}
    assert g.nodes_and_neighbours(["zzz"], queries) == ({}, [{}, {}, {}, {}])


def test_neighbours_of_some_labels(small_graph: Store) -> None:
    hubs = small_graph.neighbours(["h-wien"], None, "both", labels=["Hub"])
    assert [(nb.node.id, nb.direction) for nb in hubs["h-wien"]] == [("h-kosice", "out")]
    some = small_graph.neighbours(["h-wien"], None, "both", labels=["Company", "Region"],
                                  first=2)
    assert [nb.node.id for nb in some["h-wien"]] == ["AT13", "c1"]
    assert small_graph.neighbours(["h-wien"], None, "both", labels=[])["h-wien"] == []
    assert small_graph.neighbours(["h-wien"], ["MEMBER_OF"], "in",
                                  labels=["Hub"])["h-wien"] == []


def test_delete_node_detaches_its_edges(small_graph: Store) -> None:
    r = small_graph.delete_nodes(["h-wien"])
    assert r.nodes_deleted == 1 and r.edges_deleted == 4
    assert small_graph.get_node("h-wien") is None
    assert small_graph.neighbours(["c1"], ["MEMBER_OF"])["c1"] == []
    with pytest.raises(ValidationError):
        small_graph.delete_nodes(["h-wien"])


def test_delete_edge(small_graph: Store) -> None:
    small_graph.delete_edges([("c1", "PARTNERS_WITH", "c2")])
    assert small_graph.get_edge("c1", "PARTNERS_WITH", "c2") is None
    assert small_graph.counts()["relationships"]["PARTNERS_WITH"] == 1


def test_counts_and_iteration(small_graph: Store) -> None:
    counts = small_graph.counts()
    assert counts["labels"]["Company"] == 4 and counts["labels"]["Sector"] == 0
    assert counts["relationships"]["MEMBER_OF"] == 3
    assert len(list(small_graph.iter_nodes(batch=2))) == sum(counts["labels"].values())
    assert len(list(small_graph.iter_edges(batch=3))) == sum(counts["relationships"].values())
    assert {n.id for n in small_graph.iter_nodes("Hub")} == {"h-wien", "h-kosice"}


def test_topology_and_networkx_projection(small_graph: Store) -> None:
    topo = small_graph.topology(["Hub", "Company"], ["MEMBER_OF", "PARTNERS_WITH"])
    assert sorted(topo.ids) == ["c1", "c2", "c3", "c4", "h-kosice", "h-wien"]
    pairs = {(topo.ids[s], topo.ids[d]) for s, d in zip(topo.src, topo.dst, strict=True)}
    assert pairs == {("c1", "h-wien"), ("c2", "h-wien"), ("c3", "h-kosice"),
                     ("h-wien", "h-kosice"), ("c1", "c2")}
    g = small_graph.to_networkx(["Hub", "Company"], ["MEMBER_OF"])
    assert g.nodes["h-wien"]["label"] == "Hub"
    assert sorted(g.predecessors("h-wien")) == ["c1", "c2"]
    assert g.number_of_edges() == 3
    everything = small_graph.topology()
    assert everything.n_nodes == 9 and everything.n_edges == 8


def test_property_values(small_graph: Store) -> None:
    assert small_graph.property_values("country", ["Hub"]) == {"h-wien": "AT", "h-kosice": "SK"}
    sizes = small_graph.property_values("sizeClass")
    assert sizes == {"c1": "micro", "c2": "large", "c3": "small"}


def test_property_values_keep_their_types(store: Store) -> None:
    store.upsert_nodes([Node("C", "Sector", {"name": "Manufacturing", "level": 1,
                                             "isCCI": False, "isAdvancedManufacturing": True})],
                       source="t")
    assert store.property_values("isCCI") == {"C": False}
    assert store.property_values("level", ["Sector"]) == {"C": 1}


def test_sorted_walks_match_a_plain_python_sort(store: Store) -> None:
    """Pages sorted on optional properties (missing values last in both directions, then by
    id), walked with cursors across the missing-value boundary, against Python's sort."""
    years = [2001, None, 1999, 2012, None, 2001, 2020, None, 1999]
    sizes = ["micro", "small", None, "small", "large", None, "micro", "small", None]
    nodes = [company(f"c{i}", f"C{i}", **({"foundedYear": y} if y is not None else {}),
                     **({"sizeClass": s} if s is not None else {}))
             for i, (y, s) in enumerate(zip(years, sizes, strict=True))]
    store.upsert_nodes(nodes, source="t")

    def reference(keys: list[SortKey]) -> list[str]:
        rows = [(n.id, n.props) for n in nodes]
        rows.sort(key=lambda r: r[0])
        for key in reversed(keys):  # stable sorts, last key first
            present = sorted((r for r in rows if key.prop in r[1]),
                             key=lambda r: r[1][key.prop], reverse=key.descending)
            rows = present + [r for r in rows if key.prop not in r[1]]
        return [i for i, _ in rows]

    for keys in ([SortKey("foundedYear")], [SortKey("foundedYear", True)],
                 [SortKey("sizeClass"), SortKey("foundedYear", True)],
                 [SortKey("sizeClass", True), SortKey("foundedYear")]):
        seen, after = [], None
        while True:
            page = store.find("Company", None, keys, first=2, after=after)
            seen.extend(n.id for n in page.items)
            assert page.total_count == 9
            if not page.has_next:
                break
            after = page.end_cursor
        assert seen == reference(keys), keys
