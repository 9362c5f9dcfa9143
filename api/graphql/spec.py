"""What the GraphQL API exposes for each label, derived from :data:`schema.SCHEMA` alone.

Plain data, no strawberry: the relationship fields of a label in both directions (named by the
schema's ``out_field`` / ``in_field``), the hierarchies a label lies in, and GraphQL-style names.
Adding a label, property or relationship to ``schema/model.py`` changes what comes out of here
and so the whole GraphQL schema, with no other edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from coco_atlas.schema import SCHEMA, Property, PropType

Direction = Literal["out", "in", "both"]


@dataclass(frozen=True)
class RelField:
    """A relationship seen from one label: ``Company.offers`` is OFFERS, out, to Competence."""

    owner: str  # the label that has the field
    name: str  # GraphQL field name
    rel: str  # relationship type
    direction: Direction  # from the owner's side
    others: tuple[str, ...]  # labels at the other end, in schema order
    description: str

    @property
    def single(self) -> str | None:
        """The one label at the other end, or None when several are possible."""
        return self.others[0] if len(self.others) == 1 else None


def _ordered(labels: frozenset[str] | set[str]) -> tuple[str, ...]:
    return tuple(n for n in SCHEMA.label_names if n in labels)


@cache
def rel_fields(label: str) -> tuple[RelField, ...]:
    """Every relationship field of a label, outgoing then incoming, in schema order."""
    fields: list[RelField] = []
    for r in SCHEMA.relationships:
        if label in r.sources:
            others = r.targets & {label} if r.same_label else r.targets
            way: Direction = "both" if r.symmetric else "out"
            fields.append(RelField(label, r.out_field, r.name, way, _ordered(others),
                                   f"{r.description.rstrip('.')} ({r.name}, outgoing)"))
        if label in r.targets and not r.symmetric:
            others = r.sources & {label} if r.same_label else r.sources
            fields.append(RelField(label, r.in_field, r.name, "in", _ordered(others),
                                   f"{r.description.rstrip('.')} ({r.name}, incoming)"))
    names = [f.name for f in fields] + list(SCHEMA.node_properties(label))
    clash = {n for n in names if names.count(n) > 1}
    if clash:
        raise RuntimeError(f"schema: {label} has fields named twice: {sorted(clash)}")
    return tuple(fields)


def rel_field(label: str, name: str) -> RelField | None:
    return next((f for f in rel_fields(label) if f.name == name), None)


@cache
def hierarchy(label: str) -> tuple[str, ...]:
    """Relationship types that arrange nodes of ``label`` in a hierarchy, the target being the
    broader node (NUTS ``PART_OF``, NACE and ESCO ``BROADER``)."""
    return tuple(r.name for r in SCHEMA.relationships
                 if label in r.sources and label in r.targets
                 and (r.same_label or r.sources == r.targets == {label}))


def properties(label: str | None) -> dict[str, Property]:
    """Properties of a label, or the ones every label shares (``None``: the Node interface)."""
    if label is None:
        return {p.name: p for p in SCHEMA.common}
    return SCHEMA.node_properties(label)


def sortable(label: str | None) -> dict[str, Property]:
    """Properties a list can be ordered by: single values (lists do not sort)."""
    return {n: p for n, p in properties(label).items() if p.type is not PropType.STRING_LIST}


def enum_name(name: str) -> str:
    """``foundedYear`` → ``FOUNDED_YEAR``, ``isCCI`` → ``IS_CCI`` (GraphQL enum style)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).upper()


def pascal(name: str) -> str:
    """``offeredBy`` → ``OfferedBy`` (for generated type names)."""
    return name[0].upper() + name[1:]
