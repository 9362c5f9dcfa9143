"""Reference data in (``coco import reference``): NACE Rev.2 and NUTS 2021, shipped with us.

Expected counts are Eurostat's published totals (NACE Rev.2: 21 sections, 88 divisions, 272
groups, 615 classes; NUTS 2021 for the EU-27: 27, 92, 242 and 1166 units at levels 0-3); the
flags and names are checked against Eurostat's definitions quoted in importers/reference/README.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.importers.reference import SOURCE
from tests.importing import graph, run, state


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("ref") / "r.db"
    from coco_atlas.api.cli import main

    assert main(["import", "reference", "--db", str(db)]) == 0
    return db


def test_every_nace_code_and_nuts_region_with_its_hierarchy(loaded: Path) -> None:
    nodes, edges = graph(loaded)
    levels = Counter((label, p["level"]) for label, p in nodes.values())
    assert [levels[("Sector", k)] for k in (1, 2, 3, 4)] == [21, 88, 272, 615]
    assert [levels[("Region", k)] for k in (0, 1, 2, 3)] == [27, 92, 242, 1166]
    assert nodes["J59"][1]["isCCI"] is True  # Eurostat cultural enterprises: all of J59
    assert nodes["J58.2"][1]["isCCI"] is False  # only J58.21 (games) of the group is
    assert nodes["J58.21"][1]["isCCI"] is True
    assert nodes["C26"][1]["isAdvancedManufacturing"] is True  # high-tech manufacturing
    assert nodes["C30"][1]["isAdvancedManufacturing"] is False  # C30.1 ships: excluded
    assert "Eurostat" in nodes["C26"][1]["definitionSource"]
    assert nodes["SK01"] == ("Region", {"name": "Bratislavský kraj", "level": 2,
                                        "country": "SK"})
    assert nodes["PL42"][1]["name"] == "Zachodniopomorskie"
    assert nodes["EL30"][1]["country"] == "EL"  # Greece as NUTS writes it
    assert ("AT13", "PART_OF", "AT1") in edges and ("AT1", "PART_OF", "AT") in edges
    assert ("C26.11", "BROADER", "C26.1") in edges and ("C26", "BROADER", "C") in edges
    n_sectors = sum(levels[("Sector", k)] for k in (1, 2, 3, 4))
    n_regions = sum(levels[("Region", k)] for k in (0, 1, 2, 3))
    assert len(edges) == (n_sectors - 21) + (n_regions - 27)  # one parent each, roots none
    with EmbeddedStore(loaded) as store:
        node = store.get_node("AT13")
    assert node is not None and node.props["source"] == SOURCE


def test_loading_it_again_changes_nothing(loaded: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    before = state(loaded)
    code, err = run(capsys, "import", "reference", "--db", loaded)
    assert code == 0
    assert "nodes: 0 created, 0 changed, 2,523 unchanged" in err
    assert state(loaded) == before


def test_up_to_a_nuts_level(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "r.db"
    code, err = run(capsys, "import", "reference", "--max-level", "2", "--dry-run", "--db", db)
    assert code == 0 and "nodes: 1,357 would create" in err  # 996 + 27 + 92 + 242
    assert state(db)[0] == 0
