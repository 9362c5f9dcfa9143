"""Schemathesis fuzzes every query and mutation field of the live GraphQL endpoint.

One real ``coco serve`` runs on a small demo graph; schemathesis loads its schema by
introspection (the request GraphiQL makes) and, through hypothesis-graphql, draws documents for
each root field: valid ones (positive mode) and ones that break the schema on purpose (negative
mode: wrong types, missing required arguments). IDs are drawn from real ids of the graph as well
as from arbitrary text, and the ``JSON`` properties of mutations from the schema's property
names, so that the resolvers are reached, not only the validator. Each field is fuzzed twice:
anonymously (a write must be refused and the store must not change) and with a write token.
Then documents are broken on purpose (cut short, a stray character) to reach the parser.

Every reply must be one a client can act on (OWASP API Security Top 10 2023, API8 "Security
Misconfiguration": no stack traces, no unhandled errors):

- an HTTP status below 500;
- no Python traceback anywhere in the body;
- a JSON object whose ``errors`` entries each carry ``extensions.code``, never
  ``INTERNAL_SERVER_ERROR`` (an unexpected exception that :mod:`api.graphql.errors` masked).

CI sends a fixed, derandomised sample (the same documents every run). To fuzz longer or with
fresh randomness::

    COCO_FUZZ_EXAMPLES=500 COCO_FUZZ_RANDOM=1 .venv/bin/python -m pytest tests/test_fuzz_graphql.py

A failure shows the request as a curl command, and the server's log of that test (the traceback
behind a masked error).

The schemathesis pytest plugin (``schema.parametrize()``) is not used: its lazy loader sets
pytest's private ``Node._nodeid``, which pytest 9.2 no longer has; the documented
``APIOperation.as_strategy()`` under hypothesis' own ``@given`` does the same work.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import graphql
import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.core.transport import Response
from schemathesis.graphql import nodes
from schemathesis.specs.graphql.schemas import GraphQLSchema

from coco_atlas.api.cli import main
from coco_atlas.api.graphql.schema import build_schema
from coco_atlas.api.settings import resolve
from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.schema import SCHEMA
from tests.server import running_server

pytestmark = pytest.mark.slow  # a browser, a server, Neo4j or a fuzzer: run with -m slow

SECRET = "fuzz-secret-0123456789"  # 16+ characters, as api/auth.py requires
BEARER = {"Authorization": f"Bearer {SECRET}"}
EXAMPLES = int(os.environ.get("COCO_FUZZ_EXAMPLES") or 25)  # per field and per client
RANDOM = os.environ.get("COCO_FUZZ_RANDOM", "") not in ("", "0")
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+")

# deadline=None: the server's speed is not what is tested here, and shared CI cores vary.
# database=None + derandomize: CI sends the same documents every run, whatever ran before.
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                       HealthCheck.data_too_large])


def root_fields() -> list[str]:
    """``Query.x`` / ``Mutation.y`` for every root field, from the schema the server builds
    (known at collection time, so that each field is its own test)."""
    gql = build_schema(resolve(environ={}))._schema
    return [f"{root.name}.{name}" for root in (gql.query_type, gql.mutation_type) if root
            for name in root.fields]


FIELDS = root_fields()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("fuzz") / "demo.db"
    assert main(["demo-data", "--size", "small", "--seed", "42", "--db", str(db)]) == 0
    return db


@pytest.fixture(scope="module")
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-log") / "server.log"


@pytest.fixture(scope="module")
def server(demo: Path, server_log: Path) -> Iterator[str]:
    """One server for the module, with one write token."""
    with running_server(demo, env={"COCO_API_TOKENS": f"fuzz:{SECRET}"}, log=server_log) as base:
        yield base


@pytest.fixture(autouse=True)
def show_server_log(server_log: Path) -> Iterator[None]:
    """pytest shows a failed test's output: here, what the server logged during the test."""
    start = server_log.stat().st_size if server_log.exists() else 0
    yield
    if server_log.exists():
        print(logged_since(server_log, start)[-20_000:])


@pytest.fixture(scope="module")
def graphql_schema(demo: Path, server: str) -> GraphQLSchema:
    """The schema as the live endpoint reports it by introspection, with strategies for the
    scalars schemathesis does not know (``JSON``) or draws blindly (``ID``)."""
    schemathesis.graphql.scalar("ID", ids(demo))
    schemathesis.graphql.scalar("JSON", properties())
    return schemathesis.graphql.from_url(server + "/graphql", timeout=30)


def ids(db: Path) -> st.SearchStrategy[graphql.ValueNode]:
    """Real ids (a few of each label, so writes and paths meet existing nodes) or any text."""
    store = EmbeddedStore(db)
    try:
        real = sorted(n.id for label in SCHEMA.label_names
                      for n, _ in zip(store.iter_nodes(label), range(5), strict=False))
    finally:
        store.close()
    return st.one_of(st.sampled_from(real), st.text(max_size=30)).map(nodes.String)


def properties() -> st.SearchStrategy[graphql.ValueNode]:
    """A JSON object of properties: names the schema declares (and some it does not), values of
    every JSON type, allowed values and dates included."""
    names = sorted({p for label in SCHEMA.label_names for p in SCHEMA.node_properties(label)}
                   | {p for rel in SCHEMA.rel_names for p in SCHEMA.rel_properties(rel)})
    allowed = sorted({v for label in SCHEMA.label_names
                      for p in SCHEMA.node_properties(label).values() for v in p.allowed or ()})
    leaf = st.one_of(
        st.text(max_size=40).map(nodes.String), st.sampled_from(allowed).map(nodes.String),
        st.dates().map(str).map(nodes.String), st.integers().map(nodes.Int),
        st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
        st.booleans().map(nodes.Boolean), st.just(graphql.NullValueNode()))
    value = st.one_of(leaf, st.lists(leaf, max_size=4).map(nodes.List))
    other = st.from_regex(r"\A[_A-Za-z][_0-9A-Za-z]{0,11}\Z")  # any GraphQL Name
    field = st.tuples(st.one_of(st.sampled_from(names), other), value).map(
        lambda kv: graphql.ObjectFieldNode(name=graphql.NameNode(value=kv[0]), value=kv[1]))
    return st.lists(field, max_size=6, unique_by=lambda f: f.name.value).map(nodes.Object)


