"""Problems with imported files, each pinned to a file, a row and a column (or a JSON path).

An import collects every problem of every file before it gives up, so that a user fixes a
spreadsheet once instead of once per error. Nothing is written when there is a problem.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from coco_atlas.importers.outputs import csv_cell
from coco_atlas.schema import ValidationError

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
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.kind == "json":
            path = self.array + (f"[{self.row}]" if self.row is not None else "")
            if self.column:
                path += "." + self.column
            if path:
                parts.append(path)
            return ", ".join(parts)
        if self.row is not None:
            parts.append(f"{'line' if self.kind in ('jsonl', 'xml') else 'row'} {self.row}")
        if self.column and self.kind == "xml":
            parts.append(self.column)  # the reader words it: "attvalue 'foundedYear'"
        elif self.column:
            what = {"table": "column", "jsonl": "key"}.get(self.kind, "field")
            parts.append(f"{what} {self.column!r}")
        return ", ".join(parts)

    def at(self, row: int | None = None, column: str | None = None) -> Location:
        return Location(self.file, self.kind, row, column, self.sheet, self.array)


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with an input: where, what was expected, what came."""

    where: Location
    expected: str
    got: Any = None

    def __str__(self) -> str:
        got = "" if self.got is None else f", got {_short(self.got)}"
        return f"{self.where}: expected {self.expected}{got}"


class ImportFailed(ValidationError):
    """Raised with every problem of an import; nothing was written.

    A :class:`~schema.ValidationError` (the CLI exits with 2), whose ``problems`` are
    :class:`ImportProblem` s naming file, row and column.
    """

    # Narrower than ValidationError's list[Problem] (an ImportProblem is a Problem with a file
    # location); lists are invariant, and nothing adds a plain Problem to an import's list.
    problems: list[ImportProblem]  # type: ignore[assignment]

    def __init__(self, problems: list[ImportProblem], what: str = "the import"):
        self.problems = problems
        n = len(problems)
        head = f"{n} problem{'s' if n != 1 else ''} in {what}, nothing was written"
        groups = _grouped(problems)
        lines = groups[:SHOWN]
        if len(groups) > SHOWN:
            lines.append(f"… and {len(groups) - SHOWN} more (--report FILE lists them all)")
        ValueError.__init__(self, head + ":\n  " + "\n  ".join(lines))

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
                            *map(csv_cell, (loc.column or "", p.expected)),
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

    def raise_if_any(self, what: str = "the import") -> None:
        if self.items:
            raise ImportFailed(self.items, what)


def _grouped(problems: list[ImportProblem]) -> list[str]:
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
            lines.append(str(first))
            continue
        rows = [str(p.where.row) for p in same]
        listed = ", ".join(rows[:6]) + (f" … (+{len(rows) - 6})" if len(rows) > 6 else "")
        plural = "lines" if first.where.kind in ("jsonl", "xml") else "rows"
        text = str(first.where.at(None, first.where.column))
        parts = text.split(", ")
        parts.insert(1 + bool(first.where.sheet), f"{plural} {listed}")
        got = "" if first.got is None else f", got {_short(first.got)}"
        lines.append(f"{', '.join(parts)}: expected {first.expected}{got}")
    return lines


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…"
