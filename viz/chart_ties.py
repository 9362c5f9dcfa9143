"""When each tie of the actor network holds, and how many hold each year.

A tie between two actors comes from a partnership, a membership or a collaboration both took
part in (the three sources of :mod:`graph.analytics.network`). Each holds over a span of years,
as the schema declares validity (:class:`schema.types.Validity`, read as
:mod:`graph.timeline` reads it): a partnership or membership from its ``since`` to its ``until``,
a collaboration from the year of its start to that of its end, and only while both actors exist
(from their founding to their closing year); a missing bound is open (an unknown start "always
was", an open end "still is"). So a tie holds in year Y exactly when it is in
``actor_network(years=(Y, Y))``. Two actors are tied in a year when any of their sources holds
then; a year counts each pair once.

The spans are read once with the Store contract's bulk reads (``topology``,
``property_values``, ``edge_property_values``) and counted per year with numpy over the pairs,
sorted once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np

from coco_atlas.graph.analytics.network import ACTORS, COLLABORATION, TIES, WEIGHT
from coco_atlas.graph.store import Store
from coco_atlas.schema import SCHEMA

OPEN = (-np.inf, np.inf)


@dataclass(frozen=True)
class TieSpans:
    """One row per (pair, source): actors ``a < b`` (indices into the ids given) and the first
    and last year the source holds (``-inf`` / ``+inf`` when open), sorted by pair."""

    a: np.ndarray
    b: np.ndarray
    first: np.ndarray
    last: np.ndarray

    @property
    def key(self) -> np.ndarray:
        return self.a.astype(np.int64) * (int(self.b.max(initial=0)) + 1) + self.b


def tie_spans(store: Store, ids: Sequence[str]) -> TieSpans:
    """The spans of every tie source among the actors ``ids``."""
    index = {node_id: i for i, node_id in enumerate(ids)}
    lives = _node_spans(store, list(ACTORS))
    life = np.array([lives.get(i, OPEN) for i in ids], dtype=float).reshape(-1, 2)
    x: list[int] = []
    y: list[int] = []
    span: list[tuple[float, float]] = []
    for tie in ("partners", "membership"):
        rel = TIES[tie]
        spans = _edge_spans(store, rel)
        weight = store.edge_property_values(WEIGHT, rel) if tie == "partners" else {}
        for s, t in _pairs(store, rel):
            a, b = index.get(s), index.get(t)
            if a is not None and b is not None and float(weight.get((s, t), 1.0)) > 0:
                x.append(a)  # a zero-weight partnership is no tie (actor_network drops it)
                y.append(b)
                span.append(spans.get((s, t), OPEN))
    venues = _node_spans(store, [COLLABORATION])
    for venue, members in _participants(store, index).items():
        when = venues.get(venue, OPEN)
        for a, b in combinations(members, 2):
            x.append(a)
            y.append(b)
            span.append(when)
    return _spans(np.array(x, dtype=np.int64), np.array(y, dtype=np.int64),
                  np.array(span, dtype=float).reshape(-1, 2), life)


def _spans(x: np.ndarray, y: np.ndarray, span: np.ndarray, life: np.ndarray) -> TieSpans:
    """Each source's span cut to both actors' lives, empty ones and self-ties dropped, sorted
    by pair."""
    a, b = np.minimum(x, y), np.maximum(x, y)
    first = np.maximum(span[:, 0], np.maximum(life[a, 0], life[b, 0]))
    last = np.minimum(span[:, 1], np.minimum(life[a, 1], life[b, 1]))
    keep = (a != b) & (first <= last)
    a, b, first, last = a[keep], b[keep], first[keep], last[keep]
    order = np.lexsort((b, a))
    return TieSpans(a[order], b[order], first[order], last[order])


def _year(value: Any, open_end: float) -> float:
    """A validity bound as a year (an int, or the year of an ISO date), or the open end."""
    if value is None or value == "" or isinstance(value, bool):
        return open_end
    return float(int(str(value)[:4]))


def _node_spans(store: Store, labels: list[str]) -> dict[str, tuple[float, float]]:
    """``{node id: (first year, last year)}`` of the nodes with a dated validity."""
    out: dict[str, tuple[float, float]] = {}
    for label in labels:
        validity = SCHEMA.label(label).validity
        if validity is None:
            continue
        starts = store.property_values(validity.start, [label])
        ends = store.property_values(validity.end, [label])
        for node in starts.keys() | ends.keys():
            out[node] = (_year(starts.get(node), -np.inf), _year(ends.get(node), np.inf))
    return out


def _edge_spans(store: Store, rel: str) -> dict[tuple[str, str], tuple[float, float]]:
    validity = SCHEMA.rel(rel).validity
    if validity is None:
        return {}
    starts = store.edge_property_values(validity.start, rel)
    ends = store.edge_property_values(validity.end, rel)
    return {k: (_year(starts.get(k), -np.inf), _year(ends.get(k), np.inf))
            for k in starts.keys() | ends.keys()}


def _pairs(store: Store, rel: str) -> list[tuple[str, str]]:
    topo = store.topology(labels=list(ACTORS), rel_types=[rel])
    ids = topo.ids
    return [(ids[s], ids[d]) for s, d in zip(topo.src.tolist(), topo.dst.tolist(), strict=True)]


def _participants(store: Store, index: dict[str, int]) -> dict[str, list[int]]:
    """The distinct participants of every collaboration (actors among ``index``)."""
    topo = store.topology(labels=[*ACTORS, COLLABORATION], rel_types=[TIES["collaborations"]])
    ids = topo.ids
    venue = SCHEMA.label_names.index(COLLABORATION)
    members: dict[str, set[int]] = {}
    for s, d in zip(topo.src.tolist(), topo.dst.tolist(), strict=True):
        actor = index.get(ids[s])
        if actor is not None and topo.labels[d] == venue:
            members.setdefault(ids[d], set()).add(actor)
    return {v: sorted(m) for v, m in sorted(members.items())}


def year_counts(spans: TieSpans, inside: np.ndarray, cross: np.ndarray, years: Sequence[int],
                n_actors: int) -> list[tuple[int, int, int]]:
    """Per year: (actors with a tie, ties, ties across groups), counting only the spans where
    ``inside`` (both actors kept); ``cross`` marks the spans of pairs across groups."""
    key = spans.key
    out = []
    seen = np.zeros(n_actors, dtype=bool)
    for year in years:
        active = inside & (spans.first <= year) & (spans.last >= year)
        seen[:] = False
        seen[spans.a[active]] = True
        seen[spans.b[active]] = True
        out.append((int(seen.sum()), _distinct(key[active]), _distinct(key[active & cross])))
    return out


def _distinct(sorted_keys: np.ndarray) -> int:
    """Distinct values of a sorted array."""
    return int(len(sorted_keys) and 1 + np.count_nonzero(np.diff(sorted_keys)))
