"""The map in time (``timeline=FIRST-LAST``): the years each actor and tie of a map hold, and
charts of the trends.

The map is drawn once for the whole period — every actor and tie that holds in some year of it
(``actor_network(years=(FIRST, LAST))``) — so the layout is computed once and an actor keeps its
place from year to year (a map whose dots jump between years cannot be compared by eye; the
"mental map" of Misue, Eades, Lai & Sugiyama 1995, "Layout adjustment and the mental map",
Journal of Visual Languages & Computing 6(2), 183–210, doi:10.1006/jvlc.1995.1010). The page
(``templates/timeline.js``) then shows one year at a time by hiding what does not hold then.

When things hold follows the schema's validity as :mod:`graph.timeline` reads it: an actor
and a tie are shown in year Y exactly when they are in ``actor_network(during=Period.years(Y,
Y))`` — the network ``graph.analytics.change.compare`` and ``trends`` count — so an actor from
its founding to its closing year, a partnership or membership from its ``since`` to its
``until``, a shared collaboration from its start to its end, and a tie only while both actors
exist (:func:`held`). A tie may hold in several separate spans (a partnership 2016–2017, a
collaboration in 2020).

What goes into the page: per node ``t = [first, last]`` (its years within the period), per edge
an ``id`` and ``t = [from, to, from, to, …]`` (the spans it holds, within the period), and in the
meta ``timeline``: the years, the counts per year (actors, ties, ties across sector groups and
their share of the ties between actors of known groups, as :func:`graph.analytics.change.trends`
counts them) and the legend's words; ``timelineChart`` is those counts drawn as an inline SVG.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np

from coco_atlas.graph.analytics.groups import UNKNOWN
from coco_atlas.graph.memo import per_version
from coco_atlas.graph.store import Store
from coco_atlas.graph.timeline import Period
from coco_atlas.viz.build import MapData
from coco_atlas.viz.colours import CROSS_TIE, TIE
from coco_atlas.viz.i18n import gettext as _

__all__ = ["NEW_TIE", "attach", "chart_svg", "held"]

NEW_TIE = "#000000"  # black and thicker: apart from the grey ties and the vermilion cross ones
ENDED_TIE = TIE


def attach(store: Store, data: MapData, ids: Sequence[str], groups: np.ndarray,
           first: int, last: int) -> None:
    """Give ``data`` (an actor map: node ``i`` is actor ``ids[i]``, of sector group
    ``groups[i]``) its years from ``first`` to ``last``: see the module notes."""
    years = np.arange(first, last + 1)
    pairs = np.array([[e["from"], e["to"]] for e in data.edges], dtype=np.int64).reshape(-1, 2)
    alive, active = per_version(store, ("timeline", tuple(ids), pairs.tobytes(), first, last),
                                lambda: held(store, ids, pairs, years))
    for i, node in enumerate(data.nodes):
        node["t"] = _runs(alive[i], years)[:2] or [first, last]
    for j, edge in enumerate(data.edges):
        edge["id"] = j
        edge["t"] = _runs(active[j], years)
    counts = _counts(alive, active, pairs, np.asarray(groups, dtype=object))
    data.meta["timeline"] = {
        "from": first, "to": last, "years": years.tolist(), "counts": counts,
        "newColour": NEW_TIE, "endedColour": ENDED_TIE, "crossColour": CROSS_TIE}
    data.meta["timelineChart"] = chart_svg(years.tolist(), counts)
    data.springy = False  # positions from the server, for the whole period: never moved


def held(store: Store, ids: Sequence[str], pairs: np.ndarray, years: np.ndarray
         ) -> tuple[np.ndarray, np.ndarray]:
    """Which actors ``ids`` exist and which ties ``pairs`` (index pairs into ``ids``) hold in
    each of ``years``: ``len(ids) × len(years)`` and ``len(pairs) × len(years)`` booleans.

    Year by year, the actor network of that year (the projection
    :func:`graph.analytics.network.actor_network` caches, built here without its cache so the
    period's twelve or so networks do not push the service's own out): so a tie is drawn in year
    Y exactly when ``graph.analytics.change.compare`` and ``trends`` count it in Y. The records'
    validity is read once per store version (:func:`graph.timeline.restrict`); each year then
    costs one projection."""
    from coco_atlas.graph.analytics.network import ALL_TIES, build

    alive = np.zeros((len(ids), len(years)), dtype=bool)
    active = np.zeros((len(pairs), len(years)), dtype=bool)
    for k, year in enumerate(years.tolist()):
        net = build(store, ALL_TIES, False, Period.years(year, year))
        index = net.index
        where = np.fromiter((index.get(x, -1) for x in ids), np.int64, len(ids))
        alive[:, k] = where >= 0
        if len(pairs):
            a, b = where[pairs[:, 0]], where[pairs[:, 1]]
            both = (a >= 0) & (b >= 0)
            if both.any():
                tied = np.asarray(net.weights[a[both], b[both]]).ravel() != 0
                active[np.flatnonzero(both), k] = tied
    return alive, active


def _runs(row: np.ndarray, years: np.ndarray) -> list[int]:
    """The spans where ``row`` is true, flattened: ``[from, to, from, to, …]`` (years)."""
    padded = np.r_[False, row, False].astype(np.int8)
    change = np.flatnonzero(np.diff(padded))
    out: list[int] = []
    for start, stop in zip(change[::2].tolist(), change[1::2].tolist(), strict=True):
        out += [int(years[start]), int(years[stop - 1])]
    return out


def _counts(alive: np.ndarray, active: np.ndarray, pairs: np.ndarray,
            groups: np.ndarray) -> dict[str, list[Any]]:
    """Per year: actors, ties, ties across sector groups and their share of the ties whose two
    actors both have a known group (the definitions of :func:`graph.analytics.change.trends`)."""
    a, b = groups[pairs[:, 0]], groups[pairs[:, 1]]
    known = (a != UNKNOWN) & (b != UNKNOWN)
    cross = known & (a != b)
    ties = active.sum(axis=0)
    crossing = (active & cross[:, None]).sum(axis=0)
    knowing = (active & known[:, None]).sum(axis=0)
    share = [round(float(c) / k, 4) if k else None
             for c, k in zip(crossing.tolist(), knowing.tolist(), strict=True)]
    return {"actors": alive.sum(axis=0).tolist(), "ties": ties.tolist(),
            "cross": crossing.tolist(), "share": share}


def chart_svg(years: list[int], counts: dict[str, list[Any]]) -> str:
    """The trends as a small inline SVG for the map's panel: actors, ties and ties across
    sector groups per year (lines), and the cross-sector share (%) below. Drawn with
    matplotlib on the server, as the service's charts are (:mod:`viz.chart_draw`), so the page
    and a saved file show it without any script."""
    import matplotlib as mpl
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator
    from matplotlib.typing import RcKeyType

    # _LOCK: matplotlib's rc settings are global, so every chart is drawn under one lock
    from coco_atlas.viz.chart_draw import _LOCK, FONT, INK, LINE, MUTED, SERIES, THOUSANDS

    rc: dict[RcKeyType, Any] = {
          "svg.fonttype": "none", "svg.hashsalt": "timeline", "font.family": "sans-serif",
          "font.sans-serif": FONT, "font.size": 8, "axes.edgecolor": LINE,
          "axes.labelcolor": INK, "xtick.color": MUTED, "ytick.color": INK, "text.color": INK}
    out = io.StringIO()
    with _LOCK, mpl.rc_context(rc):
        fig = Figure(figsize=(3.4, 3.6), layout="constrained")
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
        for name, key, colour in ((_("Actors"), "actors", SERIES["Actors with a tie"]),
                                  (_("Ties"), "ties", SERIES["Ties"]),
                                  (_("Ties across sector groups"), "cross", CROSS_TIE)):
            top.plot(years, counts[key], marker="o", markersize=2.5, linewidth=1.6,
                     color=colour, label=name)
        top.set_ylim(bottom=0)
        top.yaxis.set_major_formatter(THOUSANDS)
        top.legend(frameon=False, loc="upper left", fontsize=7)
        top.set_title(_("How many, per year"), loc="left", fontsize=8.5, fontweight="bold")
        share = [np.nan if s is None else 100 * s for s in counts["share"]]
        bottom.plot(years, share, marker="o", markersize=2.5, linewidth=1.6, color=CROSS_TIE)
        bottom.set_ylim(0, max(10.0, float(np.nanmax(share)) * 1.15) if
                        np.isfinite(share).any() else 10.0)
        bottom.set_title(_("Ties across sector groups, % of ties"), loc="left", fontsize=8.5,
                         fontweight="bold")
        bottom.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
        for ax in (top, bottom):
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            ax.grid(axis="y", color=LINE, linewidth=0.6)
            ax.set_axisbelow(True)
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": "COCO Atlas"},
                    facecolor="white")
    text = out.getvalue()
    text = text[text.index("<svg"):]
    label = _attr(summary(years, counts))
    return text.replace("<svg ", f'<svg role="img" aria-label="{label}" class="trend" ', 1)


def summary(years: list[int], counts: dict[str, list[Any]]) -> str:
    """The charts in one sentence (their accessible name, WCAG 2.2 SC 1.1.1)."""
    from coco_atlas.viz.i18n import number as num
    from coco_atlas.viz.i18n import percent

    if not years:
        return _("No years.")

    def share(k: int) -> str:
        s = counts["share"][k]
        return _("no tie between actors of known groups") if s is None else percent(s)

    return _("Actors, ties and ties across sector groups per year, {first} to {last}: "
             "{actors0} actors and {ties0} ties in {first}, {actors1} actors and {ties1} ties "
             "in {last}; ties across sector groups {share0} of ties in {first}, {share1} in "
             "{last}.").format(first=years[0], last=years[-1],
                               actors0=num(counts["actors"][0]), ties0=num(counts["ties"][0]),
                               actors1=num(counts["actors"][-1]),
                               ties1=num(counts["ties"][-1]), share0=share(0),
                               share1=share(-1))


def _attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;"))
