"""``coco backup``: a consistent copy of the embedded store, taken while it is written to."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from coco_atlas.api.cli import main
from coco_atlas.graph.embedded.store import EmbeddedStore
from tests.conftest import company


def test_a_backup_taken_during_writes_is_a_whole_store(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, copy = tmp_path / "live.db", tmp_path / "copy.db"
    assert main(["demo-data", "--size", "small", "--seed", "2", "--db", str(db)]) == 0
    with EmbeddedStore(db) as store:
        demo_companies = store.count("Company")
    stop = threading.Event()

    def write() -> None:  # another connection keeps writing while the backup runs
        with EmbeddedStore(db) as store:
            k = 0
            while not stop.is_set():
                store.upsert_nodes([company(f"w{k}", "Writer")], source="writer")
                k += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert main(["backup", str(copy), "--db", str(db)]) == 0
    finally:
        stop.set()
        writer.join()
    with EmbeddedStore(copy) as store:
        # one state of the store: the writer's nodes are w0 … wN without a gap
        numbers = sorted(int(n.id[1:]) for n in store.iter_nodes("Company")
                         if n.props["name"] == "Writer")
        assert numbers == list(range(len(numbers)))
        assert store.count("Company") == demo_companies + len(numbers)


def test_a_backup_never_overwrites_and_neo4j_is_pointed_to_its_tool(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, copy = tmp_path / "live.db", tmp_path / "copy.db"
    assert main(["demo-data", "--size", "small", "--db", str(db)]) == 0
    copy.write_text("precious", encoding="utf-8")
    assert main(["backup", str(copy), "--db", str(db)]) == 1
    assert copy.read_text(encoding="utf-8") == "precious"
    assert "already exists" in capsys.readouterr().err
    assert main(["backup", str(tmp_path / "n.db"), "--neo4j", "bolt://127.0.0.1:1"]) != 0
    assert "neo4j-admin database dump" in capsys.readouterr().err
    assert not (tmp_path / "n.db").exists()
