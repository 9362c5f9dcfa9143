"""GraphQL errors in the request's language (issue 15, item 4).

``Accept-Language`` (or ``?lang=``) chooses the language of an error's ``message`` and of the
human ``expected`` text; what programs read stays the same in every language: the
``extensions`` ``code``, ``where``, ``field`` and ``got``. The resolvers run on worker threads
(:mod:`api.offload` copies the request's context), so these tests also show the language
reaching them. The GraphQL IDE's own words follow the request too.
"""

from __future__ import annotations

import json
import re

import httpx

BIG_PAGE = "{ companies(first: 1001) { totalCount } }"
WRITE = """mutation { createNodes(nodes: [{ id: "t-hub", label: Hub,
    properties: { name: "Hub", kind: "creative-hub", country: "SK" } }]) { id } }"""


def ask(url: str, query: str, lang: str | None) -> dict:  # type: ignore[type-arg]
    headers = {"Accept-Language": lang} if lang else {}
    r = httpx.post(url + "/graphql", json={"query": query}, headers=headers, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_a_bad_argument_is_explained_in_german_with_the_same_extensions(demo_url: str) -> None:
    [english] = ask(demo_url, BIG_PAGE, None)["errors"]
    [german] = ask(demo_url, BIG_PAGE, "de-AT, en;q=0.5")["errors"]
    assert english["extensions"] == {"code": "BAD_USER_INPUT", "where": "companies",
                                     "field": "first", "expected": "a page size from 0 to 1000",
                                     "got": 1001}
    assert german["extensions"] == {**english["extensions"],
                                    "expected": "eine Seitengröße von 0 bis 1000"}
    assert german["message"] == ("companies: Feld 'first': erwartet: eine Seitengröße von 0 bis "
                                 "1000, erhalten: 1001")
    assert english["message"].startswith("companies: field 'first' expected a page size")
    assert german["path"] == english["path"]


def test_a_refused_write_is_explained_in_the_reader_language(demo_url: str) -> None:
    english = ask(demo_url, WRITE, None)["errors"][0]
    polish = ask(demo_url, WRITE, "pl")["errors"][0]
    assert english["extensions"] == polish["extensions"] == {"code": "FORBIDDEN"}
    assert english["message"].startswith("writes need a bearer token")
    assert polish["message"].startswith("zapisy wymagają tokenu bearer wydanego przez operatora")
    italian = httpx.post(demo_url + "/graphql?lang=it", json={"query": WRITE}, timeout=60)
    assert italian.json()["errors"][0]["message"].startswith("le scritture richiedono")


def test_a_refused_request_body_is_explained_in_slovenian(demo_url: str) -> None:
    r = httpx.post(demo_url + "/graphql", content=b"[1, 2]", timeout=60,
                   headers={"Content-Type": "application/json", "Accept-Language": "sl"})
    assert r.status_code == 400
    [error] = r.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "body"
    assert error["message"].startswith("zahteva GraphQL je objekt JSON s poizvedbo")


def test_the_ide_speaks_the_reader_language(demo_url: str) -> None:
    r = httpx.get(demo_url + "/graphql", timeout=60,
                  headers={"Accept": "text/html", "Accept-Language": "pl"})
    assert r.status_code == 200 and '<html lang="pl">' in r.text
    assert "Wczytywanie GraphiQL…" in r.text
    words = json.loads(re.search(r'<script type="application/json" id="coco-ide-words">'
                                 r"(.*?)</script>", r.text, re.S)[1])  # type: ignore[index]
    assert words["query"] == "Zapytanie GraphQL" and words["result"] == "Wynik"
    assert "Content-Security-Policy" in r.headers and "'unsafe-inline'" not in \
        r.headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]


def test_an_analysis_argument_and_an_analysis_problem_in_german(demo_url: str) -> None:
    """Checked in the resolver (``suppliers``) or found by the analysis itself (an unknown
    training): message and ``expected`` in German, ``field`` and ``got`` as they came."""
    query = '{ gapAnalysis(region: "AT13", suppliers: 500) { unmet } }'
    [english] = ask(demo_url, query, None)["errors"]
    [german] = ask(demo_url, query, "de")["errors"]
    assert english["extensions"] == {"code": "BAD_USER_INPUT", "where": "gapAnalysis",
                                     "field": "suppliers", "expected": "from 0 to 100",
                                     "got": 500}
    assert german["extensions"] == {**english["extensions"], "expected": "von 0 bis 100"}
    assert german["message"] == ("gapAnalysis: Feld 'suppliers': erwartet: von 0 bis 100, "
                                 "erhalten: 500")
    query = '{ trainingImpact(training: "keine") { verdict: method } }'
    [english] = ask(demo_url, query, None)["errors"]
    [german] = ask(demo_url, query, "de-DE")["errors"]
    assert english["extensions"]["field"] == german["extensions"]["field"] == "training"
    assert english["extensions"]["expected"] == "'keine' is not a training of this store"
    assert german["extensions"]["expected"] == "'keine' ist keine Schulung dieses Speichers"
