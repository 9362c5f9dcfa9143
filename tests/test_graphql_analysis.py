"""``brokers``, ``gapAnalysis``, ``sectorMixing`` and ``introductions`` over real HTTP.

The analytics themselves are tested against published values and slow references in
``tests/test_analytics_*.py``; here the reference is :mod:`graph.analytics` called directly on
the same store: every value GraphQL serves, once turned back into the JSON shape, must be
exactly the JSON form (``to_json()``) of what the function returns. Nodes come back through the
Node types (ids, names, labels), so the wiring of every node reference is checked too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coco_atlas.api.cli import main
from coco_atlas.graph.analytics.brokerage import ROLES, brokers
from coco_atlas.graph.analytics.gaps import gap_analysis
from coco_atlas.graph.analytics.groups import group_choices
from coco_atlas.graph.analytics.introductions import introductions
from coco_atlas.graph.analytics.mixing import sector_mixing
from coco_atlas.graph.analytics.network import ALL_TIES
from coco_atlas.graph.embedded.store import EmbeddedStore
from tests.graphql_client import data, gql
from tests.server import running_server

ROOT = Path(__file__).resolve().parents[1]
HUB = "demo-hub-00000"
ROLE_FIELDS = " ".join(ROLES)
PAIR = "a b observed expected ratio"
MIXING = f"groupBy ties assortativity pairs {{ {PAIR} }} underLinked {{ {PAIR} }}"
ACTOR = "id name ... on Company { country } ... on Hub { country }"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("analysis") / "demo.db"
    assert main(["demo-data", "--size", "small", "--seed", "42", "--db", str(db)]) == 0
    return db


@pytest.fixture(scope="module")
def url(demo_db: Path) -> Iterator[str]:
    with running_server(demo_db) as base:
        yield base


@pytest.fixture(scope="module")
def store(demo_db: Path) -> Iterator[EmbeddedStore]:
    s = EmbeddedStore(demo_db)
    yield s
    s.close()


def _args(**kwargs: Any) -> str:
    """GraphQL arguments from Python values (enum values are passed as bare names)."""
    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k}: {value(x)}" for k, x in v.items()) + "}"
        if isinstance(v, Bare):
            return v.name
        return f'"{v}"' if isinstance(v, str) else str(v)
    return ", ".join(f"{k}: {value(v)}" for k, v in kwargs.items())


class Bare(str):
    """A bare GraphQL enum value in :func:`_args`."""

    @property
    def name(self) -> str:
        return str(self)


# -- brokers -----------------------------------------------------------------------------------
BROKERS = f"""
groupBy directed ties density actorCount
actors {{ node {{ id name label }} group {ROLE_FIELDS} constraint effectiveSize betweenness
          z {{ {ROLE_FIELDS} }} }}
groups {{ group size expected {{ {ROLE_FIELDS} }} sd {{ {ROLE_FIELDS} }} }}
betweenness {{ method crossGroup pivots epsilon epsilonNormalised delta }}
"""


def _plain_brokers(r: dict[str, Any]) -> dict[str, Any]:
    """The GraphQL reply in the shape of :func:`graph.analytics.brokerage.brokers`' JSON."""
    b = r["betweenness"]
    return {
        "groupBy": r["groupBy"], "directed": r["directed"], "ties": r["ties"],
        "density": r["density"],
        "actors": [{"id": a["node"]["id"], "name": a["node"]["name"], "label": a["node"]["label"],
                    "group": a["group"], **{k: a[k] for k in ROLES},
                    "constraint": a["constraint"], "effectiveSize": a["effectiveSize"],
                    "betweenness": a["betweenness"], "z": a["z"]} for a in r["actors"]],
        "groups": {g["group"]: {"size": g["size"], "expected": g["expected"], "sd": g["sd"]}
                   for g in r["groups"]},
        "betweenness": {"method": b["method"], "crossGroup": b["crossGroup"],
                        "pivots": b["pivots"], "epsilon": b["epsilon"],
                        "epsilonNormalised": b["epsilonNormalised"], "delta": b["delta"]},
    }


