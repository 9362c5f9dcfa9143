"""coco brokers / gaps / introductions through the CLI entry point: JSON shapes, tables, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coco_atlas.api.cli import main

KEYS = {"id", "name", "coordinator", "itinerant", "representative", "gatekeeper", "liaison",
        "total", "constraint", "effectiveSize", "betweenness"}


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_brokers_json(eco: object, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(eco.path)  # type: ignore[attr-defined]
    code, out, _ = run(["brokers", "--group-by", "label", "--json", "--db", db], capsys)
    rows = json.loads(out)
    assert code == 0 and len(rows) == 8 and all(set(r) >= KEYS for r in rows)
    hub1 = next(r for r in rows if r["id"] == "hub-1")
    assert (hub1["representative"], hub1["gatekeeper"], hub1["total"]) == (2, 2, 4)
    code, out, _ = run(["brokers", "--json", "--directed", "--ties", "partners",
                        "--years", "2016-2030", "--first", "1", "--db", db], capsys)
    assert code == 0 and len(json.loads(out)) == 1


def test_brokers_table(eco: object, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["brokers", "--db", str(eco.path)], capsys)  # type: ignore[attr-defined]
    assert code == 0 and "Brokers by sectorGroup" in out and "Wiener" in out


def test_gaps_json_and_tables(eco: object, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(eco.path)  # type: ignore[attr-defined]
    code, out, _ = run(["gaps", "--json", "--db", db], capsys)
    assert code == 0 and json.loads(out)["AT13"] == {"needed": 3, "offered": 3, "unmet": 1}
    code, out, _ = run(["gaps", "--region", "AT13", "--json", "--db", db], capsys)
    assert code == 0 and json.loads(out)["gaps"][0]["suppliers"][0]["id"] == "co-5"
    code, out, _ = run(["gaps", "--hub", "hub-1", "--db", db], capsys)
    assert code == 0 and "Wiener Kreativhub" in out
    code, out, _ = run(["gaps", "--level", "1", "--db", db], capsys)
    assert code == 0 and "AT1" in out


def test_introductions(eco: object, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(eco.path)  # type: ignore[attr-defined]
    code, out, _ = run(["introductions", "--json", "--first", "1", "--db", db], capsys)
    [only] = json.loads(out)
    assert code == 0 and only["needer"]["id"] == "co-2" and only["path"][1] == "co-1"
    code, out, _ = run(["introductions", "--region", "SK01", "--db", db], capsys)
    assert code == 0 and "Delta Farm" in out


@pytest.mark.parametrize("argv, code, message", [
    (["brokers", "--group-by", "colour"], 1, "group by: expected one of"),
    (["brokers", "--ties", "friends"], 2, "expected one or more of"),
    (["brokers", "--years", "2030-2020"], 2, "2030 comes after 2020"),
    (["brokers", "--years", "soon"], 2, "expected FROM-TO years"),
    (["gaps", "--region", "XX9"], 1, "no NUTS region 'XX9'"),
    (["gaps", "--hub", "co-1"], 1, "no Hub 'co-1'"),
    (["introductions", "--first", "0"], 2, "0"),
])
def test_bad_input_is_a_one_line_error(eco: object, argv: list[str], code: int,
                                       message: str, capsys: pytest.CaptureFixture[str]) -> None:
    got, _, err = run([*argv, "--db", str(eco.path)], capsys)  # type: ignore[attr-defined]
    assert got == code and message in err and "Traceback" not in err


def test_missing_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("brokers", "gaps", "introductions"):
        code, _, err = run([command, "--db", str(tmp_path / "none.db")], capsys)
        assert code == 1 and "no such store" in err and not (tmp_path / "none.db").exists()
        assert main([command, "--help"]) == 0
        assert "Usage" in capsys.readouterr().out


def test_every_analysis_command_and_option_is_documented() -> None:
    from coco_atlas.api.cli import app
    from coco_atlas.api.commands.common import STORE_SETTINGS

    docs = (Path(__file__).resolve().parents[1] / "docs" / "analysis.md").read_text("utf-8")
    shared = {"--help", *("--" + s.replace("_", "-") for s in STORE_SETTINGS)}  # in README
    for name in ("brokers", "gaps", "introductions", "trends", "compare", "impact"):
        assert f"coco {name}" in docs, name
        for param in app.commands[name].params:
            flag = param.opts[0] if param.opts else ""
            if flag.startswith("--") and flag not in shared:
                assert flag in docs, (name, flag)
