"""The CLI prints user data as it is: rich markup (``[bold]``) and emoji codes (``:smile:``)
inside a path or a value are not interpreted (they used to turn into 😄 and vanish as markup)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.server import ROOT

HOSTILE = ":smile:[bold]x[red]y"


def coco(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "coco_atlas.api.cli", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=300, encoding="utf-8")


def test_an_error_message_shows_markup_and_emoji_codes_literally(tmp_path: Path) -> None:
    missing = tmp_path / f"{HOSTILE}.db"
    done = coco("stats", "--db", str(missing))
    assert done.returncode == 1
    assert f"{HOSTILE}.db: no such store" in done.stderr
    assert "😄" not in done.stderr and "Traceback" not in done.stderr


def test_a_success_message_shows_the_path_literally(tmp_path: Path) -> None:
    folder = tmp_path / HOSTILE
    folder.mkdir()
    done = coco("demo-data", "--size", "small", "--db", str(folder / "demo.db"))
    assert done.returncode == 0, done.stderr
    assert HOSTILE in done.stderr.replace("\n", "") and "😄" not in done.stderr


def test_names_in_tables_and_import_summaries_show_literally(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    assert coco("demo-data", "--size", "small", "--db", str(db)).returncode == 0
    top = json.loads(coco("brokers", "--group-by", "country", "--json", "--first", "1",
                          "--db", str(db)).stdout)[0]
    nodes = tmp_path / f"{HOSTILE}.csv"
    nodes.write_text(f"id,label,name\n{top['id']},{top['label']},{HOSTILE} broker\n",
                     encoding="utf-8")
    done = coco("import", "csv", "--nodes", str(nodes), "--db", str(db))
    assert done.returncode == 0, done.stderr
    brokers = coco("brokers", "--group-by", "country", "--first", "3", "--db", str(db))
    assert brokers.returncode == 0, brokers.stderr
    assert ":smile:[bold]x" in brokers.stdout and "😄" not in brokers.stdout
