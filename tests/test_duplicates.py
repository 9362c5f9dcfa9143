"""Duplicate detection: the matcher's quality on labelled Central European name variants, the
command, and an import's ``--dry-run`` naming the same actor under another id."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from coco_atlas.api.cli import app, main
from coco_atlas.graph.duplicates import (
    DEFAULT_MIN_SCORE,
    Candidate,
    find_duplicates,
    normalise,
    score,
)
from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.schema import Node
from tests.conftest import company, hub

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "tests" / "fixtures" / "duplicates" / "pairs.csv"


def _pairs() -> list[dict[str, str]]:
    with PAIRS.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _sides(row: dict[str, str], n: int) -> tuple[Candidate, Candidate]:
    return tuple(Candidate.of(f"r{n}{s}", row["label"], row[f"name_{s}"], row[f"country_{s}"],
                              row[f"city_{s}"]) for s in "ab")  # type: ignore[return-value]


def _precision_recall(found: set[int], rows: list[dict[str, str]]) -> tuple[float, float]:
    true = {n for n, r in enumerate(rows) if r["duplicate"] == "1"}
    hits = len(found & true)
    return hits / max(1, len(found)), hits / len(true)


def test_the_labelled_set_is_large_enough_and_balanced() -> None:
    rows = _pairs()
    true = sum(r["duplicate"] == "1" for r in rows)
    assert true >= 50 and len(rows) - true >= true - 10 >= 40
    assert {r["label"] for r in rows} == {"Hub", "Company", "Competence"}


def test_precision_and_recall_at_the_default_threshold() -> None:
    rows = _pairs()
    found = {n for n, r in enumerate(rows) if score(*_sides(r, n)).score >= DEFAULT_MIN_SCORE}
    precision, recall = _precision_recall(found, rows)
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


def test_blocking_loses_no_labelled_pair() -> None:
    """All records in one pool, as ``coco duplicates`` sees a store: the blocks must still bring
    each labelled pair together (pairs across rows are not labelled, so not counted)."""
    rows = _pairs()
    pool = [c for n, r in enumerate(rows) for c in _sides(r, n)]
    found = {int(m.a.id[1:-1]) for m in find_duplicates(pool) if m.a.id[:-1] == m.b.id[:-1]}
    precision, recall = _precision_recall(found, rows)
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


@pytest.mark.parametrize("name, expected", [
    ("Akademia Sztuki w Szczecinie", "akademia sztuki szczecinie"),
    ("Foo GmbH", "foo"),
    ("Wzornictwo Polskie sp. z o.o.", "wzornictwo polskie"),
    ("Ceramiche Bianchi S.p.A.", "ceramiche bianchi"),
    ("Pivovar Dvořák spol. s r.o.", "pivovar dvorak"),
    ("Kreativwirtschaft Stuttgart e.V.", "kreativwirtschaft stuttgart"),
    ("Gospodarska zbornica Slovenije (GZS)", "gospodarska zbornica slovenije"),
    ("Łódzka Strefa d.o.o.", "lodzka strefa"),
    ("AS Design", "as design"),  # a legal form's letters as the first word are a name
])
def test_normalise(name: str, expected: str) -> None:
    assert normalise(name) == expected


def test_place_moves_the_score_and_is_in_the_evidence() -> None:
    same = score(Candidate.of("a", "Company", "Foo GmbH", "DE", "Berlin"),
                 Candidate.of("b", "Company", "FOO", "DE", "Berlin"))
    other = score(Candidate.of("a", "Company", "Foo GmbH", "DE", "Berlin"),
                  Candidate.of("b", "Company", "Foo s.r.o.", "SK", "Bratislava"))
    assert same.name_score == other.name_score == 100
    assert same.score >= DEFAULT_MIN_SCORE > other.score
    assert "different country (DE / SK)" in other.evidence


# -- the command and the import -----------------------------------------------------------------
@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "dup.db"
    with EmbeddedStore(path) as s:
        s.upsert_nodes([
            hub("h1", "Akademia Sztuki w Szczecinie", "PL", city="Szczecin"),
            hub("h2", "Akademia Sztuki Szczecin", "PL", city="Szczecin"),
            hub("h3", "Akademia Muzyczna w Szczecinie", "PL", city="Szczecin"),
            company("c1", "Foo GmbH", "DE", city="Berlin"), company("c2", "FOO", "DE"),
            company("c3", "Foo s.r.o.", "SK"),
            Node("k1", "Competence", {"name": "3D modelling"}),
            Node("k2", "Competence", {"name": "3D modeling"}),
        ], source="fixture")
    return path


def _json(*args: str) -> Any:
    result = CliRunner().invoke(app, ["duplicates", "--json", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_duplicates_json_with_evidence(db: Path) -> None:
    got = {(p["a"]["id"], p["b"]["id"]) for p in _json("--db", str(db))}
    assert got == {("h1", "h2"), ("c1", "c2"), ("k1", "k2")}
    [hubs] = _json("--label", "Hub", "--db", str(db))
    assert hubs["a"]["matchedAs"] == "akademia sztuki szczecinie"
    assert "same city (Szczecin / Szczecin)" in hubs["evidence"]
    assert len(_json("--first", "1", "--db", str(db))) == 1
    loose = {(p["a"]["id"], p["b"]["id"]) for p in _json("--min-score", "70", "--db", str(db))}
    assert ("c1", "c3") in loose and ("c1", "c3") not in got


def test_duplicates_table_and_bad_options(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["duplicates", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "Akademia" in out and " h2 " in out and "Likely duplicates (score ≥ 88): 3" in out
    assert main(["duplicates", "--min-score", "101", "--db", str(db)]) == 2
    assert main(["duplicates", "--label", "Region", "--db", str(db)]) == 2


def test_import_dry_run_names_the_same_actor_under_another_id(
        db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = tmp_path / "again.csv"
    rows.write_text("id,label,name,country,city,kind\n"
                    "new-1,Company,Foo,DE,Berlin,\n"
                    "new-2,Hub,Akademia Sztuki Szczecinie,PL,Szczecin,academy\n"
                    "new-3,Company,Tatra Pixels s.r.o.,SK,Košice,\n"
                    "new-4,Company,Tatra Pixels,SK,Kosice,\n", encoding="utf-8")
    assert main(["import", "csv", "--nodes", str(rows), "--dry-run", "--db", str(db)]) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if "likely duplicate" in line]
    said = " ".join(notes)
    assert "'new-1' 'Foo' looks like 'c1' 'Foo GmbH' already stored" in said
    assert "'new-2'" in said and "'h1'" in said
    assert "'new-3' 'Tatra Pixels s.r.o.' looks like 'new-4'" in said or \
        "'new-4' 'Tatra Pixels' looks like 'new-3'" in said
    with EmbeddedStore(db) as s:
        assert s.get_nodes(["new-1", "new-2", "new-3", "new-4"]) == {}


def test_duplicates_and_merge_are_documented() -> None:
    docs = (ROOT / "docs" / "analysis.md").read_text("utf-8")
    assert "## Duplicates and merging" in docs
    from coco_atlas.api.commands.common import STORE_SETTINGS

    shared = {"--help", *("--" + s.replace("_", "-") for s in STORE_SETTINGS)}
    for name in ("duplicates", "merge"):
        assert f"coco {name}" in docs, name
        for param in app.commands[name].params:
            flag = param.opts[0] if param.opts else ""
            if flag.startswith("--") and flag not in shared:
                assert flag in docs, (name, flag)


def test_duplicates_on_either_store(store: Any) -> None:
    """The candidates are read through the Store contract (property columns): the same pairs on
    the embedded store and on Neo4j."""
    from coco_atlas.graph.duplicates import store_duplicates

    store.upsert_nodes([
        hub("h1", "Kreativni center Poligon d.o.o.", "SI", city="Ljubljana"),
        hub("h2", "Kreativni Center Poligon", "SI", city="Ljubljana"),
        company("c1", "Tlačiareň Novák s.r.o.", "SK", city="Trnava"),
        company("c2", "Tlaciaren Novak sro", "SK", city="Trnava"),
        company("c3", "Tlačiareň Kováč s.r.o.", "SK", city="Trnava"),
    ], source="fixture")
    got = [(m.a.id, m.b.id) for m in store_duplicates(store)]
    assert sorted(got) == [("c1", "c2"), ("h1", "h2")]
    assert [(m.a.id, m.b.id) for m in store_duplicates(store, ["Hub"])] == [("h1", "h2")]
