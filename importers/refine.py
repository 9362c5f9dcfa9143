"""What a mapping and plain sense do to a block of rows before it becomes records.

Between a reader and :mod:`importers.records` every block (:class:`~importers.records.Table`)
passes through :class:`Refiner`, which

- renames the columns of one file as its ``[files."NAME".columns]`` says (over the general
  ``[nodes.columns]`` / ``[edges.columns]``);
- translates values by ``[translate.PROP]`` tables (case, accents and spaces ignored);
- fills ``[defaults.LABEL]`` values into rows of that label that have none (and refuses a
  ``[nodes.values]`` property that some label of the file does not have);
- normalises what is unambiguous, counting it for the import report's notes and naming, per
  row, the properties it changed in the node's stamped ``normalised`` property (the quality
  report lists those records): a web address
  without a scheme gets ``https://`` (RFC 3986 §3: an absolute URI starts with its scheme; the
  schema wants one, and browsers complete a bare host name the same way), a whole number
  written ``1951,0`` or ``1951.0`` is ``1951``, an
  allowed value in another case or without its accents (``Micro``, ``mala``) is the allowed one;
  spaces around values, Excel's ``TRUE``/``FALSE`` and decimal commas are converted by
  :mod:`importers.values` and only counted here.

Everything is decided per column with C-level scans first (a join and a few substring tests),
so a block with nothing to do costs little next to reading it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from coco_atlas.importers.errors import Location, Problems
from coco_atlas.importers.mapping import MARK, SKIP, Mapping, Role, all_props, fields, norm
from coco_atlas.importers.records import Dialect, Table
from coco_atlas.importers.values import LIST_SEPARATOR, fold, is_empty, to_str
from coco_atlas.schema import NORMALISED, SCHEMA, Property, PropType
from coco_atlas.schema.messages import N_, Msg, Np_, Num

# A host name with a dot and a letter TLD, an optional port and path: "www.x.pl", "x.pl/a".
_DOMAIN = re.compile(r"^[\w-]+(\.[\w-]+)*\.[^\W\d_]{2,}(:\d+)?([/?#]\S*)?$")
_WHOLE = re.compile(r"^[+-]?\d+[.,]0+$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_CANONICAL_BOOLS = frozenset({"true", "false"})
_BOOLS = frozenset({"true", "false", "1", "0", "yes", "no", "y", "n"})


class Refiner:
    """Applies one import's mapping to each block of its inputs and counts what it did."""

    def __init__(self, mapping: Mapping, problems: Problems):
        self.mapping, self.problems = mapping, problems
        self.counts: Counter[tuple[str, ...]] = Counter()
        self.examples: dict[tuple[str, ...], str] = {}
        self.reported: set[str] = set()
        self.allowed = {role: _allowed(role) for role in ("nodes", "edges")}
        self.touched: dict[int, set[str]] = {}  # row position -> properties changed (one table)

    def tables(self, tables: Iterable[Table], role: Role, dialect: Dialect) -> Iterator[Table]:
        for table in tables:
            yield self.table(table, role, dialect)

    def table(self, table: Table, role: Role, dialect: Dialect) -> Table:
        """The block as the mapping wants it (a new Table; the reader's is left alone)."""
        header, display = self._renamed(table, role)
        self.touched = {}
        columns = list(table.columns)
        text = table.text
        targets = [self._field(h, role, dialect) for h in header]
        for i, name in enumerate(targets):
            if name:
                new = self._column(name, role, columns[i], text)
                if new is not columns[i]:
                    columns[i], text = new, text and all(isinstance(v, str) for v in new)
        if role == "nodes":
            labels = self._labels(table, targets, columns)
            if labels is not None:
                text = self._defaults(labels, header, display, targets, columns) and text
            if self.touched:
                header.append(MARK + NORMALISED)
                display[MARK + NORMALISED] = NORMALISED
                columns.append([LIST_SEPARATOR.join(sorted(self.touched[k]))
                                if k in self.touched else "" for k in range(len(table.rows))])
        return Table(table.where, header, columns, table.rows, table.header_row,
                     display or None, text)

    # -- columns -----------------------------------------------------------------------------
    def _renamed(self, table: Table, role: Role) -> tuple[list[str], dict[str, str]]:
        header = list(table.header)
        display = dict(table.display or {})
        renames = self.mapping.file_columns(table.where.file, role)
        if not renames:
            return header, display
        ours = fields(role)
        for i, h in enumerate(header):
            target = renames.get(norm(str(h)))
            if target is None:
                continue
            if target and norm(target) not in ours:
                self._once(f"files.{Path(table.where.file).name}.columns.{h}", Msg(
                    N_('a field of {role} in {file}: one of {names} or ""'), role=role,
                    file=Path(table.where.file).name, names=", ".join(ours.values())), target)
                target = SKIP
            display[MARK + target] = display.get(str(h), str(h))
            header[i] = MARK + target
        return header, display

    def _field(self, header: str, role: Role, dialect: Dialect) -> str | None:
        """Our field for a column, as :class:`importers.records.Columns` decides it."""
        target = self.mapping.column(str(header), role)
        if target is None:
            own = dialect.nodes if role == "nodes" else dialect.edges
            target = own.get(norm(str(header)))
        if target is None:
            target = fields(role).get(norm(str(header)))
        return target or None

    def _column(self, name: str, role: Role, column: Any, text: bool) -> Any:
        if name in self.mapping.translate:
            column = self._translated(name, column)
        props = all_props(role)
        decl = props.get(norm(name))
        if not decl or name in ("id", "source", "target", "label", "type"):
            return column
        strs = column if text else [v for v in column if isinstance(v, str)]
        if not strs:
            return column
        joined = "\n".join(strs)
        self._count_padding(name, strs, joined)
        kind = decl[0].type
        if any(p.pattern and p.pattern.startswith("^https?://") for p in decl):
            column = self._websites(name, column, strs, joined)
        elif kind is PropType.INT and ("," in joined or "." in joined):
            column = self._whole(name, column)
        elif kind is PropType.FLOAT and "," in joined:
            hits = self._where(column, lambda v: bool(_DECIMAL_COMMA.match(v.strip())), name)
            self._count(("comma", name), hits, next((v for v in strs if "," in v), ""))
        elif kind is PropType.BOOL:
            odd = {v for v in set(strs) if v.strip().casefold() in _BOOLS
                   and v.strip() not in _CANONICAL_BOOLS}
            if odd:
                self._count(("bool", name), self._where(column, odd.__contains__, name),
                            next(iter(odd)))
        allowed = self.allowed[role].get(name)
        if allowed:
            column = self._allowed(name, column, allowed)
        return column

    def _translated(self, name: str, column: Any) -> list[Any]:
        table = self.mapping.translate[name]
        memo: dict[Any, Any] = {}
        out = []
        n = 0
        for k, v in enumerate(column):
            if not isinstance(v, str) or not v.strip():
                out.append(v)
                continue
            got = memo.get(v)
            if got is None:
                got = memo[v] = table.get(fold(v), v)
            if got is not v:
                n += 1
                self._touch(k, name)
                self.examples.setdefault(("translated", name), f"{v.strip()!r} → {got!r}")
            out.append(got)
        if n:
            self.counts[("translated", name)] += n
        return out

    def _count_padding(self, name: str, strs: list[str], joined: str) -> None:
        if not (joined[:1].isspace() or joined[-1:].isspace()
                or any(x in joined for x in (" \n", "\n ", "\t\n", "\n\t"))):
            return
        padded = [v for v in strs if v != v.strip() and v.strip()]
        if padded:
            self._count(("spaces",), len(padded), repr(padded[0]))

    def _websites(self, name: str, column: Any, strs: list[str], joined: str) -> Any:
        filled = len(strs) - strs.count("")
        if joined.count("://") >= filled:
            return column  # every address has its scheme (the common case)
        out, n, example = [], 0, ""
        for k, v in enumerate(column):
            text = v.strip() if isinstance(v, str) else None
            if text and "://" not in text and _DOMAIN.match(text):
                v = "https://" + text
                n += 1
                self._touch(k, name)
                example = example or f"{text!r} → {v!r}"
            out.append(v)
        self._count(("website", name), n, example)
        return out if n else column

    def _whole(self, name: str, column: Any) -> Any:
        out, n, example = [], 0, ""
        for k, v in enumerate(column):
            if isinstance(v, str) and _WHOLE.match(v.strip()):
                text = v.strip()
                v = text[:max(text.find(","), text.find("."))]
                n += 1
                self._touch(k, name)
                example = example or f"{text!r} → {v}"
            out.append(v)
        self._count(("whole", name), n, example)
        return out if n else column

    def _allowed(self, name: str, column: Any, allowed: dict[str, str]) -> Any:
        """An allowed value spelt in another case, with spaces for hyphens or without its
        accents is that value (``Micro`` → ``micro``, ``creative hub`` → ``creative-hub``);
        anything else is left for validation to refuse."""
        exact = set(allowed.values())
        odd = {v for v in set(column) if isinstance(v, str) and v not in exact and v.strip()}
        fixes = {v: allowed[loose(v)] for v in odd if loose(v) in allowed}
        if not fixes:
            return column
        first = next(iter(fixes.items()))
        self._count(("case", name), self._where(column, fixes.__contains__, name),
                    f"{first[0]!r} → {first[1]!r}")
        return [fixes.get(v, v) if isinstance(v, str) else v for v in column]

    # -- labels and defaults -------------------------------------------------------------
    def _labels(self, table: Table, targets: list[str | None], columns: list[Any]
                ) -> list[str | None] | None:
        """Our label of each row, when defaults or fixed values depend on it."""
        fixed = {k: v for k, v in self.mapping.values["nodes"].items() if k not in ("label",)}
        if not self.mapping.defaults and not fixed:
            return None
        n = len(table.rows)
        i = targets.index("label") if "label" in targets else None
        default = self.mapping.values["nodes"].get("label")
        if i is None:
            labels: list[str | None] = [default] * n
        else:
            memo: dict[Any, str | None] = {}
            for v in set(columns[i]):
                memo[v] = default if is_empty(v) else self._label(v)
            labels = [memo[v] for v in columns[i]]
        self._check_fixed(table, fixed, {x for x in labels if x})
        return labels

    def _label(self, value: Any) -> str | None:
        try:
            return self.mapping.label(to_str(value)) or None
        except ValueError:
            return None

    def _check_fixed(self, table: Table, fixed: dict[str, Any], present: set[str]) -> None:
        """A ``[nodes.values]`` property some label of the file lacks: refused, naming them."""
        file = Path(table.where.file).name
        for name, value in fixed.items():
            lacking = sorted(lab for lab in present if name not in SCHEMA.node_properties(lab))
            if lacking:
                has = sorted(lab for lab in present if lab not in lacking)
                fix = (Msg(N_("give it in [defaults.{label}]"), label=has[0]) if has
                       else Msg(N_("leave it out")))
                self._once(f"nodes.values.{name}", Msg(Np_(
                    "a property every label in {file} has, but {labels} has no {name} ({fix})",
                    "a property every label in {file} has, but {labels} have no {name} ({fix})"),
                    n=len(lacking), file=file, labels=", ".join(lacking), name=repr(name),
                    fix=fix), value)

    def _defaults(self, labels: list[str | None], header: list[str], display: dict[str, str],
                  targets: list[str | None], columns: list[Any]) -> bool:
        """Fill ``[defaults.LABEL]`` into empty cells of rows of that label; False when a
        column now holds more than text."""
        text = True
        for label, values in self.mapping.defaults.items():
            rows = [k for k, lab in enumerate(labels) if lab == label]
            if not rows:
                continue
            for name, value in values.items():
                if name in targets:
                    i = targets.index(name)
                    column = list(columns[i])
                else:
                    i = len(header)
                    header.append(MARK + name)
                    display[MARK + name] = name
                    targets.append(name)
                    column = [None] * len(labels)
                    columns.append(column)
                filled = [k for k in rows if is_empty(column[k])]
                for k in filled:
                    column[k] = value
                    self._touch(k, name)
                columns[i] = column
                text = text and isinstance(value, str) and None not in column
                self._count(("default", label, name), len(filled), repr(value))
        return text

    # -- bookkeeping -------------------------------------------------------------------------
    def _touch(self, row: int, name: str) -> None:
        self.touched.setdefault(row, set()).add(name)

    def _where(self, column: Any, hit: Any, name: str) -> int:
        """Mark the rows whose (str) value ``hit`` accepts as normalised; how many there are."""
        n = 0
        for k, v in enumerate(column):
            if isinstance(v, str) and hit(v):
                self._touch(k, name)
                n += 1
        return n

    def _count(self, key: tuple[str, ...], n: int, example: str) -> None:
        if n:
            self.counts[key] += n
            self.examples.setdefault(key, example)

    def _once(self, key: str, expected: str, got: Any) -> None:
        if key not in self.reported:
            self.reported.add(key)
            where = Location(self.mapping.file or "mapping")
            self.problems.add(where.at(column=key), expected, got)

    def notes(self) -> list[str]:
        """One line per kind of change, with its count and an example, for the report."""
        out: list[str] = []
        for key, n in self.counts.items():
            e = self.examples.get(key, "")
            out.append(_note(n, key, e))
        return out


