"""Trends, comparisons and training impact through the CLI and a running server: GraphQL
answers what ``coco … --json`` prints, and bad arguments are refused with their name."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from coco_atlas.api.cli import main
from coco_atlas.graph.embedded.store import EmbeddedStore
from tests.server import running_server
from tests.timegraphs import build_changes, build_trainings


@pytest.fixture(scope="module")
def dbs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("change")
    changes, trainings = root / "changes.db", root / "trainings.db"
    with EmbeddedStore(changes) as s:
        build_changes(s)
    with EmbeddedStore(trainings) as s:
        build_trainings(s)
    return changes, trainings


@pytest.fixture(scope="module")
def urls(dbs: tuple[Path, Path]) -> Iterator[tuple[str, str]]:
    with running_server(dbs[0]) as a, running_server(dbs[1]) as b:
        yield a, b


def cli(capsys: pytest.CaptureFixture[str], *argv: Any) -> Any:
    capsys.readouterr()
    assert main([str(a) for a in argv]) == 0
    return json.loads(capsys.readouterr().out)


def gql(url: str, query: str) -> dict[str, Any]:
    got = httpx.post(url + "/graphql", json={"query": query}, timeout=60).json()
    assert "errors" not in got, got
    return got["data"]  # type: ignore[no-any-return]


def test_trends_over_graphql_equal_the_cli(dbs: tuple[Path, Path], urls: tuple[str, str],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    printed = cli(capsys, "trends", "--from", 2019, "--to", 2021, "--json", "--db", dbs[0])
    served = gql(urls[0], """{ trends(from: 2019, to: 2021) { periods { from to actors ties
        density crossSectorTies crossSectorShare openGaps openGapsByRegion { key openGaps }
        mixing { observed expected ratio } topBrokers { rank previousRank total
        actor { id } } } } }""")["trends"]["periods"]
    assert len(served) == len(printed["periods"]) == 3
    for s, p in zip(served, printed["periods"], strict=True):
        for key in ("from", "to", "actors", "ties", "density", "crossSectorTies",
                    "crossSectorShare", "openGaps"):
            assert s[key] == p[key], key
        assert {g["key"]: g["openGaps"] for g in s["openGapsByRegion"]} == p["openGapsByRegion"]
        assert s["mixing"]["observed"] == p["mixing"]["observed"]
        assert [(b["actor"]["id"], b["rank"], b["previousRank"], b["total"])
                for b in s["topBrokers"]] == [(b["id"], b["rank"], b["previousRank"],
                                               b["total"]) for b in p["topBrokers"]]


def test_compare_over_graphql_equals_the_cli(dbs: tuple[Path, Path], urls: tuple[str, str],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    printed = cli(capsys, "compare", "--before", 2019, "--after", 2021, "--json",
                  "--db", dbs[0])
    served = gql(urls[0], """{ compare(before: "2019", after: "2021") {
        counts { newTies endedTies newCrossSectorTies endedCrossSectorTies newActors goneActors
                 gapsClosed gapsOpened }
        newTies { actors { id } crossSector evidence { kind since until
                  collaboration { id } startDate endDate } }
        newBridges { actor { id } before after connects }
        gapsClosed { region { id } competence { id } } newActors { id } } }""")["compare"]
    assert served["counts"] == printed["counts"]
    assert [([a["id"] for a in t["actors"]], t["crossSector"]) for t in served["newTies"]] == [
        ([t["a"]["id"], t["b"]["id"]], t["crossSector"]) for t in printed["newTies"]]
    assert served["newTies"][1]["evidence"][0]["collaboration"] == {"id": "k1"}
    assert [(b["actor"]["id"], b["after"], b["connects"]) for b in served["newBridges"]] == [
        (b["id"], b["after"], b["connects"]) for b in printed["newBridges"]]
    assert [(g["region"]["id"], g["competence"]["id"]) for g in served["gapsClosed"]] == [
        ("AT13", "s1")]
    assert [a["id"] for a in served["newActors"]] == [a["id"] for a in printed["newActors"]]


def test_training_impact_over_graphql_equals_the_cli(
        dbs: tuple[Path, Path], urls: tuple[str, str],
        capsys: pytest.CaptureFixture[str]) -> None:
    printed = cli(capsys, "impact", "--training", "t1", "--window", "2y", "--json",
                  "--db", dbs[1])
    served = gql(urls[1], """{ trainingImpact(training: "t1", window: 2) { matched attendances
        leftOutWithoutStratum comparisonCompanies
        outcomes { name attendees comparison difference interval verdict } } }""")
    served = served["trainingImpact"]
    assert (served["matched"], served["attendances"], served["leftOutWithoutStratum"]) == (
        printed["matched"], printed["attendances"], printed["leftOut"]["noStratum"]) == (10, 11, 1)
    for o in served["outcomes"]:
        p = printed["outcomes"][o["name"]]
        assert (o["difference"], o["interval"], o["verdict"]) == (
            p["difference"], p["interval"], p["verdict"])


def test_analysis_fields_take_a_day_or_a_period(urls: tuple[str, str]) -> None:
    def brokers(argument: str) -> list[str]:
        query = "{ brokers(ARG, first: 50) { actors { node { id } } } }".replace("ARG", argument)
        data = gql(urls[0], query)
        return sorted(a["node"]["id"] for a in data["brokers"]["actors"])

    assert brokers('asOf: "2019-06-30"') == ["c1", "c2", "c4"]  # c3 founded in 2020
    assert brokers('during: "2021-"') == ["c1", "c2", "c3"]  # c4 closed in 2020
    mixing = gql(urls[0], '{ sectorMixing(asOf: "2019") { ties } }')["sectorMixing"]
    assert mixing == {"ties": 1}  # c1–c4 only


@pytest.mark.parametrize(("query", "field"), [
    ('{ brokers(asOf: "2019", during: "2019") { density } }', "during"),
    ('{ brokers(during: "soon") { density } }', "during"),
    ('{ sectorMixing(asOf: "2019-02-30") { ties } }', "asOf"),
    ('{ trends(from: 2021, to: 2019) { step } }', "to"),
    ('{ compare(before: "2019", after: "later") { before } }', "after"),
    ('{ compare(before: "2019", after: "2021", region: "XX9") { before } }', "region"),
    ('{ trainingImpact(area: "cooking") { matched } }', "area"),
    ('{ trainingImpact(training: "nope") { matched } }', "training"),
])
def test_bad_arguments_are_refused_by_name(urls: tuple[str, str], query: str,
                                           field: str) -> None:
    got = httpx.post(urls[0] + "/graphql", json={"query": query}, timeout=60).json()
    error = got["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field


def test_cli_refuses_unreadable_periods_and_windows(dbs: tuple[Path, Path],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "--before", "soon", "--after", "2021", "--db", str(dbs[0])]) != 0
    assert "before" in capsys.readouterr().err
    assert main(["impact", "--window", "two", "--db", str(dbs[1])]) != 0
    assert "2y" in capsys.readouterr().err


def test_the_guide_s_demo_commands_run_as_written(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """docs/analysis.md, "Try it on the demo": every command succeeds, in order."""
    page = (Path(__file__).resolve().parents[1] / "docs" / "analysis.md").read_text("utf-8")
    block = re.search(r"### Try it on the demo\n\n```sh\n(.*?)```", page, re.S)
    assert block is not None
    monkeypatch.chdir(tmp_path)
    lines = block.group(1).strip().splitlines()
    assert len(lines) == 5
    for line in lines:
        argv = line.split()
        assert argv[0] == "coco"
        assert main(argv[1:]) == 0, (line, capsys.readouterr().err)
    printed = capsys.readouterr().out
    assert "Attendees against comparable companies" in printed
    assert "New ties (cross-sector first)" in printed
