"""Generic tables in (``coco import csv|jsonl|xlsx``), through the CLI's entry point.

Expected values are read off the fixture files by eye (tests/fixtures/tables) and written out
here; nothing is derived from the importer under test.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest

from coco_atlas.api.cli import main
from coco_atlas.graph.embedded.store import EmbeddedStore
from tests.importing import graph, run, state

FIX = Path(__file__).parent / "fixtures"
TABLES = FIX / "tables"


# -- helpers other import/export tests use ---------------------------------------------------


# -- CSV -------------------------------------------------------------------------------------
def test_csv_fixture_becomes_the_graph_it_describes(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "t.db"
    code, err = run(capsys, "import", "csv", "--nodes", TABLES / "nodes.csv", "--edges",
                    TABLES / "edges.csv", "--db", db)
    assert code == 0, err
    assert "nodes: 8 created" in err and "edges: 12 created" in err
    nodes, edges = graph(db)
    assert nodes["hub-wien"] == ("Hub", {"name": "Kreativhub Wien", "kind": "creative-hub",
                                         "country": "AT", "city": "Wien",
                                         "website": "https://hub.example.at",
                                         "foundedYear": 2010, "tags": ["design", "crafts"]})
    assert nodes["co-beta"][1]["name"] == "Beta Robotics, s.r.o."
    assert nodes["SK01"] == ("Region", {"name": "Bratislavský kraj", "country": "SK",
                                        "level": 2})
    assert nodes["tr-dt"][1] == {"name": "Design thinking for manufacturers",
                                 "area": "advanced-manufacturing-mindset", "format": "hybrid",
                                 "startDate": "2024-03-01", "endDate": "2024-03-02",
                                 "language": "de"}
    assert nodes["col-pilot"][1]["budget"] == 25000.5
    assert len(edges) == 12
    assert edges[("co-alpha", "PARTNERS_WITH", "co-beta")] == {"since": 2020, "weight": 2.5}
    assert edges[("co-beta", "ATTENDED", "tr-dt")] == {"year": 2024}
    assert edges[("co-beta", "NEEDS", "comp-print")] == {"priority": "high"}
    with EmbeddedStore(db) as s:
        node, edge = s.get_node("co-alpha"), s.get_edge("co-alpha", "MEMBER_OF", "hub-wien")
    assert node is not None and node.props["source"] == "import csv nodes.csv edges.csv"
    assert edge is not None and edge.props["source"] == "import csv nodes.csv edges.csv"


def test_importing_the_same_files_again_changes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "t.db"
    args = ("import", "csv", "--nodes", TABLES / "nodes.csv", "--edges", TABLES / "edges.csv",
            "--db", db)
    assert run(capsys, *args)[0] == 0
    before = state(db)
    code, err = run(capsys, *args)
    assert code == 0
    assert "nodes: 0 created, 0 changed, 8 unchanged" in err
    assert "edges: 0 created, 0 changed, 12 unchanged" in err
    assert state(db) == before  # same version, same stamps: nothing was written


def test_dry_run_reports_what_would_change_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "t.db"
    run(capsys, "import", "csv", "--nodes", TABLES / "nodes.csv", "--db", db)
    before = state(db)
    changed = tmp_path / "nodes.csv"
    text = (TABLES / "nodes.csv").read_text(encoding="utf-8")
    changed.write_text(text.replace("Alpha Design GmbH", "Alpha Design AG")
                       + "co-new,Company,New Co,,AT,,,,,,,,,,,,,,\n", encoding="utf-8")
    code, err = run(capsys, "import", "csv", "--nodes", changed, "--edges", TABLES / "edges.csv",
                    "--dry-run", "--db", db)
    assert code == 0
    assert "dry run, nothing written" in err
    assert "nodes: 1 would create, 1 would change, 7 unchanged" in err
    assert "edges: 12 would create" in err
    assert state(db) == before


def test_dry_run_on_a_new_store_creates_no_file(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "new.db"
    code, err = run(capsys, "import", "csv", "--nodes", TABLES / "nodes.csv", "--edges",
                    TABLES / "edges.csv", "--dry-run", "--db", db)
    assert code == 0 and "nodes: 8 would create" in err and "edges: 12 would create" in err
    assert list(tmp_path.iterdir()) == []


def test_excel_quirks_bom_semicolons_crlf_decimal_comma_sep_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "t.db"
    code, err = run(capsys, "import", "csv", "--nodes", TABLES / "excel-semicolon.csv",
                    "--nodes", TABLES / "excel-sep-line.csv", "--db", db)
    assert code == 0, err
    nodes, _ = graph(db)
    assert nodes["hub-graz"] == ("Hub", {"name": "Kreativwirtschaft Graz", "country": "AT",
                                         "foundedYear": 2012, "kind": "cluster"})
    assert nodes["col-x"] == ("Collaboration", {"name": "Pilot; Phase 1", "budget": 1234.5,
                                                "kind": "project", "status": "active",
                                                "normalised": ["budget"]})
    assert nodes["co-gamma"] == ("Company", {"name": "Gamma Médiá", "country": "SK"})
    assert len(nodes) == 3  # the blank ;;;; row is no record


def test_utf16_tab_separated_as_excel_saves_unicode_text(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nodes.txt"
    path.write_text("id\tlabel\tname\tcountry\r\nco-1\tCompany\tKošice Works\tSK\r\n",
                    encoding="utf-16")
    assert run(capsys, "import", "csv", "--nodes", path, "--db", tmp_path / "t.db")[0] == 0
    assert graph(tmp_path / "t.db")[0]["co-1"][1]["name"] == "Košice Works"


def test_a_file_in_another_encoding_is_refused_with_advice(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nodes.csv"
    path.write_bytes("id,label,name,country\nco-1,Company,Łódź Motion,PL\n".encode("cp1250"))
    code, err = run(capsys, "import", "csv", "--nodes", path, "--db", tmp_path / "t.db")
    assert code == 2
    assert "nodes.csv, row 2: expected text in UTF-8: save the file as 'CSV UTF-8'" in err
    code, err = run(capsys, "import", "csv", "--nodes", path, "--encoding", "cp1250", "--db",
                    tmp_path / "t.db")
    assert code == 0, err
    assert graph(tmp_path / "t.db")[0]["co-1"][1]["name"] == "Łódź Motion"


# -- JSON Lines and XLSX ---------------------------------------------------------------------
def test_jsonl_fixture(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "t.db"
    code, err = run(capsys, "import", "jsonl", "--nodes", TABLES / "nodes.jsonl", "--edges",
                    TABLES / "edges.jsonl", "--db", db)
    assert code == 0, err
    nodes, edges = graph(db)
    assert nodes["hub-ljubljana"][1]["tags"] == ["design", "film"]
    assert nodes["sec-j59"] == ("Sector", {
        "name": "Motion picture, video and television programme production", "level": 2,
        "isCCI": True, "isAdvancedManufacturing": False})
    assert edges == {("co-delta", "MEMBER_OF", "hub-ljubljana"): {"since": 2019},
                     ("co-delta", "IN_SECTOR", "sec-j59"): {"primary": True}}


def test_jsonl_problems_name_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nodes.jsonl"
    path.write_text('{"id": "a", "label": "Hub", "name": "A", "kind": "cluster", '
                    '"country": "AT"}\n[1, 2]\n{"id": "b", "label": "Hub", "name": "B", '
                    '"kind": "cluster", "country": "AT", "foundedYear": "soon"}\n{broken\n',
                    encoding="utf-8")
    code, err = run(capsys, "import", "jsonl", "--nodes", path, "--db", tmp_path / "t.db")
    assert code == 2
    assert "nodes.jsonl, line 2: expected a JSON object, got [1, 2]" in err
    assert "nodes.jsonl, line 3, key 'foundedYear': expected a whole number, got 'soon'" in err
    assert "nodes.jsonl, line 4: expected a JSON object on one line" in err


def test_xlsx_with_excel_cell_types(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "nodes"
    sheet.append(["id", "label", "name", "country", "foundedYear", "startDate", "isCCI",
                  "level", "budget", "kind"])
    sheet.append(["co-1", "Company", "Ötztal Wood", "AT", 2001.0, None, None, None, None, None])
    sheet.append([2024, "Collaboration", "Numbered pilot", None, None, datetime(2024, 5, 1),
                  None, None, 1500, "pilot"])
    sheet.append(["C18", "Sector", "Printing", None, None, None, True, 2, None, None])
    sheet.append([None] * 10)
    book.create_sheet("edges").append(["source", "target", "type"])
    book.create_sheet("notes").append(["free text the importer must not read"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    code, err = run(capsys, "import", "xlsx", "--nodes", path, "--edges", path, "--db",
                    tmp_path / "t.db")
    assert code == 2
    assert "book.xlsx, sheet 'nodes', row 3, column 'kind': expected a string in {project, " \
           "contract, co-creation-pilot, matchmaking, other}, got 'pilot'" in err
    sheet.cell(row=3, column=10, value="project")
    book.save(path)
    code, err = run(capsys, "import", "xlsx", "--nodes", path, "--edges", path, "--db",
                    tmp_path / "t.db")
    assert code == 0, err
    nodes, _ = graph(tmp_path / "t.db")
    assert nodes["co-1"][1] == {"name": "Ötztal Wood", "country": "AT", "foundedYear": 2001}
    assert nodes["2024"][1] == {"name": "Numbered pilot", "startDate": "2024-05-01",
                                "budget": 1500.0, "kind": "project"}
    assert nodes["C18"][1] == {"name": "Printing", "isCCI": True, "level": 2}


def test_xlsx_needs_a_sheet_named_for_the_role(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Firmen"
    book.create_sheet("Kontakte")
    path = tmp_path / "book.xlsx"
    book.save(path)
    code, err = run(capsys, "import", "xlsx", "--nodes", path, "--db", tmp_path / "t.db")
    assert code == 2
    assert "book.xlsx: expected a sheet named 'nodes' (or a workbook with one sheet), " \
           "got 'Firmen, Kontakte'" in err
    (tmp_path / "fake.xlsx").write_text("not a zip", encoding="utf-8")
    code, err = run(capsys, "import", "xlsx", "--nodes", tmp_path / "fake.xlsx", "--db",
                    tmp_path / "t.db")
    assert code == 2 and "fake.xlsx: expected an Excel workbook (.xlsx)" in err


# -- mappings --------------------------------------------------------------------------------
def _mapping(folder: Path, text: str) -> Path:
    path = folder / f"m{abs(hash(text))}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_mapping_renames_columns_and_sets_fixed_values(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "t.db"
    code, err = run(capsys, "import", "csv", "--nodes", TABLES / "firmen.csv", "--mapping",
                    TABLES / "firmen.toml", "--db", db)
    assert code == 0, err
    nodes, _ = graph(db)
    assert nodes == {
        "F-1": ("Company", {"name": "Holzwerk Steiner", "country": "AT", "foundedYear": 1987,
                            "tags": ["imported", "partner-list"]}),
        "F-2": ("Company", {"name": "Glasbläserei Novak", "country": "SI", "foundedYear": 2003,
                            "tags": ["imported", "partner-list"]}),
    }


def test_a_broken_mapping_file_is_reported_key_by_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = _mapping(tmp_path, '[nodes.columns]\nOrganisation = "title"\n[nodes.values]\n'
                   'label = "Firm"\n[labels]\nStartup = "Company"\nAgency = "Agentur"\n'
                   '[colour]\nx = 1\n')
    code, err = run(capsys, "import", "csv", "--nodes", TABLES / "firmen.csv", "--mapping",
                    bad, "--db", tmp_path / "t.db")
    assert code == 2
    assert f"{bad}, field 'colour': expected a section nodes, edges, labels or types" in err
    assert f"{bad}, field 'nodes.columns.Organisation': expected one of id, label, name" in err
    assert f"{bad}, field 'labels.Agency': expected one of Hub, Company" in err
    assert f"{bad}, field 'nodes.values.label': expected one of Hub, Company" in err
    broken = _mapping(tmp_path, "[nodes.columns\n")
    code, err = run(capsys, "import", "csv", "--nodes", TABLES / "firmen.csv", "--mapping",
                    broken, "--db", tmp_path / "t.db")
    assert code == 2 and f"{broken}: expected a TOML mapping file" in err


# -- problems --------------------------------------------------------------------------------
BAD_NODES = """id,label,name,kind,country,foundedYear,Colour
hub-1,Hub,Hub One,creative-hub,AT,2010,
hub-2,Hub,Hub Two,,AT,twenty,
co-1,Compnay,Firm One,,AT,,
co-2,Company,Firm Two,,Austria,,
hub-1,Hub,Hub One again,cluster,AT,,
co-3,Company,Firm Three,,SK,,red
"""
BAD_EDGES = """source,target,type,since
hub-1,co-x,PARTNERS_WITH,2020
co-3,hub-1,,
co-3,hub-2,MEMBER_OF,2015
co-3,hub-1,MEMBER_OF,1492.5
"""


def test_every_problem_named_by_file_row_and_column_and_nothing_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "t.db"
    assert run(capsys, "import", "csv", "--nodes", TABLES / "nodes.csv", "--edges",
               TABLES / "edges.csv", "--db", db)[0] == 0
    before = state(db)
    (tmp_path / "nodes.csv").write_text(BAD_NODES, encoding="utf-8")
    (tmp_path / "edges.csv").write_text(BAD_EDGES, encoding="utf-8")
    report = tmp_path / "problems.csv"
    code, err = run(capsys, "import", "csv", "--nodes", tmp_path / "nodes.csv", "--edges",
                    tmp_path / "edges.csv", "--report", report, "--db", db)
    assert code == 2
    n, e = tmp_path / "nodes.csv", tmp_path / "edges.csv"
    expected = [
        f"{n}, row 3, column 'foundedYear': expected a whole number, got 'twenty'",
        f"{n}, row 4, column 'label': expected one of Hub, Company, Competence, Training, "
        "Collaboration, Region, Sector (or a [labels] entry in a mapping file), got 'Compnay'",
        f"{n}, row 5, column 'country': expected a string matching ^[A-Z]{{2}}$, got 'Austria'",
        f"{n}, row 6, column 'id': expected an id used only once, but row 2 has it too, "
        "got 'hub-1'",
        f"{n}, row 7, column 'Colour': expected a column named after one of our fields",
        f"{e}, row 2, column 'target': expected the id of an existing node, got 'co-x'",
        f"{e}, row 3, column 'type': expected a relationship type: MEMBER_OF or "
        "PARTNERS_WITH could join Company and Hub",
        f"{e}, row 5, column 'since': expected a whole number, got '1492.5'",
    ]
    for line in expected:
        assert line in err, line
    assert "hub-2" not in err  # its edge is not blamed for the node's own problem (row 3)
    assert state(db) == before
    with open(report, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert err.startswith(f"all {len(rows)} problems written to {report}")
    assert {"file": str(n), "sheet": "", "row": "3", "column": "foundedYear",
            "expected": "a whole number", "got": "twenty"} in rows


def test_many_rows_with_one_problem_are_listed_on_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nodes.csv"
    path.write_text("id,label,name,country\n" + "".join(
        f"c{i},Firm,Firm {i},AT\n" for i in range(40)), encoding="utf-8")
    code, err = run(capsys, "import", "csv", "--nodes", path, "--db", tmp_path / "t.db")
    assert code == 2
    assert "40 problems in the import, nothing was written" in err
    assert f"{path}, rows 2, 3, 4, 5, 6, 7 … (+34), column 'label': expected one of Hub" in err


def test_missing_key_columns_and_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nodes.csv"
    path.write_text("name,country\nA,AT\n", encoding="utf-8")
    code, err = run(capsys, "import", "csv", "--nodes", path, "--edges", tmp_path / "no.csv",
                    "--db", tmp_path / "t.db")
    assert code == 2
    assert f"{path}, row 1: expected a column 'id'; the columns are 'name', 'country'" in err
    assert f"{path}, row 1: expected a column 'label' (or [nodes.values] label" in err
    assert f"{tmp_path / 'no.csv'}: expected an existing file" in err
    assert run(capsys, "import", "csv", "--db", tmp_path / "t.db")[0] == 2


def test_a_label_change_is_the_stores_problem_told_at_the_row(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "t.db"
    run(capsys, "import", "csv", "--nodes", TABLES / "nodes.csv", "--db", db)
    path = tmp_path / "n.csv"
    path.write_text("id,label,name,kind,country\nco-alpha,Hub,Alpha,cluster,AT\n",
                    encoding="utf-8")
    code, err = run(capsys, "import", "csv", "--nodes", path, "--db", db)
    assert code == 2
    assert f"{path}, row 2, column 'label': expected Company, the label the node already has, " \
           "got 'Hub'" in err


def test_empty_cells_never_delete_and_stamped_columns_are_ignored(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "t.db"
    run(capsys, "import", "csv", "--nodes", TABLES / "nodes.csv", "--db", db)
    path = tmp_path / "n.csv"
    path.write_text("id,label,name,country,city,source,updatedAt,Unused\n"
                    "co-alpha,Company,Alpha Design GmbH,AT,,someone,2020-01-01,\n",
                    encoding="utf-8")
    code, err = run(capsys, "import", "csv", "--nodes", path, "--db", db)
    assert code == 0, err
    assert "0 changed, 1 unchanged" in err
    assert graph(db)[0]["co-alpha"][1]["city"] == "Wien"


def test_help_of_every_import_command(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("csv", "jsonl", "xlsx", "kumu", "gephi", "esco", "reference"):
        assert main(["import", command, "--help"]) == 0
        assert "Usage: coco import " + command in capsys.readouterr().out


def test_problems_of_every_block_of_a_long_file_in_one_report(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Read in blocks of 3 rows: a block the store rejects does not hide later blocks'
    problems, a key repeated in another block is found, nothing is written. Strict, so that
    the hub without a kind is one of the problems."""
    from coco_atlas.importers import records

    monkeypatch.setattr(records, "CHUNK_ROWS", 3)
    nodes = tmp_path / "nodes.csv"
    nodes.write_text("id,label,name,country,kind\n"
                     "h1,Hub,H1,AT,cluster\nh2,Hub,H2,AT,\nc1,Company,C1,AT,\n"  # block 1
                     "c2,Company,C2,AT,\nc3,Company,C3,Austria,\nc4,Company,C4,SK,\n"  # block 2
                     "c5,Company,C5,SK,\nc1,Company,C1 again,AT,\n", encoding="utf-8")
    edges = tmp_path / "edges.csv"
    edges.write_text("source,target,type\nc1,h1,MEMBER_OF\nc2,h2,MEMBER_OF\nc3,h1,MEMBER_OF\n"
                     "c4,h1,MEMBER_OF\nc5,h9,MEMBER_OF\nc4,h1,MEMBER_OF\n", encoding="utf-8")
    db = tmp_path / "t.db"
    code, err = run(capsys, "import", "csv", "--strict", "--nodes", nodes, "--edges", edges,
                    "--db", db)
    assert code == 2
    assert err.startswith("error: 5 problems in the import")
    for line in (f"{nodes}, row 3, column 'kind': expected a value (--strict): a string in "
                 "{creative-hub",
                 f"{nodes}, row 6, column 'country': expected a string matching",
                 f"{nodes}, row 9, column 'id': expected an id used only once, but row 4 has "
                 "it too, got 'c1'",
                 f"{edges}, row 6, column 'target': expected the id of an existing node, "
                 "got 'h9'",
                 f"{edges}, row 7: expected a connection given only once, but row 5 has it "
                 "too, got 'c4 MEMBER_OF h1'"):
        assert line in err, line
    assert state(db)[1]["labels"]["Hub"] == 0


