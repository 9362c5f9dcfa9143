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

    [defaults.Hub]           # used in rows of that label only, where the row has no value
    kind = "creative-hub"

    [translate.sizeClass]    # a value of the file = ours (case, accents and spaces ignored)
    mikro = "micro"
    "mała" = "small"

    [files."hubs-2019.csv".columns]   # renames for one file, over [nodes.columns]
    "Nazwa" = "name"

    [files."map.json".edges.columns]  # … for one role of a file that has both
    "Label" = ""

``[nodes.values]`` holds what every row of every label may take (``label`` itself, ``tags``,
``description``); a property some label of the file lacks is refused there (use
``[defaults.LABEL]``), so that a default meant for one label never spoils another.

Names are matched without regard to case, spaces, ``_``, ``-`` and ``.``: ``Founded Year``,
``founded_year`` and ``foundedYear`` are the same column, ``member of`` is ``MEMBER_OF``. Without
a mapping, our own labels and relationship types are recognised in any such spelling.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from coco_atlas.importers.errors import Location, Problems
from coco_atlas.importers.values import WHAT, converter, fold, prop_types
from coco_atlas.schema import SCHEMA, Property
from coco_atlas.schema.messages import N_, Msg
from coco_atlas.schema.validate import check_value, one_of

Role = Literal["nodes", "edges"]
ROLES: tuple[Role, Role] = ("nodes", "edges")
SKIP = ""  # a mapping target that means: ignore this column / leave this type out

NODE_KEYS = ("id", "label", "name")
EDGE_KEYS = ("source", "target", "type")
_SEPARATORS = re.compile(r"[\s_\-.]+")
MARK = "\x00"  # a header renamed by [files."…".columns]: MARK + our field (see Mapping.column)
SECTIONS = ("nodes", "edges", "labels", "types", "defaults", "translate", "files")


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
    # label -> property -> value (converted and checked), for rows of that label only
    defaults: dict[str, dict[str, Any]] = field(default_factory=dict)
    # property -> folded value of the file -> our value
    translate: dict[str, dict[str, Any]] = field(default_factory=dict)
    # file name -> "columns" / "nodes" / "edges" -> normalised header -> our field ("" ignores)
    files: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)

    def column(self, header: str, role: Role) -> str | None:
        """Our field for a header as the mapping renames it (``""``: ignore), else ``None``."""
        if header.startswith(MARK):
            return header[len(MARK):]  # renamed for its file already (importers.refine)
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

    def file_columns(self, path: str | Path, role: Role | None = None) -> dict[str, str]:
        """The renames of ``[files."NAME".columns]`` for this file (by its name or its path as
        given), with those of ``[files."NAME".nodes.columns]`` (or ``edges``) for ``role``
        over them; ``{}`` when the mapping names no such file."""
        text = str(path)
        for key in (text, Path(text).name, Path(text).name.casefold()):
            if key in self.files:
                parts = self.files[key]
                return {**parts.get("columns", {}), **(parts.get(role, {}) if role else {})}
        return {}


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
        problems.add(where, N_("a TOML mapping file"), str(e))
        return Mapping(file=str(path))
    except UnicodeDecodeError:
        problems.add(where, N_("a UTF-8 text file"))
        return Mapping(file=str(path))
    except OSError as e:
        problems.add(where, N_("a readable mapping file"), e.strerror or str(e))
        return Mapping(file=str(path))
    return _check(data, str(path), problems)


def _check(data: dict[str, Any], file: str, problems: Problems) -> Mapping:
    m = Mapping(file=file)
    at = Location(file)
    for key in data:
        if key not in SECTIONS:
            problems.add(at.at(column=key), N_("a section nodes, edges, labels or types (or "
                                               "defaults, translate or files)"), key)
    for role in ROLES:
        section = _table(data.get(role, {}), role, at, problems)
        for key in section:
            if key not in ("columns", "values"):
                problems.add(at.at(column=f"{role}.{key}"), N_("columns or values"), key)
        known = fields(role)
        for header, target in _table(section.get("columns", {}), f"{role}.columns", at,
                                     problems).items():
            if not isinstance(target, str) or (target and norm(target) not in known):
                problems.add(at.at(column=f"{role}.columns.{header}"),
                             _or_ignore(known.values()), target)
                continue
            m.columns[role][norm(header)] = known[norm(target)] if target else SKIP
        for name, value in _table(section.get("values", {}), f"{role}.values", at,
                                  problems).items():
            target = known.get(norm(name))
            if target is None or target in ("id", "source", "target"):
                choices = [k for k in known.values() if k not in ("id", "source", "target")]
                problems.add(at.at(column=f"{role}.values.{name}"), one_of(choices), name)
                continue
            m.values[role][target] = value
    for part, ours, dest in (("labels", _LABELS, m.labels), ("types", _TYPES, m.types)):
        for theirs, target in _table(data.get(part, {}), part, at, problems).items():
            if not isinstance(target, str) or (target and norm(target) not in ours):
                problems.add(at.at(column=f"{part}.{theirs}"), Msg(
                    N_('one of {names} or "" (leave out)'), names=", ".join(ours.values())),
                    target)
                continue
            dest[theirs] = dest[norm(theirs)] = ours[norm(target)] if target else SKIP
    for role in ROLES:
        vals = m.values[role]
        key = "label" if role == "nodes" else "type"
        if key in vals:
            fixed = (m.label if role == "nodes" else m.rel_type)(str(vals[key]))
            if not fixed:
                problems.add(at.at(column=f"{role}.values.{key}"),
                             one_of(_LABELS.values() if role == "nodes" else _TYPES.values()),
                             vals[key])
            else:
                vals[key] = fixed
    _check_defaults(data.get("defaults", {}), m, at, problems)
    _check_translate(data.get("translate", {}), m, at, problems)
    _check_files(data.get("files", {}), m, at, problems)
    return m


