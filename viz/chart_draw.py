"""Drawing the charts with matplotlib, on the server: SVG for pages and exports, PNG at 2×.

Why matplotlib: the charts are drawn where the data is, so a page or an exported file is a
finished picture that needs no script (the page keeps its strict CSP with no script at all), opens
from disk, prints, and is the same in every browser. Its SVG keeps the text as text
(``svg.fonttype = none``: searchable, selectable, small) and its PNG uses the DejaVu fonts the
wheel ships, so an export looks the same on a machine with no fonts. Only the object-oriented
API is used (:class:`matplotlib.figure.Figure`, no ``pyplot`` state), with the Agg and SVG
backends; renders are serialised by a lock since matplotlib's rc settings are global.

Colours: sector groups keep the maps' Okabe–Ito colours (:mod:`viz.colours`); the gap heatmap
uses ColorBrewer's sequential YlOrRd, as the gap map does.
"""

from __future__ import annotations

import io
import re
import threading
from typing import Any

import matplotlib as mpl
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter
from matplotlib.typing import RcKeyType

from coco_atlas.viz.charts import Chart
from coco_atlas.viz.colours import CROSS_TIE, FIXED, YL_OR_RD, sequential_bins
from coco_atlas.viz.i18n import gettext as _
from coco_atlas.viz.i18n import number as num
from coco_atlas.viz.words import GROUP_TEXT

WIDTH = 8.0  # inches: 576 pt, 768 CSS px at 100 %
PNG_DPI = 192  # 2 × the 96 CSS px per inch a browser shows the SVG at
INK, MUTED, LINE = "#1f2328", "#59636e", "#d1d9e0"
FONT = ["DejaVu Sans"]
SERIES = {"Actors with a tie": "#0072B2", "Ties": "#8B949E",
          "Ties across sector groups": CROSS_TIE}
THOUSANDS = FuncFormatter(lambda x, _pos: num(round(x)))  # in the reader's number format
_LOCK = threading.Lock()


def svg(chart: Chart, *, prefix: str = "") -> str:
    """The chart as a standalone SVG document (title, source and date drawn on it); element
    ids start with ``prefix`` so that several charts can sit inline in one page."""
    text = _save(chart, "svg").decode("utf-8")
    if prefix:
        text = re.sub(r'(\bid="|url\(#|href="#)', rf"\g<1>{prefix}", text)
    return text


def inline_svg(chart: Chart, prefix: str) -> str:
    """The ``<svg>`` element for a page: no XML prolog, an image role with the chart's title
    and summary as its accessible name and description (WCAG 2.2 SC 1.1.1)."""
    text = svg(chart, prefix=prefix)
    text = text[text.index("<svg"):]
    label = _attr(f"{chart.title}. {chart.summary}")
    return text.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


def png(chart: Chart) -> bytes:
    """The chart as a PNG at twice the size the page shows it, in 256 colours (a chart has
    few; a third of the size of matplotlib's RGBA file), with its title and source as PNG text
    chunks (ISO/IEC 15948 tEXt "Title" and "Description")."""
    from PIL import Image, PngImagePlugin

    image = Image.open(io.BytesIO(_save(chart, "png"))).convert("RGB")
    small = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                           dither=Image.Dither.NONE)
    info = PngImagePlugin.PngInfo()
    for key, value in (("Title", chart.title), ("Description", chart.source),
                       ("Software", "COCO Atlas")):
        info.add_itxt(key, value)
    out = io.BytesIO()
    small.save(out, "PNG", pnginfo=info, dpi=(PNG_DPI, PNG_DPI))
    return out.getvalue()


def _attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def _save(chart: Chart, fmt: str) -> bytes:
    out = io.BytesIO()
    rc: dict[RcKeyType, Any] = {
          "svg.fonttype": "none", "svg.hashsalt": chart.kind, "font.family": "sans-serif",
          "font.sans-serif": FONT, "font.size": 9, "axes.edgecolor": LINE,
          "axes.labelcolor": INK, "xtick.color": MUTED, "ytick.color": INK, "text.color": INK}
    meta: dict[str, Any] = {"Title": chart.title, "Description": chart.source}
    meta.update({"Date": None, "Creator": "COCO Atlas"} if fmt == "svg"
                else {"Software": "COCO Atlas"})
    with _LOCK, mpl.rc_context(rc):
        fig = _figure(chart)
        fig.savefig(out, format=fmt, dpi=PNG_DPI, metadata=meta, facecolor="white")
    return out.getvalue()


def _figure(chart: Chart) -> Figure:
    draw = {"brokers": _bars, "gaps": _heatmap, "ties": _lines}[chart.kind]
    fig = Figure(figsize=(WIDTH, _height(chart)), layout="constrained")
    ax = fig.add_subplot()
    draw(fig, ax, chart)
    fig.suptitle(chart.title, x=0.0, ha="left", fontsize=13, fontweight="bold")
    fig.supxlabel(_wrap(chart.source + (" " + " ".join(chart.notes) if chart.notes else "")),
                  x=0.0, ha="left", fontsize=7.5, color=MUTED)
    return fig


def _height(chart: Chart) -> float:
    if chart.kind == "brokers":
        return 1.9 + 0.27 * max(len(chart.draw["labels"]), 3)
    if chart.kind == "gaps":
        return 2.6 + 0.26 * max(len(chart.draw["rows"]), 3)
    return 4.6


def _wrap(text: str, width: int = 150) -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])


