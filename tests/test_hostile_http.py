"""Hostile bodies sent to ``POST /graphql`` of one real server: never a 5xx, never a traceback,
every error coded.

OWASP API Security Top 10 2023, API8 "Security Misconfiguration" (no stack traces, no unhandled
errors) and API4 "Unrestricted Resource Consumption" (bounded nesting and sizes); the request
rules are those of the GraphQL over HTTP specification (a JSON object with ``query``,
``variables``, ``operationName``, ``extensions``) and RFC 8259 (JSON is UTF-8 text).

The property test draws random bytes, random JSON values of any shape, deeply nested JSON,
huge numbers, lone surrogates escaped in JSON and wrong content types. The targeted tests pin
each hole found once, so that it stays closed.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coco_atlas.api.cli import main
from tests.server import running_server

pytestmark = pytest.mark.slow  # a browser, a server, Neo4j or a fuzzer: run with -m slow

SECRET = "hostile-secret-0123456789"
BEARER = {"Authorization": f"Bearer {SECRET}"}
JSON_TYPE = {"Content-Type": "application/json"}
HUBS = "query($w: HubWhere, $n: Int) { hubs(where: $w, first: $n) { totalCount } }"


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("hostile") / "demo.db"
    assert main(["demo-data", "--size", "small", "--db", str(db)]) == 0
    with running_server(db, env={"COCO_API_TOKENS": f"hostile:{SECRET}"}) as base:
        yield base


@pytest.fixture(scope="module")
def client(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=60) as c:
        yield c


def post(client: httpx.Client, body: bytes | str, content_type: str | None = "application/json",
         **headers: str) -> httpx.Response:
    """POST raw bytes to /graphql with a chosen content type (None: no such header)."""
    if content_type is not None:
        headers["Content-Type"] = content_type
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    return client.post("/graphql", content=raw, headers=headers)


def problems(r: httpx.Response) -> list[str]:
    """What is wrong with a reply to a hostile request (empty: nothing)."""
    out = []
    if r.status_code >= 500:
        out.append(f"HTTP {r.status_code}")
    if "Traceback" in r.text:
        out.append("a traceback in the body")
    if r.headers.get("content-type", "").startswith("application/json"):
        body = r.json()
        errors = body.get("errors") if isinstance(body, dict) else None
        if r.status_code >= 400 and not errors:
            out.append(f"a {r.status_code} without errors: {r.text[:200]}")
        for e in errors or []:
            code = (e.get("extensions") or {}).get("code")
            if not isinstance(code, str) or not code:
                out.append(f"an error without extensions.code: {e!r:.300}")
            elif code == "INTERNAL_SERVER_ERROR":
                out.append(f"an internal error: {e!r:.300}")
    elif r.status_code >= 400:
        out.append(f"a {r.status_code} that is not coded JSON: {r.text[:200]!r}")
    return out


def refused(r: httpx.Response, status: int, code: str = "BAD_USER_INPUT") -> dict[str, Any]:
    """The one coded error of a refused request."""
    assert r.status_code == status, (r.status_code, r.text[:500])
    assert not problems(r), problems(r)
    [error] = r.json()["errors"]
    assert error["extensions"]["code"] == code, error
    return error  # type: ignore[no-any-return]


# -- property test --------------------------------------------------------------------------
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False,
                    allow_infinity=False), st.text(max_size=30))
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=10), inner, max_size=5)),
    max_leaves=30)
queries = st.one_of(st.text(max_size=60), st.sampled_from([
    "{ hubs { totalCount } }", HUBS, "query A { hubs { totalCount } } query B { __typename }",
    "{ companies { aggregate(groupBy: [\"sectors.broader*[level=1].id\"]) { keys count } } }",
    "mutation { deleteNodes(ids: [\"nope\"]) }", "{ node(id: \"AT\") { id } }"]))
graphql_shaped = st.fixed_dictionaries({"query": queries}, optional={
    "variables": st.one_of(json_values, st.fixed_dictionaries({}, optional={
        "w": json_values, "n": st.one_of(st.integers(), st.floats())})),
    "operationName": st.one_of(st.none(), st.text(max_size=5), st.integers()),
    "extensions": json_values})


def _nested(depth: int, kind: str) -> str:
    return ("[" * depth + "]" * depth) if kind == "list" else ('{"a":' * depth + "1"
                                                               + "}" * depth)


deep = st.builds(lambda d, k, inside: (f'{{"query": {json.dumps(HUBS)}, "variables": '
                                       f'{{"w": {_nested(d, k)}}}}}') if inside else
                 _nested(d, k), st.integers(50, 5000), st.sampled_from(["list", "object"]),
                 st.booleans())
huge_numbers = st.builds(lambda digits, where: (
    f'{{"query": {json.dumps(HUBS)}, "variables": {{"{where}": {digits}}}}}'),
    st.one_of(st.integers(min_value=2**63), st.integers(max_value=-2**63),
              st.sampled_from(["1e400", "-1e400", "1" + "0" * 400])).map(str),
    st.sampled_from(["n", "w"]))
surrogates = st.builds(lambda hi, text: (
    f'{{"query": {json.dumps(HUBS)}, "variables": {{"w": {{"name": '
    f'{{"contains": "{text}\\u{hi:04x}"}}}}}}}}'),
    st.integers(0xD800, 0xDFFF), st.text(string.ascii_letters, max_size=5))
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(json.dumps),
    graphql_shaped.map(json.dumps),
    deep, huge_numbers, surrogates)
content_types = st.one_of(st.just("application/json"), st.sampled_from([
    None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
    "application/json; charset=latin-1", "application/graphql", "application/json;;",
    "\u00e9/\u00e9"]))


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=bodies, content_type=content_types, write=st.booleans())
def test_hostile_bodies_get_coded_4xx_never_5xx(client: httpx.Client, body: bytes | str,
                                                content_type: str | None, write: bool) -> None:
    headers = BEARER if write else {}
    try:
        r = post(client, body, content_type, **headers)
    except UnicodeEncodeError:  # a header httpx cannot send: nothing reaches the server
        return
    assert not problems(r), (problems(r), body[:300])


# -- targeted: each hole found once ---------------------------------------------------------
@pytest.mark.parametrize("body", ["42", "null", "[]", '"text"', "true",
                                  '[{"query": "{ __typename }"}]'])
def test_a_body_that_is_not_a_json_object_is_refused(client: httpx.Client, body: str) -> None:
    error = refused(post(client, body), 400)
    assert "JSON object" in error["extensions"]["expected"]


def test_bytes_that_are_not_utf8_are_refused(client: httpx.Client) -> None:
    error = refused(post(client, b'{"query": "{ hubs { totalCount } }\xff\xfe"}'), 400)
    assert "UTF-8" in error["extensions"]["expected"]


@pytest.mark.parametrize("inside", [False, True])
def test_json_nested_a_thousand_levels_is_refused(client: httpx.Client, inside: bool) -> None:
    nested = "[" * 1500 + "]" * 1500
    body = f'{{"query": {json.dumps(HUBS)}, "variables": {{"w": {nested}}}}}' if inside \
        else nested
    error = refused(post(client, body), 400)
    assert "nested" in error["extensions"]["expected"]


def test_json_nested_deeply_in_a_get_is_refused(client: httpx.Client) -> None:
    r = client.get("/graphql", params={"query": HUBS, "variables": "[" * 3000 + "]" * 3000})
    assert "nested" in refused(r, 400)["extensions"]["expected"]


@pytest.mark.parametrize("value", [2**64 + 1, 2**64 - 1, -(2**63) - 1, 10**30])
def test_a_huge_first_is_a_coded_error(client: httpx.Client, value: int) -> None:
    r = post(client, f'{{"query": {json.dumps(HUBS)}, "variables": {{"n": {value}}}}}')
    assert r.status_code < 500 and not problems(r), r.text[:500]
    code = r.json()["errors"][0]["extensions"]["code"]
    assert code in ("BAD_USER_INPUT", "QUERY_TOO_LARGE"), r.text


def test_a_lone_surrogate_in_a_filter_is_bad_input(client: httpx.Client) -> None:
    body = (f'{{"query": {json.dumps(HUBS)}, '
            '"variables": {"w": {"name": {"contains": "x\\ud800"}}}}')
    error = refused(post(client, body), 400)
    assert "surrogate" in error["message"]


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "application/json; charset=latin-1"])
def test_a_wrong_content_type_is_415(client: httpx.Client, content_type: str | None) -> None:
    r = post(client, json.dumps({"query": "{ hubs { totalCount } }"}), content_type)
    assert "application/json" in refused(r, 415, "UNSUPPORTED_MEDIA_TYPE")["extensions"][
        "expected"]


@pytest.mark.parametrize("body, field", [
    ({"query": 5}, "query"), ({"query": ""}, "query"), ({}, "query"),
    ({"query": "{ __typename }", "variables": [1]}, "variables"),
    ({"query": "{ __typename }", "operationName": 5}, "operationName"),
    ({"query": "{ __typename }", "extensions": "x"}, "extensions")])
def test_request_parameters_of_the_wrong_shape_name_the_field(
        client: httpx.Client, body: dict[str, Any], field: str) -> None:
    assert refused(post(client, json.dumps(body)), 400)["extensions"]["field"] == field


def test_other_methods_are_405_with_allow(client: httpx.Client) -> None:
    r = client.put("/graphql", content=b"{}", headers=JSON_TYPE)
    refused(r, 405, "METHOD_NOT_ALLOWED")
    assert set(r.headers["allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_get_mutation_and_unknown_operation_are_coded(client: httpx.Client) -> None:
    r = client.get("/graphql", params={"query": 'mutation { deleteNodes(ids: ["AT"]) }'})
    assert r.status_code in (400, 405) and not problems(r)
    r = post(client, json.dumps({"query": "query A { __typename }", "operationName": "B"}))
    assert r.status_code < 500 and r.json()["errors"] and not problems(r)


def test_two_operations_need_an_operation_name(client: httpx.Client) -> None:
    two = "query A { hubs { totalCount } } query B { companies { totalCount } }"
    error = refused(post(client, json.dumps({"query": two})), 400)
    assert error["extensions"]["field"] == "operationName"
    assert "A, B" in error["extensions"]["expected"]
    r = post(client, json.dumps({"query": two, "operationName": "B"}))
    assert r.status_code == 200 and "companies" in r.json()["data"]


def test_graphql_errors_carry_codes(client: httpx.Client) -> None:
    """Syntax, validation and variable coercion errors are coded like ours."""
    for body, code in ((
            {"query": "{ hubs { "}, "GRAPHQL_PARSE_FAILED"),
            ({"query": "{ hubs { nope } }"}, "GRAPHQL_VALIDATION_FAILED"),
            ({"query": HUBS, "variables": {"n": "ten"}}, "BAD_USER_INPUT")):
        r = post(client, json.dumps(body))
        assert r.status_code < 500 and not problems(r), r.text
        assert r.json()["errors"][0]["extensions"]["code"] == code


def test_deep_and_wide_filters_are_bad_input(client: httpx.Client) -> None:
    """A ``where`` nested past the limit, or with too many conditions, is refused by name (it
    used to overflow SQLite's parser: an internal error)."""
    deep: dict[str, Any] = {"name": {"eq": "x"}}
    for _ in range(60):
        deep = {"NOT": deep}
    wide = {"OR": [{"name": {"eq": f"x{i}"}} for i in range(1500)]}
    for where, expected in ((deep, "nested"), (wide, "conditions")):
        r = post(client, json.dumps({"query": HUBS, "variables": {"w": where}}))
        assert r.status_code == 200 and not problems(r), r.text[:500]
        [error] = r.json()["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert expected in error["extensions"]["expected"]
        assert error["extensions"]["where"].startswith("where")


def test_an_aggregate_path_with_a_value_of_the_wrong_type_is_refused(client: httpx.Client) -> None:
    for path, expected in (("sectors.broader*[level=abc].id", "an integer"),
                           ("sectors[isCCI=maybe].id", "true or false"),
                           ("regions[country=Austria].id", "[A-Z]{2}")):
        query = f'{{ companies {{ aggregate(groupBy: ["{path}"]) {{ keys count }} }} }}'
        r = post(client, json.dumps({"query": query}))
        assert r.status_code == 200 and not problems(r), r.text
        [error] = r.json()["errors"]
        ext = error["extensions"]
        assert ext["code"] == "BAD_USER_INPUT" and ext["got"] == path, ext
        assert expected in ext["expected"], ext


def test_a_huge_name_is_refused_without_echoing_it(client: httpx.Client) -> None:
    name = "N" * 3_000_000
    query = ("mutation($p: JSON!) { createNodes(nodes: [{ id: \"huge\", label: Hub, "
             "properties: $p }]) { id } }")
    body = json.dumps({"query": query, "variables": {"p": {
        "name": name, "kind": "cluster", "country": "AT"}}})
    r = post(client, body, **BEARER)
    assert r.status_code == 200 and not problems(r), r.text[:500]
    assert len(r.content) < 5_000
    [error] = r.json()["errors"]
    assert error["extensions"]["field"] == "name"
    assert "at most 500 characters" in error["extensions"]["expected"]
    assert "3,000,000 characters" in error["extensions"]["got"]


def test_too_many_mutation_inputs_are_refused_by_field(client: httpx.Client) -> None:
    query = "mutation($ids: [ID!]!) { deleteNodes(ids: $ids) }"
    body = json.dumps({"query": query, "variables": {"ids": [f"n{i}" for i in range(10_001)]}})
    r = post(client, body, **BEARER)
    assert r.status_code == 200 and not problems(r), r.text[:500]
    [error] = r.json()["errors"]
    assert error["extensions"]["field"] == "ids" and "10,000" in error["extensions"]["expected"]
    assert error["extensions"]["got"] == 10_001


def test_security_headers_on_every_kind_of_response(client: httpx.Client) -> None:
    """nosniff and no framing on JSON, GraphQL, static files, pages and 404s (OWASP Secure
    Headers Project)."""
    answers = [client.get("/healthz"), client.get("/nope"),
               post(client, json.dumps({"query": "{ __typename }"})), post(client, "42"),
               client.get("/graphql/static/graphiql.min.css"), client.get("/docs/img/brokers.jpg"),
               client.get("/maps/nope"), client.get("/")]
    for r in answers:
        assert r.headers["x-content-type-options"] == "nosniff", r.url
        assert r.headers["x-frame-options"] == "DENY", r.url
    page = answers[-1]
    assert page.status_code == 200 and "frame-ancestors 'none'" in \
        page.headers["content-security-policy"]
