"""The parameters of a map, declared once: ``coco map`` options, ``/maps/...`` query parameters and
the table in ``docs/maps.md`` all derive from :data:`PARAMS` (the pattern of Datasette's settings
table).

:func:`parse` turns raw values (query strings or CLI options, each a list of strings; several
values may also be comma-separated) into a checked :class:`MapSpec`. Values that depend on the
data (does region ``AT13`` exist?) are checked later against the store, in :mod:`viz.filters`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from coco_atlas.schema import ACTOR_LABELS, SCHEMA
from coco_atlas.schema.messages import Num
from coco_atlas.viz.i18n import N_, number
from coco_atlas.viz.i18n import gettext as _

KINDS = ("ecosystem", "ego", "brokers", "gaps")
ACTORS = tuple(sorted(ACTOR_LABELS))
AGGREGATES = ("auto", "none", "region", "country", "group", "community")
COLOURS = ("group", "label", "country")
ACTOR_SIZES = ("degree", "strength", "none")
LAYOUTS = ("auto", "geo", "force")
COUNTRY = re.compile(SCHEMA.node_properties(ACTORS[0])["country"].pattern or r"^[A-Z]{2}$")
_YEAR = SCHEMA.node_properties(ACTORS[0])["foundedYear"]
YEAR_RANGE = (int(_YEAR.minimum or 1000), int(_YEAR.maximum or 2100))
NUTS_LEVELS = range(int(SCHEMA.node_properties("Region")["level"].minimum or 0),
                    int(SCHEMA.node_properties("Region")["level"].maximum or 3) + 1)
DEFAULT_LIMIT = 2_000  # actors drawn one by one; above this the ecosystem map aggregates
MAX_LIMIT = 50_000
TIMELINE_MAX_YEARS = 60  # slider steps: more would be unreadable, one year per step


class MapError(ValueError):
    """Bad map parameters: the message names the parameter, what was expected and what came."""


@dataclass(frozen=True)
class Param:
    """One parameter. ``help`` is an English message marked ``N_`` with ``{placeholders}``
    for ``values`` (pairs of name and value: a list of choices, a default), so that whoever
    shows it translates the message first and puts the values in after (``coco map --help``
    through :func:`api.click_words.formatted`)."""

    name: str
    help: str
    kinds: tuple[str, ...] = KINDS
    multiple: bool = False
    metavar: str = "TEXT"
    values: tuple[tuple[str, Any], ...] = ()


PARAMS: tuple[Param, ...] = (
    Param("country", N_("Only actors of these countries (ISO 3166 alpha-2, EL for Greece)."),
          multiple=True, metavar="CC"),
    Param("region", N_("Only actors located in these NUTS regions or their sub-regions."),
          multiple=True, metavar="NUTS"),
    Param("sector", N_("Only actors in these NACE Rev.2 sectors or their sub-sectors (e.g. "
                       "J58)."), multiple=True, metavar="NACE"),
    Param("group", N_("Only actors of these sector groups (cci, advanced-manufacturing, ict, "
                      "other, unknown)."), multiple=True, metavar="GROUP"),
    Param("label", N_("Only actors with these labels ({labels})."),
          multiple=True, metavar="LABEL", values=(("labels", ", ".join(ACTORS)),)),
    Param("years", N_("Year range FIRST-LAST (either end may be left open, e.g. 2020-): only "
                      "ties active then, only actors founded by LAST."), metavar="RANGE"),
    Param("id", N_("The actor at the centre of the ego map (its id)."), ("ego",), metavar="ID"),
    Param("hops", N_("How many steps from the centre the ego map reaches (1 to 3; default 2)."),
          ("ego",), metavar="N"),
    Param("aggregate", N_("One node per region, country, sector group or community "
                          "({aggregates}; default auto: one node per actor up to the limit, per "
                          "region above)."),
          ("ecosystem",), metavar="BY", values=(("aggregates", ", ".join(AGGREGATES)),)),
    Param("level", N_("NUTS level of regions when aggregating or in the gap map (0 to 3; "
                      "default 2)."), ("ecosystem", "gaps"), metavar="N"),
    Param("colour", N_("Colour actors by {colours} (default group)."),
          ("ecosystem", "ego", "brokers"), metavar="BY", values=(("colours", ", ".join(COLOURS)),)),
    Param("size", N_("Size actors by degree, strength or none; in the brokerage map by a "
                     "brokerage measure (total, coordinator, itinerant, representative, "
                     "gatekeeper, liaison, betweenness, effectiveSize, constraint; default "
                     "total)."), ("ecosystem", "ego", "brokers"), metavar="METRIC"),
    Param("limit", N_("At most this many actors drawn one by one (default {default})."),
          ("ecosystem", "ego", "brokers"), metavar="N", values=(("default", Num(DEFAULT_LIMIT)),)),
    Param("layout", N_("geo: actors at their city and regions at their centre (or as areas, "
                       "once boundaries are imported with coco import geometry) on a map of "
                       "Europe (ETRS89-LAEA, EPSG:3035), those without a known place listed "
                       "beside it; force: placed by their ties; auto (default): geo for maps of "
                       "regions or countries, force otherwise."),
          ("ecosystem", "ego", "brokers", "gaps"), metavar="HOW"),
    Param("between", N_("Brokers between these two sector groups (e.g. "
                        "cci,advanced-manufacturing): actors sized and ranked by how often they "
                        "link an actor of the one with an actor of the other."),
          ("brokers",), multiple=True, metavar="GROUP,GROUP"),
    Param("timeline", N_("The map in time, FIRST-LAST (e.g. 2015-2026, at most {most} years): "
                         "every actor and tie of those years drawn once, each actor at one place "
                         "throughout; a year slider (with a play button) shows the network as it "
                         "stood each year, ties new since the year before highlighted and ties "
                         "that ended faded and dashed; a before/after view puts two years side "
                         "by side; charts of actors, ties and the cross-sector share per year. "
                         "Actors one by one (not aggregated); not together with years."),
          ("ecosystem", "brokers"), metavar="RANGE", values=(("most", TIMELINE_MAX_YEARS),)),
)
BY_NAME = {p.name: p for p in PARAMS}


@dataclass(frozen=True)
class MapSpec:
    """What to draw. Empty filter tuples mean "no filter"."""

    kind: str = "ecosystem"
    country: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    sector: tuple[str, ...] = ()
    group: tuple[str, ...] = ()
    label: tuple[str, ...] = ()
    years: tuple[int | None, int | None] | None = None
    id: str | None = None
    hops: int = 2
    aggregate: str = "auto"
    level: int = 2
    colour: str = "group"
    size: str = ""
    limit: int = DEFAULT_LIMIT
    layout: str = "auto"
    between: tuple[str, ...] = ()
    timeline: tuple[int, int] | None = None
    given: tuple[str, ...] = field(default=(), compare=False)

    def query(self, **changes: object) -> dict[str, str]:
        """The parameters that were given (with ``changes``), as a flat query dict: links that
        keep the current filters."""
        out = {n: as_text(getattr(self, n)) for n in self.given}
        out.update({k: as_text(v) for k, v in changes.items() if v is not None})
        return {k: v for k, v in out.items() if v}


def parse(kind: str, raw: Mapping[str, Sequence[str]]) -> MapSpec:
    """Check raw parameter values for a map ``kind``; raise :class:`MapError` naming the field."""
    if kind not in KINDS:
        raise MapError(_("kind: expected one of {kinds}, got {got!r}").format(
            kinds=", ".join(KINDS), got=kind))
    values: dict[str, object] = {"kind": kind}
    given = []
    for name, items in raw.items():
        param = BY_NAME.get(name)
        parts = [v.strip() for item in items
                 for v in (str(item).split(",") if param and param.multiple else [str(item)])
                 if v.strip()]
        if not parts:
            continue
        if param is None:
            raise MapError(_("unknown parameter {name!r}; expected one of {names}").format(
                name=name, names=", ".join(p.name for p in PARAMS if kind in p.kinds)))
        if kind not in param.kinds:
            raise MapError(_("{name}: the {kind} map does not take this parameter (it takes "
                             "{names})").format(name=name, kind=kind, names=", ".join(
                                 p.name for p in PARAMS if kind in p.kinds)))
        if not param.multiple and len(parts) > 1:
            raise MapError(_("{name}: expected one value, got {got}").format(
                name=name, got=", ".join(parts)))
        values[name] = _CHECK[name](parts)
        given.append(name)
    if kind == "ego" and "id" not in values:
        raise MapError(_("id: the ego map needs the id of the actor at its centre"))
    if "timeline" in values and "years" in values:
        raise MapError(_("timeline: give either timeline or years, not both (the timeline's "
                         "years are the years drawn)"))
    if "size" not in values:
        values["size"] = "total" if kind == "brokers" else "degree"
    elif kind != "brokers" and values["size"] not in ACTOR_SIZES:
        raise MapError(_("size: expected one of {sizes}, got {got!r}").format(
            sizes=", ".join(ACTOR_SIZES), got=values["size"]))
    # Each value went through its parameter's own parser above, which returns its field's type.
    return MapSpec(**values, given=tuple(given))  # type: ignore[arg-type]


def _one_of(name: str, allowed: Sequence[str]) -> Callable[[list[str]], object]:
    def check(parts: list[str]) -> object:
        bad = [p for p in parts if p not in allowed]
        if bad:
            raise MapError(_("{name}: expected one of {allowed}, got {got}").format(
                name=name, allowed=", ".join(allowed), got=", ".join(bad)))
        return tuple(dict.fromkeys(parts)) if BY_NAME[name].multiple else parts[0]
    return check


def _countries(parts: list[str]) -> tuple[str, ...]:
    bad = [p for p in parts if not COUNTRY.match(p)]
    if bad:
        raise MapError(_("country: expected ISO 3166 alpha-2 codes such as AT or SI, got "
                         "{got}").format(got=", ".join(bad)))
    return tuple(dict.fromkeys(parts))


def _int(name: str, low: int, high: int) -> Callable[[list[str]], int]:
    def check(parts: list[str]) -> int:
        try:
            value = int(parts[0])
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise MapError(_("{name}: expected a whole number from {low} to {high}, got "
                             "{got!r}").format(name=name, low=number(low), high=number(high),
                                               got=parts[0]))
        return value
    return check


def _between(parts: list[str]) -> tuple[str, ...]:
    from coco_atlas.graph.analytics.groups import SECTOR_GROUPS, UNKNOWN

    known = (*SECTOR_GROUPS, UNKNOWN)
    pair = tuple(dict.fromkeys(parts))
    bad = [p for p in pair if p not in known]
    if bad or len(pair) != 2:
        raise MapError(_("between: expected two different sector groups of {known} (e.g. "
                         "cci,advanced-manufacturing), got {got}").format(
                             known=", ".join(known), got=",".join(parts)))
    return pair


class _NotYears(MapError):
    """The text is no year range at all (not a range out of bounds)."""


def parse_years(text: str, name: str = "years") -> tuple[int | None, int | None]:
    """``2019-2023``, ``2020-``, ``-2022`` or ``2021`` → (first, last); None is an open end."""
    m = re.fullmatch(r"\s*(\d{4})?\s*(?:(-|–|\.\.)\s*(\d{4})?)?\s*", text)
    low, high = YEAR_RANGE
    if not m or not (m.group(1) or m.group(3)):
        raise _NotYears(_("{name}: expected FIRST-LAST such as 2019-2023 (or 2020-, -2022, "
                          "2021), got {got!r}").format(name=name, got=text))
    first = int(m.group(1)) if m.group(1) else None
    last = int(m.group(3)) if m.group(3) else (first if not m.group(2) else None)
    for y in (first, last):
        if y is not None and not low <= y <= high:
            raise MapError(_("{name}: expected years from {low} to {high}, got {got}").format(
                name=name, low=low, high=high, got=y))
    if first is not None and last is not None and first > last:
        raise MapError(_("{name}: the first year {first} comes after the last {last}").format(
            name=name, first=first, last=last))
    return first, last


def parse_timeline(text: str) -> tuple[int, int]:
    """``2015-2026`` → (2015, 2026): both ends needed (the slider's first and last year)."""
    try:  # a year out of range, or the ends swapped, is said as parse_years says it
        first, last = parse_years(text, "timeline")
    except _NotYears:
        first = last = None
    if first is None or last is None or (first == last and "-" not in text):
        raise MapError(_("timeline: expected FIRST-LAST such as 2015-2026 (both years), got "
                         "{got!r}").format(got=text))
    if last - first + 1 > TIMELINE_MAX_YEARS:
        raise MapError(_("timeline: expected at most {max} years, got {n} ({first}-{last})"
                         ).format(max=TIMELINE_MAX_YEARS, n=last - first + 1, first=first,
                                  last=last))
    return first, last


def as_text(value: object) -> str:
    """A parameter value as it is written in a query string or on the command line."""
    if isinstance(value, tuple) and len(value) == 2 and all(
            v is None or isinstance(v, int) for v in value) and any(value):
        first, last = value
        return f"{first or ''}-{last or ''}"
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return "" if value is None else str(value)


_CHECK: dict[str, Callable[[list[str]], Any]] = {
    "country": _countries,
    "region": lambda parts: tuple(dict.fromkeys(parts)),
    "sector": lambda parts: tuple(dict.fromkeys(parts)),
    "group": lambda parts: tuple(dict.fromkeys(parts)),
    "label": _one_of("label", ACTORS),
    "years": lambda parts: parse_years(parts[0]),
    "id": lambda parts: parts[0],
    "hops": _int("hops", 1, 3),
    "aggregate": _one_of("aggregate", AGGREGATES),
    "level": _int("level", NUTS_LEVELS.start, NUTS_LEVELS.stop - 1),
    "colour": _one_of("colour", COLOURS),
    "size": lambda parts: parts[0],
    "limit": _int("limit", 1, MAX_LIMIT),
    "layout": _one_of("layout", LAYOUTS),
    "between": _between,
    "timeline": lambda parts: parse_timeline(parts[0]),
}
