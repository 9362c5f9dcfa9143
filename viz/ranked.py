"""The ranked table beside every map, and the gap map's list of missing competences per region.

A map answers "where" and "how connected"; its table answers "who first": the brokers ranked by
the chosen measure, the regions by their unmet needs. The table is rendered into the page by the
server (``templates/table.html``), so it reads without scripts, offline and from a downloaded
file; ``templates/tables.js`` sorts it by any column and saves it as CSV. Each column carries its
measure's plain sentence (:data:`viz.words.MEASURES`), shown as the header's tooltip and listed
under the table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coco_atlas.graph.names import names_in
from coco_atlas.schema import SCHEMA
from coco_atlas.viz.actors import UNKNOWN_TEXT, ActorTable
from coco_atlas.viz.i18n import N_, country_name, current
from coco_atlas.viz.i18n import gettext as _
from coco_atlas.viz.i18n import number as num
from coco_atlas.viz.words import (
    GROUP_TEXT,
    MEASURES,
    Translated,
    label_text,
    measure_name,
    property_text,
    words,
)

ROWS_SHOWN = 2_000  # a table longer than this is cut (the CSV holds the rows shown)
GAPS_IN_FULL = 3_000  # missing competences embedded for all regions; above, a few per region
GAPS_PER_REGION = 15  # … the most needed ones, each region then links to its full list


@dataclass(frozen=True)
class Column:
    name: str
    sentence: str = ""
    numeric: bool = False
    key: str = ""


@dataclass
class Ranked:
    """A table: ``rows`` are lists of cells; a cell is a value or ``{"text", "node"}`` (a name
    that shows its node on the map) or ``{"text", "href"}``."""

    caption: str
    columns: list[Column]
    rows: list[list[Any]]
    sort: int  # the column the rows are ranked by
    descending: bool = True
    file: str = "coco-table.csv"
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        years = {property_text(p) for p in YEARS}
        return {"caption": self.caption, "file": self.file, "sort": self.sort,
                "descending": self.descending, "notes": self.notes,
                "columns": [c.__dict__ for c in self.columns],
                "rows": [[_cell(v, c.name in years) for v, c in zip(row, self.columns, strict=True)]
                         for row in self.rows[:ROWS_SHOWN]],
                "cut": max(0, len(self.rows) - ROWS_SHOWN)}


YEARS = ("foundedYear", "closedYear")  # columns of years: 1991, not 1,991


def _cell(v: Any, year: bool = False) -> dict[str, Any]:
    """What the template writes: the text shown and the raw value sorted on and saved."""
    if isinstance(v, dict):
        return {"value": v["text"], **v}
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return {"text": "–", "value": ""}
    if isinstance(v, (bool, np.bool_)):
        return {"text": _("yes") if v else _("no"), "value": str(bool(v)).lower()}
    if isinstance(v, (int, np.integer)):
        return {"text": str(int(v)) if year else num(int(v)), "value": int(v), "num": True}
    if isinstance(v, (float, np.floating)):
        x = float(v)  # three significant digits below 1,000, in the reader's number format
        return {"text": num(float(f"{x:.3g}")) if abs(x) < 1000 else num(round(x)),
                "value": round(x, 6), "num": True}
    return {"text": str(v), "value": str(v)}


def country_text(table: ActorTable, code: str) -> str:
    """A country in words, in the reader's language (CLDR: ``Austria (AT)``, ``Austria (AT)``
    in Polish too, ``Österreich (AT)`` in German); the NUTS 0 name for a NUTS code that is no
    ISO code (``EL``)."""
    if not code:
        return _(UNKNOWN_TEXT)
    name = country_name(code)
    if name == code:
        name = table.regions.names.get(code) or code
    return f"{name} ({code})" if name and name != code else code


SHORT_GROUP = Translated({"cci": N_("CCI"), "advanced-manufacturing": N_("Adv. manufacturing"),
                          "ict": N_("ICT"), "other": N_("Other sectors"),
                          "unknown": N_("No sector given")})


def pair_text(a: str, b: str, short: bool = False) -> str:
    """Two sector groups a broker links, in words."""
    text = SHORT_GROUP if short else GROUP_TEXT
    return f"{text.get(a, words(a))} ↔ {text.get(b, words(b))}"


def from_nodes(nodes: list[dict[str, Any]], fields: list[str], by: str, caption: str,
               file: str) -> Ranked:
    """The table of a map's own nodes: their name and tooltip values, ranked by the field ``by``
    (the ecosystem and ego maps: actors by ties; aggregated maps: groups by actors)."""
    sentences = {m.name: m.sentence for m in MEASURES.values()}
    numeric = [all(isinstance(n["f"][k], (int, float)) or n["f"][k] is None for n in nodes)
               for k in range(len(fields))]
    columns = [Column(_("Name")), *(Column(f, sentences.get(f, ""), numeric[k])
                                 for k, f in enumerate(fields))]
    rows = [[{"text": n["name"], "node": n["id"]}, *n["f"]] for n in nodes]
    key = 1 + fields.index(by) if by in fields else 0
    if key:
        rows.sort(key=lambda r: (r[key] is None, -(r[key] or 0), r[0]["text"]))
    return Ranked(caption, columns, rows, sort=key, descending=bool(key), file=file)


# -- brokers ---------------------------------------------------------------------------------
def bridged(counts: np.ndarray, names: list[str], rows: np.ndarray, most: int = 2) -> list[str]:
    """For each actor of ``rows``: the pairs of groups it links most, with their counts
    (``counts`` from :func:`graph.analytics.brokerage.group_pairs`)."""
    g = len(names)
    iu = np.triu_indices(g, k=1)
    out = []
    for i in rows.tolist():
        flat = counts[i][iu]
        best = np.argsort(-flat, kind="stable")[:most]
        out.append("; ".join(f"{pair_text(names[iu[0][b]], names[iu[1][b]], True)} "
                             f"({num(int(flat[b]))})"
                             for b in best.tolist() if flat[b] > 0) or _("none"))
    return out


def broker_table(table: ActorTable, idx: np.ndarray, names: list[str], measure: str,
                 measures: list[str], values: dict[str, list[Any]], links: list[str],
                 title: str) -> Ranked:
    """Brokers ranked by ``measure`` (``values[m][j]``: measure ``m`` of the j-th actor drawn,
    ``links[j]`` the groups it links most)."""
    first = [measure, *(m for m in measures if m != measure)]
    columns = [Column(_("Actor")), Column(_("Kind of actor")), Column(_("Sector group")),
               Column(_("Country")),
               *(Column(measure_name(m), MEASURES[m].sentence if m in MEASURES else "",
                        True, m) for m in first[:1]),
               Column(_("Groups it links most"), _("The two pairs of sector groups it links "
                                                   "most often, with how often.")),
               *(Column(measure_name(m), MEASURES[m].sentence if m in MEASURES else "",
                        True, m) for m in first[1:])]
    rows = []
    for j, i in enumerate(idx.tolist()):
        rows.append([{"text": names[j], "node": j}, label_text(table.labels[i]),
                     GROUP_TEXT.get(table.group[i], table.group[i]),
                     country_text(table, table.country[i]),
                     values[first[0]][j], links[j], *(values[m][j] for m in first[1:])])
    low = MEASURES.get(measure) is not None and MEASURES[measure].low_is_high
    key = 4
    rows.sort(key=lambda r: (_missing(r[key]), (r[key] if low else -r[key])
                             if not _missing(r[key]) else 0, r[0]["text"]))
    return Ranked(title, columns, rows, sort=key, descending=not low,
                  file=f"coco-brokers-{measure}.csv")


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


# -- gaps --------------------------------------------------------------------------------------
def gap_table(table: ActorTable, regions: list[str], found: dict[str, dict[str, int]],
              actors: np.ndarray, level: int) -> Ranked:
    """Regions ranked by their unmet needs (then by share unmet, then by name)."""
    keys = ("actors", "needed", "offered", "unmet", "share")
    columns = [Column(_("NUTS {level} region").format(level=level)), Column(_("Country")),
               *(Column(MEASURES[k].name, MEASURES[k].sentence, True, k) for k in keys)]
    rows: list[list[Any]] = []
    for j, r in enumerate(regions):
        f = found[r]
        share = round(100 * f["unmet"] / f["needed"], 1) if f["needed"] else None
        rows.append([{"text": f"{table.regions.names.get(r, r)} ({r})", "node": j},
                     country_text(table, table.region_country.get(r, "")), int(actors[j]),
                     f["needed"], f["offered"], f["unmet"], share])
    rows.sort(key=lambda row: (-row[5], -(row[6] or 0), row[0]["text"]))
    return Ranked(_("NUTS {level} regions by competences needed that nobody there offers").format(
        level=level), columns, rows, sort=5, file=f"coco-gaps-nuts{level}.csv",
        notes=[_("Share unmet is a percentage of the competences needed.")])


def gap_details(store: Any, table: ActorTable, regions: list[str], level: int,
                actors: list[str] | None, selected: set[str], base: str) -> dict[str, Any]:
    """What the gap panel lists per region: each missing competence with who needs it, the
    nearest suppliers and the trainings that teach it (:func:`graph.analytics.gaps.
    region_gap_details`). All of them when the map holds few; else the most needed few per
    region, all for the ``selected`` regions."""
    from coco_atlas.graph.analytics.gaps import region_gap_details

    full = region_gap_details(store, regions, level=level, actors=actors, first=None)
    named = names_in(store, [SCHEMA.label("Competence").name, SCHEMA.label("Training").name],
                     current())  # the reader's language
    total = sum(len(v) for v in full.values())
    out: dict[str, Any] = {}
    for r in regions:
        rows = full.get(r, [])
        keep = rows if total <= GAPS_IN_FULL or r in selected else rows[:GAPS_PER_REGION]
        out[r] = {"name": table.regions.names.get(r, r), "unmet": len(rows),
                  "rows": [_gap_row(table, x, level, named) for x in keep]}
    return {"regions": out, "level": level, "selected": sorted(selected & set(regions)),
            "explain": _(SUPPLIERS_SENTENCE), "base": base}


SUPPLIERS_SENTENCE = N_("Nearest suppliers are actors elsewhere that offer the competence, "
                        "nearest first on the NUTS map: in the same larger region, then the "
                        "same country, then abroad.")

def nearness(level: int, distance: int) -> str:
    """How near a supplier is, in words: the smallest NUTS region it shares with the region."""
    common = level - distance
    if common >= 1:
        return _("same NUTS {level} region").format(level=common)
    return _("same country") if common == 0 else _("another country")


def _gap_row(table: ActorTable, x: dict[str, Any], level: int, named: dict[str, Any]
             ) -> dict[str, Any]:
    """One missing competence of the gap panel; competences and trainings are named in the
    reader's language (``named``), actors by their own names."""
    def where(s: dict[str, Any]) -> str:
        name = table.regions.names.get(s["region"], s["region"])
        country = country_text(table, table.region_country.get(s["region"], ""))
        return f"{name}, {country} · {nearness(level, s['distance'])}"

    return {"id": x["id"], "name": named.get(x["id"]) or x["name"], "demand": x["demand"],
            "supply": x["supply"],
            "taught": x["taught"],
            "needers": [[n["id"], n["name"]] for n in x["needers"]],
            "suppliers": [[s["id"], s["name"], where(s)] for s in x["suppliers"]],
            "trainings": [[t["id"], named.get(t["id"]) or t["name"],
                           words(t["area"]) if t["area"] else ""]
                          for t in x["trainings"]]}
