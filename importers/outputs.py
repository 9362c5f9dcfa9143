"""What every exporter shares: which columns to write, how a value looks in a cell, and writing
files so that an interrupted export never leaves half a file behind."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from coco_atlas.importers.values import LIST_SEPARATOR
from coco_atlas.schema import SCHEMA, Property

STAMPS = frozenset({"source", "updatedAt"})


def node_properties(labels: Iterable[str] | None = None) -> list[Property]:
    """Properties of the given labels (all: None), schema order, stamped and ``name`` left
    out (``name`` has its own column in every format)."""
    out: dict[str, Property] = {}
    for label in labels if labels is not None else SCHEMA.label_names:
        for p in SCHEMA.node_properties(label).values():
            if not p.stamped and p.name != "name":
                out.setdefault(p.name, p)
    return list(out.values())


def edge_properties(types: Iterable[str] | None = None) -> list[Property]:
    out: dict[str, Property] = {}
    for rel in types if types is not None else SCHEMA.rel_names:
        for p in SCHEMA.rel_properties(rel).values():
            if not p.stamped:
                out.setdefault(p.name, p)
    return list(out.values())


def plain(props: dict[str, Any]) -> dict[str, Any]:
    """Properties without the store's stamps (an import stamps its own)."""
    return {k: v for k, v in props.items() if k not in STAMPS}


def cell(value: Any) -> str:
    """A value as spreadsheet text: lists joined by |, booleans true/false, nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(map(str, value))
    return str(value)


# Characters XML 1.0 cannot carry at all (https://www.w3.org/TR/xml/#charsets): dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_attr(value: Any) -> str:
    """A quoted XML attribute value (newlines and tabs kept as character references)."""
    return quoteattr(_NOT_XML.sub("", cell(value)), {"\n": "&#10;", "\r": "&#13;",
                                                    "\t": "&#9;"})


# -- spreadsheet formula injection -------------------------------------------------------------
# OWASP, "CSV Injection" (https://owasp.org/www-community/attacks/CSV_Injection): Excel,
# LibreOffice Calc and Google Sheets take a cell that begins with = + - @ (or with a tab or a
# carriage return, which some of them skip first) for a formula, and a formula can run commands
# (DDE) or send the sheet's data away (HYPERLINK, WEBSERVICE). The cure is a leading apostrophe,
# which every one of them reads as "text follows" and does not show.
FORMULA_TRIGGERS = frozenset("=+-@\t\r")
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")  # apostrophes, then a trigger
_FIRST = FORMULA_TRIGGERS | {"'"}  # the first characters worth a closer look


def formula_like(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula: the one rule every
    spreadsheet-like export (CSV, Gephi CSV, XLSX, Kumu XLSX) neutralises by.

    A text that already starts with apostrophes before a trigger (``'=x``) counts too, so that
    the apostrophe an export adds is always the one :func:`unquote` removes: ``'=x`` is written
    ``''=x`` and read back as ``'=x``.
    """
    first = text[:1]
    return first in FORMULA_TRIGGERS or (first == "'" and _ESCAPED.match(text) is not None)


def unquote(text: str) -> str:
    """The inverse of the CSV exports' apostrophe, for the CSV readers: ``'=1+2`` is ``=1+2``,
    as Excel reads it; other apostrophes (``'s-Hertogenbosch``) stay."""
    return text[1:] if text[:1] == "'" and _ESCAPED.match(text) else text


def csv_cell(value: Any) -> str:
    """:func:`cell` for a CSV file that a spreadsheet may open: a text that could be read as a
    formula gets a leading apostrophe (OWASP). Numbers stay as they are: ``-5`` is a number,
    not a formula."""
    text = cell(value)
    if text[:1] not in _FIRST or isinstance(value, (int, float)) or not formula_like(text):
        return text
    return "'" + text


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """Values for ``sheet.append`` (openpyxl, write-only): see :func:`xlsx_cell`."""
    return [xlsx_cell(sheet, v) for v in values]


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """A value for an openpyxl cell: lists joined by |, characters Excel refuses dropped, text
    always stored as text.

    openpyxl stores a text starting with ``=`` as a formula and ``#N/A`` as an error value;
    such a text, and any :func:`formula_like` one, becomes a string cell with Excel's quote
    prefix (the cell attribute Excel sets when one types ``'=1+2``): Excel shows the text as
    it is and keeps it text when the cell is edited, while every reader (Kumu, pandas, our
    importer) gets the value unchanged. Numbers, booleans and dates keep their types.
    """
    if isinstance(value, (list, tuple)):
        value = cell(value)
    if not isinstance(value, str):
        return value
    value = _NOT_XML.sub("", value)
    if value[:1] not in _FIRST and value[:1] != "#":
        return value
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES

    if not formula_like(value) and value not in ERROR_CODES:
        return value
    text = WriteOnlyCell(sheet, value)
    text.data_type = "s"
    text.quotePrefix = True
    return text


def xml_text(value: Any) -> str:
    return escape(_NOT_XML.sub("", cell(value)))


@contextmanager
def atomic(path: str | Path, mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """Write to a temporary file beside ``path`` and move it into place only when complete."""
    with atomic_path(path) as tmp, open(tmp, mode.replace("w", "x"), **kwargs) as f:
        yield f


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary name beside ``path`` to write to; moved onto ``path`` when the block ends
    without an error, removed otherwise (also for libraries that want a file name)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}{target.suffix}")
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise
