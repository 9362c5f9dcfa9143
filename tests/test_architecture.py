"""The shape of the code: first-party modules import each other without circles.

A circle (A imports B, which imports A) makes import order matter and hides a missing layer; the
command line had one (issue 18). Imports under ``if TYPE_CHECKING:`` do not run, so they do not
count; function-level (late) imports do, because they only postpone the circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("graph", "schema", "importers", "api", "viz")
NAMESPACE = "coco_atlas."


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[NAMESPACE + name] = path
    return found


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Line numbers of imports inside ``if TYPE_CHECKING:`` blocks."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                lines.update(range(inner.lineno, (inner.end_lineno or inner.lineno) + 1))
    return lines


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    skip = _type_checking_only(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", 0) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            base = node.module
            subs = {f"{base}.{a.name}" for a in node.names} & modules.keys()
            found |= subs or ({base} & modules.keys())
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names} & modules.keys()
    return found


def import_graph() -> nx.DiGraph:
    modules = _modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        graph.add_edges_from((name, target) for target in _imports(path, modules) - {name})
    return graph


def test_the_import_graph_is_read() -> None:
    graph = import_graph()
    assert ("coco_atlas.api.cli", "coco_atlas.api.commands.common") in graph.edges
    assert ("coco_atlas.api.commands.analysis", "coco_atlas.api.commands.common") in graph.edges


def test_first_party_modules_import_each_other_without_circles() -> None:
    circles = [sorted(c) for c in nx.strongly_connected_components(import_graph()) if len(c) > 1]
    assert circles == []


def test_test_modules_share_helpers_not_each_other() -> None:
    """Shared fixtures live in conftest.py, shared helpers in helper modules (tests/importing.py,
    graphql_client.py, mapdata.py …): importing a test module runs its tests' collection twice
    and ties unrelated files together."""
    here = Path(__file__).parent
    found = []
    for path in sorted(here.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            found += [f"{path.name}: {n}" for n in names
                      if n.removeprefix("tests.").startswith("test_")]
    assert found == []
