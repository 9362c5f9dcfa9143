"""Time in the graph: the graph "as of" a day or "during" a period.

Every node label and relationship type that can start or end declares its validity once in the
schema (:class:`schema.types.Validity`: an actor from ``foundedYear`` to ``closedYear``, a
collaboration or training from ``startDate`` to ``endDate``, a partnership, membership, offer or
need ``since``/``until``, an attendance in its ``year``). A record holds during a period when its
validity interval overlaps the period — Allen's interval algebra (Allen 1983, "Maintaining
knowledge about temporal intervals", CACM 26(11)) calls this anything but *before* or *after* —
with missing bounds open: a record without a start has always held as far as we know, one
without an end still holds. Years are read as whole years (a partnership ``until`` 2020 holds on
2020-12-31), so years and dates compare as ISO 8601 calendar dates.

A relationship whose end is not in the period is left out with it (a closed company's offers
end with the company); a participation holds while its collaboration does, since the
collaboration is a node with its own dates.

Only the Store contract is used (``property_values``, ``edge_property_values``), so both stores
restrict their projections the same way (:func:`restrict`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from coco_atlas.graph.memo import per_version
from coco_atlas.graph.store import Store, Topology
from coco_atlas.schema import SCHEMA
from coco_atlas.schema.messages import N_, Msg

__all__ = ["Period", "PeriodError", "holds", "restrict"]

_YEAR = re.compile(r"^\d{4}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class PeriodError(ValueError):
    """A period that cannot be read: the message says what was expected."""


@dataclass(frozen=True)
class Period:
    """Closed interval of calendar days ``[first, last]`` as ISO dates; ``None`` is open."""

    first: str | None = None
    last: str | None = None

    @property
    def is_open(self) -> bool:
        return self.first is None and self.last is None

    @classmethod
    def years(cls, first: int | None, last: int | None) -> Period:
        """The whole years ``first`` to ``last`` (either may be ``None``)."""
        return _checked(cls(None if first is None else f"{first:04d}-01-01",
                            None if last is None else f"{last:04d}-12-31"))

    @classmethod
    def as_of(cls, day: str | date) -> Period:
        """One day (a year ``"2020"`` means its last day: the graph at the end of 2020)."""
        text = day.isoformat() if isinstance(day, date) else str(day).strip()
        if _YEAR.match(text):
            text = f"{text}-12-31"
        return cls(_day(text, "asOf"), _day(text, "asOf"))

    @classmethod
    def parse(cls, text: str, what: str = "during") -> Period:
        """``"2019"``, ``"2019-2021"``, ``"2019-"``, ``"-2021"`` (whole years) or
        ``"2019-03-01..2020-06-30"`` (days; either side may be empty)."""
        text = text.strip()
        if ".." in text:
            a, b = (x.strip() for x in text.split("..", 1))
            return _checked(cls(_day(a, what) if a else None, _day(b, what) if b else None))
        m = re.fullmatch(r"(\d{4})?\s*(-)?\s*(\d{4})?", text)
        if not text or m is None or (m.group(2) is None and m.group(3) is not None):
            raise PeriodError(Msg(N_("{what}: expected a year (2020), years (2019-2021, 2019-, "
                                     "-2021) or days (2019-03-01..2020-06-30), got {text}"),
                                  what=what, text=repr(text)))
        first = int(m.group(1)) if m.group(1) else None
        last = int(m.group(3)) if m.group(3) else (first if m.group(2) is None else None)
        return cls.years(first, last)

    def holds(self, start: Any, end: Any) -> bool:
        """Does a record valid from ``start`` to ``end`` (years, ISO dates or ``None``) hold
        at some day of this period?"""
        s, e = _bound(start, first=True), _bound(end, first=False)
        return not ((self.last is not None and s is not None and s > self.last)
                    or (self.first is not None and e is not None and e < self.first))

    def __str__(self) -> str:
        return f"{self.first or '…'}..{self.last or '…'}"


def holds(period: Period | None, start: Any, end: Any) -> bool:
    return period is None or period.holds(start, end)


def restrict(store: Store, topo: Topology, period: Period | None) -> Topology:
    """The part of ``topo`` that holds during ``period``: nodes outside it are removed (and
    the others renumbered), edges go with their ends or when their own validity is outside.

    Each record's validity is read once per store version and projection, as day numbers in
    arrays (:func:`_validity`); a period then costs a few vectorised comparisons."""
    if period is None or period.is_open:
        return topo
    # The arrays are by position, so the key pins the order too: a Neo4j store reads its
    # topology again for every call, and nothing orders its rows (a new plan may change it)
    key = ("validity", topo.version, hash(tuple(topo.ids)),
           *(hash(a.tobytes()) for a in (topo.labels, topo.src, topo.dst, topo.types)))
    starts, ends, edge_starts, edge_ends = per_version(store, key, lambda: _validity(store, topo))
    first = _day_number(period.first) if period.first else FAR_PAST
    last = _day_number(period.last) if period.last else FAR_FUTURE
    active = (starts <= last) & (ends >= first)
    keep = active[topo.src] & active[topo.dst] & (edge_starts <= last) & (edge_ends >= first)
    nodes = np.flatnonzero(active)
    renumber = np.full(len(topo.ids), -1, dtype=np.int64)
    renumber[nodes] = np.arange(len(nodes))
    ids = topo.ids
    return Topology([ids[i] for i in nodes.tolist()], topo.labels[nodes],
                    renumber[topo.src[keep]], renumber[topo.dst[keep]], topo.types[keep],
                    topo.version)


FAR_PAST, FAR_FUTURE = np.iinfo(np.int64).min, np.iinfo(np.int64).max


def _validity(store: Store, topo: Topology) -> tuple[np.ndarray, ...]:
    """First and last day (numbers since 1970-01-01; open: far past or future) of every node
    and every edge of ``topo``."""
    position = {node_id: i for i, node_id in enumerate(topo.ids)}
    starts = np.full(topo.n_nodes, FAR_PAST, dtype=np.int64)
    ends = np.full(topo.n_nodes, FAR_FUTURE, dtype=np.int64)
    for code in np.unique(topo.labels).tolist():
        label = SCHEMA.label_names[code]
        validity = SCHEMA.label(label).validity
        if validity is not None:
            for prop, out, first in ((validity.start, starts, True), (validity.end, ends, False)):
                values = store.property_values(prop, [label])
                where = [position.get(k, -1) for k in values]
                _fill(out, where, list(values.values()), first)
    edge_starts = np.full(topo.n_edges, FAR_PAST, dtype=np.int64)
    edge_ends = np.full(topo.n_edges, FAR_FUTURE, dtype=np.int64)
    n = len(topo.ids) + 1
    for code in np.unique(topo.types).tolist():
        rel = SCHEMA.rel_names[code]
        validity = SCHEMA.rel(rel).validity
        if validity is None:
            continue
        of_type = np.flatnonzero(topo.types == code)
        index = dict(zip((topo.src[of_type] * n + topo.dst[of_type]).tolist(),
                         of_type.tolist(), strict=True))
        for prop, out, first in ((validity.start, edge_starts, True),
                                 (validity.end, edge_ends, False)):
            by_pair = store.edge_property_values(prop, rel)
            where = [index.get(position[a] * n + position[b], -1)
                     if a in position and b in position else -1 for a, b in by_pair]
            _fill(out, where, list(by_pair.values()), first)
    return starts, ends, edge_starts, edge_ends


def _fill(out: np.ndarray, where: list[int], values: list[Any], first: bool) -> None:
    """Write the day numbers of ``values`` (years or ISO dates) at ``where`` (−1: skip), in
    bulk: a year is its first day (``first``) or its last."""
    years = [(i, v) for i, v in zip(where, values, strict=True)
             if i >= 0 and isinstance(v, int) and not isinstance(v, bool)]
    days = [(i, v[:10]) for i, v in zip(where, values, strict=True)
            if i >= 0 and isinstance(v, str) and _DAY.match(v[:10])]
    if years:
        at, y = (np.array(x, dtype=np.int64) for x in zip(*years, strict=True))
        start = (y - 1970 + (0 if first else 1)).astype("datetime64[Y]").astype("datetime64[D]")
        out[at] = start.astype(np.int64) - (0 if first else 1)
    if days:
        at = np.array([i for i, _ in days], dtype=np.int64)
        out[at] = np.array([d for _, d in days], dtype="datetime64[D]").astype(np.int64)


def _day_number(day: str) -> int:
    return int(np.datetime64(day, "D").astype(np.int64))


def _bound(value: Any, *, first: bool) -> str | None:
    """A validity bound as an ISO day: a year is its first or last day."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return f"{int(value):04d}-{'01-01' if first else '12-31'}"
    text = str(value)
    return text[:10] if _DAY.match(text[:10]) else None


def _day(text: str, what: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise PeriodError(Msg(N_("{what}: expected a day as YYYY-MM-DD or a year, got {text}"),
                              what=what, text=repr(text))) from None


def _checked(period: Period) -> Period:
    if period.first and period.last and period.last < period.first:
        raise PeriodError(Msg(N_("the period's end {last} comes before its start {first}"),
                              last=period.last, first=period.first))
    return period
