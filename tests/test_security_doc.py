"""docs/security.md cannot drift from the code: every limit it names exists where it says, with
the value it gives, and every test file it cites exists."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from coco_atlas.api.settings import SETTINGS, Setting

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
LIMITS = DOC[DOC.index("## Limits"):DOC.index("## Errors")]
ROWS = [line for line in LIMITS.splitlines() if line.startswith("| ") and "---" not in line]
# "`MAX_HOPS`, `MAX_NEIGHBOURHOOD_HOPS`, `api/graphql/paths.py`": constants, then their module
CITED = re.compile(r"((?:`[A-Z][A-Z0-9_]*`, )+)`([\w/]+)\.py`")
NUMBER = re.compile(r"\d+(?:,\d{3})*(?: MiB)?")  # 12, 500,000, 4 MiB
LIMIT_SETTINGS = [s for s in SETTINGS
                  if s.name.startswith("graphql_") or s.name in ("write_wait", "neo4j_timeout")]


def cited_constants() -> list[tuple[str, str]]:
    """(module, constant) for every constant the limits table names."""
    return [(path.replace("/", "."), name.strip("` "))
            for names, path in CITED.findall(LIMITS) for name in names.split(",") if name.strip()]


def row_of(text: str) -> str:
    found = [row for row in ROWS if text in row]
    assert len(found) == 1, f"{text} should be in exactly one row of the limits table"
    return found[0]


def shown(value: float) -> set[str]:
    """How the doc may write a number: 500,000 / 30 s / 4 MiB."""
    out = {f"{value:,}", f"{value:,g}"}
    if value >= 1024 * 1024 and value % (1024 * 1024) == 0:
        out.add(f"{value // (1024 * 1024)} MiB")
    return out


def test_the_limits_table_names_constants() -> None:
    assert len(cited_constants()) >= 12, cited_constants()


@pytest.mark.parametrize(("module", "name"), cited_constants())
def test_every_cited_constant_exists_with_the_value_given(module: str, name: str) -> None:
    value = getattr(importlib.import_module(module), name)
    row = row_of(f"`{name}`")
    if isinstance(value, int):
        assert shown(value) & set(NUMBER.findall(row)), (name, value)


@pytest.mark.parametrize("setting", LIMIT_SETTINGS, ids=[s.name for s in LIMIT_SETTINGS])
def test_every_limit_setting_is_in_the_table_with_its_default(setting: Setting) -> None:
    row = row_of(f"`--{setting.name.replace('_', '-')}` (`{setting.env}`)")
    assert any(s in row for s in shown(setting.default)), (setting.name, row)


def test_every_cited_test_file_exists() -> None:
    cited = set(re.findall(r"`(tests/test_\w+\.py)`", DOC))
    assert len(cited) >= 10
    assert not [c for c in cited if not (ROOT / c).is_file()]
