"""People's words for what pages show: sector groups, measures, properties, relationships and
values, declared once so that the map legend, its table, its form and the node pages say the same
thing.

Every measure has a name and one plain sentence saying what a high value means, shown where the
measure is: in the legend, as the table header's tooltip and caption, and under the form's choice.
Names that are not declared here are derived from the schema's own (``partneredBy`` → "Partnered
by", ``foundedYear`` → "Founded year"), so a new property or relationship never shows up as a
camelCase identifier.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from coco_atlas.viz.i18n import N_, gettext


class Translated(dict[str, str]):
    """A table of English words, read in the reader's language (viz/i18n.py): lookups translate,
    so every page that reads it speaks the same words in the same language."""

    def __getitem__(self, key: str) -> str:
        return gettext(super().__getitem__(key))

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self:
            return default
        return self[key]

    def values(self) -> Any:
        return [self[k] for k in self]

    def items(self) -> Any:
        return [(k, self[k]) for k in self]


GROUP_TEXT = Translated({
    "cci": N_("Cultural and creative (CCI)"),
    "advanced-manufacturing": N_("Advanced manufacturing"), "ict": N_("ICT"),
    "other": N_("Other sectors"), "unknown": N_("No sector given"),
})
LABEL_TEXT = Translated({"Hub": N_("Hub"), "Company": N_("Company")})

# The data-quality findings (graph/quality.py's kinds), as the quality page names them.
FINDING_TEXT = Translated({
    "noRegion": N_("actors without a region"), "noSector": N_("actors without a sector"),
    "countryMismatch": N_("actors whose country is not their region's country"),
    "isolated": N_("actors without any partnership, collaboration or membership"),
    "duplicates": N_("records that look like another record (suspected duplicates)"),
    "ambiguousPlace": N_("actors whose city names places in different regions"),
    "unknownPlace": N_("actors with a city that could not be placed in a region"),
    "derivedRegion": N_("actors whose region was derived from their city"),
    "normalisedValue": N_("records with values an import normalised or filled in"),
})


@dataclass(frozen=True)
class Measure:
    """A number shown on a map: its name and what it means, in one sentence (in English here,
    read in the reader's language)."""

    english_name: str
    english_sentence: str
    low_is_high: bool = False  # Burt's constraint: a broker has a low one

    @property
    def name(self) -> str:
        return gettext(self.english_name)

    @property
    def sentence(self) -> str:
        return gettext(self.english_sentence)


MEASURES: dict[str, Measure] = {
    "total": Measure(
        N_("Brokerage (all roles)"), N_("How often it links two of its contacts who are not "
                                        "tied to each other, in any of the five roles below.")),
    "coordinator": Measure(
        N_("Coordinator"), N_("How often it links two contacts of its own sector group who are "
                              "not tied to each other.")),
    "itinerant": Measure(
        N_("Itinerant"), N_("How often it links two contacts of one other sector group who are "
                            "not tied to each other.")),
    "representative": Measure(
        N_("Representative"), N_("How often it passes from a contact of its own sector group on "
                                 "to a contact of another group.")),
    "gatekeeper": Measure(
        N_("Gatekeeper"), N_("How often it lets a contact of another sector group in to a "
                             "contact of its own group.")),
    "liaison": Measure(
        N_("Liaison"), N_("How often it links contacts of two different sector groups, neither "
                          "of them its own.")),
    "betweenness": Measure(
        N_("Betweenness"), N_("How many of the shortest paths between other actors run through "
                              "it.")),
    "effectiveSize": Measure(
        N_("Effective size"), N_("How many of its contacts are not tied to its other contacts: "
                                 "its non-redundant contacts.")),
    "constraint": Measure(
        N_("Constraint"), N_("How much its contacts are tied to each other; low means it "
                             "bridges contacts that are otherwise apart."), low_is_high=True),
    "between": Measure(
        N_("Brokerage between the two groups"), N_("How often it links an actor of the one "
                                                   "group with an actor of the other who are "
                                                   "not tied to each other.")),
    "degree": Measure(N_("Ties"), N_("How many actors it is tied to.")),
    "strength": Measure(N_("Strength"), N_("Its ties, counting repeated collaborations.")),
    "actors": Measure(N_("Actors"), N_("Hubs and companies located in the region.")),
    "needed": Measure(N_("Competences needed"), N_("Distinct competences its actors need.")),
    "offered": Measure(N_("Competences offered"), N_("Distinct competences its actors offer.")),
    "unmet": Measure(N_("Needed, offered by nobody here"),
                     N_("Competences its actors need that none of its actors offers.")),
    "share": Measure(N_("Share unmet"), N_("Of the competences its actors need, the share that "
                                           "none of its actors offers.")),
}

PROPERTY_TEXT = Translated({
    "foundedYear": N_("Founded"), "closedYear": N_("Closed"),
    "sizeClass": N_("Size (EU SME class)"), "kind": N_("Kind"), "country": N_("Country"),
    "city": N_("City"), "website": N_("Website"), "updatedAt": N_("Last written"),
    "source": N_("Written by"), "mergedFrom": N_("Merged records"), "level": N_("Level"),
    "isCCI": N_("Cultural and creative sector"),
    "isAdvancedManufacturing": N_("Advanced manufacturing sector"),
    "definitionSource": N_("Definition from"), "skillType": N_("Skill type"),
    "reuseLevel": N_("Reuse level"), "altLabels": N_("Also called"), "area": N_("Training area"),
    "startDate": N_("Starts"), "endDate": N_("Ends"), "tags": N_("Tags"),
    "description": N_("Description"),
})

# Each relationship as seen from its source and from its target, in words.
RELATION_TEXT: dict[str, tuple[str, str]] = {
    "MEMBER_OF": (N_("Member of"), N_("Members")),
    "PARTNERS_WITH": (N_("Partners"), N_("Partners")),
    "PARTICIPATES_IN": (N_("Takes part in"), N_("Participants")),
    "OFFERS": (N_("Offers"), N_("Offered by")),
    "NEEDS": (N_("Needs"), N_("Needed by")),
    "PROVIDES": (N_("Runs trainings"), N_("Run by")),
    "ATTENDED": (N_("Attended"), N_("Attended by")),
    "TEACHES": (N_("Teaches"), N_("Taught by")),
    "IN_SECTOR": (N_("Sectors"), N_("Actors in this sector")),
    "LOCATED_IN": (N_("Located in"), N_("Actors located here")),
    "BROADER": (N_("Broader"), N_("Narrower")),
    "PART_OF": (N_("Part of"), N_("Sub-regions")),
}


# Relationships a reader takes as one tie whichever way it was recorded: a partnership is a
# partnership (the brokerage and the maps read it both ways too, ``directed=False``).
BOTH_WAYS = frozenset({"PARTNERS_WITH"})


def english_words(name: str) -> str:
    """An identifier in English words: ``partneredBy`` → "Partnered by", ``co-creation-pilot``
    → "Co-creation pilot", ``IN_SECTOR`` → "In sector"."""
    text = re.sub(r"(?<=[a-z0-9])([A-Z])", r" \1", str(name)).replace("_", " ")
    text = text.replace("-", " ").strip().lower().replace("co creation", "co-creation")
    return text[:1].upper() + text[1:]


def words(name: str) -> str:
    """An identifier in the reader's words: the schema's names and values are in the
    catalogues (``scripts/i18n`` derives them from the schema); others stay in English words."""
    return gettext(english_words(name))


def label_text(label: str) -> str:
    """A node label as people read it (``Hub`` → "Centrum" in Polish)."""
    return LABEL_TEXT.get(label) or words(label)


def collection_text(label: str) -> str:
    """What the landing page counts: ``Hub`` → "hubs" (the schema's plural, in words)."""
    from coco_atlas.schema import SCHEMA

    return gettext(english_words(SCHEMA.label(label).collection).lower())


def finding_text(kind: str, title: str) -> str:
    """A data-quality finding's title in the reader's words; what the report adds after the
    declared title (the properties it counts) is kept."""
    english = dict.__getitem__(FINDING_TEXT, kind) if kind in FINDING_TEXT else ""
    if not english or not title.startswith(english):
        return title
    return FINDING_TEXT[kind] + title[len(english):]


def property_text(name: str) -> str:
    """The name people read for a property; a translation of a translatable one
    (``name_pl``, :func:`coco_atlas.schema.types.translation`) as the property and the
    language's name in the reader's language ("Name (Polish)", "Nazwa (polski)")."""
    from coco_atlas.schema.languages import LANGUAGES
    from coco_atlas.viz.i18n import current, language_name

    base, _sep, lang = name.rpartition("_")
    if base and lang in LANGUAGES:
        return f"{property_text(base)} ({language_name(lang, current())})"
    return PROPERTY_TEXT.get(name) or words(name)


def relation_text(rel: str, direction: str, *, symmetric: bool = False,
                  field: str = "") -> str:
    """The heading of a node's neighbours through ``rel`` in ``direction`` ("out" or "in")."""
    if rel in RELATION_TEXT:
        out, into = RELATION_TEXT[rel]
        shown = out if direction == "out" or symmetric else into
        return gettext(shown)
    return words(field or rel)


def value_text(name: str, value: Any, countries: dict[str, str] | None = None) -> str:
    """A property value in words: a country code with its name, a kind without hyphens,
    a yes/no for a flag."""
    from coco_atlas.viz.i18n import country_name

    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if value == "unknown":  # viz.actors.UNKNOWN_TEXT: a recommended value that is missing
        return gettext("unknown")
    if name == "country" and isinstance(value, str):
        known = country_name(value)  # CLDR, in the reader's language
        if known == value and countries:
            known = countries.get(value, value)
        if known != value:
            return f"{known} ({value})"
    kind = _value_kinds().get(name)
    if kind == "choice" and isinstance(value, str):  # one of the schema's allowed values
        return words(value)
    if kind in ("date", "datetime") and isinstance(value, str):
        return _when(value, kind)
    if isinstance(value, float):
        from coco_atlas.viz.i18n import number

        return number(value)
    return str(value)


@functools.cache
def _value_kinds() -> dict[str, str]:
    """Properties whose values are read in words ("choice": the schema allows a fixed set) or as
    dates, from the schema's own declarations (schema/model.py)."""
    from coco_atlas.schema import SCHEMA

    out: dict[str, str] = {}
    props = [p for lab in SCHEMA.labels for p in SCHEMA.node_properties(lab.name).values()]
    props += [p for rel in SCHEMA.relationships for p in SCHEMA.rel_properties(rel.name).values()]
    for p in props:
        if p.allowed:
            out[p.name] = "choice"
        elif p.type in ("date", "datetime"):
            out[p.name] = str(p.type)
    return out


def _when(text: str, kind: str) -> str:
    """An ISO 8601 date or timestamp as the reader's locale writes it (CLDR medium format)."""
    from datetime import date, datetime

    from babel.dates import format_date, format_datetime

    from coco_atlas.viz.i18n import current

    try:
        if kind == "date":
            return str(format_date(date.fromisoformat(text), "medium", locale=current()))
        return str(format_datetime(datetime.fromisoformat(text), "medium", locale=current()))
    except ValueError:  # not ISO after all: shown as stored
        return text


def measure_name(key: str) -> str:
    m = MEASURES.get(key)
    return m.name if m else words(key)


def measure_sentence(key: str) -> str:
    m = MEASURES.get(key)
    return m.sentence if m else ""
