"""The commands of docs/deploy.md run as written (those that can here: `coco serve` is run by
tests/test_neo4j_replicas.py, `coco neo4j-load` by tests/test_neo4j_load.py into a directory of
its own, and `neo4j-admin` is not installed: the dev server is a Maven build)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from coco_atlas.api.cli import main
from tests.conftest import wipe_neo4j
from tests.server import ROOT

pytestmark = pytest.mark.slow  # a real Neo4j

DOC = ROOT / "docs" / "deploy.md"


def _commands() -> list[str]:
    blocks = re.findall(r"```console\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    lines = [line.split("#", 1)[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith("coco ")
            and line.split()[1] not in ("serve", "neo4j-load")]


def test_the_deploy_guide_commands_run(neo4j_uri: str, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    wipe_neo4j(neo4j_uri)
    monkeypatch.chdir(tmp_path)
    commands = _commands()
    assert [c.split()[1] for c in commands] == ["demo-data", "backup", "stats", "migrate"]
    for command in commands:
        args = shlex.split(command.replace("$COCO_NEO4J_URI", neo4j_uri))[1:]
        assert main(args) == 0, command
    assert (tmp_path / "backup.db").is_file()
    assert main(["stats", "--neo4j", neo4j_uri, "--neo4j-database", "neo4j"]) == 0