def cases(schema: GraphQLSchema, label: str) -> st.SearchStrategy[Case]:
    """Documents for one root field, valid and deliberately invalid."""
    operation = schema.find_operation_by_label(label)
    assert operation is not None, f"the live schema has no {label}"
    return st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                     operation.as_strategy(GenerationMode.NEGATIVE))


def problems(response: Response) -> list[str]:
    """What is wrong with one reply, in words (empty: the reply is fine)."""
    if response.status_code >= 500:
        return [f"HTTP {response.status_code}"]
    if TRACEBACK.search(response.text):
        return ["a Python traceback in the body"]
    try:
        body = response.json()
    except ValueError:
        return ["a body that is not JSON"]
    if not isinstance(body, dict):
        return [f"a JSON {type(body).__name__}, not an object"]
    out = []
    for error in body.get("errors") or []:
        ext = error.get("extensions") if isinstance(error, dict) else None
        code = ext.get("code") if isinstance(ext, dict) else None
        if not isinstance(code, str) or not code:
            out.append(f"an error without extensions.code: {error!r}")
        elif code == "INTERNAL_SERVER_ERROR":
            out.append(f"an internal error: {error!r}")
    return out


def coded_reply(ctx: Any, response: Response, case: Case) -> None:
    """Schemathesis check: the reply is one a client can act on (see the module docstring)."""
    found = problems(response)
    assert not found, "; ".join(found)


def refused_write(ctx: Any, response: Response, case: Case) -> None:
    """Schemathesis check: an anonymous mutation is not carried out, and says why."""
    body = response.json()
    field = case.operation.definition.field_name
    assert (body.get("data") or {}).get(field) is None, f"anonymous {field} was carried out"
    assert body.get("errors"), f"anonymous {field} got no error"


def version(server: str) -> int:
    """The store's version: it changes on every committed write."""
    return int(httpx.get(server + "/healthz", timeout=30).json()["version"])


def logged_since(log: Path, start: int) -> str:
    """What the server wrote to its log from byte ``start`` on."""
    with log.open(encoding="utf-8", errors="replace") as f:
        f.seek(start)
        return f.read()


def fuzz(strategy: st.SearchStrategy[Case], check: Callable[[Case], None], log: Path) -> None:
    """Run ``check`` on the fuzz settings' number of cases drawn from ``strategy``. A case also
    fails when the server logged a traceback while answering it: an error the client never
    saw is still a bug (strawberry logs resolver exceptions before masking them)."""
    def run(case: Case) -> None:
        start = log.stat().st_size
        check(case)
        logged = logged_since(log, start)
        assert "Traceback (most recent call last)" not in logged, logged[-5000:]

    FUZZ(given(case=strategy)(run))()


@pytest.mark.parametrize("label", FIELDS)
def test_anonymous_clients_get_coded_replies_and_cannot_write(
        label: str, graphql_schema: GraphQLSchema, server: str, server_log: Path) -> None:
    """Reads answer or refuse with a code; writes are refused, with a code, and change nothing."""
    checks = [coded_reply, refused_write] if label.startswith("Mutation.") else [coded_reply]

    def check(case: Case) -> None:
        before = version(server)
        case.call_and_validate(checks=checks, timeout=60)
        assert version(server) == before, "an anonymous request changed the store"

    fuzz(cases(graphql_schema, label), check, server_log)


@pytest.mark.parametrize("label", FIELDS)
def test_token_holders_get_coded_replies(label: str, graphql_schema: GraphQLSchema,
                                        server_log: Path) -> None:
    """With a write token, every field, writes included, answers or refuses with a code."""
    def check(case: Case) -> None:
        case.call_and_validate(headers=BEARER, checks=[coded_reply], timeout=60)

    fuzz(cases(graphql_schema, label), check, server_log)


@st.composite
def broken(draw: st.DrawFn, schema: GraphQLSchema) -> Case:
    """A document of any field, then cut short or with one character put in anywhere: what a
    client that builds queries by string concatenation sends (the parser must answer, coded)."""
    case = draw(cases(schema, draw(st.sampled_from(FIELDS))))
    doc = str(case.body)
    at = draw(st.integers(0, len(doc)))
    extra = draw(st.one_of(st.none(), st.characters(codec="utf-8")))
    case.body = doc[:at] if extra is None else doc[:at] + extra + doc[at:]
    return case


def test_broken_documents_get_coded_replies(graphql_schema: GraphQLSchema,
                                            server_log: Path) -> None:
    """Syntax errors are coded too (GRAPHQL_PARSE_FAILED), whoever sends them."""
    def check(case: Case) -> None:
        case.call_and_validate(headers=BEARER, checks=[coded_reply], timeout=60)

    fuzz(broken(graphql_schema), check, server_log)


def test_the_fuzzer_sees_every_root_field(graphql_schema: GraphQLSchema) -> None:
    """What the live endpoint publishes is what the tests above fuzz: no field goes unfuzzed,
    and schemathesis generates for every one of them (it skips none)."""
    live = {op.ok().label for op in graphql_schema.get_all_operations()}
    assert live == set(FIELDS)
    assert {"Query.hubs", "Query.brokers", "Mutation.createNodes"} <= live
