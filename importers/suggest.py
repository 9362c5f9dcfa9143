"""``coco import … --suggest-mapping``: a commented mapping template made from the files.

The input files are read as the import would read them (nothing is written to any store), and
a TOML mapping (:mod:`importers.mapping`) is written that ``--mapping`` accepts as it is:

- ``[files."NAME".columns]``: every column of each file, mapped to the field it most likely is
  — by its name as we or the format spell it, or by a small dictionary of the words people use
  (``Nazwa``, ``Land``, ``Rok założenia``, ``WWW``) — or, when unsure, commented out with the
  candidates (similar names, by :func:`difflib.get_close_matches`, Ratcliff/Obershelp);
- ``[labels]`` and ``[types]``: the file's node and connection types, with our label or type
  where it is recognisable (commented out where not);
- ``[translate.PROP]``: for each property with allowed values, the distinct values of the file
  no rule can place, as commented lines to fill in (with a guess where one is close);
- ``[defaults.LABEL]`` (commented): recommended properties some rows of a label lack.

The user edits it, then imports with ``--mapping``. Guesses are only ever suggestions: each is
marked, and nothing uncertain is active until the user uncomments it.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from coco_atlas.importers.errors import Location, Problems
from coco_atlas.importers.mapping import Mapping, Role, all_props, fields, norm, stamped
from coco_atlas.importers.records import GENERIC, Dialect, Table
from coco_atlas.importers.refine import loose
from coco_atlas.importers.values import fold, is_empty, to_str
from coco_atlas.schema import SCHEMA
from coco_atlas.schema.messages import N_

DISTINCT = 200  # distinct values kept per column (enough to list what to translate)

# Words people name columns with, folded and normalised (importers.values.fold, mapping.norm).
_COLUMN_WORDS: dict[str, str] = {
    **dict.fromkeys(("nazwa", "nazwafirmy", "organisation", "organization", "organisationname",
                     "organizationname", "bezeichnung", "nazov", "naziv", "nome", "nom",
                     "title", "titel", "firmenname", "companyname"), "name"),
    **dict.fromkeys(("identyfikator", "nr", "numer", "nummer", "key", "kod", "code"), "id"),
    **dict.fromkeys(("kraj", "land", "staat", "krajina", "drzava", "paese", "pays", "panstwo",
                     "countrycode", "kod kraju", "kodkraju"), "country"),
    **dict.fromkeys(("miasto", "miejscowosc", "stadt", "ort", "mesto", "grad", "citta",
                     "ville", "town", "siedziba"), "city"),
    **dict.fromkeys(("www", "strona", "stronawww", "stronainternetowa", "webseite", "homepage",
                     "url", "web", "site", "internet", "webpage", "webstranka"), "website"),
    **dict.fromkeys(("rokzalozenia", "rok", "gegrundet", "grundungsjahr", "gruendungsjahr",
                     "founded", "yearfounded", "established", "foundingyear", "zalozono",
                     "rokzalozeni", "letoustanovitve"), "foundedYear"),
    **dict.fromkeys(("wielkosc", "rozmiar", "wielkoscfirmy", "klasawielkosci", "grosse",
                     "groesse", "size", "velkost", "velikost", "companysize",
                     "unternehmensgrosse"), "sizeClass"),
    **dict.fromkeys(("typ", "rodzaj", "art", "druh", "vrsta", "hubtype", "hubkind"), "kind"),
    **dict.fromkeys(("opis", "beschreibung", "popis", "descrizione", "notes", "uwagi"),
                    "description"),
    **dict.fromkeys(("tagi", "slowakluczowe", "schlagworte", "keywords", "stichworte"),
                    "tags"),
    **dict.fromkeys(("od", "von", "zrodlo", "start", "from"), "source"),
    **dict.fromkeys(("do", "nach", "cel", "ziel", "end", "to"), "target"),
    **dict.fromkeys(("relacja", "beziehung", "relation", "relationship", "rodzajrelacji"),
                    "type"),
    **dict.fromkeys(("waga", "gewicht", "sila", "strength"), "weight"),
    **dict.fromkeys(("seit", "odroku"), "since"),
    **dict.fromkeys(("rola",), "role"),
    **dict.fromkeys(("poziom", "niveau", "stufe"), "level"),
    **dict.fromkeys(("priorytet", "prioritat"), "priority"),
}

# Words in a node type's name that say which label it is (a word of the folded value).
_LABEL_WORDS: dict[str, str] = {
    **dict.fromkeys(("hub", "hubs", "cluster", "klaster", "izba", "chamber", "kammer",
                     "inkubator", "incubator", "akademia", "academy", "akademie", "bso"), "Hub"),
    **dict.fromkeys(("firma", "firmy", "company", "companies", "unternehmen", "enterprise",
                     "przedsiebiorstwo", "spolka", "startup", "business", "sme", "msp",
                     "university", "uczelnia", "organisation", "organization"), "Company"),
    **dict.fromkeys(("skill", "skills", "kompetencja", "kompetencje", "umiejetnosc",
                     "competence", "competency", "kompetenz"), "Competence"),
    **dict.fromkeys(("training", "szkolenie", "kurs", "course", "workshop", "warsztat",
                     "warsztaty", "schulung"), "Training"),
    **dict.fromkeys(("project", "projekt", "collaboration", "pilot", "contract"),
                    "Collaboration"),
    **dict.fromkeys(("region", "nuts"), "Region"),
    **dict.fromkeys(("sector", "sektor", "branza", "nace", "branche"), "Sector"),
}

# Stems of words in a connection type's name that say which relationship type it is.
_TYPE_STEMS: tuple[tuple[str, str], ...] = (
    ("member", "MEMBER_OF"), ("czlon", "MEMBER_OF"), ("mitglied", "MEMBER_OF"),
    ("partner", "PARTNERS_WITH"), ("wspolprac", "PARTNERS_WITH"),
    ("cooperat", "PARTNERS_WITH"), ("collaborat", "PARTNERS_WITH"),
    ("particip", "PARTICIPATES_IN"), ("udzial", "PARTICIPATES_IN"),
    ("offer", "OFFERS"), ("oferuj", "OFFERS"), ("need", "NEEDS"), ("potrzeb", "NEEDS"),
    ("provid", "PROVIDES"), ("prowadz", "PROVIDES"), ("attend", "ATTENDED"),
    ("teach", "TEACHES"), ("uczy", "TEACHES"), ("sector", "IN_SECTOR"),
    ("locat", "LOCATED_IN"), ("siedzib", "LOCATED_IN"),
)  # BROADER and PART_OF join reference data (ESCO, NACE, NUTS): never guessed

# Values people write for allowed values, folded: Polish, German, Slovak/Czech, Slovenian.
_VALUE_WORDS: dict[str, dict[str, str]] = {
    "sizeClass": {
        **dict.fromkeys(("mikro", "mikroprzedsiebiorstwo", "kleinst", "kleinstunternehmen",
                         "mikropodnik", "mikro podjetje"), "micro"),
        **dict.fromkeys(("mala", "maly", "male", "klein", "malo", "malé", "male podjetje"),
                        "small"),
        **dict.fromkeys(("srednia", "sredni", "srednie", "mittel", "stredna", "stredni",
                         "srednje"), "medium"),
        **dict.fromkeys(("duza", "duzy", "duze", "gross", "velka", "velky", "veliko",
                         "velike", "grosse"), "large"),
    },
    "kind": {
        "klaster": "cluster", "izba": "chamber", "izba handlowa": "chamber",
        "kammer": "chamber", "akademia": "academy", "akademie": "academy",
        "inkubator": "business-support", "incubator": "business-support",
        "hub kreatywny": "creative-hub", "kreatywny hub": "creative-hub",
    },
}


@dataclass
class Column:
    """What one column of one file holds (over all its blocks)."""

    header: str
    role: Role
    dialect: Dialect
    values: dict[str, int] = field(default_factory=dict)  # distinct text -> rows
    filled: int = 0


@dataclass
class FileSeen:
    name: str
    columns: dict[tuple[Role, str], Column] = field(default_factory=dict)
    # per node row: (its label value, set of headers with a value), for the defaults
    rows: list[tuple[str | None, frozenset[str]]] = field(default_factory=list)
    unlabelled: int = 0  # node rows in blocks without a column for the label


def observe(name: str, tables: Iterable[tuple[Role, Dialect, Table]]) -> FileSeen:
    """What a file's blocks hold, kept small: distinct values per column, filled headers."""
    seen = FileSeen(name)
    for role, dialect, table in tables:
        headers = [str(h) for h in table.header]
        for i, h in enumerate(headers):
            col = seen.columns.setdefault((role, h), Column(h, role, dialect))
            for v in table.columns[i]:
                if is_empty(v):
                    continue
                col.filled += 1
                text = _text(v)
                if text is not None and (text in col.values or len(col.values) < DISTINCT):
                    col.values[text] = col.values.get(text, 0) + 1
        if role == "nodes":
            label_i = next((i for i, h in enumerate(headers)
                            if _known(h, role, dialect) == "label"), None)
            if label_i is None:
                seen.unlabelled += len(table.rows)
            for k in range(len(table.rows)):
                label = _text(table.columns[label_i][k]) if label_i is not None else None
                have = frozenset(h for i, h in enumerate(headers)
                                 if not is_empty(table.columns[i][k]))
                seen.rows.append((label, have))
    return seen


