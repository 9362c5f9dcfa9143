"""Mappings that fit real files: per-label defaults, translation tables, per-file renames,
``--suggest-mapping``, the normalisations an import reports, and files that are not what they
claim to be. Everything goes through the CLI's entry point (``coco import …``).

The files are written here as people make them (a cp1250 CSV from Excel in Poland, a Kumu map
whose hubs lack country and kind); the expected graph is written out by hand.
"""

from __future__ import annotations

import tomllib
import zipfile
from pathlib import Path

import orjson
import pytest

from coco_atlas.importers.errors import Problems
from coco_atlas.importers.mapping import load_mapping
from tests.importing import graph, run

FIRMY = """id;label;Nazwa;Kraj;Wielkość;Rok założenia;WWW;Typ
h1;Hub;Kreatywny Hub Kraków;PL;;2010,0;www.hub-krakow.pl;
h2;Hub;Kreatívne centrum Bratislava;SK;;2012;hub.sk;cluster
c1;Company;Mikro Studio;PL;mikro;1951,0;www.mikro.pl;
c2;Company;Mała Pracownia Sp. z o.o.;PL;mała;2001;https://mala.pl;
c3;Company;Średnia Fabryka SA;;Średnia;1999.0;  www.srednia.pl  ;
c4;Company;Duża Drukarnia SA;PL;duża;1990;;
"""

MAPPING = """
[files."firmy.csv".columns]
Nazwa = "name"
Kraj = "country"
"Wielkość" = "sizeClass"
"Rok założenia" = "foundedYear"
WWW = "website"
Typ = "kind"

[defaults.Hub]
kind = "creative-hub"

[defaults.Company]
country = "PL"

[translate]
sizeClass = { mikro = "micro", "mała" = "small", "średnia" = "medium", "duża" = "large" }
"""


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def firmy(tmp_path: Path) -> Path:
    return _write(tmp_path / "firmy.csv", FIRMY, "cp1250")


