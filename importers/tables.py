"""Generic tables in: nodes and edges from CSV, JSON Lines or XLSX files with our own columns.

Node columns: ``id``, ``label``, ``name`` and any property of the schema; edge columns:
``source``, ``target``, ``type`` and any relationship property. A mapping file renames other
columns and fills fixed values (:mod:`importers.mapping`). See ``docs/formats.md``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal

from coco_atlas.graph.store import Store
from coco_atlas.importers.errors import Problems
from coco_atlas.importers.load import ImportReport, Input, Progress, run_import
from coco_atlas.importers.mapping import load_mapping
from coco_atlas.importers.readers import check_encoding, read_csv, read_jsonl, read_xlsx
from coco_atlas.importers.records import GENERIC, Table
from coco_atlas.importers.refine import Refiner
from coco_atlas.schema.messages import N_, Msg

Format = Literal["csv", "jsonl", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "jsonl", "xlsx")


def import_tables(store: Store, *, nodes: Sequence[str | Path] = (),
                  edges: Sequence[str | Path] = (), format: Format = "csv",
                  mapping: str | Path | None = None, source: str | None = None,
                  dry_run: bool = False, encoding: str | None = None,
                  progress: Progress | None = None, strict: bool = False) -> ImportReport:
    """Import node and edge tables into ``store``: all or nothing, idempotent.

    Raises :class:`~importers.errors.ImportFailed` naming file, row and column of every
    problem; nothing is written then.
    """
    problems = Problems()
    mapped = load_mapping(mapping, problems)
    check_encoding(encoding, problems)
    files = [*nodes, *edges]
    if not files:
        raise ValueError(Msg(N_("nothing to import: give --nodes and/or --edges files")))
    refiner = Refiner(mapped, problems)
    inputs = [Input("nodes", refiner.tables(_tables(p, format, "nodes", problems, encoding,
                                                    progress), "nodes", GENERIC))
              for p in nodes]
    inputs += [Input("edges", refiner.tables(_tables(p, format, "edges", problems, encoding,
                                                     progress), "edges", GENERIC))
               for p in edges]
    source = source or f"import {format} " + " ".join(Path(p).name for p in files)
    report = run_import(store, inputs, mapping=mapped, problems=problems, source=source,
                        dry_run=dry_run, progress=progress, strict=strict)
    report.notes.extend(refiner.notes())
    return report


def _tables(path: str | Path, format: Format, role: str, problems: Problems,
            encoding: str | None, progress: Progress | None) -> Iterator[Table]:
    read = progress.read if progress else None
    if format == "csv":
        yield from read_csv(path, problems, encoding=encoding, progress=read)
    elif format == "jsonl":
        yield from read_jsonl(path, problems, progress=read)
    else:
        for _, blocks in read_xlsx(path, problems, role=role):
            yield from blocks
