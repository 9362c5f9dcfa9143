"""Reading tables people save from spreadsheets: CSV, JSON Lines and XLSX, in blocks of rows.

CSV as Excel and LibreOffice write it: UTF-8 with or without a byte-order mark, UTF-16 ("Unicode
text"), ``,`` ``;`` or tab between cells (guessed from the header, or Excel's ``sep=;`` first
line), CRLF line ends, quoted cells over several lines, blank rows and ragged rows. A file in
another encoding is refused with advice rather than read as mojibake (``encoding=`` opts in).
A cell that starts with an apostrophe before ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return (the guard against formula injection our CSV exports add) loses that apostrophe, as in
Excel.

Every reader yields :class:`~importers.records.Table` blocks whose ``rows`` are numbered the way
the user's tool shows them: the spreadsheet row (header = 1), the line of a JSON Lines file.
Problems go into the shared :class:`~importers.errors.Problems`; a reader never raises on bad
input.
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
import zipfile
from collections.abc import Callable, Iterator
from itertools import chain, islice, repeat
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import orjson

from coco_atlas.importers import records
from coco_atlas.importers.errors import Location, Problems
from coco_atlas.importers.outputs import unquote
from coco_atlas.importers.records import Table
from coco_atlas.schema.messages import N_, Msg, lazy

DELIMITERS = (",", ";", "\t")
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # long descriptions are no error


class ReadProgress(Protocol):
    def __call__(self, file: str, done: int, total: int) -> None: ...


def readable(path: str | Path, problems: Problems) -> bool:
    """True when ``path`` is a file; else the problem is recorded."""
    p = Path(path)
    if p.is_file():
        return True
    problems.add(Location(str(path)), N_("a file, not a directory") if p.is_dir()
                 else N_("an existing file"))
    return False


def open_input(path: str | Path, problems: Problems) -> BinaryIO | None:
    """Open a file for reading, or record why not."""
    try:
        return open(path, "rb")
    except FileNotFoundError:
        problems.add(Location(str(path)), N_("an existing file"))
    except IsADirectoryError:
        problems.add(Location(str(path)), N_("a file, not a directory"))
    except OSError as e:
        problems.add(Location(str(path)), N_("a readable file"), e.strerror)
    return None


# -- what a file really is -------------------------------------------------------------------
# File signatures ("magic numbers") of what people save by mistake under a text extension.
_MAGIC = (
    (b"%PDF", N_("a PDF document")),
    (b"PK\x03\x04", N_("a zip archive (an .xlsx workbook or another Office file?)")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", N_("an old Office file (.xls or .doc: save it as "
                                         ".xlsx or CSV)")),
    (b"\x89PNG", N_("a PNG image")),
    (b"\xff\xd8\xff", N_("a JPEG image")),
    (b"GIF8", N_("a GIF image")),
    (b"\x1f\x8b", N_("a gzip archive")),
    (b"7z\xbc\xaf", N_("a 7-Zip archive")),
    (b"Rar!", N_("a RAR archive")),
    (b"{\\rtf", N_("an RTF document")),
)
HEAD = 4096  # bytes looked at to tell a file's kind


def sniff(head: bytes) -> str | None:
    """What a file whose first bytes are ``head`` is, when it is plainly not text: a known
    file signature, or NUL bytes (which no text encoding without a BOM has, UTF-16 aside)."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return N_("binary data")
    return None


def text_file(path: str | Path, what: str, problems: Problems) -> bool:
    """True when ``path`` may be the text file ``what`` says (a CSV, JSON or XML file); else
    one problem naming what it is instead ("expected a CSV text file, not a PDF document")."""
    try:
        with open(path, "rb") as raw:
            head = raw.read(HEAD)
    except OSError:
        return True  # the reader reports it, worded for the case
    found = sniff(head)
    if found is None:
        return True
    problems.add(Location(str(path)), Msg(N_("{what}, not {found}"), what=lazy(what),
                                          found=lazy(found)))
    return False


def xml_file(path: str | Path, what: str, problems: Problems) -> bool:
    """True when ``path`` may be an XML file (its first character is ``<``)."""
    if not text_file(path, what, problems):
        return False
    try:
        with open(path, "rb") as raw:
            head = raw.read(HEAD)
    except OSError:
        return True
    enc = "utf-16" if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) \
        else "utf-8-sig"
    text = head.decode(enc, errors="ignore").lstrip()
    if not text or text.startswith("<"):
        return True
    problems.add(Location(str(path)), Msg(
        N_("{what}, not text that is not XML (it starts with {start})"), what=lazy(what),
        start=repr(text[:20])))
    return False


