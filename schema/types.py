"""The building blocks of a declarative property-graph schema.

A schema is data, not code: labels, relationship types and properties are declared once (see
:mod:`schema.model`) and every other layer — stores, GraphQL types, importers, validation — reads
them from here. These classes are frozen so that nobody mutates the single source of truth at run
time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from coco_atlas.schema.languages import LANGUAGES
from coco_atlas.schema.messages import N_, Msg

TEXT_MAX = 500  # characters of a short text (names, cities, codes) and of a key
LONG_TEXT_MAX = 20_000  # characters of a free text (descriptions)
LIST_MAX = 1_000  # elements of a list property


class PropType(StrEnum):
    """Value types a property may have. Dates are ISO 8601 strings so that they sort as text."""

    STRING = "string"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DATE = "date"  # YYYY-MM-DD (ISO 8601 calendar date)
    DATETIME = "datetime"  # ISO 8601 timestamp, UTC
    STRING_LIST = "string[]"


@dataclass(frozen=True)
class Property:
    """One property of a node label or relationship type.

    ``indexed`` asks stores to index the property for filtering and sorting (keep it to the
    properties people filter or sort on: every index costs on every write); ``searchable`` marks
    text that full-text search covers; ``stamped`` properties are written by the store itself
    (provenance and time), never required from a caller.

    Identity and completeness are separate (ISO/IEC 25012 data quality model: *completeness*
    is one characteristic, *syntactic accuracy* of a value another): ``required`` is what a
    record cannot exist without (its name, the level of a reference region), so a write
    without it is refused; ``recommended`` is what it should have but may lack for now (a
    hub's country or kind). A missing recommended value is
    stored as unknown and shown as such; only a strict write (``coco import --strict``) refuses
    it. A value that is given is checked the same either way.

    Every text has a bound: ``max_length`` characters (of each element, for lists) and
    ``max_items`` elements per list, so that one record cannot grow a page or a response
    without limit (OWASP ASVS 4.0 V5.1.4, "structured data is strongly typed and validated
    against a defined schema including allowed characters, length and pattern").
    """

    name: str
    type: PropType = PropType.STRING
    required: bool = False
    recommended: bool = False
    allowed: tuple[str, ...] | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    not_future: bool = False  # a year that cannot lie after the current one (founding)
    description: str = ""
    indexed: bool = False
    searchable: bool = False
    stamped: bool = False
    max_length: int = TEXT_MAX
    max_items: int = LIST_MAX

    @property
    def highest(self) -> float | None:
        """The largest value allowed today: ``maximum``, or this year for a past year."""
        if not self.not_future:
            return self.maximum
        year = date.today().year
        return year if self.maximum is None else min(self.maximum, year)

    @property
    def is_text(self) -> bool:
        """Whether values are strings (or lists of strings) bounded by ``max_length``."""
        return self.type in (PropType.STRING, PropType.STRING_LIST)

    @property
    def regex(self) -> re.Pattern[str] | None:
        return _compiled(self.pattern) if self.pattern else None

    def expected(self) -> str:
        """Human wording of what a valid value looks like, used in error messages (a
        :class:`~schema.messages.Msg`: English, worded in the reader's language when shown)."""
        what = Msg({
            PropType.STRING: N_("a string"),
            PropType.INT: N_("an integer"),
            PropType.FLOAT: N_("a number"),
            PropType.BOOL: N_("true or false"),
            PropType.DATE: N_("a date YYYY-MM-DD"),
            PropType.DATETIME: N_("an ISO 8601 timestamp"),
            PropType.STRING_LIST: N_("a list of strings"),
        }[self.type])
        if self.allowed:
            what = Msg(N_("{what} in {values}"), what=what,
                       values="{" + ", ".join(self.allowed) + "}")
        if self.pattern:
            what = Msg(N_("{what} matching {pattern}"), what=what, pattern=self.pattern)
        if self.not_future and self.minimum is not None:
            what = Msg(N_("{what} from {low} to {high} (not in the future)"), what=what,
                       low=_num(self.minimum), high=f"{self.highest:.0f}")
        elif self.minimum is not None and self.maximum is not None:
            what = Msg(N_("{what} from {low} to {high}"), what=what, low=_num(self.minimum),
                       high=_num(self.maximum))
        elif self.minimum is not None:
            what = Msg(N_("{what} ≥ {low}"), what=what, low=_num(self.minimum))
        return what


@dataclass(frozen=True)
class Validity:
    """When a node or relationship holds: from its ``start`` property to its ``end`` property,
    both years (INT) or both dates (DATE), inclusive. A missing start means "as far as we know,
    always"; a missing end "still holds". ``start == end`` is one point in time (an attendance
    in a year). Projections "as of" a date or "during" a period use it (:mod:`graph.timeline`)."""

    start: str
    end: str


@dataclass(frozen=True)
class NodeLabel:
    """A node label with its own properties (the common ones are added by :class:`Schema`)."""

    name: str
    description: str
    properties: tuple[Property, ...] = ()
    plural: str = ""
    validity: Validity | None = None
    translated: tuple[str, ...] = ()  # properties kept once per language (name_pl, altLabels_de)

    @property
    def collection(self) -> str:
        """Plural field name used by APIs (``hubs``, ``companies``)."""
        return self.plural or self.name[0].lower() + self.name[1:] + "s"


@dataclass(frozen=True)
class RelType:
    """A relationship type, the labels allowed at each end and the field names APIs expose.

    ``out_field`` names the relationship seen from its source (``Company.offers``), ``in_field``
    seen from its target (``Competence.offeredBy``). ``symmetric`` relationships read the same in
    both directions (a partnership); the stored direction is kept but carries no meaning.
    """

    name: str
    sources: frozenset[str]
    targets: frozenset[str]
    out_field: str
    in_field: str
    description: str = ""
    properties: tuple[Property, ...] = ()
    symmetric: bool = False
    same: tuple[str, ...] = ()  # properties both ends must agree on when both have them
    same_label: bool = False  # both ends carry the same label (hierarchies)
    validity: Validity | None = None


@dataclass(frozen=True)
class Schema:
    """The whole property-graph schema, with lookup tables built once."""

    labels: tuple[NodeLabel, ...]
    relationships: tuple[RelType, ...]
    common: tuple[Property, ...]
    edge_common: tuple[Property, ...] = ()
    key: str = "id"
    key_max_length: int = TEXT_MAX
    _labels: dict[str, NodeLabel] = field(init=False, repr=False, compare=False)
    _rels: dict[str, RelType] = field(init=False, repr=False, compare=False)
    _props: dict[str, dict[str, Property]] = field(init=False, repr=False, compare=False)
    _rel_props: dict[str, dict[str, Property]] = field(init=False, repr=False, compare=False)
    _translations: dict[str, dict[str, dict[str, str]]] = field(
        init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_labels", {lab.name: lab for lab in self.labels})
        object.__setattr__(self, "_rels", {rel.name: rel for rel in self.relationships})
        props: dict[str, dict[str, Property]] = {}
        translations: dict[str, dict[str, dict[str, str]]] = {}
        for lab in self.labels:
            merged = {p.name: p for p in self.common}
            merged.update({p.name: p for p in lab.properties})
            translations[lab.name] = {}
            for base in lab.translated:
                derived = [translation(merged[base], lang) for lang in LANGUAGES]
                translations[lab.name][base] = dict(zip(LANGUAGES, (p.name for p in derived),
                                                        strict=True))
                merged.update({p.name: p for p in derived})
            props[lab.name] = merged
        object.__setattr__(self, "_translations", translations)
        object.__setattr__(self, "_props", props)
        rel_props = {r.name: {p.name: p for p in (*self.edge_common, *r.properties)}
                     for r in self.relationships}
        object.__setattr__(self, "_rel_props", rel_props)

    # -- lookups ---------------------------------------------------------------------------
    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(self._labels)

    @property
    def rel_names(self) -> tuple[str, ...]:
        return tuple(self._rels)

    def label(self, name: str) -> NodeLabel:
        return self._labels[name]

    def has_label(self, name: str) -> bool:
        return name in self._labels

    def rel(self, name: str) -> RelType:
        return self._rels[name]

    def has_rel(self, name: str) -> bool:
        return name in self._rels

    def validity(self, name: str) -> Validity:
        """The declared validity of a label or relationship type that must have one (an
        analysis of change over time relies on it): a KeyError names the schema's omission."""
        owner = self._labels.get(name) or self._rels.get(name)
        if owner is None or owner.validity is None:
            raise KeyError(f"{name}: no validity declared in the schema")
        return owner.validity

    def node_properties(self, label: str) -> dict[str, Property]:
        """All properties of a label, common ones first, the key excluded."""
        return self._props[label]

    def rel_properties(self, rel: str) -> dict[str, Property]:
        """All properties of a relationship type, the stamped common ones included."""
        return self._rel_props[rel]

    def translations(self, label: str) -> dict[str, dict[str, str]]:
        """``{property: {language: its per-language property}}`` of a label's translatable
        properties (``{"name": {"en": "name_en", "pl": "name_pl", …}}``); empty for a label
        whose names are not translated."""
        return self._translations[label]

    def indexed_properties(self) -> dict[str, Property]:
        """Every indexed property name across labels (one index serves all labels)."""
        out: dict[str, Property] = {}
        for props in self._props.values():
            for p in props.values():
                if p.indexed:
                    out.setdefault(p.name, p)
        return out

    def recommended(self, label: str) -> tuple[str, ...]:
        """The properties a node of ``label`` should have but may lack (counted as unknown)."""
        return tuple(n for n, p in self._props[label].items() if p.recommended)

    def validity_pairs(self) -> tuple[tuple[str, str], ...]:
        """``(start, end)`` property pairs of every declared validity: an end before its start
        is refused wherever both are given."""
        owners: list[NodeLabel | RelType] = [*self.labels, *self.relationships]
        found = [v.validity for v in owners if v.validity]
        return tuple(dict.fromkeys((v.start, v.end) for v in found if v and v.start != v.end))

    def rels_between(self, source: str, target: str) -> list[RelType]:
        return [r for r in self.relationships if source in r.sources and target in r.targets]

    def describe(self) -> dict[str, Any]:
        """A plain-data view of the schema (for ``/-/schema.json`` and docs)."""

        def prop(p: Property) -> dict[str, Any]:
            d: dict[str, Any] = {"name": p.name, "type": p.type.value, "required": p.required,
                                 "recommended": p.recommended}
            if p.allowed:
                d["allowed"] = list(p.allowed)
            if p.is_text:
                d["maxLength"] = p.max_length
            if p.type is PropType.STRING_LIST:
                d["maxItems"] = p.max_items
            if p.description:
                d["description"] = p.description
            return d

        return {
            "key": self.key,
            "keyMaxLength": self.key_max_length,
            "labels": [
                {
                    "name": lab.name,
                    "description": lab.description,
                    "properties": [prop(p) for p in self.node_properties(lab.name).values()],
                }
                for lab in self.labels
            ],
            "relationships": [
                {
                    "name": r.name,
                    "from": sorted(r.sources),
                    "to": sorted(r.targets),
                    "description": r.description,
                    "properties": [prop(p) for p in self.rel_properties(r.name).values()],
                }
                for r in self.relationships
            ],
        }


def translation(prop: Property, lang: str) -> Property:
    """The per-language variant of a translatable property: ``name`` in Polish is ``name_pl``.

    The suffix is the BCP 47 primary language subtag (RFC 5646) from :mod:`schema.languages`.
    Each variant is an ordinary optional property, so both stores keep it, validation bounds
    it, and every export writes it as a column or attribute of its own. It is searchable when
    the property is; never required (a label may exist in one language only).
    """
    return Property(f"{prop.name}_{lang}", prop.type, searchable=prop.searchable,
                    max_length=prop.max_length, max_items=prop.max_items,
                    description=f"{prop.name} in language {lang} (BCP 47).")


_REGEX_CACHE: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    rx = _REGEX_CACHE.get(pattern)
    if rx is None:
        rx = _REGEX_CACHE[pattern] = re.compile(pattern)
    return rx


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