def _check_defaults(section: Any, m: Mapping, at: Location, problems: Problems) -> None:
    """``[defaults.LABEL] prop = value``: each value converted and checked against that
    label's property now, so that a wrong default is one problem, not one per row."""
    for label, values in _table(section, "defaults", at, problems).items():
        ours = _LABELS.get(norm(label))
        if ours is None:
            problems.add(at.at(column=f"defaults.{label}"), Msg(
                N_("a label: one of {names}"), names=", ".join(_LABELS.values())), label)
            continue
        spec = SCHEMA.node_properties(ours)
        out = m.defaults.setdefault(ours, {})
        for name, value in _table(values, f"defaults.{label}", at, problems).items():
            key = at.at(column=f"defaults.{label}.{name}")
            prop = next((p for p in spec.values() if norm(p.name) == norm(name)), None)
            if prop is None or prop.stamped or prop.name in NODE_KEYS[:2]:
                choices = [p.name for p in spec.values()
                           if not p.stamped and p.name not in NODE_KEYS[:2]]
                problems.add(key, Msg(N_("a property of {label}: one of {names}"), label=ours,
                                      names=", ".join(choices)), name)
                continue
            try:
                converted = converter(prop.type)(value)
            except (ValueError, TypeError):
                converted = None
            if converted is None or not check_value(prop, converted):
                problems.add(key, prop.expected(), value)
                continue
            out[prop.name] = converted


def _check_translate(section: Any, m: Mapping, at: Location, problems: Problems) -> None:
    """``[translate.PROP] "their value" = "ours"``: every target must be a valid value of
    the property (for some label or relationship that has it)."""
    props = all_props()
    for name, table in _table(section, "translate", at, problems).items():
        candidates = props.get(norm(name))
        if not candidates:
            problems.add(at.at(column=f"translate.{name}"), Msg(
                N_("a property: one of {names}"),
                names=", ".join(sorted({p[0].name for p in props.values()}))), name)
            continue
        prop_name = candidates[0].name
        out = m.translate.setdefault(prop_name, {})
        for theirs, target in _table(table, f"translate.{name}", at, problems).items():
            value = _valid(candidates, target)
            if value is None:
                first = candidates[0]
                problems.add(at.at(column=f"translate.{name}.{theirs}"),
                             one_of(first.allowed) if first.allowed else WHAT[first.type],
                             target)
                continue
            out[fold(theirs)] = target if isinstance(target, str) else value


def _valid(candidates: list[Property], value: Any) -> Any:
    for prop in candidates:
        try:
            converted = converter(prop.type)(value)
        except (ValueError, TypeError):
            continue
        if check_value(prop, converted):
            return converted
    return None


@cache
def all_props(role: Role | None = None) -> dict[str, list[Property]]:
    """Every declaration of every property name of node labels (``nodes``), relationship
    types (``edges``) or both (``None``), by normalised name, stamped ones left out."""
    out: dict[str, list[Property]] = {}
    if role != "edges":
        for name in SCHEMA.label_names:
            for p in SCHEMA.node_properties(name).values():
                if not p.stamped:
                    out.setdefault(norm(p.name), []).append(p)
    if role != "nodes":
        for name in SCHEMA.rel_names:
            for p in SCHEMA.rel_properties(name).values():
                if not p.stamped:
                    out.setdefault(norm(p.name), []).append(p)
    return out


def _check_files(section: Any, m: Mapping, at: Location, problems: Problems) -> None:
    """``[files."NAME".columns]`` (every table of the file) and ``[files."NAME".nodes.columns]``
    / ``edges.columns`` (one role, for files that hold both: Kumu JSON, GEXF): column renames
    for one file, over the general ones."""
    both = {**fields("edges"), **fields("nodes")}
    for name, body in _table(section, "files", at, problems).items():
        body = _table(body, f"files.{name}", at, problems)
        parts: dict[str, dict[str, str]] = {}
        for key, value in body.items():
            if key == "columns":
                parts["columns"] = _renames(value, f"files.{name}.columns", both, at, problems)
            elif key in ("nodes", "edges"):
                inner = _table(value, f"files.{name}.{key}", at, problems)
                for extra in inner:
                    if extra != "columns":
                        problems.add(at.at(column=f"files.{name}.{key}.{extra}"), N_("columns"),
                                     extra)
                role: Role = "nodes" if key == "nodes" else "edges"
                parts[key] = _renames(inner.get("columns", {}), f"files.{name}.{key}.columns",
                                      fields(role), at, problems)
            else:
                problems.add(at.at(column=f"files.{name}.{key}"), N_("columns, nodes or edges"),
                             key)
        m.files[name] = parts
        m.files.setdefault(Path(name).name.casefold(), parts)


def _renames(section: Any, where: str, known: dict[str, str], at: Location,
             problems: Problems) -> dict[str, str]:
    out: dict[str, str] = {}
    for header, target in _table(section, where, at, problems).items():
        if not isinstance(target, str) or (target and norm(target) not in known):
            problems.add(at.at(column=f"{where}.{header}"), _or_ignore(known.values()), target)
            continue
        out[norm(header)] = known[norm(target)] if target else SKIP
    return out


def _or_ignore(names: Iterable[str]) -> str:
    return Msg(N_('one of {names} or "" (ignore)'), names=", ".join(names))


def _table(value: Any, name: str, at: Location, problems: Problems) -> dict[str, Any]:
    if isinstance(value, MappingABC):
        return dict(value)
    problems.add(at.at(column=name), N_("a table of names and values"), value)
    return {}
