"""Docs that cannot drift: the schema page is generated, every command and setting documented."""

from __future__ import annotations

from pathlib import Path

from coco_atlas.api.cli import app
from coco_atlas.api.settings import SETTINGS
from coco_atlas.schema.docs import render

ROOT = Path(__file__).resolve().parents[1]


def test_schema_page_is_current() -> None:
    assert (ROOT / "docs" / "schema.md").read_text(encoding="utf-8") == render(), \
        "regenerate with: python -m coco_atlas.schema.docs > docs/schema.md"


def test_every_cli_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in app.commands:
        assert f"`coco {name}" in readme, name


def test_every_setting_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for s in SETTINGS:
        flag = "--" + s.name.replace("_", "-")
        assert f"`{flag}`" in readme and f"`{s.env}`" in readme, s.name