_NOTES = {
    "translated": Np_("{n} {property} value translated by the mapping's [translate.{property}] "
                      "(e.g. {example})",
                      "{n} {property} values translated by the mapping's [translate.{property}] "
                      "(e.g. {example})"),
    "default": Np_("{n} {label} row without {property} got {example} from [defaults.{label}]",
                   "{n} {label} rows without {property} got {example} from [defaults.{label}]"),
    "website": Np_("{n} {property} value given without a scheme got https:// (e.g. {example})",
                   "{n} {property} values given without a scheme got https:// (e.g. {example})"),
    "whole": Np_("{n} {property} value written with a decimal part read as whole numbers "
                 "(e.g. {example})",
                 "{n} {property} values written with a decimal part read as whole numbers "
                 "(e.g. {example})"),
    "comma": Np_("{n} {property} value with a decimal comma read as a number (e.g. {example})",
                 "{n} {property} values with a decimal comma read as numbers (e.g. {example})"),
    "bool": Np_("{n} {property} value written as {example} and the like read as true/false",
                "{n} {property} values written as {example} and the like read as true/false"),
    "case": Np_("{n} {property} value matched an allowed value but for case, spaces or accents "
                "(e.g. {example})",
                "{n} {property} values matched an allowed value but for case, spaces or accents "
                "(e.g. {example})"),
    "spaces": Np_("{n} value had spaces around it, removed (e.g. {example})",
                  "{n} values had spaces around them, removed (e.g. {example})"),
}


