"""``coco neo4j-load``: a store's graph into a stopped Neo4j with neo4j-admin's import tool,
record for record the same as the source (issue 17)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coco_atlas.api.cli import main
from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.graph.neo4j.server.launcher import Neo4jServer
from coco_atlas.graph.neo4j.store import Neo4jStore
from tests.conftest import hub

pytestmark = pytest.mark.slow  # Java: the import tool and a Neo4j start


def _snapshot(store: object) -> tuple[object, ...]:
    nodes = sorted((n.id, n.label, sorted(n.props.items())) for n in store.iter_nodes())  # type: ignore[attr-defined]
    edges = sorted((e.key, sorted(e.props.items())) for e in store.iter_edges())  # type: ignore[attr-defined]
    return nodes, edges


def test_a_loaded_database_holds_exactly_the_source_graph(
        neo4j_uri: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the import tool wrote import.report into the cwd
    db, home = tmp_path / "demo.db", tmp_path / "neo4j-home"
    assert main(["demo-data", "--size", "small", "--seed", "4", "--db", str(db)]) == 0
    with EmbeddedStore(db) as store:  # lists, booleans, numbers, dates and diacritics
        store.upsert_nodes([hub("x-hub", "Łódź \"Kreatywna\", Košice\nzweite Zeile", "PL",
                                foundedYear=2011, tags=["design", "łódź"])],
                           source="test, with a comma")
        expected = _snapshot(store)
    assert main(["neo4j-load", str(db), "--data-dir", str(home)]) == 0
    assert main(["neo4j-load", str(db), "--data-dir", str(home)]) == 1  # it exists: refused
    with Neo4jServer(data_dir=home) as server, Neo4jStore(server.uri) as loaded:
        assert _snapshot(loaded) == expected
        assert loaded.version == 0 and loaded.get_node("x-hub") is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.db", "neo4j-home"]
