"""Every example file in docs/formats.md imports as the page says (docs that cannot drift)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coco_atlas.importers.errors import Problems
from coco_atlas.importers.mapping import load_mapping
from tests.importing import graph, run

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "formats.md"
KUMU_MAPPING = Path(__file__).parent / "fixtures" / "kumu" / "mapping.toml"


WALKTHROUGH = re.compile(r"\n## Your own data, step by step\n.*?(?=\n## )", re.S)


def _blocks() -> dict[str, str]:
    """The page's example files, named by what their first line shows them to be."""
    names = {"id,label,name": "nodes.csv", "source,target,type": "edges.csv",
             "Label,Type": "elements.csv", "From,To": "connections.csv",
             "Id,Label,Type": "gephi-nodes.csv", "Source,Target": "gephi-edges.csv",
             "conceptType": "skills_en.csv", '{"id"': "nodes.jsonl",
             '{\n  "elements"': "blueprint.json", "<?xml": "", "[nodes.columns]": "mapping.toml"}
    out: dict[str, str] = {}
    text = WALKTHROUGH.sub("", PAGE.read_text(encoding="utf-8"))  # tested on its own below
    for lang, body in re.findall(r"```(\w+)\n(.*?)```", text, re.S):
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


def test_the_your_own_data_walkthrough_runs_as_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its files are written and its commands run in the page's order, each must succeed,
    and the store ends as the page says."""
    from coco_atlas.api.cli import main
    from coco_atlas.graph.embedded.store import EmbeddedStore

    section = WALKTHROUGH.search(PAGE.read_text(encoding="utf-8"))
    assert section is not None
    steps = re.findall(r"File `([^`]+)`:\n\n```\w+\n(.*?)```|```sh\n(.*?)```",
                       section.group(0), re.S)
    monkeypatch.chdir(tmp_path)
    commands = 0
    for name, body, script in steps:
        if name:
            (tmp_path / name).write_text(body, encoding="utf-8")
            continue
        for line in script.strip().splitlines():
            argv = line.split()
            assert argv[0] == "coco", line
            assert main(argv[1:]) == 0, line
            commands += 1
    assert commands == 5
    assert "atlas.db" in {p.name for p in tmp_path.iterdir()}
    with EmbeddedStore(tmp_path / "atlas.db") as store:
        got = store.get_nodes(["pf-1", "sk-2", "tp-3"])
        assert {k: (n.label, n.props.get("sizeClass"), n.props.get("kind"))
                for k, n in got.items()} == {"pf-1": ("Company", "micro", None),
                                             "sk-2": ("Hub", None, "creative-hub"),
                                             "tp-3": ("Company", "small", None)}
        assert got["pf-1"].props["foundedYear"] == 2015
        assert got["pf-1"].props["website"] == "https://www.pracowniaform.pl"
        assert got["pf-1"].props["normalised"] == ["foundedYear", "sizeClass", "website"]
        assert store.get_edge("tp-3", "LOCATED_IN", "SK04") is not None
