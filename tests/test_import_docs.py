"""Every example file in docs/formats.md imports as the page says (docs that cannot drift)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from importers.errors import Problems
from importers.mapping import load_mapping
from tests.test_import_tables import graph, run

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "formats.md"
KUMU_MAPPING = Path(__file__).parent / "fixtures" / "kumu" / "mapping.toml"


def _blocks() -> dict[str, str]:
    """The page's example files, named by what their first line shows them to be."""
    names = {"id,label,name": "nodes.csv", "source,target,type": "edges.csv",
             "Label,Type": "elements.csv", "From,To": "connections.csv",
             "Id,Label,Type": "gephi-nodes.csv", "Source,Target": "gephi-edges.csv",
             "conceptType": "skills_en.csv", '{"id"': "nodes.jsonl",
             '{\n  "elements"': "blueprint.json", "<?xml": "", "[nodes.columns]": "mapping.toml"}
    out: dict[str, str] = {}
    for lang, body in re.findall(r"```(\w+)\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S):
        name = next((n for head, n in names.items() if body.startswith(head)), None)
        if name == "":
            name = "example.gexf" if "<gexf" in body else "example.graphml"
        assert name is not None, f"an example the test does not know: {lang} {body[:40]!r}"
        assert name not in out, name
        out[name] = body
    return out


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {}
    for name, body in _blocks().items():
        paths[name] = tmp_path / name
        paths[name].write_text(body, encoding="utf-8")
    return paths


def test_the_page_has_an_example_of_every_format(files: dict[str, Path]) -> None:
    assert set(files) == {"nodes.csv", "edges.csv", "nodes.jsonl", "elements.csv",
                          "connections.csv", "blueprint.json", "example.gexf",
                          "example.graphml", "gephi-nodes.csv", "gephi-edges.csv",
                          "skills_en.csv", "mapping.toml"}


@pytest.mark.parametrize("argv, n_nodes, n_edges", [  # counted in the examples by eye
    (["csv", "--nodes", "nodes.csv", "--edges", "edges.csv"], 3, 3),
    (["jsonl", "--nodes", "nodes.jsonl"], 2, 0),
    (["kumu", "elements.csv", "connections.csv", "--mapping", str(KUMU_MAPPING)], 3, 2),
    (["kumu", "blueprint.json"], 2, 2),
    (["gephi", "example.gexf"], 2, 1),
    (["gephi", "example.graphml"], 2, 1),
    (["gephi", "gephi-nodes.csv", "gephi-edges.csv"], 2, 1),
    (["esco", "--skills", "skills_en.csv"], 1, 0),
])
def test_every_example_imports(argv: list[str], n_nodes: int, n_edges: int,
                               files: dict[str, Path], tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    args = [str(files[a]) if a in files else a for a in argv]
    code, err = run(capsys, "import", *args, "--db", tmp_path / "d.db")
    assert code == 0, err
    nodes, edges = graph(tmp_path / "d.db")
    assert (len(nodes), len(edges)) == (n_nodes, n_edges)


def test_the_inferred_edge_type_of_the_example(files: dict[str, Path], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "import", "csv", "--nodes", files["nodes.csv"], "--edges", files["edges.csv"],
        "--db", tmp_path / "d.db")
    assert ("co-alpha", "LOCATED_IN", "AT13") in graph(tmp_path / "d.db")[1]


def test_the_mapping_example_is_a_valid_mapping(files: dict[str, Path]) -> None:
    problems = Problems()
    mapping = load_mapping(files["mapping.toml"], problems)
    assert not problems.items
    assert mapping.label("creative hub") == "Hub" and mapping.label("Category") == ""
    assert mapping.rel_type("partner") == "PARTNERS_WITH"