def _text(value: Any) -> str | None:
    try:
        return to_str(value)
    except ValueError:
        return None


# -- guessing ----------------------------------------------------------------------------------
def _known(header: str, role: Role, dialect: Dialect) -> str | None:
    """Our field for a header we or the format name so ("" = ignored), else None."""
    h = norm(header)
    own = dialect.nodes if role == "nodes" else dialect.edges
    if h in own:
        return own[h]
    if h in fields(role):
        return fields(role)[h]
    if h in stamped(role):
        return ""
    return None


def guess_column(col: Column) -> tuple[str | None, str]:
    """(our field or None when unsure, a comment saying why or listing the candidates)."""
    known = _known(col.header, col.role, col.dialect)
    if known is not None:
        return known, ("the store stamps it: ignored" if known == "" and
                       norm(col.header) in stamped(col.role) else
                       "ignored, as the format's own column" if known == "" else "")
    ours = fields(col.role)
    word = _COLUMN_WORDS.get(norm(fold(col.header)))
    if word is not None and norm(word) in ours:
        return word, "guessed from the name: check"
    if not col.filled:
        return "", "empty in this file: ignored"
    candidates = [ours[c] for c in difflib.get_close_matches(
        norm(fold(col.header)), list(ours), n=3, cutoff=0.7)]
    shape = _by_values(col)
    if shape and shape not in candidates and norm(shape) in ours:
        candidates.insert(0, shape)
    hint = ("perhaps " + " or ".join(candidates) + "; " if candidates else "")
    return None, f'not recognised: {hint}name one of our fields, or "" to ignore it'


