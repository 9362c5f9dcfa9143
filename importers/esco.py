"""ESCO skills in: Competence nodes keyed by conceptUri, their alternative labels, BROADER links.

ESCO v1.2 CSV downloads (esco.ec.europa.eu, "Download"; the columns are those of the files):

* ``skills_en.csv``: ``conceptType, conceptUri, skillType, reuseLevel, preferredLabel,
  altLabels, hiddenLabels, status, modifiedDate, scopeNote, definition, inScheme, description``
  — ``altLabels`` holds one label per line inside a quoted cell;
* ``skillGroups_en.csv`` (optional): the skill groups of the hierarchy, same kind of columns;
* ``broaderRelationsSkillPillar_en.csv``: ``conceptType, conceptUri, broaderType, broaderUri``.

Each concept becomes a Competence with ``id`` = conceptUri, ``name`` = preferredLabel and
``altLabels`` (searchable); each broader relation a BROADER edge from the narrower concept. The
hierarchy file covers the whole skills pillar, so relations whose concepts are neither imported
nor already in the store are skipped and counted (import the skill groups to keep them).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from graph.store import Store
from importers.errors import Problems
from importers.load import ImportReport, Input, Progress, run_import
from importers.mapping import Mapping
from importers.readers import read_csv
from importers.records import Dialect, Table

_IGNORED = ("concepttype", "hiddenlabels", "status", "modifieddate", "scopenote", "definition",
            "inscheme", "code", "broadertype")
ESCO = Dialect(
    nodes={"concepturi": "id", "preferredlabel": "name", "skilltype": "skillType",
           "reuselevel": "reuseLevel", "altlabels": "altLabels", "description": "description",
           **dict.fromkeys(_IGNORED, "")},
    edges={"concepturi": "source", "broaderuri": "target", **dict.fromkeys(_IGNORED, "")},
)
FIXED = {"nodes": {"label": "Competence"}, "edges": {"type": "BROADER"}}


def import_esco(store: Store, *, skills: str | Path, broader: str | Path | None = None,
                groups: str | Path | None = None, source: str | None = None,
                dry_run: bool = False, progress: Progress | None = None) -> ImportReport:
    """Import ESCO skills (and skill groups, and the hierarchy), all or nothing."""
    problems = Problems()
    mapping = Mapping(values={"nodes": dict(FIXED["nodes"]), "edges": dict(FIXED["edges"])})
    read = progress.read if progress else None
    concepts: set[str] = set()
    inputs = [Input("nodes", _concepts(read_csv(p, problems, progress=read), concepts), ESCO)
              for p in (skills, groups) if p is not None]
    if broader is not None:
        relations = read_csv(broader, problems, progress=read)
        inputs.append(Input("edges", _known(relations, concepts, store, problems), ESCO))
    files = [p for p in (skills, groups, broader) if p is not None]
    source = source or "import esco " + " ".join(Path(p).name for p in files)
    return run_import(store, inputs, mapping=mapping, problems=problems, source=source,
                      dry_run=dry_run, progress=progress)


def _concepts(tables: Iterator[Table], seen: set[str]) -> Iterator[Table]:
    """Concept blocks with ``altLabels`` split by line (ESCO) into our ``|`` list; the URIs
    are remembered for the hierarchy."""
    for table in tables:
        names = [h.strip().lower() for h in table.header]
        if "concepturi" in names:
            seen.update(str(v).strip() for v in table.columns[names.index("concepturi")]
                        if v)
        if "altlabels" in names:
            i = names.index("altlabels")
            table.columns[i] = ["|".join(line for line in str(v).splitlines() if line.strip())
                                if v else v for v in table.columns[i]]
        yield table


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
        problems.notes.append(
            f"{skipped:,} broader relation{'s' if skipped != 1 else ''} skipped: a concept at "
            "one end is neither in the imported files nor in the store (the skill groups "
            "file holds most of them)")
