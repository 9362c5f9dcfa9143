"""The import tool's CSV files (``coco neo4j-load``, issue 17): the embedded store's lines built
by SQLite (graph/embedded/csvlines.py) say what the Store contract's records say, cell for cell,
on values that are hard to write as CSV. The files are read back with the csv module, as the
import tool reads RFC 4180; tests/test_neo4j_load.py loads them into a real Neo4j.
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from coco_atlas.graph.embedded.csvlines import snapshot
from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.graph.neo4j import load
from coco_atlas.graph.neo4j.load import ARRAY, LoadFailed, Written, _from_store, write_csv
from tests.conftest import company, edge, hub, sector

HARD = ['Łódź "Kreatywna", Košice', "semi;colon", "trailing space ", "'single'", "",
        "back\\slash", "tab\there"]


def _store(path: Path, *, newline: bool) -> EmbeddedStore:
    store = EmbeddedStore(path)
    nodes = [hub(f"h{i}", text or "unnamed", "PL", description=text or None,
                 tags=[text, "design"] if text else [], foundedYear=2000 + i)
             for i, text in enumerate(HARD)]
    nodes += [company("c1", "Alpha", "AT"), company("c2", "Beta\nzweite Zeile" if newline
                                                   else "Beta", "SK"),
              sector("C26", isCCI=False), sector("R90", isCCI=True)]
    store.upsert_nodes(nodes, source='a "quoted", source')
    store.upsert_edges([
        edge("c1", "PARTNERS_WITH", "c2", weight=2.5, since=2015),
        edge("c2", "PARTNERS_WITH", "h0", weight=3),
        edge("c1", "IN_SECTOR", "C26", primary=True), edge("c2", "IN_SECTOR", "R90",
                                                          primary=False),
        edge("c1", "MEMBER_OF", "h1"), edge("c2", "MEMBER_OF", "h1", since=2020, until=2021),
    ], source="ties")
    return store


def _read(written: Written) -> dict[str, Any]:
    """Per label or type (``nodes-Hub``, ``rels-OFFERS``: the files of one, such as
    ``rels-OFFERS.0.csv`` and ``rels-OFFERS.3.csv``, taken together): its header, and its
    rows with node keys replaced by the nodes' ids; those with no rows are left out."""
    files: dict[str, list[Path]] = {a.split("=", 1)[0]: [] for a in written.args}
    for a in written.args:
        files[a.split("=", 1)[0]].append(Path(a.split("=", 1)[1]))
    ids: dict[str, str] = {}
    out: dict[str, Any] = {}

    def add(path: Path, header: list[str], rows: list[list[str]]) -> None:
        seen = out.setdefault(path.name.split(".")[0], (header, []))
        assert seen[0] == header, f"{path.name}: another header than its type's other files"
        seen[1].extend(rows)

    for path in files["--nodes"]:
        with path.open(encoding="utf-8", newline="") as f:
            header, *rows = list(csv.reader(f))
        ids.update({r[0]: r[1] for r in rows})
        add(path, header, [r[1:] for r in rows])
    for path in files["--relationships"]:
        with path.open(encoding="utf-8", newline="") as f:
            header, *rows = list(csv.reader(f))
        add(path, header, [[ids[r[0]], ids[r[1]], *r[2:]] for r in rows])
    return {name: (header, sorted(rows)) for name, (header, rows) in out.items() if rows}


def test_sqlite_lines_say_what_the_records_say(tmp_path: Path) -> None:
    for newline in (False, True):
        folder = tmp_path / str(newline)
        (folder / "fast").mkdir(parents=True)
        (folder / "records").mkdir()
        with _store(folder / "s.db", newline=newline) as store:
            fast = write_csv(store, folder / "fast")  # the SQLite path
            slow = _from_store(store, folder / "records", lambda text: None)
            assert fast.records == slow.records == len(list(store.iter_nodes())) + len(
                list(store.iter_edges()))
        assert fast.multiline is slow.multiline is newline
        got, expected = _read(fast), _read(slow)
        assert got == expected
        hubs = dict((r[0], r) for r in got["nodes-Hub"][1])
        header = got["nodes-Hub"][0]
        tags, name = header.index("tags:string[]") - 1, header.index("name:string") - 1
        assert hubs["h0"][tags] == f"{HARD[0]}{ARRAY}design" and hubs["h0"][name] == HARD[0]
        assert hubs["h4"][tags] == ""  # an empty list is no property
        primary = [r[-1] for r in got["rels-IN_SECTOR"][1]]
        assert sorted(primary) == ["false", "true"]


def test_a_record_the_schema_does_not_declare_is_refused_by_both_paths(tmp_path: Path) -> None:
    with _store(tmp_path / "s.db", newline=False):
        pass
    db = sqlite3.connect(tmp_path / "s.db")
    db.execute("""UPDATE nodes SET props = json_set(props, '$.colour', 'red') WHERE id = 'c1'""")
    db.commit()
    db.close()
    for path in ("fast", "records"):
        (tmp_path / path).mkdir()
    with EmbeddedStore(tmp_path / "s.db") as store:
        with pytest.raises(LoadFailed, match=r"'c1'.*colour"):
            write_csv(store, tmp_path / "fast")
        with pytest.raises(LoadFailed, match=r"'c1'.*colour"):
            _from_store(store, tmp_path / "records", lambda text: None)


def test_relationships_cut_into_many_slices_say_the_same(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A slice per source node: a type's relationships spread over several files."""
    monkeypatch.setattr(load, "SOURCE_PARTS", 1000)
    for path in ("fast", "records"):
        (tmp_path / path).mkdir()
    with _store(tmp_path / "s.db", newline=False) as store:
        fast = write_csv(store, tmp_path / "fast")
        slow = _from_store(store, tmp_path / "records", lambda text: None)
    partners = [a for a in fast.args if "rels-PARTNERS_WITH." in a]
    assert len(partners) == 2 and fast.records == slow.records
    assert _read(fast) == _read(slow)


def test_the_files_come_from_one_state_of_the_store(tmp_path: Path) -> None:
    """A worker that finds the store written since the files were planned says so (and the
    writing begins again)."""
    with _store(tmp_path / "s.db", newline=False) as store:
        with snapshot(tmp_path / "s.db") as snap:
            planned = snap.version()
        store.upsert_nodes([company("c9", "Late")], source="meanwhile")
        with pytest.raises(load._Changed):
            load._run_jobs(tmp_path / "s.db", planned, tmp_path, [("newline", None, None)])
        assert load._run_jobs(tmp_path / "s.db", store.version, tmp_path,
                              [("newline", None, None)]) == [("newline", None, False)]


def test_a_store_that_keeps_changing_is_refused_after_a_few_tries(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tries: list[object] = []

    def changed(path: Path, version: object, *rest: object) -> None:
        tries.append(version)
        raise load._Changed

    monkeypatch.setattr(load, "_run_jobs", changed)
    with _store(tmp_path / "s.db", newline=False) as store, \
            pytest.raises(LoadFailed, match=r"s\.db: written to 3 times .* try again"):
        write_csv(store, tmp_path)
    assert len(tries) == load.TRIES == 3