@pytest.mark.parametrize("kwargs", [
    {},
    {"group_by": "country", "first": 40},
    {"group_by": "nuts1", "directed": True, "ties": ["partners", "membership"],
     "years": (2020, 2023), "first": 15},
    {"group_by": "label", "ties": ["collaborations"], "years": (None, 2022), "first": 0},
])
def test_brokers_are_the_analytics_results(url: str, store: EmbeddedStore,
                                           kwargs: dict[str, Any]) -> None:
    gql_args = {
        **({"groupBy": Bare(kwargs["group_by"])} if "group_by" in kwargs else {}),
        **({"directed": kwargs["directed"]} if "directed" in kwargs else {}),
        **({"ties": [Bare(t) for t in kwargs["ties"]]} if "ties" in kwargs else {}),
        **({"years": {k: v for k, v in zip(("from", "to"), kwargs["years"], strict=True)
                      if v is not None}} if "years" in kwargs else {}),
        **({"first": kwargs["first"]} if "first" in kwargs else {}),
    }
    args = f"({_args(**gql_args)})" if gql_args else ""
    got = data(url, f"{{ brokers{args} {{ {BROKERS} }} }}")["brokers"]
    expected = brokers(store, **{"first": 20, **kwargs})
    assert _plain_brokers(got) == expected.to_json()
    assert got["actorCount"] == sum(g.size for g in expected.groups.values())
    assert len(got["actors"]) == min(kwargs.get("first", 20), got["actorCount"])


def test_brokers_default_to_sector_groups_and_every_tie(url: str) -> None:
    got = data(url, "{ brokers(first: 1) { groupBy directed ties } }")["brokers"]
    assert got == {"groupBy": "sectorGroup", "directed": False, "ties": list(ALL_TIES)}


# -- sectorMixing ------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [
    {}, {"group_by": "label", "first": 1}, {"group_by": "country", "ties": ["partners"],
                                             "years": (2021, None), "first": 50},
])
def test_sector_mixing_is_the_analytics_result(url: str, store: EmbeddedStore,
                                               kwargs: dict[str, Any]) -> None:
    gql_args = {
        **({"groupBy": Bare(kwargs["group_by"])} if "group_by" in kwargs else {}),
        **({"ties": [Bare(t) for t in kwargs["ties"]]} if "ties" in kwargs else {}),
        **({"years": {"from": kwargs["years"][0]}} if "years" in kwargs else {}),
        **({"first": kwargs["first"]} if "first" in kwargs else {}),
    }
    args = f"({_args(**gql_args)})" if gql_args else ""
    got = data(url, f"{{ sectorMixing{args} {{ {MIXING} }} }}")["sectorMixing"]
    assert got == sector_mixing(store, **kwargs).to_json()
    assert got["pairs"] and len(got["underLinked"]) <= kwargs.get("first", 5)


# -- gapAnalysis -------------------------------------------------------------------------------
GAPS = f"""
scope {{ id label name ... on Region {{ level }} }} level actors needed offered unmet ratio coverage
competences {{ competence {{ id name }} demand supply ratio }}
gaps {{ competence {{ id name }} demand needers {{ id }}
        suppliers {{ node {{ id name }} hops country }}
        training {{ total areas {{ area trainings }} }} }}
mixing {{ {MIXING} }}
"""


def _plain_gaps(r: dict[str, Any]) -> dict[str, Any]:
    """The GraphQL reply in the shape of :func:`graph.analytics.gaps.gap_analysis`' JSON."""
    scope = r["scope"]
    described = ({"region": scope["id"], "level": r["level"], "name": scope["name"]}
                 if scope["label"] == "Region" else {"hub": scope["id"], "name": scope["name"]})
    mixing = {k: v for k, v in r["mixing"].items() if k != "groupBy"}
    return {
        "scope": described, "actors": r["actors"], "needed": r["needed"],
        "offered": r["offered"], "unmet": r["unmet"], "ratio": r["ratio"],
        "coverage": r["coverage"],
        "competences": [{**c["competence"], "demand": c["demand"], "supply": c["supply"],
                         "ratio": c["ratio"]} for c in r["competences"]],
        "gaps": [{"competence": g["competence"], "demand": g["demand"],
                  "needers": [n["id"] for n in g["needers"]],
                  "suppliers": [{**s["node"], "country": s["country"], "hops": s["hops"]}
                                for s in g["suppliers"]],
                  "training": {**{a["area"]: a["trainings"] for a in g["training"]["areas"]},
                               "total": g["training"]["total"]}} for g in r["gaps"]],
        "mixing": mixing,
    }


