"""Which actors a map shows: country, region, sector, sector group, label and year filters.

Filters combine with AND between parameters and OR within one (``country=AT,SI``). Regions and
sectors match their whole sub-tree (NUTS ``AT1`` covers ``AT13``; NACE ``J58`` covers ``J58.11``)
through the PART_OF and BROADER hierarchies of the store, not through the shape of the codes.
Values the store does not know are refused with the known ones named, so that a typo does not
silently draw an empty map.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from coco_atlas.viz.actors import ActorTable
from coco_atlas.viz.params import MapError, MapSpec


def actor_mask(table: ActorTable, spec: MapSpec) -> np.ndarray:
    """A boolean mask over ``table``'s actors: those the filters of ``spec`` keep."""
    keep = np.ones(len(table.ids), dtype=bool)
    if spec.country:
        _known("country", spec.country, set(table.country.tolist()) - {""})
        keep &= np.isin(table.country, list(spec.country))
    if spec.region:
        _known("region", spec.region, set(table.regions.names))
        keep &= table.regions.within(table.region.tolist(), set(spec.region))
    if spec.sector:
        _known("sector", spec.sector, set(table.sectors_tree.names))
        used = sorted({s for ss in table.sectors for s in ss})
        hits = table.sectors_tree.within(used, set(spec.sector)).tolist()
        inside = {s for s, hit in zip(used, hits, strict=True) if hit}
        keep &= np.array([any(s in inside for s in ss) for ss in table.sectors], dtype=bool)
    if spec.group:
        _known("group", spec.group, set(table.group.tolist()) | set(_sector_groups()))
        keep &= np.isin(table.group, list(spec.group))
    if spec.label:
        keep &= np.isin(table.labels, list(spec.label))
    if spec.years is not None and spec.years[1] is not None:
        founded = table.founded
        keep &= np.isnan(founded) | (founded <= spec.years[1])
    return keep


def in_words(spec: MapSpec, table: ActorTable | None = None) -> list[str]:
    """The filters of ``spec`` in words, for the page header and the file's summary: names
    where the store has them (``Österreich (AT)``, ``Cultural and creative (CCI)``)."""
    from coco_atlas.viz.i18n import N_, country_name
    from coco_atlas.viz.i18n import gettext as _
    from coco_atlas.viz.words import GROUP_TEXT, label_text

    names: dict[str, Any] = {"group": GROUP_TEXT, "between": GROUP_TEXT}
    if table is not None:
        names["region"] = table.regions.names
        names["country"] = {c: country_name(c) if country_name(c) != c else n
                            for c, n in table.regions.names.items() if len(c) == 2}
        names["sector"] = table.sectors_tree.names
    names["label"] = {v: label_text(v) for v in getattr(spec, "label", ())}
    out = []
    for name, words in (("country", N_("country {values}")), ("region", N_("region {values}")),
                        ("sector", N_("sector {values}")),
                        ("group", N_("sector group {values}")), ("label", N_("label {values}")),
                        ("between", N_("brokers between {values}"))):
        values = getattr(spec, name, ())
        if values:
            known = names.get(name, {})
            shown = [f"{known[v]} ({v})" if v in known and name not in ("group", "between",
                                                                        "label") else
                     known.get(v, v) for v in values]
            joined = (_("{a} and {b}") if name == "between" else _("{a} or {b}"))
            text = shown[0]
            for v in shown[1:]:
                text = joined.format(a=text, b=v)
            out.append(_(words).format(values=text))
    if spec.years is not None:
        first, last = spec.years
        out.append(_("years {first}–{last}").format(first=first or "…", last=last or "…"))
    return out


def _sector_groups() -> tuple[str, ...]:
    from coco_atlas.graph.analytics.groups import SECTOR_GROUPS, UNKNOWN

    return (*SECTOR_GROUPS, UNKNOWN)


def _known(name: str, values: Iterable[str], known: set[str]) -> None:
    unknown = [v for v in values if v not in known]
    if unknown:
        examples = ", ".join(sorted(known)[:12]) + (" …" if len(known) > 12 else "")
        from coco_atlas.viz.i18n import gettext as _

        raise MapError(_("{name}: {values} not found in this store (known: {known})").format(
            name=name, values=", ".join(repr(v) for v in unknown),
            known=examples or _("none")))


def gap_regions(table: ActorTable, spec: MapSpec, regions: list[str]) -> list[str]:
    """The regions the gap map shows for these filters: of the countries asked, within or above
    the regions asked."""
    keep = np.ones(len(regions), dtype=bool)
    if spec.country:
        keep &= np.isin([table.region_country.get(r, "") for r in regions], list(spec.country))
    if spec.region:
        unknown = [r for r in spec.region if r not in table.regions.names]
        if unknown:
            from coco_atlas.viz.i18n import gettext as _

            raise MapError(_("region: {values} not found in this store").format(
                values=", ".join(map(repr, unknown))))
        roots = set(spec.region)
        above = {a for r in roots for a in table.regions.ancestors(r)}
        keep &= table.regions.within(regions, roots) | np.isin(regions, list(above))
    return [r for r, k in zip(regions, keep.tolist(), strict=True) if k]
