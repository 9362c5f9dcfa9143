"""Mapping files: how a user's columns and types translate to ours, without editing their data.

A mapping is a small TOML file (the standard library reads it: ``tomllib``)::

    [nodes.columns]          # a column of the file = a field of ours ("" ignores it)
    "Organisation" = "name"
    "Land" = "country"
    "Notes" = ""

    [nodes.values]           # used in every row where the file gives no value
    label = "Company"
    country = "AT"

    [edges.columns]
    "Von" = "source"

    [edges.values]
    type = "PARTNERS_WITH"

    [labels]                 # a node type of the file (Kumu Type, Gephi type) = our label
    "Creative hub" = "Hub"
    "Category" = ""          # "" leaves such nodes (and their connections) out

    [types]                  # a connection type of the file = our relationship type
    "collaborates" = "PARTNERS_WITH"

Names are matched without regard to case, spaces, ``_``, ``-`` and ``.``: ``Founded Year``,
``founded_year`` and ``foundedYear`` are the same column, ``member of`` is ``MEMBER_OF``. Without
a mapping, our own labels and relationship types are recognised in any such spelling.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from importers.errors import Location, Problems
from importers.values import prop_types
from schema import SCHEMA

Role = Literal["nodes", "edges"]
SKIP = ""  # a mapping target that means: ignore this column / leave this type out

NODE_KEYS = ("id", "label", "name")
EDGE_KEYS = ("source", "target", "type")
_SEPARATORS = re.compile(r"[\s_\-.]+")


def norm(name: str) -> str:
    """The spelling-free form of a name: ``Founded Year`` → ``foundedyear``."""
    return _SEPARATORS.sub("", name.casefold())


def fields(role: Role) -> dict[str, str]:
    """Our fields a column may fill, by their normalised name (stamped ones excluded)."""
    keys = NODE_KEYS if role == "nodes" else EDGE_KEYS
    props = prop_types(edges=role == "edges")
    names = [*keys, *(n for n, p in props.items() if not p.stamped and n not in keys)]
    return {norm(n): n for n in names}


def stamped(role: Role) -> frozenset[str]:
    """Normalised names of the properties the store stamps itself (ignored on import)."""
    return frozenset(norm(n) for n, p in prop_types(edges=role == "edges").items() if p.stamped)


_LABELS = {norm(n): n for n in SCHEMA.label_names}
_TYPES = {norm(n): n for n in SCHEMA.rel_names}


@dataclass
class Mapping:
    """Column renames, fixed values and type translations for one import."""

    columns: dict[Role, dict[str, str]] = field(
        default_factory=lambda: {"nodes": {}, "edges": {}})
    values: dict[Role, dict[str, Any]] = field(default_factory=lambda: {"nodes": {}, "edges": {}})
    labels: dict[str, str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    file: str | None = None

    def column(self, header: str, role: Role) -> str | None:
        """Our field for a header as the mapping renames it (``""``: ignore), else ``None``."""
        cols = self.columns[role]
        if header in cols:
            return cols[header]
        return cols.get(norm(header))

    def label(self, value: str) -> str | None:
        """Our label for a node type of the file; ``""`` leaves it out; ``None``: unknown."""
        return _translate(value, self.labels, _LABELS)

    def rel_type(self, value: str) -> str | None:
        """Our relationship type for a connection type of the file (as :meth:`label`)."""
        return _translate(value, self.types, _TYPES)


def _translate(value: str, user: dict[str, str], ours: dict[str, str]) -> str | None:
    if value in user:
        return user[value]
    key = norm(value)
    if key in user:
        return user[key]
    return ours.get(key)


def load_mapping(path: str | Path | None, problems: Problems) -> Mapping:
    """Read and check a mapping file; problems name the file and the key."""
    if path is None:
        return Mapping()
    where = Location(str(path))
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as e:
        problems.add(where, "a TOML mapping file", str(e))
        return Mapping(file=str(path))
    except UnicodeDecodeError:
        problems.add(where, "a UTF-8 text file")
        return Mapping(file=str(path))
    except OSError as e:
        problems.add(where, "a readable mapping file", e.strerror or str(e))
        return Mapping(file=str(path))
    return _check(data, str(path), problems)


def _check(data: dict[str, Any], file: str, problems: Problems) -> Mapping:
    m = Mapping(file=file)
    at = Location(file)
    for key in data:
        if key not in ("nodes", "edges", "labels", "types"):
            problems.add(at.at(column=key), "a section nodes, edges, labels or types", key)
    for role in ("nodes", "edges"):
        section = _table(data.get(role, {}), role, at, problems)
        for key in section:
            if key not in ("columns", "values"):
                problems.add(at.at(column=f"{role}.{key}"), "columns or values", key)
        known = fields(role)
        for header, target in _table(section.get("columns", {}), f"{role}.columns", at,
                                     problems).items():
            if not isinstance(target, str) or (target and norm(target) not in known):
                problems.add(at.at(column=f"{role}.columns.{header}"),
                             f'one of {", ".join(known.values())} or "" (ignore)', target)
                continue
            m.columns[role][norm(header)] = known[norm(target)] if target else SKIP
        for name, value in _table(section.get("values", {}), f"{role}.values", at,
                                  problems).items():
            target = known.get(norm(name))
            if target is None or target in ("id", "source", "target"):
                choices = [k for k in known.values() if k not in ("id", "source", "target")]
                problems.add(at.at(column=f"{role}.values.{name}"),
                             "one of " + ", ".join(choices), name)
                continue
            m.values[role][target] = value
    for section, ours, dest in (("labels", _LABELS, m.labels), ("types", _TYPES, m.types)):
        for theirs, target in _table(data.get(section, {}), section, at, problems).items():
            if not isinstance(target, str) or (target and norm(target) not in ours):
                problems.add(at.at(column=f"{section}.{theirs}"),
                             f'one of {", ".join(ours.values())} or "" (leave out)', target)
                continue
            dest[theirs] = dest[norm(theirs)] = ours[norm(target)] if target else SKIP
    for role in ("nodes", "edges"):
        vals = m.values[role]
        key = "label" if role == "nodes" else "type"
        if key in vals:
            fixed = (m.label if role == "nodes" else m.rel_type)(str(vals[key]))
            if not fixed:
                problems.add(at.at(column=f"{role}.values.{key}"),
                             "one of " + ", ".join(_LABELS.values() if role == "nodes"
                                                   else _TYPES.values()), vals[key])
            else:
                vals[key] = fixed
    return m


def _table(value: Any, name: str, at: Location, problems: Problems) -> dict[str, Any]:
    if isinstance(value, MappingABC):
        return dict(value)
    problems.add(at.at(column=name), "a table of names and values", value)
    return {}