@pytest.mark.parametrize("kwargs", [
    {"region": "AT13"},
    {"region": "AT1", "first": 5, "suppliers": 1, "max_hops": 2},
    {"hub": HUB, "ties": ["partners", "membership"], "first": 50, "suppliers": 6},
])
def test_gap_analysis_is_the_analytics_result(url: str, store: EmbeddedStore,
                                              kwargs: dict[str, Any]) -> None:
    names = {"max_hops": "maxHops"}
    gql_args = {names.get(k, k): [Bare(t) for t in v] if k == "ties" else v
                for k, v in kwargs.items()}
    got = data(url, f"{{ gapAnalysis({_args(**gql_args)}) {{ {GAPS} }} }}")["gapAnalysis"]
    expected = gap_analysis(store, **{"first": 20, **kwargs})
    assert expected.gaps and expected.competences  # the comparison covers every part
    assert _plain_gaps(got) == expected.to_json()
    assert got["mixing"]["groupBy"] == "sectorGroup"
    if "region" in kwargs:
        assert got["scope"]["level"] == got["level"]


# -- introductions -----------------------------------------------------------------------------
INTRODUCTIONS = f"""
score hops explanation offerer {{ {ACTOR} }} needer {{ {ACTOR} }} competences {{ id name }}
brokers {{ id name }} path {{ id }}
"""


def _plain_introduction(s: dict[str, Any]) -> dict[str, Any]:
    return {"score": s["score"], "offerer": s["offerer"], "needer": s["needer"],
            "competences": s["competences"], "hops": s["hops"], "brokers": s["brokers"],
            "path": [p["id"] for p in s["path"]], "explanation": s["explanation"]}


@pytest.mark.parametrize("kwargs", [
    {},
    {"region": "SI04", "first": 10},
    {"hub": HUB, "first": 30, "ties": ["partners", "membership"], "max_hops": 6},
])
def test_introductions_are_the_analytics_results(url: str, store: EmbeddedStore,
                                                 kwargs: dict[str, Any]) -> None:
    names = {"max_hops": "maxHops"}
    gql_args = {names.get(k, k): [Bare(t) for t in v] if k == "ties" else v
                for k, v in kwargs.items()}
    args = f"({_args(**gql_args)})" if gql_args else ""
    got = data(url, f"{{ introductions{args} {{ {INTRODUCTIONS} }} }}")["introductions"]
    expected = introductions(store, **{"first": 20, **kwargs})
    assert expected
    assert [_plain_introduction(s) for s in got] == [s.to_json() for s in expected]


def test_bridged_introductions_come_with_their_path(url: str, store: EmbeddedStore) -> None:
    """With partnerships only most pairs have no common contact: the bridges show up."""
    expected = introductions(store, ties=["partners"], first=400, max_hops=6)
    bridges = [s for s in expected if not s.brokers]
    assert bridges and all(len(s.path) == s.hops + 1 >= 4 for s in bridges)
    got = data(url, "{ introductions(ties: [partners], first: 400, maxHops: 6) "
                    f"{{ {INTRODUCTIONS} }} }}")["introductions"]
    assert [_plain_introduction(s) for s in got] == [s.to_json() for s in expected]


# -- argument errors ---------------------------------------------------------------------------
@pytest.mark.parametrize(("query", "where", "field"), [
    ("{ brokers(first: 1001) { density } }", "brokers", "first"),
    ("{ brokers(first: -1) { density } }", "brokers", "first"),
    ("{ brokers(ties: []) { density } }", "brokers", "ties"),
    ("{ brokers(years: {from: 2024, to: 2020}) { density } }", "brokers", "years"),
    ("{ sectorMixing(ties: []) { ties } }", "sectorMixing", "ties"),
    ("{ sectorMixing(first: 5000) { ties } }", "sectorMixing", "first"),
    ("{ gapAnalysis { actors } }", "gapAnalysis", "region"),
    ('{ gapAnalysis(region: "XX99") { actors } }', "gapAnalysis", "region"),
    (f'{{ gapAnalysis(region: "{HUB}") {{ actors }} }}', "gapAnalysis", "region"),
    ('{ gapAnalysis(hub: "AT13") { actors } }', "gapAnalysis", "hub"),
    (f'{{ gapAnalysis(region: "AT13", hub: "{HUB}") {{ actors }} }}', "gapAnalysis", "hub"),
    ('{ gapAnalysis(region: "AT13", suppliers: 1000) { actors } }', "gapAnalysis", "suppliers"),
    ('{ gapAnalysis(region: "AT13", maxHops: 0) { actors } }', "gapAnalysis", "maxHops"),
    ("{ introductions(first: 0) { score } }", "introductions", "first"),
    ("{ introductions(maxHops: 1) { score } }", "introductions", "maxHops"),
    ('{ introductions(region: "nowhere") { score } }', "introductions", "region"),
    ('{ introductions(hub: "demo-co-000001") { score } }', "introductions", "hub"),
])
def test_bad_arguments_are_graphql_errors(url: str, query: str, where: str, field: str) -> None:
    reply = gql(url, query)  # asserts HTTP 200
    assert reply["data"] is None
    [error] = reply["errors"]
    ext = error["extensions"]
    assert (ext["code"], ext["where"], ext["field"]) == ("BAD_USER_INPUT", where, field)
    assert error["message"].startswith(f"{where}: field '{field}' expected ")