# -- the cp1250 CSV with Polish size classes -----------------------------------------------
def test_a_cp1250_csv_with_polish_size_classes_imports_through_a_mapping(
        firmy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mapping = _write(tmp_path / "m.toml", MAPPING)
    db = tmp_path / "d.db"
    code, err = run(capsys, "import", "csv", "--nodes", firmy, "--encoding", "cp1250",
                    "--mapping", mapping, "--db", db)
    assert code == 0, err
    nodes, _ = graph(db)
    assert nodes["h1"] == ("Hub", {"name": "Kreatywny Hub Kraków", "country": "PL",
                                   "foundedYear": 2010, "website": "https://www.hub-krakow.pl",
                                   "kind": "creative-hub",  # what the import changed:
                                   "normalised": ["foundedYear", "kind", "website"]})
    assert nodes["h2"][1]["kind"] == "cluster" and nodes["h2"][1]["country"] == "SK"
    assert {k: nodes[k][1]["sizeClass"] for k in ("c1", "c2", "c3", "c4")} == {
        "c1": "micro", "c2": "small", "c3": "medium", "c4": "large"}
    assert nodes["c1"][1]["foundedYear"] == 1951 and nodes["c3"][1]["foundedYear"] == 1999
    assert nodes["c3"][1]["country"] == "PL"  # the Company default
    assert nodes["c3"][1]["website"] == "https://www.srednia.pl"
    assert "website" not in nodes["c4"][1]


def test_the_report_counts_what_was_normalised(firmy: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    mapping = _write(tmp_path / "m.toml", MAPPING)
    code, err = run(capsys, "import", "csv", "--nodes", firmy, "--encoding", "cp1250",
                    "--mapping", mapping, "--db", tmp_path / "d.db", "--dry-run")
    assert code == 0, err
    notes = [line.strip() for line in err.splitlines() if line.strip().startswith("note:")]
    text = "\n".join(notes)
    assert "4 sizeClass values translated by the mapping's [translate.sizeClass]" in text
    assert "4 website values given without a scheme got https://" in text
    assert "3 foundedYear values written with a decimal part read as whole numbers" in text
    assert "1 value had spaces around it, removed" in text
    assert "1 Hub row without kind got 'creative-hub' from [defaults.Hub]" in text
    assert "1 Company row without country got 'PL' from [defaults.Company]" in text


def test_a_value_neither_in_the_table_nor_allowed_is_refused_with_row_and_column(
        firmy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mapping = _write(tmp_path / "m.toml", MAPPING.replace('"duża" = "large"', 'x = "large"'))
    db = tmp_path / "d.db"
    code, err = run(capsys, "import", "csv", "--nodes", firmy, "--encoding", "cp1250",
                    "--mapping", mapping, "--db", db)
    assert code == 2
    assert "row 7, column 'Wielkość'" in err and "'duża'" in err
    assert "micro" in err and "large" in err  # the allowed values
    assert not db.exists() or graph(db) == ({}, {})


def test_a_translation_to_a_value_we_do_not_allow_is_the_mapping_s_problem(
        tmp_path: Path, firmy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mapping = _write(tmp_path / "m.toml", '[translate.sizeClass]\nmikro = "tiny"\n'
                     '[defaults.Hub]\nkind = "garage"\nfoundedYear = 1800.5\n')
    problems = Problems()
    load_mapping(mapping, problems)
    lines = [str(p) for p in problems.items]
    assert any("field 'translate.sizeClass.mikro': expected one of micro, small, medium, large"
               ", got 'tiny'" in line for line in lines), lines
    assert any("'defaults.Hub.kind'" in line and "'garage'" in line for line in lines), lines
    assert any("'defaults.Hub.foundedYear'" in line for line in lines), lines


# -- per-label defaults ------------------------------------------------------------------------
MIXED = """id,label,name,country
h-sk,Hub,Kreatívne centrum Bratislava,SK
h-none,Hub,Hub bez kraju,
c-none,Company,Firma bez kraju,
"""


def test_per_label_defaults_do_not_leak_across_labels(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    nodes = _write(tmp_path / "n.csv", MIXED)
    mapping = _write(tmp_path / "m.toml", '[defaults.Hub]\nkind = "creative-hub"\n'
                     'country = "AT"\n[defaults.Company]\ncountry = "PL"\n'
                     'sizeClass = "micro"\n')
    db = tmp_path / "d.db"
    code, err = run(capsys, "import", "csv", "--nodes", nodes, "--mapping", mapping,
                    "--db", db)
    assert code == 0, err
    got = graph(db)[0]
    assert got["h-sk"][1] == {"name": "Kreatívne centrum Bratislava", "country": "SK",
                              "kind": "creative-hub",  # its own country stays
                              "normalised": ["kind"]}
    assert got["h-none"][1]["country"] == "AT"
    assert got["c-none"][1] == {"name": "Firma bez kraju", "country": "PL",
                                "sizeClass": "micro",  # no kind: a Company has none
                                "normalised": ["country", "sizeClass"]}


def test_a_fixed_value_some_label_lacks_is_refused_naming_file_and_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nodes = _write(tmp_path / "n.csv", MIXED)
    mapping = _write(tmp_path / "m.toml", '[nodes.values]\nkind = "creative-hub"\n')
    db = tmp_path / "d.db"
    code, err = run(capsys, "import", "csv", "--nodes", nodes, "--mapping", mapping,
                    "--db", db)
    assert code == 2
    assert (f"{mapping}, field 'nodes.values.kind': expected a property every label in n.csv"
            " has, but Company has no 'kind' (give it in [defaults.Hub])") in err


# -- per-file renames --------------------------------------------------------------------------
def test_per_file_renames_override_the_general_ones(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    a = _write(tmp_path / "hubs-2019.csv", "Nr,Name,Land,Art\nh1,Hub Wien,AT,cluster\n")
    b = _write(tmp_path / "hubs-2020.csv", "Nr,Name,Land,Art\nh2,Hub Graz,AT,academy\n")
    mapping = _write(tmp_path / "m.toml", '[nodes.columns]\nNr = "id"\nLand = "country"\n'
                     'Art = "kind"\n[nodes.values]\nlabel = "Hub"\n'
                     '[files."hubs-2020.csv".columns]\nArt = "description"\n'
                     'Land = ""\n[defaults.Hub]\nkind = "other"\n')
    db = tmp_path / "d.db"
    code, err = run(capsys, "import", "csv", "--nodes", a, "--nodes", b, "--mapping", mapping,
                    "--db", db)
    assert code == 0, err
    got = graph(db)[0]
    assert got["h1"][1] == {"name": "Hub Wien", "country": "AT", "kind": "cluster"}
    assert got["h2"][1] == {"name": "Hub Graz", "description": "academy", "kind": "other",
                            "normalised": ["kind"]}


def test_a_per_file_rename_names_the_user_s_column_in_problems(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = _write(tmp_path / "f.csv", "id,label,name,Rok\nc1,Company,Alfa,dawno\n")
    mapping = _write(tmp_path / "m.toml", '[files."f.csv".columns]\nRok = "foundedYear"\n')
    code, err = run(capsys, "import", "csv", "--nodes", a, "--mapping", mapping,
                    "--db", tmp_path / "d.db")
    assert code == 2
    assert "f.csv, row 2, column 'Rok': expected a whole number, got 'dawno'" in err


# -- a Kumu map whose hubs lack country and kind -----------------------------------------------
def test_a_kumu_blueprint_gets_its_hubs_kind_from_a_default(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blueprint = {"elements": [
        {"label": "Kreativni center Ljubljana", "type": "Creative Hub",
         "website": "www.kc-lj.si", "country": "SI"},
        {"label": "Delta Čevlji", "type": "Firma", "size class": "Micro", "country": "SI"}],
        "connections": [{"from": "Delta Čevlji", "to": "Kreativni center Ljubljana",
                         "type": "member"}]}
    path = tmp_path / "map.json"
    path.write_bytes(orjson.dumps(blueprint))
    mapping = _write(tmp_path / "m.toml", '[labels]\n"Creative Hub" = "Hub"\nFirma = "Company"'
                     '\n[types]\nmember = "MEMBER_OF"\n[defaults.Hub]\nkind = "creative-hub"\n')
    db = tmp_path / "d.db"
    code, err = run(capsys, "import", "kumu", path, "--mapping", mapping, "--db", db)
    assert code == 0, err
    nodes, edges = graph(db)
    hub = nodes["Kreativni center Ljubljana"]
    assert hub == ("Hub", {"name": "Kreativni center Ljubljana", "kind": "creative-hub",
                           "website": "https://www.kc-lj.si", "country": "SI",
                           "normalised": ["kind", "website"]})
    assert nodes["Delta Čevlji"][1]["sizeClass"] == "micro"  # an allowed value, but for case
    assert len(edges) == 1
    assert "sizeClass value matched an allowed value but for case" in err


# -- --suggest-mapping -------------------------------------------------------------------------
def test_a_suggested_mapping_loads_unedited_and_imports_once_filled_in(
        firmy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "suggested.toml"
    db = tmp_path / "d.db"
    code, err = run(capsys, "import", "csv", "--nodes", firmy, "--encoding", "cp1250",
                    "--suggest-mapping", out, "--db", db)
    assert code == 0, err
    assert not db.exists()  # nothing written to the store
    text = out.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    columns = data["files"]["firmy.csv"]["columns"]
    assert columns["Nazwa"] == "name" and columns["Kraj"] == "country"
    assert columns["WWW"] == "website" and columns["Rok założenia"] == "foundedYear"
    assert columns["Wielkość"] == "sizeClass"
    assert data["translate"]["sizeClass"] == {}  # to fill in: the values are comments
    for value in ("mikro", "mała", "duża"):
        assert f'# "{value}" = ' in text
    problems = Problems()
    load_mapping(out, problems)
    assert not problems.items, problems.items
    code, err = run(capsys, "import", "csv", "--nodes", firmy, "--encoding", "cp1250",
                    "--mapping", out, "--db", db, "--dry-run")
    assert code == 2 and "Wielkość" in err and "'mikro'" in err  # accepted, values unplaced
    filled = _fill(text, {"mikro": "micro", "mała": "small", "Średnia": "medium",
                          "duża": "large"})
    out.write_text(filled, encoding="utf-8")
    code, err = run(capsys, "import", "csv", "--nodes", firmy, "--encoding", "cp1250",
                    "--mapping", out, "--db", db)
    assert code == 0, err
    nodes = graph(db)[0]
    assert nodes["c2"][1]["sizeClass"] == "small" and nodes["h1"][1]["kind"] == "creative-hub"


def _fill(text: str, values: dict[str, str]) -> str:
    """What a user does with the template: uncomment the translations, giving our values,
    and a kind for the hubs that have none."""
    lines = []
    for line in text.splitlines():
        for theirs, ours in values.items():
            if line.startswith(f'# "{theirs}" = '):
                line = f'"{theirs}" = "{ours}"'
        if line.startswith("# [defaults.Hub]"):
            line = "[defaults.Hub]"
        if line.startswith("# kind = "):
            line = 'kind = "creative-hub"'
        lines.append(line)
    return "\n".join(lines) + "\n"


def test_suggest_mapping_prints_to_stdout_and_recognises_labels_and_types(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    elements = _write(tmp_path / "elements.csv", "Label,Type,Kraj\nHub A,Creative Hub,AT\n"
                      "Firma B,Firma,AT\nX,Whatever,AT\n")
    connections = _write(tmp_path / "connections.csv", "From,To,Type\nFirma B,Hub A,member\n")
    from coco_atlas.api.cli import main

    code = main(["import", "kumu", str(elements), str(connections), "--suggest-mapping",
                 "--db", str(tmp_path / "d.db")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    data = tomllib.loads(captured.out)
    assert data["labels"]["Creative Hub"] == "Hub"
    assert data["types"]["member"] == "MEMBER_OF"
    assert '# "Whatever" = ""' in captured.out
    assert not (tmp_path / "d.db").exists()


# -- files that are not what they claim ---------------------------------------------------------
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n\x00\x01stream\xff"


def _empty_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "not a workbook")
    return path


def _no_sheets(path: Path) -> Path:
    """A workbook whose workbook part lists no sheet (as some tools write an empty one)."""
    from openpyxl import Workbook

    tmp = path.with_suffix(".tmp.xlsx")
    Workbook().save(tmp)
    with zipfile.ZipFile(tmp) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                text = data.decode()
                start, end = text.index("<sheets>"), text.index("</sheets>") + len("</sheets>")
                data = (text[:start] + "<sheets/>" + text[end:]).encode()
            dst.writestr(item, data)
    tmp.unlink()
    return path


@pytest.mark.parametrize("command, name, make, expected", [
    ("csv", "report.csv", lambda p: p.write_bytes(PDF), "expected a CSV text file, not a PDF"),
    ("jsonl", "rows.jsonl", lambda p: p.write_bytes(PDF), "expected a JSON Lines text file, "
                                                          "not a PDF"),
    ("csv", "book.csv", _empty_zip, "expected a CSV text file, not a zip archive"),
    ("xlsx", "book.xlsx", lambda p: p.write_bytes(PDF), "expected an Excel workbook (.xlsx), "
                                                         "not a PDF"),
    ("xlsx", "book.xlsx", lambda p: p.write_text("id,label\n"), "expected an Excel workbook "
                                                                 "(.xlsx), not text"),
    ("xlsx", "book.xlsx", _empty_zip, "expected an Excel workbook (.xlsx), not a zip archive "
                                      "without a workbook in it"),
    ("xlsx", "book.xlsx", _no_sheets, "expected a workbook with at least one sheet"),
    ("kumu", "map.json", lambda p: p.write_text("elements: [1, 2]"), "expected a Kumu JSON "
                                                                      "blueprint (JSON)"),
    ("kumu", "map.json", lambda p: p.write_bytes(PDF), "expected a Kumu JSON blueprint (JSON)"
                                                       ", not a PDF"),
    ("kumu", "map.csv", lambda p: p.write_bytes(PDF), "expected a CSV text file, not a PDF"),
    ("gephi", "graph.gexf", lambda p: p.write_text("Id,Label\n1,a\n"),
     "expected a GEXF file (XML), not text that is not XML"),
    ("gephi", "graph.gexf", lambda p: p.write_bytes(PDF), "expected a GEXF file (XML), "
                                                          "not a PDF"),
    ("gephi", "nodes.csv", lambda p: p.write_bytes(PDF), "expected a CSV text file, not a PDF"),
])
def test_a_file_that_is_not_what_it_claims_gets_one_clear_line(
        command: str, name: str, make: object, expected: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / name
    make(path)  # type: ignore[operator]
    files = ["--nodes", path] if command in ("csv", "jsonl", "xlsx") else [path]
    db = tmp_path / "d.db"
    code, err = run(capsys, "import", command, *files, "--db", db)
    assert code == 2
    assert "1 problem in the import" in err, err
    problem = err.splitlines()[1].strip()
    assert problem.startswith(f"{path}: {expected}"), err
    assert not db.exists() or graph(db) == ({}, {})


def test_excel_habits_are_read_and_counted_without_a_mapping(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nodes = _write(tmp_path / "n.csv", "id;label;name;kind;isCCI;level;budget\n"
                   "h1;Hub;Hub Wien;Creative Hub;;;\n"
                   "J58;Sector;Publishing; ;TRUE;2;\n"
                   "p1;Collaboration;Pilot;co creation pilot;;;2,5\n")
    db = tmp_path / "d.db"
    code, err = run(capsys, "import", "csv", "--nodes", nodes, "--db", db)
    assert code == 0, err
    got = graph(db)[0]
    assert got["h1"][1]["kind"] == "creative-hub"
    assert got["J58"][1]["isCCI"] is True
    assert got["p1"][1] == {"name": "Pilot", "kind": "co-creation-pilot", "budget": 2.5,
                            "normalised": ["budget", "kind"]}
    assert got["J58"][1]["normalised"] == ["isCCI"]
    assert "2 kind values matched an allowed value but for case, spaces or accents" in err
    assert "1 isCCI value written as 'TRUE' and the like read as true/false" in err
    assert "1 budget value with a decimal comma read as a number (e.g. '2,5')" in err


# -- the real samples in ../shared/samples (when this checkout has them) ------------------------
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
REAL = [("kumu", ["kumu/changelabs-template.json"], None),
        ("kumu", ["kumu/teamverstaendnis-blueprint.json"], None),
        # a label on two rows (see the samples' README): one element, as Kumu makes it
        ("kumu", ["kumu/agentic-elements.csv", "kumu/agentic-connections.csv"],
         "1 label(s) given on several rows without an ID column were imported as one"),
        ("gephi", ["gephi/les-miserables.gexf"], None),
        ("gephi", ["gephi/movnet.graphml"], None),
        ("gephi", ["gephi/florentine.graphml"], None)]


def _decide(text: str) -> str:
    """What a user does with the template of a file far from our domain: every label it could
    not place or only guessed becomes Company, unplaced types and columns are left out, nodes
    without a type column become Companies."""
    out, section = [], ""
    for line in text.splitlines():
        if line.lstrip("# ").startswith("["):
            section = line.lstrip("# ").split("]")[0][1:]
            if section == "nodes.values":
                line = line[2:]
        elif line.startswith('# "') and "not recognised" in line:
            line = line[2:].split(" = ")[0] + (' = "Company"' if section == "labels" else ' = ""')
        elif section == "nodes.values" and line.startswith('# label = ""'):
            line = 'label = "Company"'
        elif section == "labels" and "# guessed" in line:
            line = line.split(" = ")[0] + ' = "Company"'  # software "projects" are actors here
        out.append(line)
    return "\n".join(out) + "\n"


def test_the_real_samples_import_with_a_generated_mapping_decided(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    present = [s for s in REAL if all((SAMPLES / f).is_file() for f in s[1])]
    for command, names, expected in present:
        files = [SAMPLES / f for f in names]
        out = tmp_path / (Path(names[0]).stem + ".toml")
        code, err = run(capsys, "import", command, *files, "--suggest-mapping", out,
                        "--db", tmp_path / "none.db")
        assert code == 0, err
        problems = Problems()
        load_mapping(out, problems)
        assert not problems.items, (names, problems.items)
        out.write_text(_decide(out.read_text(encoding="utf-8")), encoding="utf-8")
        code, err = run(capsys, "import", command, *files, "--mapping", out, "--dry-run",
                        "--db", tmp_path / "none.db")
        assert code == 0, (names, err)
        assert expected is None or expected in err, err
    assert not (tmp_path / "none.db").exists()
