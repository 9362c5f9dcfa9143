"""ESCO skills in: Competence nodes keyed by conceptUri, their labels in every language, BROADER.

ESCO v1.2 CSV downloads (esco.ec.europa.eu, "Download"; the columns are those of the files), one
file per language, the language in the file name:

* ``skills_<lang>.csv``: ``conceptType, conceptUri, skillType, reuseLevel, preferredLabel,
  altLabels, hiddenLabels, status, modifiedDate, scopeNote, definition, inScheme, description``
  — ``altLabels`` holds one label per line inside a quoted cell;
* ``skillGroups_<lang>.csv`` (optional): the skill groups of the hierarchy, same kind of columns;
* ``broaderRelationsSkillPillar_<lang>.csv``: ``conceptType, conceptUri, broaderType,
  broaderUri`` (the same in every language).

ESCO publishes one concept under one URI in all EU languages, so the files of several languages
describe the same concepts: their labels are merged onto one Competence per conceptUri, as
``name_<lang>`` and ``altLabels_<lang>`` (BCP 47 tags, :mod:`schema.languages`). ``name`` and
``altLabels``, the display pair any reader falls back to, are the English ones when an English
file comes, else, for a concept new to the store, those of the first language given in the
order of :data:`schema.languages.LANGUAGES`; a concept already stored keeps its display name.
``description`` is taken from the English file only (it is not kept per language). Importing a
language again updates its labels; an unchanged file changes nothing (idempotent).

Each broader relation becomes a BROADER edge from the narrower concept. The hierarchy file covers
the whole skills pillar, so relations whose concepts are neither imported nor already in the
store are skipped and counted (import the skill groups to keep them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from coco_atlas.graph.store import Store
from coco_atlas.importers.errors import Location, Problems
from coco_atlas.importers.load import ImportReport, Input, Progress, run_import
from coco_atlas.importers.mapping import Mapping
from coco_atlas.importers.readers import read_csv
from coco_atlas.importers.records import Dialect, Table
from coco_atlas.importers.values import LIST_SEPARATOR
from coco_atlas.schema import SCHEMA
from coco_atlas.schema.languages import DEFAULT, LANGUAGES, normalise
from coco_atlas.schema.messages import N_, Msg, Np_, Num

COMPETENCE = "Competence"
NAMES = SCHEMA.translations(COMPETENCE)["name"]
ALT = SCHEMA.translations(COMPETENCE)["altLabels"]
_PROPS = SCHEMA.node_properties(COMPETENCE)
_IGNORED = ("concepttype", "hiddenlabels", "status", "modifieddate", "scopenote", "definition",
            "inscheme", "code", "broadertype")
ESCO = Dialect(edges={"concepturi": "source", "broaderuri": "target",
                      **dict.fromkeys(_IGNORED, "")})
FIXED = {"nodes": {"label": COMPETENCE}, "edges": {"type": "BROADER"}}
# skills_pl.csv, skillGroups_de.csv, skills_pt-BR.csv: the tag before the extension.
_FILE_LANG = re.compile(r"_([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)\.csv$", re.IGNORECASE)
_NEUTRAL = ("skillType", "reuseLevel")
_BLOCK = 20_000  # concepts per table handed to the loader


def file_language(path: str | Path, lang: str | None = None) -> str | None:
    """The language of an ESCO file: ``lang`` when given, else the tag in its name."""
    if lang:
        return normalise(lang)
    found = _FILE_LANG.search(Path(path).name)
    return normalise(found.group(1)) if found else None


@dataclass
class _Concept:
    """What the files say of one concept: where it first came, its labels per language."""

    where: Location
    row: int
    props: dict[str, object] = field(default_factory=dict)
    names: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # lang: (pref, alts)


def import_esco(store: Store, *, skills: Sequence[str | Path] | str | Path,
                broader: str | Path | None = None,
                groups: Sequence[str | Path] | str | Path | None = None,
                lang: str | None = None, source: str | None = None, dry_run: bool = False,
                progress: Progress | None = None) -> ImportReport:
    """Import ESCO skills and skill groups in one or more languages (and the hierarchy), all
    or nothing; ``lang`` names the language of files whose name does not say it."""
    problems = Problems()
    mapping = Mapping(values={"nodes": dict(FIXED["nodes"]), "edges": dict(FIXED["edges"])})
    read = progress.read if progress else None
    concept_files = [*_paths(skills), *_paths(groups)]
    concepts: dict[str, _Concept] = {}
    for path in concept_files:
        file_lang = file_language(path, lang)
        if file_lang is None:
            problems.add(Location(str(path)), Msg(
                N_("a language: a file name ending in _<lang>.csv (skills_pl.csv) or --lang, "
                   "one of {languages}"), languages=", ".join(LANGUAGES)),
                lang or Path(path).name)
            continue
        _read_concepts(read_csv(path, problems, progress=read), file_lang, concepts, problems)
    problems.raise_if_any()
    stored = set(store.get_nodes(list(concepts))) if concepts else set()
    inputs = [Input("nodes", _tables(concepts, stored))]
    if broader is not None:
        relations = read_csv(broader, problems, progress=read)
        inputs.append(Input("edges", _known(relations, set(concepts), store, problems), ESCO))
    files = [*concept_files, *([broader] if broader is not None else [])]
    source = source or "import esco " + " ".join(Path(p).name for p in files)
    return run_import(store, inputs, mapping=mapping, problems=problems, source=source,
                      dry_run=dry_run, progress=progress)


def _paths(given: Sequence[str | Path] | str | Path | None) -> list[str | Path]:
    if given is None:
        return []
    return [given] if isinstance(given, (str, Path)) else list(given)


def _read_concepts(tables: Iterator[Table], lang: str, concepts: dict[str, _Concept],
                   problems: Problems) -> None:
    """Gather one file's labels into ``concepts``; problems name file, row and column."""
    pref_spec, alt_spec = _PROPS[NAMES[lang]], _PROPS[ALT[lang]]
    seen: dict[str, int] = {}
    for table in tables:
        names = [h.strip().lower() for h in table.header]
        col = {n: table.columns[i] for i, n in enumerate(names)}
        missing = [c for c in ("conceptUri", "preferredLabel") if c.lower() not in col]
        if missing:
            for c in missing:
                problems.add(table.where.at(table.header_row), Msg(
                    N_("a column {name} (ESCO's layout); the columns are {columns}"),
                    name=repr(c), columns=", ".join(map(repr, table.header))))
            return
        uris, prefs = col["concepturi"], col["preferredlabel"]
        alts = col.get("altlabels")
        for k, row in enumerate(table.rows):
            uri = str(uris[k] or "").strip()
            if not uri:
                problems.add(table.where.at(row, "conceptUri"), N_("a concept URI"))
                continue
            if uri in seen:
                problems.add(table.where.at(row, "conceptUri"), Msg(
                    N_("a concept given once per language, but row {row} has it too"),
                    row=seen[uri]), uri)
                continue
            seen[uri] = row
            pref = str(prefs[k] or "").strip()
            if not pref:
                problems.add(table.where.at(row, "preferredLabel"), N_("a preferred label"))
                continue
            if len(pref) > pref_spec.max_length:
                problems.add(table.where.at(row, "preferredLabel"),
                             Msg(N_("at most {n} characters"), n=Num(pref_spec.max_length)),
                             pref[:80] + "…")
                continue
            labels = [s.strip() for s in str(alts[k] or "").splitlines() if s.strip()] \
                if alts is not None else []
            if len(labels) > alt_spec.max_items or any(
                    len(s) > alt_spec.max_length or LIST_SEPARATOR in s for s in labels):
                problems.add(table.where.at(row, "altLabels"), Msg(
                    N_("at most {n} labels, one per line, each of at most {length} characters "
                       "without {separator}"), n=Num(alt_spec.max_items),
                    length=Num(alt_spec.max_length), separator=repr(LIST_SEPARATOR)),
                    "; ".join(labels)[:80])
                continue
            concept = concepts.get(uri)
            if concept is None:
                concept = concepts[uri] = _Concept(table.where, row)
            concept.names[lang] = (pref, labels)
            for prop in _NEUTRAL:
                value = col.get(prop.lower())
                if value is not None and value[k] and prop not in concept.props:
                    concept.props[prop] = str(value[k]).strip()
            desc = col.get("description")
            if lang == DEFAULT and desc is not None and desc[k]:
                concept.props["description"] = str(desc[k]).strip()


