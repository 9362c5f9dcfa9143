"""Colours that stay distinguishable for colour-blind readers.

Categories use the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design", recommended by
Wong 2011, Nature Methods 8, 441, doi:10.1038/nmeth.1618); the gap map's ordered classes use
ColorBrewer's sequential YlOrRd scheme (Harrower & Brewer 2003, The Cartographic Journal 40(1),
27–37, doi:10.1179/000870403235002042).
"""

from __future__ import annotations

from collections.abc import Sequence

from coco_atlas.viz.i18n import N_

OKABE_ITO = ("#E69F00", "#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
             "#000000")
GREY = "#9AA0A6"
LIGHT = "#C9CDD2"
YL_OR_RD = ("#FFFFB2", "#FECC5C", "#FD8D3C", "#F03B20", "#BD0026")
CROSS_TIE = "#D55E00"
TIE = "#8B949E"

# Fixed colours for the categories every map shows, so that a sector group keeps its colour
# from one map to the next.
FIXED = {
    "cci": "#CC79A7", "advanced-manufacturing": "#0072B2", "ict": "#009E73", "other": "#E69F00",
    "unknown": GREY, "Hub": "#D55E00", "Company": "#56B4E9", "": GREY,
}


def categorical(names: Sequence[str]) -> dict[str, str]:
    """A colour per category: fixed ones where known, then the palette in order (cycling)."""
    out: dict[str, str] = {}
    free = [c for c in OKABE_ITO if c not in {FIXED.get(n) for n in names}]
    k = 0
    for name in names:
        if name in FIXED:
            out[name] = FIXED[name]
        else:
            out[name] = free[k % len(free)] if free else OKABE_ITO[k % len(OKABE_ITO)]
            k += 1
    return out


# The gap map's classes, fixed whatever the filters: the share of needed competences that nobody
# in the region offers, in five equal steps of 20 % (lower bound included), one colour each, so
# that two gap maps of different regions, sectors or years read on the same scale. Shares are
# bounded (0 to 100 %), unlike counts, which grow with the size of the competence vocabulary.
SHARE_CLASSES: tuple[tuple[float, float, str], ...] = (
    (0, 20, N_("less than 20 %")), (20, 40, N_("20 % to 40 %")), (40, 60, N_("40 % to 60 %")),
    (60, 80, N_("60 % to 80 %")), (80, 100, N_("80 % or more")))
NO_NEEDS = N_("no needs recorded")


def share_class(share: float | None) -> int:
    """The class of a share (percent) in :data:`SHARE_CLASSES`; the last index + 1 (grey) for a
    region whose actors need nothing."""
    if share is None:
        return len(SHARE_CLASSES)
    for k, (_, high, _) in enumerate(SHARE_CLASSES[:-1]):
        if share < high:
            return k
    return len(SHARE_CLASSES) - 1


def share_legend() -> list[dict[str, str]]:
    """The fixed legend of the gap map: name (``low-high``), text and colour of every class."""
    from coco_atlas.viz.i18n import gettext as _

    out = [{"name": f"{lo}-{hi}", "text": _(text), "colour": colour}
           for (lo, hi, text), colour in zip(SHARE_CLASSES, YL_OR_RD, strict=True)]
    return [*out, {"name": "none", "text": _(NO_NEEDS), "colour": LIGHT}]


def sequential_bins(top: int, classes: int = len(YL_OR_RD)) -> list[tuple[int, int]]:
    """Equal-width integer classes covering ``0 … top`` (fewer when ``top`` is small)."""
    classes = max(1, min(classes, top + 1))
    step = (top + 1) / classes
    edges = [round(i * step) for i in range(classes + 1)]
    return [(edges[i], edges[i + 1] - 1) for i in range(classes) if edges[i + 1] > edges[i]]