_URL = re.compile(r"^(https?://)?([\w-]+\.)+[a-z]{2,}(:\d+)?([/?#]\S*)?$", re.I)
_CODE = re.compile(r"^[A-Z]{2}$")
_YEAR = re.compile(r"^(1[0-9]|20)\d\d([.,]0+)?$")


def _by_values(col: Column) -> str | None:
    """A field the values look like (web addresses, country codes, years), or None."""
    values = list(col.values)
    if not values:
        return None
    for rx, name in ((_URL, "website"), (_CODE, "country"), (_YEAR, "foundedYear")):
        if sum(1 for v in values if rx.match(v.strip())) * 10 >= 9 * len(values):
            return name if col.role == "nodes" else ("since" if name == "foundedYear"
                                                     else None)
    return None


def guess_label(value: str) -> tuple[str | None, bool]:
    """(our label, whether it is a guess) for a node type of the file."""
    ours = Mapping().label(value)
    if ours:
        return ours, False
    for w in re.findall(r"[a-z]+", fold(value)):
        if w in _LABEL_WORDS:
            return _LABEL_WORDS[w], True
    return None, True


def guess_type(value: str) -> tuple[str | None, bool]:
    ours = Mapping().rel_type(value)
    if ours:
        return ours, False
    text = norm(fold(value))
    for stem, rel in _TYPE_STEMS:
        if stem in text:
            return rel, True
    return None, True


def guess_value(prop: str, value: str, allowed: tuple[str, ...]) -> str | None:
    words = _VALUE_WORDS.get(prop, {})
    key = fold(value)
    if key in words and words[key] in allowed:
        return words[key]
    close = difflib.get_close_matches(key, [fold(a) for a in allowed], n=1, cutoff=0.75)
    if close:
        return next(a for a in allowed if fold(a) == close[0])
    return None


# -- writing -----------------------------------------------------------------------------------
def _q(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, RFC 8259 / TOML 1.0 "Basic strings";
    TOML also wants DEL escaped)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007F")


def _c(text: str) -> str:
    """Text fit for a comment: one line."""
    return " ".join(str(text).split())