@pytest.mark.parametrize("command", [["csv", "--nodes"], ["kumu"], ["gephi"]])
def test_an_unknown_encoding_is_one_clear_problem(
        command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(capsys, "import", *command, TABLES / "nodes.csv", "--encoding", "klingon",
                    "--db", tmp_path / "t.db")
    assert code == 2
    assert err == ("error: 1 problem in the import, nothing was written:\n  --encoding: "
                   "expected an encoding Python knows (e.g. utf-8, cp1250, cp1252, latin-1), "
                   "got 'klingon'\n")


# Blocks of two records: plain lines first (read by splitting), then a blank row and a ragged
# row (read row by row), then quoted cells, one over two lines (the csv module from there on).
# Line ends mix CRLF and LF, as files edited by hand on two systems do.
MIXED_NODES = ("id,label,name,country\r\n"
               "c1,Company,C1,AT\r\n"  # row 2
               "c2,Company,C2,AT\n"  # row 3
               "\r\n"  # row 4: blank, no record
               "c3,Company,C3,SK\r\n"  # row 5
               "c4,Company,\"C4, \"\"the\"\" fourth\",AT\r\n"  # row 6
               "c5,Company,\"C5 on\r\ntwo lines\",SI\r\n"  # row 7
               "c6,Company,C6,PL")  # row 8, no line end


def test_csv_blocks_of_plain_lines_blank_rows_and_quoted_cells_over_lines(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from coco_atlas.importers import records

    monkeypatch.setattr(records, "CHUNK_ROWS", 2)
    path = tmp_path / "nodes.csv"
    path.write_bytes(MIXED_NODES.encode())
    db = tmp_path / "t.db"
    code, err = run(capsys, "import", "csv", "--nodes", path, "--db", db)
    assert code == 0, err
    nodes, _ = graph(db)
    assert nodes == {
        "c1": ("Company", {"name": "C1", "country": "AT"}),
        "c2": ("Company", {"name": "C2", "country": "AT"}),
        "c3": ("Company", {"name": "C3", "country": "SK"}),
        "c4": ("Company", {"name": 'C4, "the" fourth', "country": "AT"}),
        "c5": ("Company", {"name": "C5 on\r\ntwo lines", "country": "SI"}),
        "c6": ("Company", {"name": "C6", "country": "PL"}),
    }


def test_csv_rows_are_numbered_alike_on_either_side_of_the_first_quote(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A ragged row among plain lines and a bad value after a cell over two lines: each
    problem names the spreadsheet row (a record, not a line of the file)."""
    from coco_atlas.importers import records

    monkeypatch.setattr(records, "CHUNK_ROWS", 2)
    path = tmp_path / "nodes.csv"
    path.write_bytes(MIXED_NODES.replace("c3,Company,C3,SK", "c3,Company,C3,SK,x")
                     .replace("c6,Company,C6,PL", "c6,Company,C6,Poland").encode())
    db = tmp_path / "t.db"
    code, err = run(capsys, "import", "csv", "--nodes", path, "--db", db)
    assert code == 2
    assert err.startswith("error: 2 problems in the import")
    assert (f"{path}, row 5, column '#5': expected at most 4 cells, as many as the header "
            "has, got 'x'") in err
    assert f"{path}, row 8, column 'country': expected a string matching" in err
    assert not db.exists() or state(db)[1]["labels"]["Company"] == 0