def _tables(concepts: dict[str, _Concept], stored: set[str]) -> Iterator[Table]:
    """The merged concepts as tables of our own fields, one per file where concepts first
    came (so that a problem the loader finds names that file and row)."""
    header = ["id", "name", "altLabels", *_NEUTRAL, "description",
              *(p for lang in LANGUAGES for p in (NAMES[lang], ALT[lang]))]
    by_file: dict[Location, list[tuple[str, _Concept]]] = {}
    for uri, concept in concepts.items():
        by_file.setdefault(concept.where, []).append((uri, concept))
    for where, items in by_file.items():
        for start in range(0, len(items), _BLOCK):
            block = items[start:start + _BLOCK]
            rows = [_row(uri, c, uri in stored) for uri, c in block]
            columns = [list(col) for col in zip(*rows, strict=True)] if rows else \
                [[] for _ in header]
            yield Table(where, header, columns, [c.row for _, c in block])


def _row(uri: str, concept: _Concept, stored: bool) -> list[str | None]:
    """One concept as cells of :func:`_tables`' header; None leaves a property as it is."""
    names = concept.names
    display = DEFAULT if DEFAULT in names else None
    if display is None and not stored:
        display = next(lang for lang in LANGUAGES if lang in names)
    pref, alts = names[display] if display else (None, None)
    cells: list[str | None] = [uri, pref, LIST_SEPARATOR.join(alts) if alts else None]
    cells += [_text(concept.props.get(p)) for p in (*_NEUTRAL, "description")]
    for lang in LANGUAGES:
        label, alt = names.get(lang, (None, []))
        cells += [label, LIST_SEPARATOR.join(alt) if alt else None]
    return cells


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _known(tables: Iterator[Table], concepts: set[str], store: Store,
           problems: Problems) -> Iterator[Table]:
    """Relations whose two concepts exist (imported now or already stored); the rest skipped."""
    skipped = 0
    for table in tables:
        names = [h.strip().lower() for h in table.header]
        if "concepturi" not in names or "broaderuri" not in names:
            yield table  # the generic checks name the missing column
            continue
        ends = [table.columns[names.index(c)] for c in ("concepturi", "broaderuri")]
        refs = {str(v).strip() for col in ends for v in col if v}
        stored = set(store.get_nodes(sorted(refs - concepts)))
        known = concepts | stored
        keep = [k for k in range(len(table.rows))
                if all(not c[k] or str(c[k]).strip() in known for c in ends)]
        skipped += len(table.rows) - len(keep)
        yield Table(table.where, table.header, [[c[k] for k in keep] for c in table.columns],
                    [table.rows[k] for k in keep], text=table.text)
    if skipped:
        problems.notes.append(Msg(Np_(
            "{n} broader relation skipped: a concept at one end is neither in the imported "
            "files nor in the store (the skill groups file holds most of them)",
            "{n} broader relations skipped: a concept at one end is neither in the imported "
            "files nor in the store (the skill groups file holds most of them)"), n=Num(skipped)))
