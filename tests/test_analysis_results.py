"""The analyses' typed results (graph/analytics/results.py) and their JSON form.

The analyses return frozen, slotted dataclasses; ``to_json()`` gives the camelCase dicts they
returned before, which ``coco … --json`` prints and scripts read. Two checks: every result
rebuilds from its JSON into an equal result (no field lost or renamed on the way, nested ones
too), and the CLI's ``--json`` outputs keep their keys, in their order (a script, or a diff of
two runs, sees the same document).
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from coco_atlas.api.cli import main
from coco_atlas.graph.analytics.brokerage import ROLES, between_groups, brokers
from coco_atlas.graph.analytics.change import compare, trends
from coco_atlas.graph.analytics.gaps import gap_analysis
from coco_atlas.graph.analytics.impact import OUTCOMES, impact
from coco_atlas.graph.analytics.introductions import introductions
from coco_atlas.graph.analytics.mixing import group_mixing, sector_mixing
from coco_atlas.graph.analytics.network import actor_network
from coco_atlas.graph.analytics.results import Result, json_name
from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.graph.store import Store
from coco_atlas.graph.timeline import Period
from coco_atlas.schema import TRAINING_AREAS
from tests.timegraphs import build_changes, build_trainings


@pytest.fixture(scope="module")
def timegraphs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The hand-worked graphs of tests/timegraphs.py, as store files the CLI can open."""
    root = tmp_path_factory.mktemp("results")
    paths = {"changes": root / "changes.db", "trainings": root / "trainings.db"}
    for name, build in (("changes", build_changes), ("trainings", build_trainings)):
        with EmbeddedStore(paths[name]) as store:
            build(store)
    return paths


@pytest.fixture
def changes(timegraphs: dict[str, Path]) -> Iterator[EmbeddedStore]:
    with EmbeddedStore(timegraphs["changes"]) as store:
        yield store


@pytest.fixture
def trainings(timegraphs: dict[str, Path]) -> Iterator[EmbeddedStore]:
    with EmbeddedStore(timegraphs["trainings"]) as store:
        yield store


# -- every result rebuilds from its JSON -----------------------------------------------------
def _mixing(store: Store) -> Any:
    net = actor_network(store)
    return group_mixing(net.undirected, ["A" if i % 2 else "B" for i in range(net.n)])


YEARS = Period.years(2019, 2019), Period.years(2021, 2021)
ANALYSES: dict[str, tuple[str, Callable[[Store], Any]]] = {
    "brokers": ("eco", lambda s: brokers(s, group_by="label")),
    "between_groups": ("eco", lambda s: between_groups(s, ["ict", "unknown"])),
    "sector_mixing": ("eco", lambda s: sector_mixing(s)),
    "group_mixing": ("eco", _mixing),
    "gap_analysis of a region": ("eco", lambda s: gap_analysis(s, region="AT13")),
    "gap_analysis of a hub": ("eco", lambda s: gap_analysis(s, hub="hub-1")),
    "introductions": ("eco", lambda s: introductions(s)),
    "bridged introductions": ("eco", lambda s: introductions(s, ties=["partners", "membership"])),
    "trends": ("changes", lambda s: trends(s, first=2019, last=2021)),
    "trends by group": ("changes", lambda s: trends(s, first=2019, last=2021, step=2,
                                                   group_by="sectorGroup")),
    "compare": ("changes", lambda s: compare(s, before=YEARS[0], after=YEARS[1])),
    "impact": ("trainings", lambda s: impact(s, training="t1", reps=200)),
    "impact, too few to tell": ("trainings", lambda s: impact(s, area="future-trends")),
}


@pytest.mark.parametrize("name", list(ANALYSES))
def test_each_result_rebuilds_from_its_json(name: str, request: pytest.FixtureRequest) -> None:
    fixture, analyse = ANALYSES[name]
    found = analyse(request.getfixturevalue(fixture))
    results = found if isinstance(found, list) else [found]
    assert results, "an empty result would check nothing"
    for result in results:
        plain = result.to_json()
        assert json.loads(json.dumps(plain)) == plain  # JSON data, nothing else
        assert _rebuilt(type(result), plain) == result
        for nested in _results_in(result):
            _assert_frozen_and_slotted(nested)


