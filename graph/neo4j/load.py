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
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from coco_atlas.graph.store import Store
from coco_atlas.schema import SCHEMA, PropType

# neo4j-admin import's value types (the CSV header's ``name:type``); dates stay ISO strings,
# as both stores keep them
TYPES = {PropType.STRING: "string", PropType.DATE: "string", PropType.DATETIME: "string",
         PropType.INT: "long", PropType.FLOAT: "double", PropType.BOOL: "boolean",
         PropType.STRING_LIST: "string[]"}
ARRAY = "\x1f"  # the unit separator splits lists and labels: no value contains it
STAMPS = ("source", "updatedAt")


class LoadFailed(RuntimeError):
    """The import tool refused the files or the database; the message says why."""


def write_csv(source: Store, folder: Path, *,
              progress: Callable[[str], Any] = lambda text: None) -> tuple[list[str], int]:
    """The tool's arguments for the CSV files written into ``folder``, and the records."""
    args: list[str] = []
    records = 0
    for label in SCHEMA.label_names:
        props = [p for p in SCHEMA.node_properties(label) if p != "id"]
        path = folder / f"nodes-{label}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            out = csv.writer(f)
            out.writerow(["id:ID", ":LABEL", *_header(props, SCHEMA.node_properties(label))])
            labels = f"Entity{ARRAY}{label}"  # the tool splits labels as it splits lists
            for node in source.iter_nodes(label):
                _check(node.props, props, f"node {node.id!r}")
                out.writerow([node.id, labels, *(_cell(node.props.get(p)) for p in props)])
                records += 1
        args.append(f"--nodes={path}")
        progress(f"nodes: {records:,} records written")
    for rel in SCHEMA.rel_names:
        props = list(SCHEMA.rel_properties(rel))
        path = folder / f"rels-{rel}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            out = csv.writer(f)
            out.writerow([":START_ID", ":END_ID", ":TYPE",
                          *_header(props, SCHEMA.rel_properties(rel))])
            for e in source.iter_edges(rel):
                _check(e.props, props, f"edge {e.key!r}")
                out.writerow([e.source, e.target, rel, *(_cell(e.props.get(p)) for p in props)])
                records += 1
        args.append(f"--relationships={path}")
        progress(f"edges: {records:,} records written")
    return args, records


def _header(names: list[str], declared: dict[str, Any]) -> list[str]:
    return [f"{n}:{TYPES[declared[n].type]}" if n in declared else f"{n}:string" for n in names]


def _check(props: dict[str, Any], names: list[str], what: str) -> None:
    unknown = set(props) - set(names)
    if unknown:
        raise LoadFailed(f"{what} has properties the schema does not declare: "
                         f"{', '.join(sorted(unknown))}")


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


def run_import(home: Path, args: list[str], *, database: str = "neo4j", heap: str = "1g",
               overwrite: bool = False) -> str:
    """Run ``neo4j-admin database import full`` on the database under ``home`` (stopped);
    its report (the last lines of its output)."""
    from coco_atlas.graph.neo4j.server.launcher import build

    lib = build().parent / "lib"  # the import tool is among the dev server's Maven artefacts
    home.mkdir(parents=True, exist_ok=True)
    conf = Path(tempfile.mkdtemp(prefix="coco-neo4j-conf-"))
    (conf / "neo4j.conf").write_text("", encoding="utf-8")
    cmd = ["java", f"-Xmx{heap}", "-cp", str(lib / "*"), "org.neo4j.cli.AdminTool",
           "database", "import", "full", database, f"--array-delimiter={ARRAY}",
           "--multiline-fields=true", "--id-type=string", "--skip-bad-relationships=false",
           *(["--overwrite-destination=true"] if overwrite else []), *args]
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(conf)}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    (conf / "neo4j.conf").unlink()
    conf.rmdir()
    text = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith(".")]
        raise LoadFailed(f"neo4j-admin database import refused the load: "
                         f"{' / '.join(lines[-3:])[:600]}")
    return "\n".join(text.splitlines()[-6:])
