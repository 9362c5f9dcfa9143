"""Problems with imported files, each pinned to a file, a row and a column (or a JSON path).

An import collects every problem of every file before it gives up, so that a user fixes a
spreadsheet once instead of once per error. Nothing is written when there is a problem.

What was expected is a constant marked ``N_`` or a :class:`~schema.messages.Msg`; problems are
worded in the reader's language where they are shown (``coco --lang``, the request's language),
file names, column names and values as the file has them. The ``--report`` CSV keeps its column
names (``file, sheet, row, column, expected, got``: read by tools) and words ``expected`` in the
reader's language, as the terminal does.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from coco_atlas.importers.outputs import csv_cell
from coco_atlas.schema import ValidationError
from coco_atlas.schema.messages import N_, Join, Msg, Np_, lazy

Kind = Literal["table", "jsonl", "json", "xml", "file"]

SHOWN = 50  # problems printed in a message; ImportFailed.write_csv() writes them all


@dataclass(frozen=True)
class Location:
    """Where in an input something is, worded the way the user's tool shows it.

    ``row`` is the spreadsheet row (the header is row 1), the line of a JSON Lines or XML file,
    or the index in a JSON array; ``column`` is a column header, a JSON key path or an XML
    attribute.
    """

    file: str
    kind: Kind = "file"
    row: int | None = None
    column: str | None = None
    sheet: str | None = None
    array: str = ""  # JSON: the path of the array the row indexes, e.g. "$.elements"

    def __str__(self) -> str:
        return str(self.message())

    def message(self, rows: str | None = None, *, file: bool = True) -> Msg:
        """Where, worded where shown: "book.xlsx, sheet 'nodes', row 3, column 'kind'";
        ``rows`` instead of the row: "rows 7, 8, 10 … (+96)"; without ``file``, the place in
        the same sheet of the same file: "row 4"."""
        parts: list[Any] = [self.file] if file else []
        if self.sheet and file:
            parts.append(Msg(N_("sheet {name}"), name=repr(self.sheet)))
        if self.kind == "json":
            if rows is not None:
                parts.append(Msg(N_("rows {rows}"), rows=rows))
            path = self.array + (f"[{self.row}]" if self.row is not None and rows is None
                                 else "")
            if self.column:
                path += "." + self.column
            if path:
                parts.append(path)
            return _joined(parts)
        lines = self.kind in ("jsonl", "xml")
        if rows is not None:
            parts.append(Msg(N_("lines {rows}") if lines else N_("rows {rows}"), rows=rows))
        elif self.row is not None:
            parts.append(Msg(N_("line {n}") if lines else N_("row {n}"), n=self.row))
        if self.column and self.kind == "xml":
            parts.append(self.column)  # the reader words it: "attvalue 'foundedYear'"
        elif self.column:
            what = {"table": N_("column {name}"), "jsonl": N_("key {name}")}.get(
                self.kind, N_("field {name}"))
            parts.append(Msg(what, name=repr(self.column)))
        return _joined(parts)

    def at(self, row: int | None = None, column: str | None = None) -> Location:
        return Location(self.file, self.kind, row, column, self.sheet, self.array)


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with an input: where, what was expected, what came."""

    where: Location
    expected: str  # English, a constant marked N_ or a Msg: worded where shown
    got: Any = None

    def __str__(self) -> str:
        return str(self.message())

    def message(self, where: Msg | None = None) -> Msg:
        return _problem(where or self.where.message(), self.expected, self.got)


def _problem(where: Msg, expected: Any, got: Any) -> Msg:
    expected = expected if isinstance(expected, Msg) else Msg(expected)
    if got is None:
        return Msg(N_("{where}: expected {expected}"), where=where, expected=expected)
    return Msg(N_("{where}: expected {expected}, got {got}"), where=where, expected=expected,
               got=_short(got))


