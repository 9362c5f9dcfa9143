"""Cell values to schema types: what spreadsheets, JSON and XML give, as the schema wants it.

Tables hand over strings (CSV), Excel's own types (XLSX: numbers, booleans, datetimes) or JSON
values. Each converter accepts all of these and raises ``ValueError`` on anything it cannot read
without guessing. Empty cells (``None``, blank strings, empty lists) mean "no value" and are
left out of the record: an import never deletes a property.

Excel habits handled on purpose: whole numbers stored as ``2001.0``, ``TRUE``/``FALSE``, a
decimal comma (``1,5``) in files from a locale that writes ``;`` between columns, dates as
datetimes at midnight, and stray spaces around values.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime
from itertools import chain, compress, repeat
from operator import eq, is_
from typing import Any

from coco_atlas.schema import SCHEMA, Property, PropType
from coco_atlas.schema.messages import N_, Msg

__all__ = ["LIST_SEPARATOR", "convert_column", "converter", "fold", "is_empty", "prop_types"]

LIST_SEPARATOR = "|"  # Kumu's and our separator of several values in one cell
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_TRUE = frozenset({"true", "1", "yes", "y"})
_FALSE = frozenset({"false", "0", "no", "n"})

Converter = Callable[[Any], Any]
# Letters Unicode does not decompose into a base letter and a mark (NFKD leaves them whole).
_UNDECOMPOSED = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae",
                               "œ": "oe", "þ": "th", "ð": "d"})
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """A value as matching ignores it: case (Unicode case folding), accents and diacritics
    (NFKD, Unicode TR #15, without the combining marks; ``ł`` → ``l``) and runs of spaces:
    ``" Mała "``, ``"mala"`` and ``"MAŁA"`` fold alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", bare.translate(_UNDECOMPOSED)).strip()


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, (list, tuple)) and not value)


def to_str(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise ValueError(value)


def to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            if _DECIMAL_COMMA.match(text):
                text = text.replace(",", ".")  # "1951,0" from a locale with a decimal comma
            number = float(text)  # "2001.0", as Excel writes whole numbers
            if number.is_integer():
                return int(number)
    raise ValueError(value)


def to_float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if _DECIMAL_COMMA.match(text):
            text = text.replace(",", ".")
        number = float(text)
    else:
        raise ValueError(value)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().casefold()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise ValueError(value)


def to_date(value: Any) -> str:
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise ValueError(value)
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 10 and text[10] in "T " and text[11:].strip("0:.Z") == "":
            text = text[:10]  # "2020-05-01 00:00:00", a date Excel saved as a timestamp
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
    raise ValueError(value)


def to_list(value: Any) -> list[str]:
    if isinstance(value, str):
        parts = value.split(LIST_SEPARATOR)
    elif isinstance(value, (list, tuple)):
        parts = [to_str(v) for v in value]
    else:
        parts = [to_str(value)]
    return [p.strip() for p in parts if p.strip()]


_CONVERTERS: dict[PropType, Converter] = {
    PropType.STRING: to_str,
    PropType.INT: to_int,
    PropType.FLOAT: to_float,
    PropType.BOOL: to_bool,
    PropType.DATE: to_date,
    PropType.DATETIME: to_str,
    PropType.STRING_LIST: to_list,
}

WHAT: dict[PropType, str] = {
    PropType.STRING: N_("text"),
    PropType.INT: N_("a whole number"),
    PropType.FLOAT: N_("a number"),
    PropType.BOOL: N_("true or false"),
    PropType.DATE: N_("a date YYYY-MM-DD"),
    PropType.DATETIME: N_("an ISO 8601 timestamp"),
    PropType.STRING_LIST: Msg(N_("values separated by {separator}"), separator=LIST_SEPARATOR),
}


def converter(kind: PropType) -> Converter:
    return _CONVERTERS[kind]


def prop_types(edges: bool = False) -> dict[str, Property]:
    """Every property name of the schema's labels (or relationship types), first declaration
    wins: the schema gives each name one type across labels, so a column converts whole."""
    out: dict[str, Property] = {}
    names = SCHEMA.rel_names if edges else SCHEMA.label_names
    for name in names:
        props = SCHEMA.rel_properties(name) if edges else SCHEMA.node_properties(name)
        for p in props.values():
            out.setdefault(p.name, p)
    return out


def convert_column(values: Sequence[Any], kind: PropType, *, text: bool = False
                   ) -> tuple[list[Any], list[int]]:
    """Convert a whole column: ``(values, bad positions)``; empty cells become ``None``.

    The common case (all strings, all readable) runs in C builtins; only a column with a blank
    or a bad cell goes value by value. ``text`` says the caller knows every cell is a ``str``
    (CSV), which spares a pass over the column.
    """
    fast = _FAST.get(kind)
    if fast is not None and (text or {str}.issuperset(map(type, values))):
        stripped = list(map(str.strip, values))
        try:
            if "" not in stripped:
                return fast(stripped), []
            filled = fast([v for v in stripped if v])  # blanks stay None
            it = iter(filled)
            return [next(it) if v else None for v in stripped], []
        except ValueError:
            values = stripped
    return _slow(values, converter(kind))


def _split_all(values: list[str]) -> list[list[str]]:
    """Split every (stripped) cell on |; C-level unless some part is blank or padded
    ("a | b", "a||b", "|a"): then :func:`to_list` strips and drops parts cell by cell."""
    split = list(map(str.split, values, repeat(LIST_SEPARATOR)))
    parts = list(chain.from_iterable(split))
    if "" in parts or not all(map(eq, parts, map(str.strip, parts))):
        return [to_list(v) for v in values]
    return split


def _ints(values: list[str]) -> list[int]:
    """``int`` of every cell; each distinct value parsed once when values repeat (years)."""
    distinct = set(values)
    if len(distinct) * 4 > len(values):
        return list(map(int, values))
    parsed = {v: int(v) for v in distinct}
    return list(map(parsed.__getitem__, values))


def _floats(values: list[str]) -> list[float]:
    out = list(map(float, values))
    if not all(map(math.isfinite, out)):
        raise ValueError("not finite")
    return out


_BOOLS = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}


def _bools(values: list[str]) -> list[bool]:
    try:
        return list(map(_BOOLS.__getitem__, map(str.casefold, values)))
    except KeyError as e:
        raise ValueError(e) from None


_FAST: dict[PropType, Callable[[list[str]], list[Any]]] = {
    PropType.STRING: lambda vs: vs,
    PropType.INT: _ints,
    PropType.FLOAT: _floats,
    PropType.BOOL: _bools,
    PropType.STRING_LIST: _split_all,
}


def _slow(values: Sequence[Any], convert: Converter) -> tuple[list[Any], list[int]]:
    out: list[Any] = []
    bad: list[int] = []
    for i, v in enumerate(values):
        if is_empty(v):
            out.append(None)
            continue
        try:
            out.append(convert(v))
        except (ValueError, TypeError, OverflowError):
            out.append(None)
            bad.append(i)
    return out, bad


def none_positions(values: Sequence[Any]) -> list[int]:
    """Positions of ``None`` in a column (C-level scans; most columns have none)."""
    if None not in values:
        return []
    return list(compress(range(len(values)), map(is_, values, repeat(None))))
