"""ESCO skills in (``coco import esco``): Competence nodes keyed by conceptUri, BROADER links.

The fixture follows the column layout of ESCO v1.2's CSV downloads with invented concepts; the
expected values are read off it. The real excerpt in ../shared/samples/esco is checked against
values read from it with the csv module.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.graph.query import Cond
from tests.importing import graph, run

FIX = Path(__file__).parent / "fixtures" / "esco"
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "esco"
SKILL = "http://data.europa.eu/esco/skill/"


def test_skills_groups_and_hierarchy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "e.db"
    code, err = run(capsys, "import", "esco", "--skills", FIX / "skills_en.csv", "--groups",
                    FIX / "skillGroups_en.csv", "--broader",
                    FIX / "broaderRelationsSkillPillar_en.csv", "--db", db)
    assert code == 0, err
    assert "nodes: 4 created" in err and "edges: 2 created" in err
    assert "note: 1 broader relation skipped" in err  # test-g01 -> test-g00, not imported
    nodes, edges = graph(db)
    assert nodes[SKILL + "test-0001"] == ("Competence", {
        "name": "operate 3D printers", "skillType": "skill/competence",
        "reuseLevel": "sector-specific",
        "altLabels": ["run additive manufacturing machines", "use 3D printers"],
        "description": "Prepare and operate printers that build objects layer by layer.",
        "name_en": "operate 3D printers",  # the English file's labels, kept as English too
        "altLabels_en": ["run additive manufacturing machines", "use 3D printers"]})
    assert nodes[SKILL + "test-0002"][1]["altLabels"] == ["human-centred design",
                                                          "design-led innovation"]
    assert nodes[SKILL + "test-0003"][1]["name"] == \
        "print prototypes in polymer, metal and ceramics"
    assert nodes[SKILL + "test-g01"] == ("Competence", {
        "name": "working with machinery and specialised equipment",
        "name_en": "working with machinery and specialised equipment"})
    assert edges == {(SKILL + "test-0001", "BROADER", SKILL + "test-g01"): {},
                     (SKILL + "test-0003", "BROADER", SKILL + "test-0001"): {}}
    with EmbeddedStore(db) as store:  # found by one of its alternative labels
        page = store.find("Competence", Cond("altLabels", "contains", "use 3D printers"))
    assert [n.id for n in page.items] == [SKILL + "test-0001"]


def test_hierarchy_to_concepts_already_in_the_store(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "e.db"
    run(capsys, "import", "esco", "--skills", FIX / "skillGroups_en.csv", "--db", db)
    code, err = run(capsys, "import", "esco", "--skills", FIX / "skills_en.csv", "--broader",
                    FIX / "broaderRelationsSkillPillar_en.csv", "--db", db)
    assert code == 0, err
    assert (SKILL + "test-0001", "BROADER", SKILL + "test-g01") in graph(db)[1]


def test_a_skills_file_without_concept_uris(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "skills_en.csv"
    path.write_text("preferredLabel,skillType\nweld,skill/competence\nsing,talent\n",
                    encoding="utf-8")
    code, err = run(capsys, "import", "esco", "--skills", path, "--db", tmp_path / "e.db")
    assert code == 2
    assert f"{path}, row 1: expected a column 'conceptUri' (ESCO's layout); the columns are " \
           "'preferredLabel', 'skillType'" in err


def test_sample_excerpt_of_esco(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    skills, broader = SAMPLES / "skills_en.csv", SAMPLES / "broaderRelationsSkillPillar.csv"
    if not skills.is_file() or not broader.is_file():
        pytest.skip("real ESCO samples not here (../shared/samples/esco)")
    with open(skills, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    with open(broader, encoding="utf-8", newline="") as f:
        links = list(csv.DictReader(f))
    db = tmp_path / "e.db"
    code, err = run(capsys, "import", "esco", "--skills", skills, "--broader", broader,
                    "--db", db)
    assert code == 0, err
    nodes, edges = graph(db)
    assert set(nodes) == {r["conceptUri"] for r in rows}
    for r in rows:
        label, props = nodes[r["conceptUri"]]
        assert label == "Competence" and props["name"] == r["preferredLabel"]
        assert props.get("altLabels", []) == [x.strip() for x in r["altLabels"].splitlines()
                                              if x.strip()]
        assert props["skillType"] == r["skillType"] and props["reuseLevel"] == r["reuseLevel"]
    inside = [x for x in links if {x["conceptUri"], x["broaderUri"]} <= set(nodes)]
    assert len(edges) == len(inside)
    assert f"note: {len(links) - len(inside)} broader relations skipped" in err
