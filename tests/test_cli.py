"""The coco command line, through its entry point: output, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from coco_atlas.api.cli import app, main

ROOT = Path(__file__).resolve().parents[1]


def test_demo_data_then_stats_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "demo.db"
    assert main(["demo-data", "--size", "small", "--seed", "3", "--db", str(db)]) == 0
    assert "nodes" in capsys.readouterr().err
    assert main(["stats", "--json", "--db", str(db)]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts["labels"]["Hub"] >= 24 and counts["relationships"]["LOCATED_IN"] > 0
    assert counts["version"] == 1  # the whole demo is one all-or-nothing write


def test_stats_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "demo.db"
    main(["demo-data", "--db", str(db)])
    capsys.readouterr()
    assert main(["stats", "--db", str(db)]) == 0
    text = capsys.readouterr().out
    assert "Company" in text and "PARTICIPATES_IN" in text


def test_db_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COCO_DB", str(tmp_path / "env.db"))
    assert main(["demo-data"]) == 0
    assert (tmp_path / "env.db").exists()


@pytest.mark.parametrize("argv, code, message", [
    (["demo-data", "--size", "huge"], 2, "huge"),
    (["stats", "--db", "/nonexistent/x.db"], 1, "no such store"),
    (["serve", "--db", "/nonexistent/x.db"], 1, "no such store"),
    (["frobnicate"], 2, "No such command"),
])
def test_bad_input_gives_one_line_error_and_nonzero_exit(
        argv: list[str], code: int, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize("variable, value, says", [
    ("COCO_PORT", "abc", "COCO_PORT='abc': invalid literal for int()"),
    ("COCO_ACCESS_LOG", "maybe", "COCO_ACCESS_LOG='maybe': expected on or off"),
])
def test_a_bad_setting_in_the_environment_is_named(
        variable: str, value: str, says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Commands that read the settings table without click (``coco migrate``) say which
    variable holds what, not only what Python could not parse."""
    assert main(["demo-data", "--db", str(tmp_path / "a.db")]) == 0
    capsys.readouterr()
    monkeypatch.setenv(variable, value)
    assert main(["migrate", str(tmp_path / "a.db"), str(tmp_path / "b.db")]) == 1
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err
    assert not (tmp_path / "b.db").exists()


def test_unwritable_db_is_a_one_line_error(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "coco_atlas.api.cli", "demo-data", "--db",
                           str(tmp_path / "missing-dir" / "x.db")], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error:") and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
    return found


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = app
    for name in path:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), name)
        assert found is not None
        command = found
    return command


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    commands = _commands(app)
    assert {("serve",), ("import", "csv"), ("map",), ("trends",)} <= set(commands)
    for path in commands:
        assert main([*path, "--help"]) == 0, path
        shown = capsys.readouterr().out
        assert shown.startswith(f"Usage: coco {' '.join(path)}"), (path, shown[:80])
        summary = " ".join((_command(path).help or "").split()[:3])
        assert summary and summary in " ".join(shown.split()), (path, summary)
