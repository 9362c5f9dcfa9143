"""Full-text search (graph/search.py): folding and ranking, checked on hand-made nodes whose
expected order follows from the documented rules alone."""

from __future__ import annotations

import pytest

from coco_atlas.graph.search import SearchIndex, fold
from coco_atlas.schema import Node


@pytest.mark.parametrize("text, folded", [
    ("Łódź", "lodz"), ("KOŠICE", "kosice"), ("Zürich", "zurich"), ("São Paulo", "sao paulo"),
    ("Straße", "strasse"), ("Ærø", "aero"), ("Đakovo", "dakovo"), ("ﬁlm", "film"),
])
def test_fold_strips_accents_and_case(text: str, folded: str) -> None:
    assert fold(text) == folded


def _node(i: str, label: str, name: str, **props: object) -> Node:
    return Node(i, label, {"name": name, **props})


NODES = [
    _node("r1", "Region", "Łódzkie"),
    _node("h1", "Hub", "Łódź Design Hub"),
    _node("h2", "Hub", "Design Hub Łódź"),
    _node("c1", "Company", "Lodz"),
    _node("c2", "Company", "Łódźmotion Studio"),
    _node("k1", "Competence", "3D printing", altLabels=["additive manufacturing", "Łódź method"]),
    _node("t1", "Training", "Summer school", description="Held in Łódź every July."),
    _node("x1", "Company", "Unrelated GmbH", description="Nothing here."),
]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex(NODES)


def test_lodz_finds_every_lodz_best_first(index: SearchIndex) -> None:
    hits = index.search("lodz")
    # exact name, then names starting with it (shorter first), then the word in the name,
    # then alternative labels, then descriptions
    assert [h.id for h in hits] == ["c1", "r1", "h1", "c2", "h2", "k1", "t1"]
    assert [h.score for h in hits] == [100, 90, 90, 90, 70, 40, 20]
    assert [h.field for h in hits][-2:] == ["labels", "description"]


def test_all_words_must_match_and_prefixes_count(index: SearchIndex) -> None:
    assert [h.id for h in index.search("design łódź")] == ["h2", "h1"]
    assert [h.id for h in index.search("DES hub")] == ["h2", "h1"]  # prefixes of words
    assert index.search("design paris") == []
    assert index.search("   ") == []


def test_labels_filter_first_and_ids(index: SearchIndex) -> None:
    assert [h.id for h in index.search("lodz", labels=["Hub"])] == ["h1", "h2"]
    assert [h.id for h in index.search("lodz", first=2)] == ["c1", "r1"]
    assert [(h.id, h.field) for h in index.search("K1")] == [("k1", "id")]


def test_one_letter_matches_whole_words_only(index: SearchIndex) -> None:
    assert [h.id for h in index.search("3")] == []
    assert [h.id for h in index.search("3d")] == ["k1"]