def _bars(fig: Figure, ax: Any, chart: Chart) -> None:
    """Horizontal bars, the first ranked on top, coloured by sector group as on the maps."""
    d = chart.draw
    n = len(d["labels"])
    y = list(range(n))
    bars = ax.barh(y, d["values"], color=[FIXED.get(g, FIXED["unknown"]) for g in d["groups"]],
                   height=0.72)
    for i, bar in enumerate(bars):
        bar.set_gid(f"bar-{i}")  # <g id="bar-i"> in the SVG: the i-th ranked actor
    ax.set_yticks(y, d["labels"])
    ax.invert_yaxis()
    ax.bar_label(ax.containers[0], labels=[num(v) for v in d["values"]], padding=3,
                 fontsize=8, color=MUTED)
    ax.set_xlabel(_("Brokerage paths (two actors not tied to each other, with this one "
                    "between)"))
    ax.margins(x=0.12)
    ax.xaxis.set_major_formatter(THOUSANDS)
    _clean(ax, grid="x")
    present = [g for g in d["group_order"] if g in set(d["groups"])]
    if present:
        ax.legend(handles=[Patch(color=FIXED.get(g, FIXED["unknown"]), label=GROUP_TEXT[g])
                           for g in present], title=_("Sector group"), loc="lower right",
                  frameon=False, fontsize=8, title_fontsize=8)
    if not n:
        _empty(ax, chart)


def _heatmap(fig: Figure, ax: Any, chart: Chart) -> None:
    """Regions × competence groups; each cell shows its count, colour by YlOrRd."""
    d = chart.draw
    cells = d["cells"]
    if not cells or not d["columns"]:
        _empty(ax, chart)
        return
    top = max(max(row) for row in cells)
    classes = _classes(top)
    colours = ["#FFFFFF", *YL_OR_RD[len(YL_OR_RD) - len(classes) + 1:]]
    norm = BoundaryNorm([-0.5, *(hi + 0.5 for _, hi in classes)], len(classes))
    image = ax.pcolormesh(cells, cmap=ListedColormap(colours), norm=norm, edgecolors="white",
                          linewidth=0.8)
    ax.set_xlim(0, len(d["columns"]))
    ax.set_ylim(len(d["rows"]), 0)
    ax.set_xticks([j + 0.5 for j in range(len(d["columns"]))],
                  [_two_lines(c) for c in d["columns"]], fontsize=8, rotation=30, ha="left",
                  rotation_mode="anchor")
    ax.xaxis.tick_top()
    ax.set_yticks([i + 0.5 for i in range(len(d["rows"]))], d["rows"])
    ax.tick_params(length=0)
    for (i, j), value in _cells(cells):
        dark = colours[_class_of(classes, value)] in YL_OR_RD[-2:]
        ax.text(j + 0.5, i + 0.5, f"{value:,}", ha="center", va="center", fontsize=7.5,
                color="white" if dark else INK, gid=f"cell-{i}-{j}")
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = fig.colorbar(image, ax=ax, shrink=0.5, aspect=25, pad=0.02)
    bar.set_ticks([(lo + hi) / 2 for lo, hi in classes],
                  labels=[f"{lo}–{hi}" if hi > lo else str(lo) for lo, hi in classes])
    bar.ax.tick_params(length=0, labelsize=8)
    bar.set_label("Competences needed that no actor of the region offers", fontsize=8)
    bar.outline.set_visible(False)


def _classes(top: int) -> list[tuple[int, int]]:
    """No gap in a class of its own (white), then the gap map's equal-width classes of 1…top
    (:func:`viz.colours.sequential_bins`)."""
    if top <= 0:
        return [(0, 0)]
    return [(0, 0), *((lo + 1, hi + 1) for lo, hi in sequential_bins(top - 1))]


def _class_of(classes: list[tuple[int, int]], value: int) -> int:
    return next(k for k, (lo, hi) in enumerate(classes) if lo <= value <= hi)


def _cells(cells: list[list[int]]) -> list[tuple[tuple[int, int], int]]:
    return [((i, j), v) for i, row in enumerate(cells) for j, v in enumerate(row)]


def _two_lines(text: str, width: int = 16) -> str:
    if len(text) <= width or " " not in text:
        return text
    cut = min((i for i, c in enumerate(text) if c == " "), key=lambda i: abs(i - len(text) / 2))
    return text[:cut] + "\n" + text[cut + 1:]


def _lines(fig: Figure, ax: Any, chart: Chart) -> None:
    """One line per count over the years, with markers where the values are."""
    d = chart.draw
    if not d["years"]:
        _empty(ax, chart)
        return
    for k, (name, values) in enumerate(d["series"].items()):
        ax.plot(d["years"], values, marker="o", markersize=3.5, linewidth=2,
                color=SERIES[name], label=_(name), gid=f"series-{k}")
    ax.set_xlabel(_("Year"))
    ax.set_ylabel(_("How many"))
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(THOUSANDS)
    ax.legend(frameon=False, loc="upper left", fontsize=8)
    _clean(ax, grid="y")


def _clean(ax: Any, grid: str) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis=grid, color=LINE, linewidth=0.6)
    ax.set_axisbelow(True)


def _empty(ax: Any, chart: Chart) -> None:
    ax.set_axis_off()
    ax.text(0.5, 0.5, chart.notes[0] if chart.notes else _("Nothing to show."), ha="center",
            va="center", transform=ax.transAxes, color=MUTED)
