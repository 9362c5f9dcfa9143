"""Loading a whole graph into a stopped Neo4j at disk speed, with Neo4j's own import tool.

``neo4j-admin database import full`` (https://neo4j.com/docs/operations-manual/5/tools/
neo4j-admin/neo4j-admin-import/) builds a database's store files directly from CSV files,
without transactions: far faster than any Bolt client, but only into a database that is not
running, and replacing it whole. Here the graph of any store is written as those CSV files
(one node file per label, one relationship file per type, headers typed from the schema), the
tool is run from the dev server's Maven-built class path (``neo4j-import-tool`` is one of the
``org.neo4j:neo4j`` artefacts' dependencies, graph/neo4j/server), and the caller checks the
counts by opening the loaded database.

The layout is Neo4j's default under a home directory: ``HOME/data/databases/<name>`` and
``HOME/data/transactions/<name>``, which is what the dev server (``coco neo4j-dev
--data-dir HOME``) and a Neo4j installation's ``NEO4J_HOME`` use.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coco_atlas.graph.store import Store
from coco_atlas.schema import SCHEMA, PropType
from coco_atlas.schema.messages import N_, Msg

if TYPE_CHECKING:  # the embedded store's module is loaded only when its path is taken
    from coco_atlas.graph.embedded.csvlines import Columns, Snapshot

# neo4j-admin import's value types (the CSV header's ``name:type``); dates stay ISO strings,
# as both stores keep them
TYPES = {PropType.STRING: "string", PropType.DATE: "string", PropType.DATETIME: "string",
         PropType.INT: "long", PropType.FLOAT: "double", PropType.BOOL: "boolean",
         PropType.STRING_LIST: "string[]"}
ARRAY = "\x1f"  # the unit separator splits lists and labels: no value contains it
STAMPS = ("source", "updatedAt")


class LoadFailed(RuntimeError):
    """The import tool refused the files or the database; the message says why."""


@dataclass
class Written:
    """The CSV files written: the tool's arguments, the records, and whether a value spans
    lines (the tool reads fields across lines only when told, at a cost: it then parses each
    file on one thread)."""

    args: list[str]
    records: int
    multiline: bool


def write_csv(source: Store, folder: Path, *,
              progress: Callable[[str], Any] = lambda text: None) -> Written:
    """The graph of ``source`` as the import tool's CSV files in ``folder``: one node file per
    label, one relationship file per type, headers typed from the schema.

    Nodes are keyed by integers (``--id-type=integer``: the tool then needs no map from text
    ids to its own, the largest part of its work on relationships); each node's text ``id``
    is a property column. The embedded store's lines are built by SQLite
    (:mod:`coco_atlas.graph.embedded.csvlines`); any other store's are formatted here."""
    from coco_atlas.graph.embedded.store import EmbeddedStore

    if isinstance(source, EmbeddedStore):
        return _from_sqlite(source.path, folder, progress)
    return _from_store(source, folder, progress)


def _node_header(label: str) -> tuple[list[str], list[str]]:
    """The properties of a node file (its id aside) and its header."""
    declared = SCHEMA.node_properties(label)
    props = [p for p in declared if p != "id"]
    return props, [":ID", "id:string", ":LABEL", *_header(props, declared)]


def _rel_header(rel: str) -> tuple[list[str], list[str]]:
    declared = SCHEMA.rel_properties(rel)
    props = list(declared)
    return props, [":START_ID", ":END_ID", ":TYPE", *_header(props, declared)]


WORKERS = 2  # processes building lines (threads, contending in SQLite, were slower than one)
SOURCE_PARTS = 6  # slices of the relationships, handed to whichever process is free
TRIES = 3  # writings begun again when the store changed under them


class _Changed(Exception):
    """A worker's read transaction saw another state of the store than the first one."""