# -- CSV -------------------------------------------------------------------------------------
def read_csv(path: str | Path, problems: Problems, *, encoding: str | None = None,
             progress: ReadProgress | None = None, chunk: int | None = None) -> Iterator[Table]:
    """Blocks of a CSV file; the first row (after an Excel ``sep=`` line) is the header."""
    where = Location(str(path), "table")
    if encoding is not None and not _known_codec(encoding):
        problems.add(where, N_("an encoding Python knows (e.g. utf-8, cp1250, cp1252, latin-1)"),
                     encoding)
        return
    if not text_file(path, N_("a CSV text file"), problems):
        return
    raw = open_input(path, problems)
    if raw is None:
        return
    with raw:
        size = _size(raw)
        enc = encoding or _sniff_encoding(raw.read(4))
        raw.seek(0)
        text = io.TextIOWrapper(raw, encoding=enc, newline="", errors="strict")
        lines: _Lines | None = None
        try:
            first = text.readline()
            delimiter = None
            if first.lower().startswith("sep=") and len(first.rstrip("\r\n")) == 5:
                delimiter, first = first[4], text.readline()  # Excel's delimiter hint
            delimiter = delimiter or _delimiter(first)
            lines = _Lines(chain((first,), text), delimiter)
            header = [h.strip() for h in next(lines.reader, [])]
            if not any(header):
                problems.add(where.at(1), N_("a header row naming the columns"))
                return
            line = 1
            while True:
                block, columns = lines.take(chunk or records.CHUNK_ROWS, len(header))
                if columns is not None:
                    n = len(columns[0])
                    yield Table(where, header, columns, range(line + 1, line + 1 + n),
                                text=True)
                    line += n
                elif not block:
                    break
                else:
                    table, line = _table(where, header, block, line, problems)
                    if table.rows:
                        table.columns = _unquoted(table.columns)
                        yield table
                if progress:
                    progress(str(path), raw.tell(), size)
        except UnicodeDecodeError:
            name = "UTF-8" if enc == "utf-8-sig" else enc
            problems.add(where.at(_bad_line(raw, enc)), Msg(
                N_("text in {encoding}: save the file as 'CSV UTF-8' (or give its encoding, "
                   "e.g. --encoding cp1250)"), encoding=name))
        except csv.Error as e:
            problems.add(where.at(lines.line_num + 1 if lines else None), N_("well-formed CSV"),
                         str(e))
        finally:
            text.detach()


def _unquoted(columns: list[Any]) -> list[Any]:
    """The cells without the apostrophe our CSV exports put before a text a spreadsheet would
    take for a formula (OWASP "CSV Injection", :func:`importers.outputs.csv_cell`): ``'=1+2``
    is read as ``=1+2``, as Excel reads it, so that an export reads back unchanged.

    A column is looked at cell by cell only when some line of it starts with an apostrophe
    (one C-level join and search per column otherwise; a quote-free block is spared even that
    when it holds no apostrophe at all).
    """
    for i, column in enumerate(columns):
        joined = "\n".join(column)
        if joined.startswith("'") or "\n'" in joined:
            columns[i] = [unquote(c) if c.startswith("'") else c for c in column]
    return columns


def csv_header(path: str | Path, encoding: str | None = None) -> list[str]:
    """The header of a CSV file (to tell what it holds before reading it); [] if unreadable."""
    try:
        with open(path, "rb") as raw:
            head = raw.read(65536)
    except OSError:
        return []
    enc = encoding or _sniff_encoding(head[:4])
    try:
        text = head.decode(enc, errors="ignore" if len(head) == 65536 else "strict")
    except (UnicodeDecodeError, LookupError):
        return []
    lines = text.splitlines()
    if lines and lines[0].lower().startswith("sep=") and len(lines[0]) == 5:
        lines = lines[1:]
    if not lines:
        return []
    try:
        row = next(csv.reader([lines[0]], delimiter=_delimiter(lines[0])), [])
    except csv.Error:
        return []
    return [h.strip() for h in row]


def check_encoding(encoding: str | None, problems: Problems) -> None:
    """Record a problem when ``--encoding`` names no text encoding Python knows."""
    if encoding is not None and not _known_codec(encoding):
        problems.add(Location("--encoding"), N_("an encoding Python knows (e.g. utf-8, cp1250, "
                     "cp1252, latin-1)"), encoding)


def _known_codec(name: str) -> bool:
    try:
        return codecs.lookup(name)._is_text_encoding
    except LookupError:
        return False


def _bad_line(raw: BinaryIO, encoding: str) -> int | None:
    """The first line that does not decode (the error path only)."""
    raw.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    for number, line in enumerate(raw, start=1):
        try:
            decoder.decode(line)
        except UnicodeDecodeError:
            return number
    return None