def _note(n: int, key: tuple[str, ...], example: str) -> Msg:
    """One kind of change an import made, worded where shown (the report's notes)."""
    kind = key[0]
    values: dict[str, Any] = {"n": Num(n), "example": example}
    if kind == "default":
        values.update(label=key[1], property=key[2])
    elif kind == "comma":
        values.update(property=key[1], example=repr(example))
    elif kind == "bool":
        values.update(property=key[1], example=repr(example.strip()))
    elif kind != "spaces":
        values.update(property=key[1])
    return Msg(_NOTES[kind], **values)


def loose(value: str) -> str:
    """An allowed value as matching sees it: folded (:func:`importers.values.fold`) and without
    spaces, ``-``, ``_`` and ``.`` (``Creative Hub`` is ``creative-hub``)."""
    return norm(fold(value))


def _allowed(role: Role) -> dict[str, dict[str, str]]:
    """Property → loose allowed value → the allowed value, where loosening keeps them apart."""
    out: dict[str, dict[str, str]] = {}
    for decls in all_props(role).values():
        values = {a for p in decls if p.allowed for a in p.allowed}
        folded: dict[str, str] = {}
        for a in values:
            folded[loose(a)] = a if loose(a) not in folded else ""
        if values:
            out[decls[0].name] = {k: v for k, v in folded.items() if v}
    return out


def declared(name: str, role: Role) -> list[Property]:
    """Every declaration of a property name in ``role`` (for the mapping suggester)."""
    return all_props(role).get(norm(name), [])
