"""The version lives in one place (pyproject.toml) and every user sees the same one."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_coco_version_prints_the_package_version() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    assert metadata.version("coco-atlas") == declared
    done = subprocess.run([sys.executable, "-m", "coco_atlas.api.cli", "--version"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == f"coco (COCO Atlas) {declared}"


def test_the_changelog_keeps_a_changelog() -> None:
    """Keep a Changelog 1.1.0: an Unreleased section first, then versions with ISO dates,
    each change under Added, Changed, Deprecated, Removed, Fixed or Security."""
    text = (ROOT / "CHANGELOG.md").read_text("utf-8")
    versions = re.findall(r"^## \[(.+?)\](?: - (\d{4}-\d{2}-\d{2}))?$", text, re.M)
    assert versions[0] == ("Unreleased", "")
    assert all(date for name, date in versions[1:])
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    assert declared in {name for name, _ in versions}  # the current version is written down
    kinds = set(re.findall(r"^### (.+)$", text, re.M))
    assert kinds <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
