"""Schema validation: every problem reported at once, each naming the node or edge and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.graph.store import Transaction
from coco_atlas.schema import SCHEMA, Edge, Node, PropType, ValidationError
from coco_atlas.schema.fastcheck import column_predicate, predicate
from coco_atlas.schema.types import LIST_MAX, LONG_TEXT_MAX, TEXT_MAX
from coco_atlas.schema.validate import check_value, validate


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
    """A hub without a kind is accepted (kind is recommended); without a name it is not."""
    problems = validate(SCHEMA, [Node("", "Hub", {"country": "AT"})])
    fields = sorted(p.field for p in problems)
    assert fields == ["id", "name"]
    assert all("required" in p.expected for p in problems if p.field != "id")


def test_strict_validation_also_demands_the_recommended_properties() -> None:
    problems = validate(SCHEMA, [Node("h", "Hub", {"name": "H"})], strict=True)
    assert sorted(p.field for p in problems) == ["country", "kind"]
    assert all("recommended" in p.expected for p in problems)
    assert validate(SCHEMA, [Node("h", "Hub", {"name": "H"})]) == []


def test_a_missing_recommended_value_is_accepted_but_a_wrong_one_is_not() -> None:
    problems = validate(SCHEMA, [Node("h", "Hub", {"name": "H", "country": "Poland",
                                                   "kind": "hackerspace"})])
    assert sorted(p.field for p in problems) == ["country", "kind"]


def test_a_founding_year_in_the_future_is_refused() -> None:
    from datetime import date

    year = date.today().year
    node = Node("c", "Company", {"name": "C", "foundedYear": year + 1})
    [p] = validate(SCHEMA, [node])
    assert p.field == "foundedYear" and f"to {year} (not in the future)" in p.expected
    assert validate(SCHEMA, [Node("c", "Company", {"name": "C", "foundedYear": year})]) == []
    from coco_atlas.schema.fastcheck import compiled

    assert not compiled(SCHEMA).labels["Company"].ok(node.props)
    assert not compiled(SCHEMA).labels["Company"].ok_many([node.props])


def test_regions_and_sectors_keep_their_level_and_country_required() -> None:
    """Reference data places a code in its hierarchy: a region without a level is refused."""
    problems = validate(SCHEMA, [Node("AT", "Region", {"name": "Österreich"}),
                                 Node("C", "Sector", {"name": "Manufacturing"})])
    assert sorted((p.where, p.field) for p in problems) == [
        ("node 'AT' (Region)", "country"), ("node 'AT' (Region)", "level"),
        ("node 'C' (Sector)", "level")]


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


# -- bounded texts: one declaration, every write path ---------------------------------------
HUB = {"name": "Hub", "kind": "cluster", "country": "AT"}


@pytest.mark.parametrize("label", SCHEMA.label_names)
def test_every_text_property_is_bounded(label: str) -> None:
    for prop in SCHEMA.node_properties(label).values():
        if prop.is_text:
            assert 0 < prop.max_length <= LONG_TEXT_MAX, prop.name
            assert all(len(a) <= prop.max_length for a in prop.allowed or ()), prop.name
    described = {p["name"]: p for lab in SCHEMA.describe()["labels"] if lab["name"] == label
                 for p in lab["properties"]}
    assert described["name"]["maxLength"] == TEXT_MAX
    assert described["description"]["maxLength"] == LONG_TEXT_MAX
    assert described["tags"]["maxItems"] == LIST_MAX


@pytest.mark.parametrize("props, field, expected, got", [
    ({"name": "N" * 3_000_000}, "name", "a string of at most 500 characters",
     "… (3,000,000 characters)"),
    ({"description": "d" * (LONG_TEXT_MAX + 1)}, "description", "at most 20,000 characters",
     "… (20,001 characters)"),
    ({"tags": ["t"] * (LIST_MAX + 1)}, "tags", "a list of at most 1,000 strings", "1,001 items"),
    ({"tags": ["ok", "t" * 501]}, "tags", "of at most 500 characters each", "(501 characters)"),
    ({"city": "Wien\ud800"}, "city", "valid Unicode", "Wien?"),
    ({"website": "https://x.example/" + "a" * 2_100}, "website", "at most 2,048 characters",
     "(2,118 characters)"),
])
def test_too_long_texts_are_refused_with_a_short_got(props: dict[str, Any], field: str,
                                                     expected: str, got: str) -> None:
    [p] = validate(SCHEMA, [Node("h", "Hub", {**HUB, **props})])
    assert p.field == field and expected in p.expected, p
    assert got in p.got and len(str(p.got)) < 100 and len(str(p)) < 300


def test_long_texts_within_the_bounds_are_valid() -> None:
    props = {**HUB, "name": "ň" * 500, "description": "d" * LONG_TEXT_MAX,
             "tags": ["t" * 500] * LIST_MAX, "website": "https://x.example/" + "a" * 2_000}
    assert validate(SCHEMA, [Node("k" * 500, "Hub", props)]) == []


@pytest.mark.parametrize("key", ["k" * 501, "x\udc00", " "])
def test_keys_are_bounded_and_named_shortly(key: str) -> None:
    [p] = validate(SCHEMA, [Node(key, "Hub", HUB)])
    assert p.field == "id" and len(p.where) < 120 and len(str(p.got)) < 100


@pytest.mark.parametrize("node", [
    Node("h", "Hub", {**HUB, "name": "N" * 501}),
    Node("h", "Hub", {**HUB, "description": "\ud800"}),
    Node("h", "Hub", {**HUB, "tags": ["t"] * (LIST_MAX + 1)}),
    Node("k" * 501, "Hub", HUB), Node("", "Hub", HUB), Node("\ud800", "Hub", HUB)])
def test_the_store_refuses_them_in_commit_and_bulk_writes(tmp_path: Path, node: Node) -> None:
    """Both the bulk fast path (schema.fastcheck) and the detailed checks refuse them, with
    the field named."""
    store = EmbeddedStore(tmp_path / "s.db")
    try:
        tx = Transaction("test")
        tx.upsert_nodes([node])
        with pytest.raises(ValidationError) as refused:
            store.commit(tx)
        assert refused.value.problems and len(str(refused.value)) < 1_000
        with pytest.raises(ValidationError), store.bulk("test") as writer:
            writer.write(Transaction(writer.source, [Node("ok", "Hub", HUB), node], []))
        assert store.counts()["labels"]["Hub"] == 0
    finally:
        store.close()


texts = st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0xDFFF), max_size=8)


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(texts, st.text(max_size=3).map(lambda t: t * 200),
                       st.lists(texts, max_size=4), st.integers(), st.none()))
def test_the_fast_checks_are_never_looser_than_the_detailed_ones(value: Any) -> None:
    """schema.fastcheck may refuse more than schema.validate, never less."""
    for prop in (*SCHEMA.common, *SCHEMA.label("Hub").properties):
        if value is None or prop.stamped:
            continue
        if predicate(prop)(value) or column_predicate(prop)([value]):
            assert check_value(prop, value), (prop.name, value)


hub_props = st.fixed_dictionaries({"name": st.just("N")}, optional={
    "kind": st.sampled_from(["cluster", "academy", "hackerspace"]),
    "country": st.sampled_from(["AT", "PL", "Poland", "pl"]),
    "foundedYear": st.sampled_from([1999, 2999, 999]),
    "city": st.just("Wien")})


@settings(max_examples=200, deadline=None)
@given(props=st.one_of(hub_props, hub_props.map(lambda p: {k: v for k, v in p.items()
                                                           if k != "name"})),
       strict=st.booleans())
def test_the_fast_and_detailed_checks_agree_on_missing_and_wrong_values(
        props: dict[str, Any], strict: bool) -> None:
    """A hub's properties, some missing, some wrong: the bulk path (one compiled check per
    label, strict or not) accepts exactly what the detailed checks accept."""
    from coco_atlas.schema.fastcheck import compiled

    check = compiled(SCHEMA, strict).labels["Hub"]
    detailed = validate(SCHEMA, [Node("h", "Hub", props)], strict=strict)
    assert check.ok(props) == (not detailed), (props, detailed)
    assert check.ok_many([props]) == (not detailed), (props, detailed)
