"""Malformed files (hypothesis): every import ends in success or a clear error — never a
traceback, never a partial write.

Each example imports generated or mutated files into a store that already holds a small graph;
a failed import must leave that store exactly as it was (version, counts, every record).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coco_atlas.api.cli import main
from tests.importing import state

FIX = Path(__file__).parent / "fixtures"
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

# cells that are valid, nearly valid, or hostile to a CSV parser
CELLS = st.one_of(
    st.sampled_from(["", "Hub", "Company", "Region", "AT", "SK", "2010", "2010.0", "x|y",
                     "true", "creative-hub", "hub-wien", "co-alpha", "AT13", "MEMBER_OF",
                     "PARTNERS_WITH", "2.5", "1,5", "Łódź", "NaN", "inf", "-1", "99999999999"]),
    st.text(alphabet=st.sampled_from(list('ab,;"\t\n\r|\\ \x00éŁ1-.')), max_size=8),
)
HEADERS = st.lists(st.sampled_from(["id", "label", "name", "kind", "country", "foundedYear",
                                    "tags", "source", "target", "type", "since", "weight",
                                    "level", "budget", "Label", "From", "To", "", "junk"]),
                   min_size=1, max_size=7)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    db = tmp_path / "base.db"
    assert main(["import", "csv", "--nodes", str(FIX / "tables" / "nodes.csv"), "--edges",
                 str(FIX / "tables" / "edges.csv"), "--db", str(db)]) == 0
    return db


def _check(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> None:
    before = state(db)
    code = main([*argv, "--db", str(db)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    if code != 0:
        assert code == 2, captured.err  # a validation report, not a crash
        assert captured.err.startswith("error: "), captured.err
        assert state(db) == before  # all or nothing


def _csv(header: list[str], rows: list[list[str]], delimiter: str) -> str:
    def quote(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',;"\n\r\t') \
            else cell
    return "\n".join(delimiter.join(map(quote, r)) for r in [header, *rows]) + "\n"


@SETTINGS
@given(header=HEADERS, rows=st.lists(st.lists(CELLS, max_size=8), max_size=6),
       delimiter=st.sampled_from([",", ";", "\t"]), bom=st.booleans(),
       role=st.sampled_from(["--nodes", "--edges"]))
def test_generated_csv_tables(store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                              header: list[str], rows: list[list[str]], delimiter: str,
                              bom: bool, role: str) -> None:
    path = tmp_path / "gen.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + _csv(header, rows, delimiter).encode())
    _check(capsys, store, "import", "csv", role, str(path))


@SETTINGS
@given(data=st.binary(max_size=300), fmt=st.sampled_from(["csv", "jsonl", "xlsx"]))
def test_random_bytes_as_a_table(store: Path, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str], data: bytes,
                                 fmt: str) -> None:
    path = tmp_path / f"gen.{fmt}"
    path.write_bytes(data)
    _check(capsys, store, "import", fmt, "--nodes", str(path))


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                    | st.text(max_size=6),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(["label", "type", "id", "_id", "from",
                                                       "to", "attributes", "country", "tags",
                                                       "x"]), inner, max_size=5),
                    max_leaves=20)


@SETTINGS
@given(elements=JSON, connections=JSON, wrap=st.booleans())
def test_generated_kumu_blueprints(store: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str], elements: object,
                                   connections: object, wrap: bool) -> None:
    path = tmp_path / "gen.json"
    data = {"elements": elements, "connections": connections} if wrap else elements
    path.write_text(json.dumps(data), encoding="utf-8")
    _check(capsys, store, "import", "kumu", str(path))


@SETTINGS
@given(cuts=st.lists(st.tuples(st.integers(0, 2500), st.integers(0, 40),
                               st.text(alphabet='<>/="&;x !', max_size=5)), max_size=3),
       fmt=st.sampled_from(["ecosystem.gexf", "ecosystem.graphml"]))
def test_mutated_gexf_and_graphml(store: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str],
                                  cuts: list[tuple[int, int, str]], fmt: str) -> None:
    text = (FIX / "gephi" / fmt).read_text(encoding="utf-8")
    for at, length, insert in cuts:
        at = at % (len(text) + 1)
        text = text[:at] + insert + text[at + length:]
    path = tmp_path / fmt
    path.write_text(text, encoding="utf-8")
    _check(capsys, store, "import", "gephi", str(path))


@SETTINGS
@given(text=st.text(alphabet=st.sampled_from(list('[]="\n.abcdelnostuvy_ \\#1')), max_size=60))
def test_generated_mapping_files(store: Path, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str], text: str) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text(text, encoding="utf-8")
    _check(capsys, store, "import", "csv", "--nodes", str(FIX / "tables" / "firmen.csv"),
           "--mapping", str(mapping))


@SETTINGS
@given(cells=st.lists(st.lists(st.one_of(CELLS, st.integers(), st.floats(allow_nan=False),
                                         st.booleans(), st.none()), min_size=1, max_size=5),
                      min_size=1, max_size=5))
def test_generated_kumu_workbooks(store: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str],
                                  cells: list[list[object]]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Elements"
    sheet.append(["Label", "Type", "Country"])
    for row in cells:
        sheet.append([c.replace("\x00", "") if isinstance(c, str) else c for c in row])
    path = tmp_path / "gen.xlsx"
    book.save(path)
    shutil.copy(path, tmp_path / "copy.xlsx")
    _check(capsys, store, "import", "kumu", str(path))