def _from_sqlite(path: Path, folder: Path, progress: Callable[[str], Any]) -> Written:
    """The embedded store's files, built by :data:`WORKERS` processes. The jobs — a node file
    per label, biggest first, then slices of the relationships by source, each in files of its
    own (the tool reads several per type) — go to whichever process is free; each reads in a
    read transaction of its own and checks that it sees the state the plan was made from (the
    store's version, which every write raises). Large demo, 3.9M records, 2 cores: the files
    in 6.8 s on two processes where one took 13.0 s; on two threads the lines alone took
    18.1 s, 10.9 s on one (SQLite's statements then contend for its global allocator mutex)."""
    from coco_atlas.graph.embedded.csvlines import snapshot

    for _ in range(TRIES):
        with snapshot(path) as snap:
            sizes, parts = dict(snap.label_sizes()), snap.source_ranges(SOURCE_PARTS)
            version = snap.version()
        nodes = {label: _columns(_node_header(label)[0], SCHEMA.node_properties(label))
                 for label in SCHEMA.label_names}
        rels = {rel: _columns(_rel_header(rel)[0], SCHEMA.rel_properties(rel))
                for rel in SCHEMA.rel_names}
        # biggest first, so that the two processes end together
        big, *small = sorted(nodes, key=lambda name: -sizes.get(name, 0))
        jobs: list[tuple[str, Any, Any]] = [
            ("nodes", big, nodes[big]), *(("edges", part, rels) for part in enumerate(parts)),
            ("newline", None, None), *(("check", label, None) for label in nodes),
            *(("nodes", label, nodes[label]) for label in small)]
        try:
            done = _run_jobs(path, version, folder, jobs)
        except _Changed:
            continue
        for kind, _, unknown in done:
            if kind == "check" and unknown:
                raise LoadFailed(_undeclared(Msg(N_("node {id}"), id=repr(unknown[0])),
                                             str(unknown[1])))
        counted = {kind: sum(n for k, n, _ in done if k == kind) for kind in ("nodes", "edges")}
        progress(f"nodes: {counted['nodes']:,} records written")
        progress(f"edges: {counted['nodes'] + counted['edges']:,} records written")
        args = sorted((a for k, _, files in done if k in counted for a in files),
                      key=lambda a: (not a.startswith("--nodes"), a))
        multiline = any(found for k, _, found in done if k == "newline")
        return Written(args, counted["nodes"] + counted["edges"], multiline)
    raise LoadFailed(Msg(N_("{store}: written to {n} times while the import tool's files were "
                            "being made; try again when it is quieter"), store=str(path),
                         n=TRIES))


