"""What only the embedded store promises: its file is the truth, and survives crashes."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.graph.query import SortKey
from tests.conftest import company, edge, hub

WRITER = """
import sys
from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.schema import Node, Edge
store = EmbeddedStore(sys.argv[1])
store.upsert_nodes([Node("h", "Hub", {"name": "H", "kind": "cluster", "country": "AT"})],
                   source="w")
i = 0
while True:
    with store.transaction(f"batch {i}") as tx:
        tx.upsert_nodes(Node(f"c{i}-{k}", "Company", {"name": f"C {k}", "country": "AT"})
                        for k in range(200))
        tx.upsert_edges(Edge(f"c{i}-{k}", "MEMBER_OF", "h", {"since": 2000}) for k in range(200))
    print(i, flush=True)
    i += 1
"""


def _snapshot(store: EmbeddedStore) -> tuple[object, ...]:
    nodes = sorted((n.id, n.label, sorted(n.props.items())) for n in store.iter_nodes())
    edges = sorted((e.key, sorted(e.props.items())) for e in store.iter_edges())
    return store.counts(), store.version, nodes, edges


def test_reopened_store_equals_what_was_written(tmp_path: Path) -> None:
    path = tmp_path / "round.db"
    with EmbeddedStore(path) as s:
        s.upsert_nodes([hub("h", "Hub Łódź", "PL"), company("c", "Košice Co", "SK")], source="a")
        s.upsert_edges([edge("c", "MEMBER_OF", "h", since=2019)], source="a")
        s.delete_nodes(["c"])
        s.upsert_nodes([company("c2", "Again")], source="b")
        s.upsert_edges([edge("c2", "PARTNERS_WITH", "h", weight=1.5)], source="b")
        before = _snapshot(s)
        neighbours = s.neighbours(["h"], None, "both")
    with EmbeddedStore(path) as s:
        assert _snapshot(s) == before
        assert s.neighbours(["h"], None, "both") == neighbours
        assert s.get_node("h").props["name"] == "Hub Łódź"  # type: ignore[union-attr]


def test_index_follows_writes_of_another_process(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    with EmbeddedStore(path) as reader, EmbeddedStore(path) as writer:
        assert reader.count("Hub") == 0
        writer.upsert_nodes([hub("h", "H"), company("c", "C")], source="other")
        writer.upsert_edges([edge("c", "MEMBER_OF", "h")], source="other")
        assert reader.counts()["relationships"]["MEMBER_OF"] == 1
        assert [n.node.id for n in reader.neighbours(["h"], None, "in")["h"]] == ["c"]
        assert reader.version == writer.version


def test_killed_writer_leaves_every_committed_batch(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], cwd=root,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    committed = []
    deadline = time.monotonic() + 60
    while len(committed) < 15 and time.monotonic() < deadline:
        committed.append(int(proc.stdout.readline()))
    time.sleep(0.05)  # let it be in the middle of a later batch
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert len(committed) == 15
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with EmbeddedStore(path) as s:
        n_companies = s.count("Company")
        assert n_companies >= 15 * 200 and n_companies % 200 == 0  # whole batches only
        for i in committed:
            assert s.get_node(f"c{i}-199") is not None
        assert s.counts()["relationships"]["MEMBER_OF"] == n_companies


def test_adjacency_stays_right_when_nodes_are_added_after_a_traversal(tmp_path: Path) -> None:
    """New nodes extend the in-memory adjacency instead of forcing a re-sort of every edge;
    what a traversal finds must equal what a freshly opened store finds."""
    path = tmp_path / "s.db"
    with EmbeddedStore(path) as store:
        store.upsert_nodes([hub("h1", "H1"), company("c1", "C1"), company("c2", "C2")],
                           source="t")
        store.upsert_edges([edge("c1", "MEMBER_OF", "h1"), edge("c2", "MEMBER_OF", "h1")],
                           source="t")
        assert len(store.neighbours(["h1"], direction="in")["h1"]) == 2  # adjacency built
        store.upsert_nodes([company(f"n{i}", f"N{i}") for i in range(5)], source="t")
        grown = store.neighbours(["h1", "n4", "c2"], direction="both")  # the grown adjacency
        assert {k: sorted(nb.node.id for nb in v) for k, v in grown.items()} == {
            "h1": ["c1", "c2"], "n4": [], "c2": ["h1"]}
        store.upsert_edges([edge("n3", "MEMBER_OF", "h1")], source="t")
        store.upsert_nodes([company("late", "Late")], source="t")
        seen = {k: sorted(nb.node.id for nb in v) for k, v in
                store.neighbours(["h1", "n3", "late", "c1"], direction="both").items()}
    with EmbeddedStore(path) as fresh:
        assert seen == {k: sorted(nb.node.id for nb in v) for k, v in
                        fresh.neighbours(["h1", "n3", "late", "c1"], direction="both").items()}
    assert seen["h1"] == ["c1", "c2", "n3"] and seen["late"] == []


def test_indexes_of_an_older_shape_are_replaced_on_open(tmp_path: Path) -> None:
    """A store file made when a sort had another shape (e.g. before a property became
    optional) gets the schema's indexes, so sorts keep using them; the old ones go."""
    path = tmp_path / "s.db"
    with EmbeddedStore(path) as store:
        store.upsert_nodes([hub("h1", "H1", kind="cluster"), hub("h2", "H2")], source="t")
    with closing(sqlite3.connect(path)) as con, con:
        current = [n for (n,) in con.execute(
            "SELECT name FROM sqlite_master WHERE name LIKE 'nodes_p_Hub_kind_%'")]
        assert len(current) == 1
        con.execute(f'DROP INDEX "{current[0]}"')
        con.execute("CREATE INDEX nodes_Hub_kind ON nodes(props ->> '$.kind')")  # old shape
    with EmbeddedStore(path) as store:
        page = store.find("Hub", order_by=[SortKey("kind")], first=10)
        assert [n.id for n in page.items] == ["h1", "h2"]  # nulls (h2) last
    with closing(sqlite3.connect(path)) as con:
        names = {n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert current[0] in names and "nodes_Hub_kind" not in names
