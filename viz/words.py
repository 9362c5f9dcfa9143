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

import re
from dataclasses import dataclass
from typing import Any

GROUP_TEXT = {
    "cci": "Cultural and creative (CCI)", "advanced-manufacturing": "Advanced manufacturing",
    "ict": "ICT", "other": "Other sectors", "unknown": "No sector given",
}
LABEL_TEXT = {"Hub": "Hub", "Company": "Company"}


@dataclass(frozen=True)
class Measure:
    """A number shown on a map: its name and what it means, in one sentence."""

    name: str
    sentence: str
    low_is_high: bool = False  # Burt's constraint: a broker has a low one


MEASURES: dict[str, Measure] = {
    "total": Measure("Brokerage (all roles)", "How often it links two of its contacts who are "
                     "not tied to each other, in any of the five roles below."),
    "coordinator": Measure("Coordinator", "How often it links two contacts of its own sector "
                           "group who are not tied to each other."),
    "itinerant": Measure("Itinerant", "How often it links two contacts of one other sector "
                         "group who are not tied to each other."),
    "representative": Measure("Representative", "How often it passes from a contact of its "
                              "own sector group on to a contact of another group."),
    "gatekeeper": Measure("Gatekeeper", "How often it lets a contact of another sector group "
                          "in to a contact of its own group."),
    "liaison": Measure("Liaison", "How often it links contacts of two different sector groups, "
                       "neither of them its own."),
    "betweenness": Measure("Betweenness", "How many of the shortest paths between other actors "
                           "run through it."),
    "effectiveSize": Measure("Effective size", "How many of its contacts are not tied to its "
                             "other contacts: its non-redundant contacts."),
    "constraint": Measure("Constraint", "How much its contacts are tied to each other; low "
                          "means it bridges contacts that are otherwise apart.",
                          low_is_high=True),
    "between": Measure("Brokerage between the two groups", "How often it links an actor of "
                       "the one group with an actor of the other who are not tied to each "
                       "other."),
    "degree": Measure("Ties", "How many actors it is tied to."),
    "strength": Measure("Strength", "Its ties, counting repeated collaborations."),
    "actors": Measure("Actors", "Hubs and companies located in the region."),
    "needed": Measure("Competences needed", "Distinct competences its actors need."),
    "offered": Measure("Competences offered", "Distinct competences its actors offer."),
    "unmet": Measure("Needed, offered by nobody here", "Competences its actors need that none "
                     "of its actors offers."),
    "share": Measure("Share unmet", "Of the competences its actors need, the share that none "
                     "of its actors offers."),
}

PROPERTY_TEXT = {
    "foundedYear": "Founded", "closedYear": "Closed", "sizeClass": "Size (EU SME class)",
    "kind": "Kind", "country": "Country", "city": "City", "website": "Website",
    "updatedAt": "Last written", "source": "Written by", "mergedFrom": "Merged records",
    "level": "Level", "isCCI": "Cultural and creative sector",
    "isAdvancedManufacturing": "Advanced manufacturing sector",
    "definitionSource": "Definition from", "skillType": "Skill type",
    "reuseLevel": "Reuse level", "altLabels": "Also called", "area": "Training area",
    "startDate": "Starts", "endDate": "Ends", "tags": "Tags", "description": "Description",
}

# Each relationship as seen from its source and from its target, in words.
RELATION_TEXT: dict[str, tuple[str, str]] = {
    "MEMBER_OF": ("Member of", "Members"),
    "PARTNERS_WITH": ("Partners", "Partners"),
    "PARTICIPATES_IN": ("Takes part in", "Participants"),
    "OFFERS": ("Offers", "Offered by"),
    "NEEDS": ("Needs", "Needed by"),
    "PROVIDES": ("Runs trainings", "Run by"),
    "ATTENDED": ("Attended", "Attended by"),
    "TEACHES": ("Teaches", "Taught by"),
    "IN_SECTOR": ("Sectors", "Actors in this sector"),
    "LOCATED_IN": ("Located in", "Actors located here"),
    "BROADER": ("Broader", "Narrower"),
    "PART_OF": ("Part of", "Sub-regions"),
}


# Relationships a reader takes as one tie whichever way it was recorded: a partnership is a
# partnership (the brokerage and the maps read it both ways too, ``directed=False``).
BOTH_WAYS = frozenset({"PARTNERS_WITH"})


def words(name: str) -> str:
    """An identifier in words: ``partneredBy`` → "Partnered by", ``co-creation-pilot`` →
    "Co-creation pilot", ``IN_SECTOR`` → "In sector"."""
    text = re.sub(r"(?<=[a-z0-9])([A-Z])", r" \1", str(name)).replace("_", " ")
    text = text.replace("-", " ").strip().lower().replace("co creation", "co-creation")
    return text[:1].upper() + text[1:]


def property_text(name: str) -> str:
    """The name people read for a property."""
    return PROPERTY_TEXT.get(name) or words(name)


def relation_text(rel: str, direction: str, *, symmetric: bool = False,
                  field: str = "") -> str:
    """The heading of a node's neighbours through ``rel`` in ``direction`` ("out" or "in")."""
    if rel in RELATION_TEXT:
        out, into = RELATION_TEXT[rel]
        return out if direction == "out" or symmetric else into
    return words(field or rel)


def value_text(name: str, value: Any, countries: dict[str, str] | None = None) -> str:
    """A property value in words: a country code with its name, a kind without hyphens,
    a yes/no for a flag."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value == "unknown":  # viz.actors.UNKNOWN_TEXT: a recommended value that is missing
        return value
    if name == "country" and countries and value in countries:
        return f"{countries[value]} ({value})"
    if name in ("kind", "sizeClass", "skillType", "reuseLevel", "area", "format", "status",
                "role", "priority") and isinstance(value, str):
        return words(value)
    return str(value)


def measure_name(key: str) -> str:
    m = MEASURES.get(key)
    return m.name if m else words(key)


def measure_sentence(key: str) -> str:
    m = MEASURES.get(key)
    return m.sentence if m else ""
