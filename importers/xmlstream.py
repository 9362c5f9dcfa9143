"""Streaming XML for GEXF and GraphML: record elements one at a time, with their line numbers.

Built on expat directly (the standard library's C parser) rather than ElementTree because
problems must name a line, and because a 500k-node file must not become one tree in memory.
Documents with a DTD are refused: neither GEXF nor GraphML needs one, and a DTD is how entity
expansion attacks ("billion laughs") and external entities get in (Python docs, "XML
vulnerabilities").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from coco_atlas.importers.errors import Location, Problems
from coco_atlas.importers.readers import open_input
from coco_atlas.schema.messages import N_

READ = 1 << 16


@dataclass
class El:
    """An element: local tag name, attributes (local names), children, text and line."""

    tag: str
    attrs: dict[str, str]
    line: int
    children: list[El] = field(default_factory=list)
    text: str = ""

    def find(self, tag: str) -> El | None:
        return next((c for c in self.children if c.tag == tag), None)

    def all(self, tag: str) -> Iterator[El]:
        """Every descendant with this tag (depth first)."""
        for c in self.children:
            if c.tag == tag:
                yield c
            yield from c.all(tag)


class _Refused(Exception):
    pass


def stream(path: str | Path, records: set[str], starts: set[str], problems: Problems,
           progress: Any = None) -> Iterator[El]:
    """Yield every element whose tag is in ``records`` complete with its children, and the
    start of every element in ``starts`` (attributes only), in document order."""
    raw = open_input(path, problems)
    if raw is None:
        return
    where = Location(str(path), "xml")
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    ready: list[El] = []
    stack: list[El] = []

    def local(name: str) -> str:
        return name.rsplit(" ", 1)[-1]

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = local(name)
        el = El(tag, {local(k): v for k, v in attrs.items()}, parser.CurrentLineNumber)
        if stack:
            stack[-1].children.append(el)
            stack.append(el)
        elif tag in records:
            stack.append(el)
        elif tag in starts:
            ready.append(el)

    def end(name: str) -> None:
        if stack:
            el = stack.pop()
            if not stack:
                ready.append(el)

    def text(data: str) -> None:
        if stack:
            stack[-1].text += data

    def refuse(*args: Any) -> None:
        raise _Refused

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    with raw:
        size = raw.seek(0, 2)
        raw.seek(0)
        try:
            while chunk := raw.read(READ):
                parser.Parse(chunk, False)
                yield from ready
                ready.clear()
                if progress:
                    progress(str(path), raw.tell(), size)
            parser.Parse(b"", True)
            yield from ready
        except _Refused:
            problems.add(where.at(parser.CurrentLineNumber),
                         N_("XML without a DOCTYPE or entity declarations (refused for safety)"))
        except expat.ExpatError as e:
            problems.add(where.at(e.lineno), N_("well-formed XML"),
                         expat.ErrorString(e.code) + f" (column {e.offset + 1})")
