"""The COCO Atlas property graph: the one declaration of labels, relationships and properties.

Domain model: ``shared/design/domain.md``. Standards referenced here: ISO 3166-1 alpha-2 country
codes (with ``EL`` for Greece, as NUTS writes it), NUTS 2021 regions, NACE Rev.2 sectors and ESCO
v1.2 skills (``skillType``/``reuseLevel`` take ESCO's own values).
"""

from __future__ import annotations

from typing import TypedDict

from coco_atlas.schema.types import (
    LONG_TEXT_MAX,
    NodeLabel,
    Property,
    PropType,
    RelType,
    Schema,
    Validity,
)

P = PropType

# ISO 3166-1 alpha-2 (Greece as EL, as NUTS and Eurostat write it).
COUNTRY = r"^[A-Z]{2}$"
class _Bounds(TypedDict, total=False):
    """Keyword arguments of :class:`Property` shared by every year property."""

    minimum: int
    maximum: int
    not_future: bool


YEAR: _Bounds = {"minimum": 1000, "maximum": 2100}
FOUNDED: _Bounds = {**YEAR, "not_future": True}  # a founding year cannot lie ahead
URL_MAX = 2_048  # characters of a web address (the de-facto limit of browsers and search engines)
# Every other text: schema.types.TEXT_MAX (500) characters, lists LIST_MAX (1,000) elements.
#
# Required is what a record cannot exist without: its key and label (implicit), its ``name``,
# the ends of a relationship, and the ``level`` (and a region's ``country``) of the NUTS and
# NACE reference data, which is loaded from official tables and places a code in its
# hierarchy. Recommended is what actors, trainings and collaborations should have and real
# files often lack (country, kind, area): stored as unknown, counted by the quality report,
# refused only by a strict write. A size class stays optional: it does not apply to every
# organisation (a university has none).
ACTORS = frozenset({"Hub", "Company"})
#
# Translatable (``translated=``): the names of concepts that exist apart from any one language
# (ESCO skills, NACE sectors, NUTS regions, trainings) are kept once per supported language as
# ``name_<lang>`` (and ``altLabels_<lang>``), BCP 47 tags from schema/languages.py. ``name``
# stays the display name any reader gets when no label in their language or English is known;
# an actor's name is its own and is not translated.

TRAINING_AREAS = (
    "technology-development",
    "future-trends",
    "advanced-manufacturing-mindset",
    "other",
)

NORMALISED = "normalised"  # the stamped property importers fill (importers.refine)

COMMON = (
    Property("name", required=True, description="Display name, UTF-8 with diacritics.",
             indexed=True, searchable=True),
    Property("description", description="Free text.", searchable=True,
             max_length=LONG_TEXT_MAX),
    Property("tags", P.STRING_LIST, description="Free keywords."),
    Property("source", stamped=True,
             description="Provenance: the import or user that last wrote the node."),
    Property("updatedAt", P.DATETIME, stamped=True,
             description="When the node was last written (UTC)."),
    Property("mergedFrom", P.STRING_LIST, stamped=True, max_length=LONG_TEXT_MAX, description=(
        "Undo records of merges into this node, as JSON pieces; written by coco merge only.")),
    Property(NORMALISED, P.STRING_LIST, stamped=True, description=(
        "Properties whose value an import normalised or filled in (a mapping's default or "
        "translation, https:// added, 1951,0 read as 1951…); written by importers only.")),
)


EDGE_COMMON = (
    Property("source", stamped=True, description="Provenance: the import or user that wrote it."),
    Property("updatedAt", P.DATETIME, stamped=True, description="When it was last written (UTC)."),
)


def _country(*, required: bool = False) -> Property:
    """An actor's country is recommended (a record may lack it for now); a NUTS region's is
    part of the reference data and required."""
    return Property("country", required=required, recommended=not required, pattern=COUNTRY,
                    indexed=True, description="ISO 3166-1 alpha-2 code (EL for Greece).")


