"""Competences in several languages (issue 15) on both stores and over HTTP GraphQL: labels per
language kept by the embedded store and Neo4j alike, ``search``, ``name(lang:)`` with its
fallbacks, ``names``, ``Accept-Language`` and the analyses' ``lang``.

Expected labels are read from the fixture files with the csv module (tests/test_multilingual.py).
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from coco_atlas.graph.search import SearchIndex
from coco_atlas.graph.store import Store
from coco_atlas.importers.esco import import_esco
from tests.multilingual import FIX, LANGS, SERVICE_DESIGN, SKILL, ecosystem, files, labels
from tests.server import running_server

pytestmark = pytest.mark.slow  # Neo4j and a server process

SKILLS = [FIX / f"skills_{lang}.csv" for lang in LANGS]


def test_labels_per_language_on_both_stores(store: Store) -> None:
    report = import_esco(store, skills=SKILLS)
    assert report.nodes_created == len({u for lang in LANGS for u in labels(lang)})
    nodes = store.get_nodes(sorted(labels("pl")))
    for lang in LANGS:
        for uri, (pref, alts) in labels(lang).items():
            assert nodes[uri].props[f"name_{lang}"] == pref
            assert nodes[uri].props.get(f"altLabels_{lang}", []) == alts
    again = import_esco(store, skills=SKILLS)
    assert (again.nodes_created, again.nodes_changed) == (0, 0)
    index = SearchIndex(store.iter_nodes())
    for text in ("projektowanie usług", "progettazione di servizi", "service design"):
        assert index.search(text)[0].id == SERVICE_DESIGN


def _gql(url: str, query: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    r = httpx.post(url + "/graphql", json={"query": query}, headers=headers or {}, timeout=30)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from coco_atlas.api.cli import main

    tmp = tmp_path_factory.mktemp("multilingual")
    db = tmp / "m.db"
    assert main(["import", "esco", *files(*LANGS), "--db", str(db)]) == 0
    ecosystem(tmp, db)
    with running_server(db) as url:
        yield url


def test_search_from_any_language_finds_the_same_concept_first(server: str) -> None:
    for text in ("projektowanie usług", "progettazione di servizi", "service design",
                 "Service-Design"):
        query = "{ search(text: " + _quote(text) + ") { matched node { id } } }"
        hits = _gql(server, query)["data"]["search"]
        assert hits[0]["node"]["id"] == SERVICE_DESIGN, text


def test_the_askers_language_ranks_first(server: str) -> None:
    for lang in ("en", "de"):
        having = {uri for uri, (pref, _) in labels(lang).items()
                  if "design" in re.findall(r"\w+", pref.casefold())}
        query = f'{{ search(text: "design", lang: "{lang}", first: 50) {{ lang node {{ id }} }} }}'
        hits = _gql(server, query)["data"]["search"]
        assert {h["node"]["id"] for h in hits[:len(having)]} == having, lang
        assert all(h["lang"] == lang for h in hits[:len(having)])


def test_name_in_a_language_with_fallbacks_and_all_names(server: str) -> None:
    q = (f'{{ a: node(id: "{SERVICE_DESIGN}") {{ name(lang: "de") names {{ lang value }} '
         'alternativeLabels { lang value } } '
         f'b: node(id: "{SKILL}0010") {{ name(lang: "de") }} '
         f'c: node(id: "{SKILL}0031") {{ en: name(lang: "en") it: name(lang: "it") }} }}')
    data = _gql(server, q)["data"]
    assert data["a"]["name"] == labels("de")[SERVICE_DESIGN][0]
    assert data["b"]["name"] == labels("en")[SKILL + "0010"][0]  # no German: English
    assert data["c"]["en"] == labels("pl")[SKILL + "0031"][0]  # no English: the display name
    assert data["c"]["it"] == labels("it")[SKILL + "0031"][0]
    assert {(n["lang"], n["value"]) for n in data["a"]["names"]} == {
        (lang, labels(lang)[SERVICE_DESIGN][0]) for lang in LANGS}
    assert {(n["lang"], n["value"]) for n in data["a"]["alternativeLabels"]} == {
        (lang, alt) for lang in LANGS for alt in labels(lang)[SERVICE_DESIGN][1]}


def test_accept_language_is_the_default_and_lang_is_checked(server: str) -> None:
    q = f'{{ node(id: "{SERVICE_DESIGN}") {{ name }} }}'
    for header, lang in (("it-IT,it;q=0.9,en;q=0.5", "it"), ("fr, pl;q=0.8", "pl"),
                         ("fr", "en")):
        data = _gql(server, q, {"Accept-Language": header})["data"]
        assert data["node"]["name"] == labels(lang)[SERVICE_DESIGN][0], header
    body = _gql(server, f'{{ node(id: "{SERVICE_DESIGN}") {{ name(lang: "xx") }} }}')
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "one of en, pl" in body["errors"][0]["message"]


def test_gaps_and_introductions_across_languages(server: str) -> None:
    q = ('{ gapAnalysis(hub: "hub-krakow", lang: "pl") { gaps { competence { id name } '
         'suppliers { node { id } } } } '
         'introductions(lang: "it") { explanation offerer { id } needer { id } '
         'competences { id name } } }')
    data = _gql(server, q)["data"]
    gap = next(g for g in data["gapAnalysis"]["gaps"] if g["competence"]["id"] == SERVICE_DESIGN)
    assert gap["competence"]["name"] == labels("pl")[SERVICE_DESIGN][0]
    assert [s["node"]["id"] for s in gap["suppliers"]] == ["co-it"]
    (intro,) = data["introductions"]
    assert (intro["offerer"]["id"], intro["needer"]["id"]) == ("co-it", "co-pl")
    italian = labels("it")[SERVICE_DESIGN][0]
    assert italian in intro["explanation"]
    assert {c["id"]: c["name"] for c in intro["competences"]}[SERVICE_DESIGN] == italian


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_the_analyses_answer_in_the_request_language(server: str) -> None:
    """Without a ``lang`` argument the gap analysis and the introductions name competences, and
    word the introduction, in the language the service chose for the request: ``?lang=``, the
    saved choice (cookie) over the browser's, else ``Accept-Language`` (the language their
    errors are in)."""
    query = ('{ gapAnalysis(hub: "hub-krakow") { competences { competence { id name } } '
             'gaps { competence { id name } } } '
             'introductions { explanation competences { id name } } }')
    for asked, lang, offers in (({"params": {"lang": "de"}}, "de", "bietet"),
                                ({"cookies": {"coco_lang": "it"},
                                  "headers": {"Accept-Language": "pl"}}, "it", "offre"),
                                ({"headers": {"Accept-Language": "pl"}}, "pl", "oferuje:")):
        r = httpx.post(server + "/graphql", json={"query": query}, timeout=30,
                       **asked)  # type: ignore[arg-type]
        assert r.status_code == 200, r.text
        data = r.json()["data"]
        name = labels(lang)[SERVICE_DESIGN][0]
        gaps = data["gapAnalysis"]
        for item in (*gaps["competences"], *gaps["gaps"]):
            if item["competence"]["id"] == SERVICE_DESIGN:
                assert item["competence"]["name"] == name, (lang, item)
        (intro,) = data["introductions"]
        assert {c["id"]: c["name"] for c in intro["competences"]}[SERVICE_DESIGN] == name
        assert name in intro["explanation"] and offers in intro["explanation"], intro


def test_names_answer_in_the_request_language_like_the_pages(server: str) -> None:
    """A plain ``name`` follows the language the service chose for the request, as the pages
    and the analyses do: ``?lang=`` on the address, then the saved choice (the cookie the
    language switch sets) over the browser's ``Accept-Language``."""
    query = f'{{ node(id: "{SERVICE_DESIGN}") {{ name }} }}'
    for asked, lang in (({"params": {"lang": "de"}, "headers": {"Accept-Language": "it"}}, "de"),
                        ({"cookies": {"coco_lang": "it"},
                          "headers": {"Accept-Language": "pl"}}, "it"),
                        ({"headers": {"Accept-Language": "pl"}}, "pl"),
                        ({}, "en")):
        r = httpx.post(server + "/graphql", json={"query": query}, timeout=30,
                       **asked)  # type: ignore[arg-type]
        assert r.status_code == 200, r.text
        assert r.json()["data"]["node"]["name"] == labels(lang)[SERVICE_DESIGN][0], asked
        assert r.headers["content-language"] == lang