class _Lines:
    """The records of a CSV file's lines, a block at a time.

    Lines without a quote character are one record each, and splitting them at the delimiter
    is what the csv module would do: such a block goes straight to columns with a few C-level
    string operations (a third less time than csv.reader and a transpose). The first quote
    hands the rest of the file to the csv module, since a quoted cell may span lines.
    """

    def __init__(self, lines: Iterator[str], delimiter: str):
        self.lines, self.delimiter = lines, delimiter
        self.reader = csv.reader(lines, delimiter=delimiter, strict=True)
        self.plain = True
        self.before = 0  # lines read past the reader (it counts its own in line_num)

    @property
    def line_num(self) -> int:
        return self.before + self.reader.line_num

    def take(self, size: int, width: int) -> tuple[list[list[str]], list[list[str]] | None]:
        """The next ``size`` records: (rows, None), or ([], columns) for a plain block."""
        if not self.plain:
            return list(islice(self.reader, size)), None
        lines = list(islice(self.lines, size))
        text = "".join(lines)
        if '"' in text:
            self.plain = False
            self.before += self.reader.line_num
            self.reader = csv.reader(chain(lines, self.lines), delimiter=self.delimiter,
                                     strict=True)
            return list(islice(self.reader, size)), None
        self.before += len(lines)
        columns = _split_columns(lines, text, self.delimiter, width) if lines else None
        if columns is None:  # ragged or blank rows (or none): row by row, as the csv module
            return list(csv.reader(lines, delimiter=self.delimiter, strict=True)), None
        return [], _unquoted(columns) if "'" in text else columns


def _split_columns(lines: list[str], text: str, delimiter: str, width: int
                   ) -> list[list[str]] | None:
    """Columns of quote-free lines that all have ``width`` cells and no blank first cell;
    None otherwise (the row by row path then finds what is wrong)."""
    if not {width - 1}.issuperset(map(str.count, lines, repeat(delimiter))):
        return None
    text = text.removesuffix("\n").removesuffix("\r")  # the last line's end, if any
    if "\r" in text:
        text = text.replace("\r\n", delimiter)
        if "\r" in text:
            return None  # lines ended by a lone CR
    if "\n" in text:
        text = text.replace("\n", delimiter)
    cells = text.split(delimiter)
    columns = [cells[i::width] for i in range(width)]
    # A blank first cell may be a blank row, which the row by row path drops.
    return None if "" in columns[0] else columns


def _size(raw: BinaryIO) -> int:
    raw.seek(0, io.SEEK_END)
    size = raw.tell()
    raw.seek(0)
    return size


def _sniff_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8-sig"  # no BOM: strict UTF-8 (the -sig codec reads both)


