"""Kumu spreadsheets and blueprints in (``coco import kumu``).

Fixtures follow Kumu's documentation (docs.kumu.io "Import", "JSON / Blueprints"); the expected
graphs below are read off those files by eye. The real maps in ../shared/samples/kumu are
checked against counts taken from them with the csv/json modules.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from tests.importing import graph, run, state

FIX = Path(__file__).parent / "fixtures" / "kumu"
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "kumu"

HUB = "Kreativhub Wien"
ALPHA, BETA, GAMMA = "Alpha Design GmbH", "Beta Robotics", "Gamma Media"
EXPECTED_NODES = {
    HUB: ("Hub", {"name": HUB, "description": "A hub for designers\nand makers in Vienna.",
                  "tags": ["design", "crafts"], "country": "AT", "foundedYear": 2010,
                  "kind": "creative-hub", "website": "https://hub.example.at"}),
    ALPHA: ("Company", {"name": ALPHA, "tags": ["design"], "country": "AT",
                        "foundedYear": 2001}),
    BETA: ("Company", {"name": BETA, "description": "Industrial robots.",
                       "tags": ["robotics", "manufacturing"], "country": "SK",
                       "foundedYear": 1999}),
    GAMMA: ("Company", {"name": GAMMA, "country": "SK"}),
}
EXPECTED_EDGES = {
    (ALPHA, "MEMBER_OF", HUB): {"since": 2015},
    (ALPHA, "PARTNERS_WITH", BETA): {"weight": 3.0, "since": 2020},
    (ALPHA, "PARTNERS_WITH", GAMMA): {"weight": 3.0, "since": 2020},  # "To" listed two
    (BETA, "PARTNERS_WITH", GAMMA): {},
}


def test_spreadsheet_sheets_as_csv_with_a_mapping(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "k.db"
    code, err = run(capsys, "import", "kumu", FIX / "elements.csv", FIX / "connections.csv",
                    "--mapping", FIX / "mapping.toml", "--db", db)
    assert code == 0, err
    assert graph(db) == (EXPECTED_NODES, EXPECTED_EDGES)
    code, err = run(capsys, "import", "kumu", FIX / "connections.csv", FIX / "elements.csv",
                    "--mapping", FIX / "mapping.toml", "--db", db)
    assert code == 0 and "4 unchanged; edges: 0 created, 0 changed, 4 unchanged" in err


def test_xlsx_workbook_with_an_ignored_sheet(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Notes (ignore)"
    book.active.append(["anything", "at", "all"])
    for name, source in (("Elements", "elements.csv"), ("Connections", "connections.csv")):
        sheet = book.create_sheet(name)
        with open(FIX / source, encoding="utf-8", newline="") as f:
            for row in csv.reader(f):
                sheet.append([int(c) if c.isdigit() else (c or None) for c in row])
    path = tmp_path / "map.xlsx"
    book.save(path)
    db = tmp_path / "k.db"
    code, err = run(capsys, "import", "kumu", path, "--mapping", FIX / "mapping.toml", "--db",
                    db)
    assert code == 0, err
    assert graph(db) == (EXPECTED_NODES, EXPECTED_EDGES)


def test_flat_blueprint_as_documented(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "k.db"
    code, err = run(capsys, "import", "kumu", FIX / "blueprint.json", "--db", db)
    assert code == 0, err
    nodes, edges = graph(db)
    assert nodes == {
        "e-hub": ("Hub", {"name": "Kreatívne centrum Košice", "kind": "cluster", "country": "SK",
                          "description": "A cluster in Eastern Slovakia.",
                          "tags": ["design", "games"]}),
        "e-co": ("Company", {"name": "Omega Games s.r.o.", "country": "SK",
                             "foundedYear": 2016}),
        "3D printing": ("Competence", {"name": "3D printing", "skillType": "skill/competence"}),
    }
    assert edges == {
        ("e-co", "MEMBER_OF", "e-hub"): {"since": 2018},
        ("e-co", "OFFERS", "3D printing"): {"level": "advanced"},  # "to" names a label
        ("e-hub", "PARTNERS_WITH", "e-co"): {"weight": 2.0},
    }


def test_nested_project_export_with_kumu_ids(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "k.db"
    code, err = run(capsys, "import", "kumu", FIX / "project.json", "--db", db)
    assert code == 0, err
    assert graph(db) == (
        {"elem-Ab12Cd34": ("Hub", {"name": "Kreativni center Maribor", "kind": "creative-hub",
                                   "country": "SI", "tags": ["crafts"]}),
         "elem-Ef56Gh78": ("Company", {"name": "Lesna d.o.o.", "country": "SI"})},
        {("elem-Ef56Gh78", "MEMBER_OF", "elem-Ab12Cd34"): {}})


def test_an_unmapped_kumu_type_names_the_value_and_the_choices(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "k.db"
    code, err = run(capsys, "import", "kumu", FIX / "elements.csv", FIX / "connections.csv",
                    "--db", db)
    assert code == 2
    assert f"{FIX / 'elements.csv'}, row 2, column 'Type': expected one of Hub, Company, " \
           "Competence, Training, Collaboration, Region, Sector (or a [labels] entry in a " \
           "mapping file), got 'Creative Hub'" in err
    assert f"{FIX / 'connections.csv'}, rows 3, 3, 4, column 'Type': expected one of MEMBER_OF"\
           in err
    assert state(db)[1]["labels"]["Company"] == 0


def test_duplicated_labels_name_both_rows_and_ambiguous_references(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "elements.csv").write_text(
        "Label,Type,Country\nNova,Company,AT\nOther,Company,AT\nNova,Company,SK\n",
        encoding="utf-8")
    code, err = run(capsys, "import", "kumu", tmp_path / "elements.csv", "--db",
                    tmp_path / "k.db")
    assert code == 2
    assert f"{tmp_path / 'elements.csv'}, row 4, column 'Label': expected a label used only " \
           "once (or an ID column), but row 2 has it too, got 'Nova'" in err
    (tmp_path / "elements.csv").write_text(
        "ID,Label,Type,Country\nn1,Nova,Company,AT\nn2,Nova,Company,SK\n", encoding="utf-8")
    (tmp_path / "connections.csv").write_text("From,To,Type\nn1,n2,PARTNERS_WITH\n"
                                              "Nova,n2,PARTNERS_WITH\n", encoding="utf-8")
    code, err = run(capsys, "import", "kumu", tmp_path / "elements.csv",
                    tmp_path / "connections.csv", "--db", tmp_path / "k.db")
    assert code == 2
    assert f"{tmp_path / 'connections.csv'}, row 3, column 'From': expected an element ID: " \
           "the label 'Nova' names several elements, got 'Nova'" in err
    assert "row 2" not in err  # n1 -> n2 is fine


def test_rows_that_repeat_a_label_and_agree_are_one_element(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "elements.csv").write_text(
        "Label,Type,Country,Description\nNova,Company,AT,\nOther,Company,AT,\n"
        "Nova,Company,,Makers of things.\n", encoding="utf-8")
    code, err = run(capsys, "import", "kumu", tmp_path / "elements.csv", "--db",
                    tmp_path / "k.db")
    assert code == 0, err
    assert "'Nova' (elements.csv, rows 2 and 4)" in err
    nodes, _ = graph(tmp_path / "k.db")
    assert nodes["Nova"] == ("Company", {"name": "Nova", "country": "AT",
                                         "description": "Makers of things."})


def test_a_sheet_that_is_neither_elements_nor_connections(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "other.csv").write_text("Name,Value\na,1\n", encoding="utf-8")
    code, err = run(capsys, "import", "kumu", tmp_path / "other.csv", tmp_path / "map.png",
                    "--db", tmp_path / "k.db")
    assert code == 2
    assert f"{tmp_path / 'other.csv'}, row 1: expected elements (a Label column) or " \
           "connections (From and To columns)" in err
    assert f"{tmp_path / 'map.png'}: expected a Kumu file: .xlsx, .csv or .json, got '.png'" \
        in err


# -- real maps by others -----------------------------------------------------------------------
def _samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip("real Kumu samples not here (../shared/samples/kumu)")
    return SAMPLES


def test_sample_spreadsheet_with_a_duplicated_label_is_one_element(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Kumu keys elements by label when there is no ID column: two rows with one label are
    one element (their cells merged, the later filling the earlier), and the report says so."""
    folder = _samples()
    with open(folder / "agentic-elements.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    twice = [label for label, n in Counter(r["Label"] for r in rows).items() if n > 1]
    assert len(twice) == 1  # as the samples' README says
    first, second = (i + 2 for i, r in enumerate(rows) if r["Label"] == twice[0])
    described = [r["Description"] for r in rows if r["Label"] == twice[0] and r["Description"]]
    mapping = tmp_path / "m.toml"
    mapping.write_text('[nodes.columns]\nURL = ""\nPath = ""\n[labels]\nCategory = '
                       '"Competence"\nProject = ""\n[types]\nHAS_EXAMPLE = ""\n'
                       'CONTAINS = "BROADER"\n', encoding="utf-8")
    code, err = run(capsys, "import", "kumu", folder / "agentic-elements.csv",
                    folder / "agentic-connections.csv", "--mapping", mapping,
                    "--db", tmp_path / "k.db")
    assert code == 0, err
    assert ("1 label(s) given on several rows without an ID column were imported as one "
            "element each") in err.replace("\n", " ")
    assert f"rows {first} and {second}" in err
    nodes, _ = graph(tmp_path / "k.db")
    assert nodes[twice[0]][1]["description"] == described[0]


def test_sample_blueprints_with_a_mapping(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    folder = _samples()
    for name in ("teamverstaendnis-blueprint.json", "changelabs-template.json"):
        data = json.loads((folder / name).read_text(encoding="utf-8"))
        attrs = {role: {k for item in data[key] for k in item.get("attributes", {})}
                 for role, key in (("nodes", "elements"), ("edges", "connections"))}
        kinds = {item["attributes"].get("element type") for item in data["elements"]}
        links = {item["attributes"].get("connection type") for item in data["connections"]}
        keep = {"nodes": {"label", "element type", "description", "tags"},
                "edges": {"connection type"}}
        lines = [f"[{role}.columns]\n" + "".join(f'"{k}" = ""\n'
                                                   for k in sorted(names - keep[role]))
                 for role, names in attrs.items()]
        lines.append("[edges.values]\ntype = \"BROADER\"\n[labels]\n" + "".join(
            f'"{k}" = "Competence"\n' for k in sorted(kinds - {None})))
        lines.append("[types]\n" + "".join(f'"{k}" = "BROADER"\n'
                                           for k in sorted(links - {None})))
        mapping = tmp_path / f"{name}.toml"
        mapping.write_text("\n".join(lines), encoding="utf-8")
        db = tmp_path / f"{name}.db"
        code, err = run(capsys, "import", "kumu", folder / name, "--mapping", mapping, "--db",
                        db)
        assert code == 0, err
        nodes, edges = graph(db)
        assert len(nodes) == len(data["elements"])
        assert set(nodes) == {e["_id"] for e in data["elements"]}
        pairs = {(c["from"], c["to"]) for c in data["connections"]}
        assert {(s, t) for s, _, t in edges} == pairs
        labels = {e["_id"]: e["attributes"]["label"] for e in data["elements"]}
        assert {k: v[1]["name"] for k, v in nodes.items()} == labels