def _joined(parts: list[Any]) -> Msg:
    return Join(*(x for i, part in enumerate(parts) for x in ((", ", part) if i else (part,))))


class ImportFailed(ValidationError):
    """Raised with every problem of an import; nothing was written.

    A :class:`~schema.ValidationError` (the CLI exits with 2), whose ``problems`` are
    :class:`ImportProblem` s naming file, row and column.
    """

    # Narrower than ValidationError's list[Problem] (an ImportProblem is a Problem with a file
    # location); lists are invariant, and nothing adds a plain Problem to an import's list.
    problems: list[ImportProblem]  # type: ignore[assignment]

    def __init__(self, problems: list[ImportProblem], what: str = N_("the import")):
        self.problems = problems
        self.what = what
        ValueError.__init__(self, self.message().english())

    def message(self) -> Msg:
        """Every problem, grouped, under a heading; worded where shown."""
        n = len(self.problems)
        head = Msg(Np_("{n} problem in {what}, nothing was written",
                       "{n} problems in {what}, nothing was written"), n=n,
                   what=self.what if isinstance(self.what, Msg) else Msg(self.what))
        groups = _grouped(self.problems)
        lines = groups[:SHOWN]
        if len(groups) > SHOWN:
            lines.append(Msg(N_("… and {n} more (--report FILE lists them all)"),
                             n=len(groups) - SHOWN))
        return Join(head, ":", *(part for line in lines for part in ("\n  ", line)))

    def write_csv(self, path: str | Path) -> None:
        """Every problem as a CSV table (file, sheet, row, column, expected, got). The cells
        repeat the imported file's own text, which may be hostile: like every CSV we write,
        a text a spreadsheet would take for a formula gets an apostrophe (OWASP, csv_cell)."""
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["file", "sheet", "row", "column", "expected", "got"])
            for p in self.problems:
                loc, got = p.where, p.got
                w.writerow([*map(csv_cell, (loc.file, loc.sheet or "")),
                            "" if loc.row is None else loc.row,
                            *map(csv_cell, (loc.column or "", str(lazy(p.expected)))),
                            "" if got is None else got if isinstance(got, (int, float))
                            else csv_cell(str(got))])


class Problems:
    """Collects problems across all files of an import, and the records they spoil.

    ``bad_nodes`` are ids of nodes left out because of a problem: edges to them are not
    reported again as pointing at a missing node. ``skipped_nodes`` are left out on purpose
    (a mapping said so); edges touching them are skipped too and counted.
    """

    def __init__(self) -> None:
        self.items: list[ImportProblem] = []
        self.bad_nodes: set[str] = set()
        self.skipped_nodes: set[str] = set()
        self.skipped_edges = 0  # left out by a mapping, or touching a node left out
        self.notes: list[str] = []

    def add(self, where: Location, expected: str, got: Any = None) -> None:
        self.items.append(ImportProblem(where, expected, got))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def raise_if_any(self, what: str = N_("the import")) -> None:
        if self.items:
            raise ImportFailed(self.items, what)


def _grouped(problems: list[ImportProblem]) -> list[Msg]:
    """One line per kind of problem: the same column, expectation and value on many rows of a
    file are listed as "rows 7, 8, 10 … (+96)" instead of a hundred lines."""
    groups: dict[tuple[Any, ...], list[ImportProblem]] = {}
    for p in problems:
        w = p.where
        key = (w.file, w.kind, w.sheet, w.array, w.column, p.expected, repr(p.got),
               w.row is None)
        groups.setdefault(key, []).append(p)
    lines = []
    for same in groups.values():
        first = same[0]
        if len(same) == 1 or first.where.row is None:  # the same problem twice: once
            lines.append(first.message())
            continue
        rows = [str(p.where.row) for p in same]
        listed = ", ".join(rows[:6]) + (f" … (+{len(rows) - 6})" if len(rows) > 6 else "")
        lines.append(first.message(first.where.message(rows=listed)))
    return lines



def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…"