def suggest(command: str, files: list[FileSeen]) -> str:
    """The mapping template for these files, as TOML text."""
    out = [f"# Mapping suggested by `coco import {command} --suggest-mapping` for "
           + ", ".join(f.name for f in files) + ".",
           "# Check every line, fill in what is commented out (remove the '# '), then import",
           "# with --mapping THIS_FILE. Docs: docs/formats.md, 'Mapping files'.", ""]
    fields_of: dict[tuple[str, Role, str], str] = {}  # (file, role, header) -> our field
    for f in files:
        roles = list(dict.fromkeys(role for role, _ in f.columns))
        for role in roles:
            part = f"{role}.columns" if len(roles) > 1 else "columns"  # a file with both
            out.append(f"[files.{_q(f.name)}.{part}]")
            for (r, _), col in f.columns.items():
                if r == role:
                    out.append(_column_line(f.name, col, fields_of))
            out.append("")
    labels, types = _kinds(files, fields_of)
    out += _section("labels", labels, "our label: one of " + ", ".join(SCHEMA.label_names)
                    + ', or "" to leave such nodes out')
    out += _section("types", types, "our relationship type: one of "
                    + ", ".join(SCHEMA.rel_names) + ', or "" to leave them out')
    out += _translations(files, fields_of)
    out += _fixed_label(files)
    out += _defaults(files, fields_of, labels)
    return "\n".join(out).rstrip() + "\n"


def _column_line(file: str, col: Column, fields_of: dict[tuple[str, Role, str], str]) -> str:
    """The mapping line of one column (commented out unless it is a rename to make)."""
    target, why = guess_column(col)
    if target is not None:
        fields_of[(file, col.role, col.header)] = target
    note = f"  # {why}" if why else ""
    if _known(col.header, col.role, col.dialect) is not None:
        # recognised without a mapping: shown, not set
        return (f"# {_q(col.header)} = {_q(target or '')}  # recognised as it is"
                + (f"; {why}" if why else ""))
    if target is None:
        return f'# {_q(col.header)} = ""{note}'
    return f"{_q(col.header)} = {_q(target)}{note}"


def _kinds(files: list[FileSeen], fields_of: dict[tuple[str, Role, str], str]
           ) -> tuple[dict[str, tuple[str | None, bool]], dict[str, tuple[str | None, bool]]]:
    labels: dict[str, tuple[str | None, bool]] = {}
    types: dict[str, tuple[str | None, bool]] = {}
    for f in files:
        for (role, header), col in f.columns.items():
            target = fields_of.get((f.name, role, header))
            if role == "nodes" and target == "label":
                for v in col.values:
                    labels.setdefault(v, guess_label(v))
            elif role == "edges" and target == "type":
                for v in col.values:
                    types.setdefault(v, guess_type(v))
    return labels, types


def _section(name: str, found: dict[str, tuple[str | None, bool]], choices: str
             ) -> list[str]:
    if not found:
        return []
    out = [f"[{name}]"]
    for theirs, (ours, guessed) in found.items():
        if ours is None:
            out.append(f'# {_q(theirs)} = ""  # not recognised: {choices}')
        else:
            out.append(f"{_q(theirs)} = {_q(ours)}" + ("  # guessed from the name: check"
                                                       if guessed else ""))
    return [*out, ""]


def _translations(files: list[FileSeen], fields_of: dict[tuple[str, Role, str], str]
                  ) -> list[str]:
    """The values of properties with allowed values that no rule places, to fill in."""
    unplaced: dict[str, dict[str, str | None]] = {}
    allowed_of: dict[str, tuple[str, ...]] = {}
    for f in files:
        for (role, header), col in f.columns.items():
            target = fields_of.get((f.name, role, header))
            decls = all_props(role).get(norm(target)) if target else None
            allowed = tuple(dict.fromkeys(a for p in decls or () for a in p.allowed or ()))
            if not target or not allowed:
                continue
            allowed_of[target] = allowed
            placed = {loose(a) for a in allowed}  # as the import normalises them
            seen = unplaced.setdefault(target, {})
            for v in col.values:
                if loose(v) not in placed and fold(v) not in {fold(x) for x in seen}:
                    seen[v.strip()] = guess_value(target, v, allowed)
    out = []
    for prop, values in unplaced.items():
        if not values:
            continue
        out += [f"[translate.{prop}]  # the file's value = ours: one of "
                + ", ".join(allowed_of[prop])]
        for theirs, ours in values.items():
            hint = "  # a guess: check" if ours else ""
            out.append(f"# {_q(theirs)} = {_q(ours or '')}{hint}")
        out.append("")
    return out