LIFETIME = Validity("foundedYear", "closedYear")  # an actor exists from founding to closing
DATED = Validity("startDate", "endDate")
YEARS = Validity("since", "until")


def _lifetime() -> tuple[Property, Property]:
    return (
        Property("foundedYear", P.INT, indexed=True, **FOUNDED),
        Property("closedYear", P.INT, **FOUNDED, description=(
            "Year the actor closed or stopped acting (empty while it acts).")),
    )


def _years(what: str) -> tuple[Property, Property]:
    return (Property("since", P.INT, **YEAR, description=f"First year {what}."),
            Property("until", P.INT, **YEAR, description=f"Last year {what} (empty: still)."))


def _dates() -> tuple[Property, Property]:
    return (
        Property("startDate", P.DATE, indexed=True, description="First day."),
        Property("endDate", P.DATE, description="Last day (empty while open)."),
    )


HUB = NodeLabel(
    "Hub",
    "A creative hub, cluster, chamber of commerce, business support organisation or academy.",
    (
        Property("kind", recommended=True, indexed=True, allowed=(
            "creative-hub", "cluster", "chamber", "business-support", "academy", "other")),
        _country(),
        Property("city", description="Town or city, with diacritics."),
        Property("website", pattern=r"^https?://\S+$", max_length=URL_MAX),
        *_lifetime(),
    ),
    validity=LIFETIME,
)

COMPANY = NodeLabel(
    "Company",
    "An enterprise or organisation that acts: CCI firm, manufacturer, ICT firm, university.",
    (
        _country(),
        Property("city", description="Town or city, with diacritics."),
        Property("sizeClass", allowed=("micro", "small", "medium", "large"),
                 description="EU SME size class (Recommendation 2003/361/EC)."),
        *_lifetime(),
        Property("website", pattern=r"^https?://\S+$", max_length=URL_MAX),
    ),
    plural="companies",
    validity=LIFETIME,
)

COMPETENCE = NodeLabel(
    "Competence",
    "A skill or knowledge concept, ideally an ESCO concept (id = ESCO conceptUri).",
    (
        Property("skillType", allowed=("skill/competence", "knowledge", "language"),
                 description="ESCO skillType."),
        Property("reuseLevel", allowed=(
            "transversal", "cross-sector", "sector-specific", "occupation-specific"),
            description="ESCO reuseLevel."),
        Property("altLabels", P.STRING_LIST, searchable=True,
                 description="Alternative labels (ESCO altLabels)."),
    ),
    translated=("name", "altLabels"),
)

TRAINING = NodeLabel(
    "Training",
    "A course, workshop or programme.",
    (
        Property("area", recommended=True, indexed=True, allowed=TRAINING_AREAS),
        Property("format", allowed=("online", "face-to-face", "hybrid")),
        *_dates(),
        Property("language", pattern=r"^[a-z]{2}$", description="ISO 639-1 code."),
    ),
    validity=DATED,
    translated=("name",),
)

COLLABORATION = NodeLabel(
    "Collaboration",
    "A project, contract, co-creation pilot or matchmaking outcome with two or more participants.",
    (
        Property("kind", recommended=True, indexed=True, allowed=(
            "project", "contract", "co-creation-pilot", "matchmaking", "other")),
        *_dates(),
        Property("status", allowed=("planned", "active", "completed", "cancelled")),
        Property("budget", P.FLOAT, minimum=0, description="Total budget in EUR."),
    ),
    validity=DATED,
)

REGION = NodeLabel(
    "Region",
    "A NUTS 2021 region (id = NUTS_ID), levels 0 (country) to 3.",
    (
        Property("level", P.INT, required=True, indexed=True, minimum=0, maximum=3,
                 description="NUTS LEVL_CODE."),
        _country(required=True),
        Property("geometry", max_length=LONG_TEXT_MAX, description=(
            "Boundary as a GeoJSON Polygon or MultiPolygon (RFC 7946, WGS 84 lon/lat), "
            "simplified; written by coco import geometry (Eurostat GISCO NUTS files). Maps "
            "draw regions as areas when it is known.")),
    ),
    translated=("name",),
)