def _run_jobs(path: Path, version: object, folder: Path,
              jobs: list[tuple[str, Any, Any]]) -> list[tuple[str, Any, Any]]:
    """Each job on a pool of processes, taken in order as they come free (forkserver: the
    caller may hold threads and locks; a script calling this needs multiprocessing's
    ``if __name__ == "__main__":`` guard)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context(
            "forkserver")) as pool:
        futures = [pool.submit(_csv_job, path, version, folder, *job) for job in jobs]
        try:
            return [f.result() for f in futures]
        except BaseException:  # the jobs not begun are dropped, the running ones waited for
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _csv_job(path: Path, version: object, folder: Path, kind: str, what: Any,
             columns: Any) -> tuple[str, Any, Any]:
    """One job, in a worker process: a node file (kind, records, the tool's arguments), a
    slice of the relationships into files of its own (the same), whether any value holds a
    line break ("newline", None, bool), a label's first undeclared property ("check", label,
    (id, property) or None). Each reads in a read transaction of its own and first checks
    that it sees the state the caller planned for."""
    from coco_atlas.graph.embedded.csvlines import snapshot

    with snapshot(path) as snap:
        if snap.version() != version:
            raise _Changed
        if kind == "newline":
            return kind, None, snap.has_newline()
        if kind == "check":
            return kind, what, snap.unknown_property(what, ["id", *_node_header(what)[0]])
        if kind == "nodes":
            file = folder / f"nodes-{what}.csv"
            records = 0
            with file.open("w", encoding="utf-8", newline="") as f:
                f.write(",".join(_node_header(what)[1]) + "\n")
                for batch in snap.node_lines(what, columns, f"Entity{ARRAY}{what}"):
                    f.write("\n".join(batch) + "\n")
                    records += len(batch)
            return kind, records, [f"--nodes={file}"]
        return kind, *_edge_files(snap, folder, what, columns)


def _edge_files(snap: Snapshot, folder: Path, what: tuple[int, tuple[int, int]],
                columns: dict[str, Columns]) -> tuple[int, list[str]]:
    """The relationships whose source is in one slice, a file per type that has any."""
    (part, sources), records, files = what, 0, {}
    try:
        for rel, batch in snap.edge_lines(columns, sources):
            if rel not in files:
                files[rel] = (folder / f"rels-{rel}.{part}.csv").open(
                    "w", encoding="utf-8", newline="")
                files[rel].write(",".join(_rel_header(rel)[1]) + "\n")
            files[rel].write("\n".join(batch) + "\n")
            records += len(batch)
    finally:
        for f in files.values():
            f.close()
    return records, [f"--relationships={f.name}" for f in files.values()]


def _columns(props: list[str], declared: dict[str, Any]) -> Columns:
    from coco_atlas.graph.embedded.csvlines import Columns

    kinds: dict[PropType, set[str]] = {}
    for p in props:
        kinds.setdefault(declared[p].type if p in declared else PropType.STRING, set()).add(p)
    text = {PropType.STRING, PropType.DATE, PropType.DATETIME}
    return Columns(props, frozenset(p for t in text for p in kinds.get(t, ())),
                   frozenset(kinds.get(PropType.BOOL, ())),
                   frozenset(kinds.get(PropType.STRING_LIST, ())), ARRAY)


def _from_store(source: Store, folder: Path, progress: Callable[[str], Any]) -> Written:
    """Any store, read through the Store contract; nodes numbered as they are written."""
    args: list[str] = []
    key: dict[str, int] = {}
    multiline = False
    for label in SCHEMA.label_names:
        props, header = _node_header(label)
        path = folder / f"nodes-{label}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            out = csv.writer(f)
            out.writerow(header)
            labels = f"Entity{ARRAY}{label}"  # the tool splits labels as it splits lists
            for node in source.iter_nodes(label):
                _check(node.props, props, Msg(N_("node {id}"), id=repr(node.id)))
                row = [len(key), node.id, labels, *(_cell(node.props.get(p)) for p in props)]
                multiline = multiline or _spans_lines(row)
                key[node.id] = len(key)
                out.writerow(row)
        args.append(f"--nodes={path}")
        progress(f"nodes: {len(key):,} records written")
    records = len(key)
    for rel in SCHEMA.rel_names:
        props, header = _rel_header(rel)
        path = folder / f"rels-{rel}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            out = csv.writer(f)
            out.writerow(header)
            for e in source.iter_edges(rel):
                _check(e.props, props, Msg(N_("edge {id}"), id=repr(e.key)))
                ends = key.get(e.source), key.get(e.target)
                if None in ends:
                    raise LoadFailed(Msg(N_("edge {id} joins a node that was not written"),
                                         id=repr(e.key)))
                row = [*ends, rel, *(_cell(e.props.get(p)) for p in props)]
                multiline = multiline or _spans_lines(row)
                out.writerow(row)
                records += 1
        args.append(f"--relationships={path}")
        progress(f"edges: {records:,} records written")
    return Written(args, records, multiline)


def _spans_lines(row: list[Any]) -> bool:
    return any(isinstance(v, str) and ("\n" in v or "\r" in v) for v in row)


def _header(names: list[str], declared: dict[str, Any]) -> list[str]:
    return [f"{n}:{TYPES[declared[n].type]}" if n in declared else f"{n}:string" for n in names]


def _check(props: dict[str, Any], names: list[str], what: str) -> None:
    unknown = set(props) - set(names)
    if unknown:
        raise LoadFailed(_undeclared(what, ", ".join(sorted(unknown))))


def _undeclared(what: str, names: str) -> Msg:
    return Msg(N_("{what} has properties the schema does not declare: {names}"), what=what,
               names=names)


def _cell(value: Any) -> Any:
    """An empty cell is no property; lists join with :data:`ARRAY`; booleans as the tool
    reads them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ARRAY.join(map(str, value))
    return value


def run_import(home: Path, written: Written, *, database: str = "neo4j", heap: str = "1g",
               overwrite: bool = False) -> str:
    """Run ``neo4j-admin database import full`` on the database under ``home`` (stopped);
    its report (the last lines of its output)."""
    from coco_atlas.graph.neo4j.server.launcher import build

    lib = build().parent / "lib"  # the import tool is among the dev server's Maven artefacts
    home.mkdir(parents=True, exist_ok=True)
    conf = Path(tempfile.mkdtemp(prefix="coco-neo4j-conf-"))  # the tool's config and report
    (conf / "neo4j.conf").write_text("", encoding="utf-8")
    cmd = ["java", f"-Xmx{heap}", "-cp", str(lib / "*"), "org.neo4j.cli.AdminTool",
           "database", "import", "full", database, f"--array-delimiter={ARRAY}",
           f"--report-file={conf / 'import.report'}",  # not import.report in the cwd
           f"--multiline-fields={str(written.multiline).lower()}", "--id-type=integer",
           "--skip-bad-relationships=false",
           *(["--overwrite-destination=true"] if overwrite else []), *written.args]
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(conf)}
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    finally:
        shutil.rmtree(conf, ignore_errors=True)
    text = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith(".")]
        raise LoadFailed(Msg(N_("neo4j-admin database import refused the load: {why}"),
                             why=" / ".join(lines[-3:])[:600]))
    return "\n".join(text.splitlines()[-6:])