def _rebuilt(hint: Any, data: Any) -> Any:
    """``data`` (JSON) back into the type ``hint`` names: a Result from its camelCase keys (a
    key it lacks leaves the field's default), lists and dicts item by item, a union of Results
    by the keys of each."""
    if isinstance(hint, type) and issubclass(hint, Result):
        hints = typing.get_type_hints(hint)
        return hint(**{f.name: _rebuilt(hints[f.name], data[json_name(f.name)])
                       for f in dataclasses.fields(hint) if json_name(f.name) in data})
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is list:
        return [_rebuilt(args[0], x) for x in data]
    if origin is dict:
        return {k: _rebuilt(args[1], v) for k, v in data.items()}
    if origin in (typing.Union, types.UnionType) and data is not None:
        kinds = [a for a in args if a is not type(None)]
        if len(kinds) > 1:  # results of different kinds: the one with these keys
            kinds = [k for k in kinds
                     if set(data) == {json_name(f.name) for f in dataclasses.fields(k)}]
        [kind] = kinds
        return _rebuilt(kind, data)
    return data


def _results_in(value: Any) -> Iterator[Result]:
    if isinstance(value, Result):
        yield value
        for f in dataclasses.fields(value):
            yield from _results_in(getattr(value, f.name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _results_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _results_in(item)


def _assert_frozen_and_slotted(result: Result) -> None:
    assert not hasattr(result, "__dict__"), type(result)
    first = dataclasses.fields(result)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(result, first, None)


# -- the CLI's --json keeps its keys ---------------------------------------------------------
BROKER = ["id", "name", "label", "group", *ROLES, "constraint", "effectiveSize", "betweenness"]
PAIR = ["a", "b", "observed", "expected", "ratio"]
MIXING = ["ties", "assortativity", "pairs", "underLinked"]
GAPS = ["scope", "actors", "needed", "offered", "unmet", "ratio", "coverage", "competences",
        "gaps", "mixing"]
TRENDS = ["from", "to", "step", "groupBy", "level", "periods"]
PERIOD = ["from", "to", "actors", "ties", "density", "crossSectorTies", "crossSectorShare",
          "mixing", "topBrokers", "openGaps", "openGapsByRegion"]
TIE_END = ["id", "name", "group"]
CLI: dict[str, tuple[str, list[str], dict[str, list[str]]]] = {
    # name: (store, arguments, {path in the printed JSON: its keys, in order})
    "brokers": ("eco", ["brokers", "--group-by", "label"], {"0": BROKER, "7": BROKER}),
    "brokers --between": ("eco", ["brokers", "--between", "ict,unknown"], {
        "0": ["id", "name", "label", "group", "between"]}),
    "gaps --region": ("eco", ["gaps", "--region", "AT13"], {
        "": GAPS, "scope": ["region", "level", "name"],
        "competences.0": ["id", "name", "demand", "supply", "ratio"],
        "gaps.0": ["competence", "demand", "needers", "suppliers", "training"],
        "gaps.0.competence": ["id", "name"],
        "gaps.0.suppliers.0": ["id", "name", "country", "hops"],
        "gaps.0.training": [*TRAINING_AREAS, "total"],
        "mixing": MIXING, "mixing.pairs.0": PAIR, "mixing.underLinked.0": PAIR}),
    "gaps --hub": ("eco", ["gaps", "--hub", "hub-1"], {"": GAPS, "scope": ["hub", "name"]}),
    "gaps per region": ("eco", ["gaps"], {"AT13": ["needed", "offered", "unmet"]}),
    "introductions": ("eco", ["introductions"], {
        "0": ["score", "offerer", "needer", "competences", "hops", "brokers", "path",
              "explanation"],
        "0.offerer": ["id", "name", "country"], "0.needer": ["id", "name", "country"],
        "0.competences.0": ["id", "name"], "0.brokers.0": ["id", "name"]}),
    "trends": ("changes", ["trends", "--from", "2019", "--to", "2021"], {
        "": TRENDS, "periods.0": PERIOD,
        "periods.0.mixing": ["observed", "expected", "ratio", "assortativity"],
        "periods.1.topBrokers.0": ["id", "rank", "total", "group", "previousRank", "name"]}),
    "trends --group-by": ("changes", ["trends", "--from", "2019", "--to", "2021",
                                      "--group-by", "sectorGroup"], {
        "periods.0": [*PERIOD, "groups"],
        "periods.0.groups.cci": ["actors", "ties", "crossSectorTies"]}),
    "compare": ("changes", ["compare", "--before", "2019", "--after", "2021"], {
        "": ["before", "after", "region", "counts", "newTies", "endedTies", "newBridges",
             "gapsClosed", "gapsOpened", "newActors"],
        "counts": ["newTies", "endedTies", "newCrossSectorTies", "endedCrossSectorTies",
                   "newActors", "goneActors", "gapsClosed", "gapsOpened"],
        "newTies.0": ["a", "b", "crossSector", "strength", "evidence"],
        "newTies.0.a": TIE_END, "newTies.0.b": TIE_END,
        "newTies.0.evidence.0": ["kind", "since", "until"],
        "newTies.1.evidence.0": ["kind", "collaboration", "name", "startDate", "endDate"],
        "newBridges.0": ["id", "name", "group", "before", "after", "rise", "connects"],
        "gapsClosed.0": ["region", "regionName", "competence", "competenceName"],
        "newActors.0": ["id", "name", "foundedYear"]}),
    "impact": ("trainings", ["impact", "--training", "t1"], {
        "": ["training", "area", "window", "method", "attendances", "matched", "leftOut",
             "comparisonCompanies", "outcomes", "caveat"],
        "leftOut": ["noStratum", "noComparison"], "outcomes": list(OUTCOMES),
        **{f"outcomes.{o}": ["text", "attendees", "comparison", "difference", "interval",
                             "verdict"] for o in OUTCOMES}}),
}


@pytest.mark.parametrize("name", list(CLI))
def test_the_cli_json_keeps_its_keys(name: str, request: pytest.FixtureRequest,
                                     timegraphs: dict[str, Path],
                                     capsys: pytest.CaptureFixture[str]) -> None:
    fixture, argv, expected = CLI[name]
    db = request.getfixturevalue("eco").path if fixture == "eco" else timegraphs[fixture]
    capsys.readouterr()
    assert main([*argv, "--json", "--db", str(db)]) == 0
    printed = json.loads(capsys.readouterr().out)
    for path, keys in expected.items():
        assert list(_at(printed, path)) == keys, path


def _at(data: Any, path: str) -> Any:
    for step in filter(None, path.split(".")):
        data = data[int(step)] if isinstance(data, list) else data[step]
    return data


def test_the_cli_prints_what_to_json_gives(eco: EmbeddedStore,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """The whole document, not only its keys: ``--json`` is ``to_json()``, brokers without
    their z-scores (the table's columns)."""
    db = str(eco.path)
    for argv, expected in (
            (["gaps", "--region", "AT13"], gap_analysis(eco, region="AT13").to_json()),
            (["introductions"], [s.to_json() for s in introductions(eco)]),
            (["brokers"], [{k: v for k, v in b.to_json().items() if k != "z"}
                           for b in brokers(eco).actors])):
        capsys.readouterr()
        assert main([*argv, "--json", "--db", db]) == 0
        assert json.loads(capsys.readouterr().out) == expected, argv


def test_json_names() -> None:
    assert [json_name(n) for n in ("from_", "effective_size", "epsilon_normalised",
                                   "open_gaps_by_region", "z")] == [
        "from", "effectiveSize", "epsilonNormalised", "openGapsByRegion", "z"]