SECTOR = NodeLabel(
    "Sector",
    "A NACE Rev.2 section, division, group or class (id = code with section letter, e.g. C26.11).",
    (
        Property("level", P.INT, required=True, indexed=True, minimum=1, maximum=4,
                 description="1 section, 2 division, 3 group, 4 class."),
        Property("isCCI", P.BOOL,
                 description="Cultural enterprise per Eurostat culture statistics."),
        Property("isAdvancedManufacturing", P.BOOL,
                 description="Eurostat high-tech or medium-high-tech manufacturing."),
        Property("definitionSource", description="Where the CCI / manufacturing flags come from."),
    ),
    translated=("name",),
)


def _rel(name: str, sources: set[str] | frozenset[str], targets: set[str] | frozenset[str],
         out_field: str, in_field: str, description: str, *props: Property,
         symmetric: bool = False, same: tuple[str, ...] = (),
         same_label: bool = False, validity: Validity | None = None) -> RelType:
    return RelType(name, frozenset(sources), frozenset(targets), out_field, in_field,
                   description, tuple(props), symmetric, same, same_label, validity)


RELATIONSHIPS = (
    _rel("MEMBER_OF", {"Company"}, {"Hub"}, "hubs", "members", "Membership of a hub.",
         *_years("a member"), validity=YEARS),
    _rel("PARTNERS_WITH", ACTORS, ACTORS, "partners", "partneredBy", "A direct partnership.",
         *_years("of the partnership"), Property("weight", P.FLOAT, minimum=0),
         validity=YEARS),
    _rel("PARTICIPATES_IN", ACTORS, {"Collaboration"}, "collaborations", "participants",
         "Participation in a collaboration.",
         Property("role", allowed=("lead", "partner", "client", "supplier", "observer", "other"))),
    _rel("OFFERS", ACTORS, {"Competence"}, "offers", "offeredBy", "A competence an actor offers.",
         Property("level", allowed=("basic", "intermediate", "advanced", "expert")),
         *_years("offered"), validity=YEARS),
    _rel("NEEDS", ACTORS, {"Competence"}, "needs", "neededBy", "A competence an actor needs.",
         Property("priority", allowed=("low", "medium", "high")), *_years("needed"),
         validity=YEARS),
    _rel("PROVIDES", {"Hub"}, {"Training"}, "trainings", "providers", "A hub runs a training."),
    _rel("ATTENDED", {"Company"}, {"Training"}, "attended", "attendees", "A company took part.",
         Property("year", P.INT, **YEAR, description="Year of the attendance."),
         validity=Validity("year", "year")),
    _rel("TEACHES", {"Training"}, {"Competence"}, "teaches", "taughtBy",
         "A training builds a competence."),
    _rel("IN_SECTOR", ACTORS, {"Sector"}, "sectors", "actors", "NACE activity of an actor.",
         Property("primary", P.BOOL)),
    _rel("LOCATED_IN", ACTORS, {"Region"}, "regions", "located", "Where an actor is.",
         same=("country",)),
    _rel("BROADER", {"Competence", "Sector"}, {"Competence", "Sector"}, "broader", "narrower",
         "Hierarchy: the target is broader (Competence→Competence, Sector→Sector).",
         same_label=True),
    _rel("PART_OF", {"Region"}, {"Region"}, "parent", "children",
         "NUTS hierarchy: the target is the next level up."),
)

SCHEMA = Schema(
    labels=(HUB, COMPANY, COMPETENCE, TRAINING, COLLABORATION, REGION, SECTOR),
    relationships=RELATIONSHIPS,
    common=COMMON,
    edge_common=EDGE_COMMON,
)

ACTOR_LABELS = ACTORS