@pytest.mark.parametrize(("query", "wrong"), [
    ("{ brokers(groupBy: nowhere) { density } }", "'nowhere' does not exist in 'ActorGrouping'"),
    ("{ brokers(ties: [friends]) { density } }", "'friends' does not exist in 'TieSource'"),
    ('{ sectorMixing(groupBy: "country") { ties } }', "Enum 'ActorGrouping' cannot represent"),
    ("{ introductions(first: 2.5) { score } }", "Int cannot represent non-integer value"),
])
def test_values_outside_the_types_are_refused(url: str, query: str, wrong: str) -> None:
    reply = gql(url, query)
    assert reply.get("data") is None
    assert any(wrong in e["message"] for e in reply["errors"]), reply["errors"]


def test_the_node_budget_counts_the_analyses(url: str) -> None:
    query = ("{ brokers(first: 1000) { actorCount actors { node { id } } } "
             "introductions(first: 1000) { hops } }")
    got = data(url, query)["brokers"]
    assert len(got["actors"]) == min(1000, got["actorCount"])
    nested = ("{ gapAnalysis(region: \"AT13\", first: 1000) { gaps { competence { "
              "neededBy(first: 1000) { ... on Company { offers(first: 1000) { id } } } } } } }")
    error = gql(url, nested)["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_LARGE"


# -- the schema --------------------------------------------------------------------------------
TYPE = """query($name: String!) { __type(name: $name) {
  kind fields { name type { kind name ofType { kind name ofType { kind name ofType { name } } } } }
  enumValues { name } inputFields { name } } }"""


def _type_of(url: str, name: str) -> dict[str, Any]:
    t = data(url, TYPE, {"name": name})["__type"]
    assert t is not None, name
    return t  # type: ignore[no-any-return]


def _named(ref: dict[str, Any]) -> str:
    while ref.get("ofType"):
        ref = ref["ofType"]
    return str(ref["name"])


def test_introspection_has_the_typed_results(url: str) -> None:
    query = {f["name"]: _named(f["type"]) for f in _type_of(url, "Query")["fields"]}
    assert {k: query[k] for k in ("brokers", "gapAnalysis", "sectorMixing", "introductions")} \
        == {"brokers": "BrokerageResult", "gapAnalysis": "GapAnalysis", "sectorMixing": "Mixing",
            "introductions": "Introduction"}
    expect = {
        "BrokerageResult": {"actors": "Broker", "groups": "GroupMoments", "ties": "TieSource",
                            "groupBy": "ActorGrouping", "betweenness": "BetweennessEstimate"},
        "Broker": {"node": "Node", "z": "RoleScores", "total": "Int", "liaison": "Int",
                   "constraint": "Float", "effectiveSize": "Float", "betweenness": "Float"},
        "RoleScores": dict.fromkeys(ROLES, "Float"),
        "GapAnalysis": {"scope": "Node", "competences": "CompetenceBalance", "gaps": "Gap",
                        "mixing": "Mixing"},
        "Gap": {"competence": "Competence", "needers": "Node", "suppliers": "Supplier",
                "training": "TrainingCoverage"},
        "Mixing": {"pairs": "MixingPair", "underLinked": "MixingPair", "assortativity": "Float"},
        "Introduction": {"offerer": "Node", "needer": "Node", "competences": "Competence",
                         "brokers": "Node", "path": "Node", "score": "Float",
                         "explanation": "String"},
    }
    for name, fields in expect.items():
        have = {f["name"]: _named(f["type"]) for f in _type_of(url, name)["fields"]}
        assert {k: have.get(k) for k in fields} == fields, name
    ties = [v["name"] for v in _type_of(url, "TieSource")["enumValues"]]
    assert ties == list(ALL_TIES)
    groups = [v["name"] for v in _type_of(url, "ActorGrouping")["enumValues"]]
    assert groups == list(group_choices())
    assert [f["name"] for f in _type_of(url, "YearRange")["inputFields"]] == ["from", "to"]


def test_the_cookbook_shows_every_analysis() -> None:
    doc = (ROOT / "docs" / "graphql.md").read_text(encoding="utf-8")
    examples = "\n".join(re.findall(r"```graphql\n(.*?)```", doc, re.S))
    for field in ("brokers(", "gapAnalysis(", "sectorMixing", "introductions("):
        assert field in examples, field
