"""What GEXF and GraphML readers share: nodes, then edges, of one streamed pass, in chunks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from coco_atlas.importers import records
from coco_atlas.importers.errors import Location, Problems
from coco_atlas.importers.readers import dicts_table
from coco_atlas.importers.records import Table
from coco_atlas.importers.xmlstream import El
from coco_atlas.schema import PropType
from coco_atlas.schema.messages import N_

# Attribute types both GEXF and GraphML use for our property types (strings otherwise).
XML_TYPES = {PropType.INT: "long", PropType.FLOAT: "double", PropType.BOOL: "boolean"}


class GraphBlocks:
    """Streams ``<node>`` then ``<edge>`` elements as tables of rows.

    Subclasses set ``path``, ``problems`` and ``_items`` (from :func:`importers.xmlstream.stream`)
    and provide ``_declare`` (declarations such as attribute keys: return True when the element
    was one) and ``_row``.
    """

    path: str
    problems: Problems
    _items: Iterator[El]
    _held: El | None = None

    def nodes(self, chunk: int | None = None) -> Iterator[Table]:
        yield from self._blocks("node", chunk or records.CHUNK_ROWS)

    def edges(self, chunk: int | None = None) -> Iterator[Table]:
        yield from self._blocks("edge", chunk or records.CHUNK_ROWS)

    def _blocks(self, kind: str, chunk: int) -> Iterator[Table]:
        rows: list[dict[str, Any]] = []
        lines: list[int] = []
        shown: dict[str, str] = {}
        for el in self._elements(kind):
            rows.append(self._row(el, shown))
            lines.append(el.line)
            if len(rows) >= chunk:
                yield self._table(rows, lines, shown)
                rows, lines = [], []
        if rows:
            yield self._table(rows, lines, shown)

    def _elements(self, kind: str) -> Iterator[El]:
        if self._held is not None:
            if self._held.tag != kind:
                return
            el, self._held = self._held, None
            yield el
        for el in self._items:
            if self._declare(el):
                continue
            if el.tag != kind:
                if kind == "edge" and el.tag == "node":
                    self.problems.add(Location(self.path, "xml", el.line),
                                      N_("every <node> before the first <edge>"))
                    continue
                self._held = el  # the first edge ends the nodes
                return
            yield el

    def _declare(self, el: El) -> bool:
        raise NotImplementedError

    def _row(self, el: El, shown: dict[str, str]) -> dict[str, Any]:
        raise NotImplementedError

    def _table(self, rows: list[dict[str, Any]], lines: list[int],
               shown: dict[str, str]) -> Table:
        table = dicts_table(Location(self.path, "xml"), rows, lines)
        table.header_row, table.display = None, dict(shown)
        return table
