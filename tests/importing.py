"""Helpers the import and export tests share: read a store back, run the CLI, re-import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coco_atlas.api.cli import main
from coco_atlas.graph.embedded.store import EmbeddedStore


def graph(db: Path) -> tuple[dict[str, tuple[str, dict[str, Any]]], dict[tuple[str, str, str],
                                                                        dict[str, Any]]]:
    """Every node and edge of a store, without the provenance stamps."""
    with EmbeddedStore(db) as s:
        nodes = {n.id: (n.label, _plain(n.props)) for n in s.iter_nodes()}
        edges = {e.key: _plain(e.props) for e in s.iter_edges()}
    return nodes, edges


def state(db: Path) -> tuple[Any, ...]:
    """Everything an all-or-nothing write must leave untouched, stamps included."""
    with EmbeddedStore(db) as s:
        return (s.version, s.counts(), [tuple(n) for n in s.iter_nodes()],
                [tuple(e) for e in s.iter_edges()])


def run(capsys: pytest.CaptureFixture[str], *argv: Any) -> tuple[int, str]:
    """``coco ARGV`` in-process: (exit code, stderr)."""
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def _plain(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k not in ("source", "updatedAt")}


SUFFIX = {"xlsx": ".xlsx", "graphml": ".graphml", "gexf": ".gexf", "kumu-json": ".json",
          "kumu-xlsx": ".xlsx"}


def reimport(fmt: str, path: Path, db: Path) -> int:
    if fmt in ("csv", "jsonl"):
        return main(["import", fmt, "--nodes", str(path / f"nodes.{fmt}"), "--edges",
                     str(path / f"edges.{fmt}"), "--db", str(db)])
    if fmt == "xlsx":
        return main(["import", "xlsx", "--nodes", str(path), "--edges", str(path), "--db",
                     str(db)])
    if fmt == "gephi-csv":
        return main(["import", "gephi", str(path / "nodes.csv"), str(path / "edges.csv"),
                     "--db", str(db)])
    tool = "kumu" if fmt.startswith("kumu") else "gephi"
    return main(["import", tool, str(path), "--db", str(db)])
