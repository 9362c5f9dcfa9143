"""Schema validation: every problem reported at once, each naming the node or edge and field."""

from __future__ import annotations

import pytest

from schema import SCHEMA, Edge, Node, PropType
from schema.validate import validate


def _labels(known: dict[str, str]):
    return known.get


def test_valid_batch_has_no_problems() -> None:
    nodes = [Node("AT13", "Region", {"name": "Wien", "level": 2, "country": "AT"}),
             Node("h", "Hub", {"name": "Hub", "kind": "cluster", "country": "AT"})]
    assert validate(SCHEMA, nodes, [Edge("h", "LOCATED_IN", "AT13", {})]) == []


def test_unknown_label_names_the_label() -> None:
    [p] = validate(SCHEMA, [Node("x", "Startup", {"name": "X"})])
    assert p.field == "label" and "Hub" in p.expected and p.got == "Startup"
    assert "node 'x' (Startup)" in str(p)


def test_missing_key_and_required_properties() -> None:
    problems = validate(SCHEMA, [Node("", "Hub", {"country": "AT"})])
    fields = sorted(p.field for p in problems)
    assert fields == ["id", "kind", "name"]
    assert all("required" in p.expected for p in problems if p.field != "id")


def test_wrong_types_and_values_are_all_reported() -> None:
    node = Node("c", "Company", {"name": "C", "country": "Austria", "foundedYear": "1999",
                                 "sizeClass": "huge", "colour": "red"})
    problems = {p.field: p for p in validate(SCHEMA, [node])}
    assert set(problems) == {"country", "foundedYear", "sizeClass", "colour"}
    assert "[A-Z]{2}" in problems["country"].expected
    assert problems["foundedYear"].expected.startswith("an integer")
    assert "micro" in problems["sizeClass"].expected
    assert "a property of the schema" in problems["colour"].expected


def test_booleans_are_not_integers() -> None:
    [p] = validate(SCHEMA, [Node("r", "Region", {"name": "R", "level": True, "country": "AT"})])
    assert p.field == "level"


def test_dates_must_be_real_and_ordered() -> None:
    node = Node("t", "Training", {"name": "T", "area": "future-trends",
                                  "startDate": "2024-02-30", "endDate": "2023-01-01"})
    assert [p.field for p in validate(SCHEMA, [node])] == ["startDate"]
    node.props["startDate"] = "2024-02-01"
    [p] = validate(SCHEMA, [node])
    assert p.field == "endDate" and "on or after" in p.expected


def test_edge_endpoints_must_exist_and_carry_allowed_labels() -> None:
    known = {"c": "Company", "AT13": "Region"}
    problems = validate(SCHEMA, [], [Edge("c", "MEMBER_OF", "AT13", {}),
                                     Edge("c", "MEMBER_OF", "nobody", {})], _labels(known))
    assert [(p.field, p.expected) for p in problems] == [
        ("target", "a node labelled Hub"), ("target", "the id of an existing node")]
    assert "edge 'c' -[MEMBER_OF]-> 'AT13'" in str(problems[0])


def test_edge_type_and_properties() -> None:
    known = {"a": "Company", "b": "Company", "s": "Sector", "k": "Competence"}
    problems = validate(SCHEMA, [], [Edge("a", "LIKES", "b", {}),
                                     Edge("a", "PARTNERS_WITH", "b", {"weight": -1}),
                                     Edge("s", "BROADER", "k", {})], _labels(known))
    assert [(p.field) for p in problems] == ["type", "weight", "target"]


def test_every_relationship_end_is_a_declared_label() -> None:
    for rel in SCHEMA.relationships:
        assert rel.sources <= set(SCHEMA.label_names), rel.name
        assert rel.targets <= set(SCHEMA.label_names), rel.name


@pytest.mark.parametrize("label", SCHEMA.label_names)
def test_every_label_has_the_common_properties(label: str) -> None:
    props = SCHEMA.node_properties(label)
    assert props["name"].required and props["updatedAt"].type is PropType.DATETIME


def test_describe_is_plain_data() -> None:
    import json

    described = json.loads(json.dumps(SCHEMA.describe()))
    assert {lab["name"] for lab in described["labels"]} == set(SCHEMA.label_names)