def _fixed_label(files: list[FileSeen]) -> list[str]:
    """Nodes without a type column need one label for all (``[nodes.values] label``)."""
    bare = [f"{f.name} ({f.unlabelled:,} nodes)" for f in files if f.unlabelled]
    if not bare:
        return []
    return ["# [nodes.values]  # nodes without a type column: " + ", ".join(bare)
            + "; uncomment both lines to give them all one label",
            '# label = ""  # one of ' + ", ".join(SCHEMA.label_names), ""]


def _defaults(files: list[FileSeen], fields_of: dict[tuple[str, Role, str], str],
              labels: dict[str, tuple[str | None, bool]]) -> list[str]:
    """Commented ``[defaults.LABEL]`` for recommended properties some rows of it lack."""
    lacking: dict[str, dict[str, int]] = {}
    for f in files:
        by_field = {fields_of[(f.name, "nodes", h)]: h for (role, h) in f.columns
                    if role == "nodes" and (f.name, "nodes", h) in fields_of}
        for value, have in f.rows:
            label = labels.get(value, (None, False))[0] if value is not None else None
            if label is None:
                continue
            for p in SCHEMA.node_properties(label).values():
                if not (getattr(p, "recommended", False) or p.required) or p.stamped \
                        or p.name == "name":
                    continue
                header = by_field.get(p.name)
                if header is None or header not in have:
                    counts = lacking.setdefault(label, {})
                    counts[p.name] = counts.get(p.name, 0) + 1
    out = []
    for label, counts in lacking.items():
        out.append(f"# [defaults.{label}]  # for {label} rows without a value; uncomment both "
                   "lines to use")
        spec = SCHEMA.node_properties(label)
        for name, n in counts.items():
            prop = spec[name]
            what = ("one of " + ", ".join(prop.allowed)) if prop.allowed else \
                _c(prop.description or prop.expected())
            rows = "1 row lacks" if n == 1 else f"{n} rows lack"
            out.append(f'# {name} = ""  # {rows} it; {what}')
        out.append("")
    return out


def read_for_suggestion(command: str, files: list[tuple[Role | None, Path]],
                        encoding: str | None, problems: Problems) -> list[FileSeen]:
    """Read the files as ``coco import COMMAND`` would, into :class:`FileSeen` summaries."""
    return [observe(path.name, _blocks(command, role, path, encoding, problems))
            for role, path in files]


def _blocks(command: str, role: Role | None, path: Path, encoding: str | None,
            problems: Problems) -> Iterator[tuple[Role, Dialect, Table]]:
    if command in ("csv", "jsonl", "xlsx"):
        from coco_atlas.importers.tables import Format, _tables

        assert role is not None
        fmt = cast(Format, command)  # one of the three, checked just above
        for t in _tables(path, fmt, role, problems, encoding, None):
            yield role, GENERIC, t
    elif command == "kumu":
        from coco_atlas.importers.kumu import KUMU, _read

        for r, t in _read(path, Mapping(), problems, encoding, {}):
            yield r, KUMU, t
    else:
        yield from _gephi(path, encoding, problems)


def _gephi(path: Path, encoding: str | None, problems: Problems
           ) -> Iterator[tuple[Role, Dialect, Table]]:
    from coco_atlas.importers.gephi import SHEET, _role
    from coco_atlas.importers.gexf import GEXF, GexfReader
    from coco_atlas.importers.graphml import GRAPHML, GraphmlReader
    from coco_atlas.importers.readers import csv_header, read_csv, readable, text_file, xml_file

    suffix = path.suffix.lower()
    if suffix in (".gexf", ".graphml", ".xml"):
        if not readable(path, problems) or not xml_file(path, N_("an XML file"), problems):
            return
        reader = (GexfReader if suffix == ".gexf" else GraphmlReader)(path, problems, None)
        dialect = GEXF if suffix == ".gexf" else GRAPHML
        for t in reader.nodes():
            yield "nodes", dialect, t
        for t in reader.edges():
            yield "edges", dialect, t
    elif readable(path, problems) and text_file(path, N_("a CSV text file"), problems):
        role = _role(csv_header(path, encoding))
        if role is None:
            problems.add(Location(str(path)), N_("a Gephi nodes table (Id column) or edges "
                         "table (Source and Target columns)"))
            return
        for t in read_csv(path, problems, encoding=encoding):
            yield role, SHEET, t