def _delimiter(header: str) -> str:
    """The delimiter that splits the header most (outside quotes); comma on a tie."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _table(where: Location, header: list[str], block: list[list[str]], line: int,
           problems: Problems) -> tuple[Table, int]:
    """Column-major block; blank rows dropped, short rows padded, long rows reported."""
    width = len(header)
    first = line + 1
    line += len(block)
    if {width}.issuperset(map(len, block)):
        fast: list[list[Any]] = [list(c) for c in zip(*block, strict=True)]
        # no blank row: the first cell of every row is filled (or, if not, some other cell)
        if "" not in fast[0] or all(map(any, block)):
            return Table(where, header, fast, range(first, first + len(block)), text=True), line
    rows, kept = [], []
    for k, cells in enumerate(block):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            problems.add(where.at(first + k, f"#{width + 1}"), Msg(
                N_("at most {n} cells, as many as the header has"), n=width), cells[width])
        rows.append((cells + [""] * width)[:width])
        kept.append(first + k)
    columns: list[list[Any]] = ([list(c) for c in zip(*rows, strict=True)] if rows
                                else [[] for _ in header])
    return Table(where, header, columns, kept, text=True), line


# -- JSON Lines --------------------------------------------------------------------------------
def read_jsonl(path: str | Path, problems: Problems, *, progress: ReadProgress | None = None,
               chunk: int | None = None) -> Iterator[Table]:
    """Blocks of a JSON Lines file: one object per line, keys are the columns."""
    if not text_file(path, N_("a JSON Lines text file"), problems):
        return
    raw = open_input(path, problems)
    if raw is None:
        return
    where = Location(str(path), "jsonl")
    with raw:
        size = _size(raw)
        if raw.read(3) != codecs.BOM_UTF8:
            raw.seek(0)
        objects: list[dict[str, Any]] = []
        lines: list[int] = []
        for number, line in enumerate(raw, start=1):
            if not line.strip():
                continue
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError as e:
                problems.add(where.at(number), N_("a JSON object on one line"), str(e))
                continue
            if not isinstance(obj, dict):
                problems.add(where.at(number), N_("a JSON object"), obj)
                continue
            objects.append(obj)
            lines.append(number)
            if len(objects) >= (chunk or records.CHUNK_ROWS):
                yield dicts_table(where, objects, lines, header_row=None)
                objects, lines = [], []
                if progress:
                    progress(str(path), raw.tell(), size)
        if objects:
            yield dicts_table(where, objects, lines, header_row=None)
        if progress:
            progress(str(path), size, size)


def dicts_table(where: Location, objects: list[dict[str, Any]], rows: list[int],
                header_row: int | None = None) -> Table:
    """A block from row dicts; the header is every key in order of first appearance."""
    keys = list(dict.fromkeys(k for obj in objects for k in obj))
    return Table(where, keys, [[obj.get(k) for obj in objects] for k in keys], rows, header_row)


# -- XLSX --------------------------------------------------------------------------------------
Pick = Callable[[list[str], list[list[Any]]], bool]


def read_xlsx(path: str | Path, problems: Problems, *, sheets: Pick | None = None,
              role: str | None = None, chunk: int | None = None
              ) -> Iterator[tuple[str, Iterator[Table]]]:
    """(sheet name, its blocks) for the sheets of a workbook to import.

    ``role`` picks one sheet named like it ("nodes", "edges") or the only sheet; ``sheets``
    picks by header instead (Kumu: Label vs From/To). Sheets named "... (ignore)" are skipped,
    as Kumu does.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    where = Location(str(path), "table")
    if not readable(path, problems):
        return
    if Path(path).suffix.lower() not in (".xlsx", ".xlsm"):
        problems.add(where, N_("an Excel workbook named *.xlsx"), Path(path).name)
        return
    wrong = _not_a_workbook(path)
    if wrong:
        problems.add(where, Msg(N_("an Excel workbook (.xlsx), not {found}"),
                                found=lazy(wrong)))
        return
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as e:
        problems.add(where, N_("an Excel workbook (.xlsx)"), str(e) or type(e).__name__)
        return
    try:
        names = [n for n in book.sheetnames if "(ignore)" not in n.lower()]
        if not names:
            problems.add(where, N_("a workbook with at least one sheet (not named '… (ignore)')"),
                         ", ".join(book.sheetnames) or None)
            return
        if role is not None:
            names = _pick_sheet(names, role, where, problems)
        for name in names:
            rows = book[name].iter_rows(values_only=True)
            header = [("" if h is None else str(h)).strip() for h in next(rows, ())]
            if sheets is not None and not sheets(header, []):
                continue
            yield name, _xlsx_blocks(Location(str(path), "table", sheet=name), header, rows,
                                     problems, chunk or records.CHUNK_ROWS)
    finally:
        book.close()


def _not_a_workbook(path: str | Path) -> str | None:
    """What a file named .xlsx is instead of a workbook (an .xlsx is a zip archive holding
    ``xl/workbook.xml``, ECMA-376 Part 2), or None."""
    try:
        with open(path, "rb") as raw:
            head = raw.read(HEAD)
    except OSError:
        return None  # load_workbook words it
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError):
            return N_("a damaged zip archive")
        return None if "xl/workbook.xml" in names else N_("a zip archive without a workbook in "
                                                          "it")
    found = sniff(head)
    if found:
        return found
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return N_("a file that is neither a zip archive nor text")
    return N_("text (a CSV file? import it with `coco import csv`)")


def _pick_sheet(names: list[str], role: str, where: Location, problems: Problems) -> list[str]:
    named = [n for n in names if n.strip().lower() == role]
    if named:
        return named[:1]
    if len(names) == 1:
        return names
    problems.add(where, Msg(N_("a sheet named {name} (or a workbook with one sheet)"),
                            name=repr(role)), ", ".join(names))
    return []


def _xlsx_blocks(where: Location, header: list[str], rows: Iterator[tuple[Any, ...]],
                 problems: Problems, chunk: int) -> Iterator[Table]:
    width = len(header)
    if not any(header):
        problems.add(where.at(1), N_("a header row naming the columns"))
        return
    number = 1
    while True:
        block = list(islice(rows, chunk))
        if not block:
            return
        kept, cells = [], []
        for values in block:
            number += 1
            if not any(v is not None and str(v).strip() for v in values):
                continue
            row = list(values)
            if len(row) > width and any(v is not None for v in row[width:]):
                problems.add(where.at(number, f"#{width + 1}"), Msg(
                    N_("at most {n} cells, as many as the header has"), n=width), row[width])
            cells.append((row + [None] * width)[:width])
            kept.append(number)
        if kept:
            yield Table(where, header, [list(c) for c in zip(*cells, strict=True)], kept)
