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

from importers.values import LIST_SEPARATOR
from schema import SCHEMA, Property

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


def xlsx_cell(value: Any) -> Any:
    """A value for an openpyxl cell: lists joined by |, characters Excel refuses dropped."""
    if isinstance(value, (list, tuple)):
        value = cell(value)
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


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
