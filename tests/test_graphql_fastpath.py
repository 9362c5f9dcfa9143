"""The compiled list completion (api/graphql/fastpath.py) answers exactly as graphql-core does.

Every query runs twice in this process on the same store: through the schema as served, and
through the same schema with graphql-core completing every list (``build_schema(fast=False)``);
data and errors (messages and paths) must be equal. The queries cover what the fast path
handles (plain properties of every scalar kind, enums, names in several languages, nested
lists prefetched by the page, aliases, fragments, ``__typename``, interface lists) and what it
must hand back (arguments, filters, connections, resolvers that wait, errors, directives).
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import strawberry
from graphql import GraphQLNonNull
from graphql.execution.executor import Executor

from coco_atlas.api.cli import main
from coco_atlas.api.graphql.context import Context, GraphCache
from coco_atlas.api.graphql.fastpath import FastExecutionContext
from coco_atlas.api.graphql.schema import build_schema
from coco_atlas.api.settings import resolve
from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.schema import Edge, Node
from coco_atlas.schema.languages import negotiate
from coco_atlas.viz import i18n

PAGE = """query($after: String) { companies(first: 50, after: $after) {
  pageInfo { endCursor } nodes { id name country offers { id name } hubs { id name } } } }"""

QUERIES: dict[str, tuple[str, dict[str, Any]]] = {
    "page": (PAGE, {"after": None}),
    "every scalar kind": ("""{ companies(first: 30) { nodes {
        __typename id label name description tags source updatedAt country city sizeClass
        foundedYear closedYear website } }
      trainings(first: 20) { nodes { id label name startDate endDate language area format } }
      regions(first: 20) { nodes { id level country geometry } }
      sectors(first: 20) { nodes { id level isCCI isAdvancedManufacturing } }
      collaborations(first: 10) { nodes { id budget status startDate } } }""", {}),
    "aliases, fragments, merged fields": ("""
      fragment Named on Node { id name }
      { companies(first: 20) { nodes { ...Named key: id id ... on Company { country }
        offers { id } offers { name } more: hubs { ...Named kind __typename }
        hubs { n: name } } } }""", {}),
    "names in languages": ("""{ competences(first: 30) { nodes { id name en: name(lang: "en")
        pl: name(lang: "pl") de: name(lang: "de-AT") names { lang value }
        alternativeLabels { lang value } offeredBy { id name(lang: "pl") } } } }""", {}),
    "two levels down": ("""{ hubs(first: 10) { nodes { id name members(first: 3) { id name
        ... on Company { hubs { id name } offers(first: 2) { name } } } } } }""", {}),
    "arguments and filters": ("""{ companies(first: 20) { nodes { id
        offers(first: 2) { id } byName: offers(orderBy: [NAME_DESC]) { name }
        some: offers(where: { name: { contains: "a" } }) { id }
        offersConnection(first: 2) { totalCount edges { cursor level node { id name } } }
        regions { id parent { id name } } } } }""", {}),
    "interface lists": ("""query($ids: [ID!]!) { nodes(ids: $ids) { __typename id name
        ... on Company { country offers { name } } ... on Competence { skillType } } }""",
                        {"ids": ["c-fast-1", "comp-fast-1", "nope", "comp-fast-2"]}),
    "search and walks": ("""{ search(text: "design", first: 5) { score node { id name } }
        neighbourhood(id: "c-fast-1") { nodes { id name } relationships { type startId } } }""",
                         {}),
    "directives": ("""query($with: Boolean!) { companies(first: 10) { nodes { id
        name @include(if: $with) offers @skip(if: $with) { id } hubs { id @include(if: $with)
        name } } } }""", {"with": True}),
    "nested first out of range": ("""{ companies(first: 5) { nodes { id
        offers(first: -1) { id } } } }""", {}),
    "unknown language": ("""{ competences(first: 5) { nodes { id name(lang: "xx") } } }""",
                         {}),
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    db = tmp_path_factory.mktemp("fastpath") / "demo.db"
    assert main(["demo-data", "--size", "small", "--db", str(db)]) == 0
    s = EmbeddedStore(db)
    s.upsert_nodes([
        Node("c-fast-1", "Company", {"name": "Fast Design", "country": "AT"}),
        Node("comp-fast-1", "Competence", {
            "name": "typesetting", "name_en": "typesetting", "name_pl": "skład tekstu",
            "name_de": "Schriftsatz", "altLabels_de": ["Satz", "Textsatz"]}),
        Node("comp-fast-2", "Competence", {"name": "weaving", "name_de": "Weben"}),
    ], source="fastpath test")
    s.upsert_edges([Edge("c-fast-1", "OFFERS", "comp-fast-1", {}),
                    Edge("c-fast-1", "OFFERS", "comp-fast-2", {})], source="fastpath test")
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(scope="module")
def schemas() -> tuple[Any, Any]:
    settings = resolve({})
    return build_schema(settings), build_schema(settings, fast=False)


def execute(schema: Any, store: EmbeddedStore, query: str, variables: dict[str, Any],
            language: str | None = None) -> Any:
    request = SimpleNamespace(headers={"accept-language": language} if language else {})
    ctx = Context(request=request, response=None, store=store,  # type: ignore[arg-type]
                  settings={}, cache=GraphCache(), writer=None, denied=None)
    with i18n.use(negotiate(None, language)):  # the language api/i18n.py's middleware picks
        return asyncio.run(schema.execute(query, variable_values=variables, context_value=ctx))


def answer(result: Any) -> tuple[Any, list[tuple[str, Any]]]:
    errors = sorted((e.message, e.path) for e in result.errors or ())
    return result.data, errors


@pytest.mark.parametrize("name", list(QUERIES))
@pytest.mark.parametrize("language", [None, "pl,de;q=0.8"])
def test_the_fast_path_answers_as_graphql_core_does(
        store: EmbeddedStore, schemas: tuple[Any, Any], name: str, language: str | None) -> None:
    query, variables = QUERIES[name]
    fast, slow = schemas
    expected = answer(execute(slow, store, query, variables, language))
    assert answer(execute(fast, store, query, variables, language)) == expected
    data, errors = expected
    if name in ("nested first out of range", "unknown language"):
        assert errors  # the fast path handed the list back, graphql-core raised
    else:
        assert not errors and data


def test_a_page_is_completed_without_graphql_core_lists(
        store: EmbeddedStore, schemas: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """The benchmark's page (issue 16): every list, the nested ones included, is completed
    by the compiled closures; graphql-core completes none of them."""
    calls: list[str] = []
    slow = Executor.complete_list_value

    def counted(self: Any, *args: Any) -> Any:
        calls.append(args[2].field_name)
        return slow(self, *args)

    monkeypatch.setattr(Executor, "complete_list_value", counted)
    result = execute(schemas[0], store, PAGE, {"after": None})
    assert not result.errors and len(result.data["companies"]["nodes"]) == 50
    assert calls == []
    execute(schemas[1], store, PAGE, {"after": None})
    assert "nodes" in calls and "offers" in calls  # (the counter does count)


def test_a_request_leaves_no_nodes_to_the_garbage_collector(
        store: EmbeddedStore, schemas: tuple[Any, Any]) -> None:
    """graphql-core's executor is in a reference cycle, so whatever it reaches is freed only
    by the garbage collector; the request context lets go of its loaded nodes when the
    operation ends (Context.release), so they go with the request."""
    execute(schemas[0], store, PAGE, {"after": None})
    gc.collect()
    gc.disable()
    try:
        before = sum(isinstance(o, Node) for o in gc.get_objects())
        for _ in range(3):
            assert not execute(schemas[0], store, PAGE, {"after": None}).errors
        left = sum(isinstance(o, Node) for o in gc.get_objects()) - before
    finally:
        gc.enable()
    assert left <= 0


def test_names_follow_accept_language_on_the_fast_path(
        store: EmbeddedStore, schemas: tuple[Any, Any]) -> None:
    query = '{ nodes(ids: ["comp-fast-1", "comp-fast-2"]) { id name } }'
    result = execute(schemas[0], store, query, {}, "de-AT,de;q=0.9")
    assert result.data["nodes"] == [{"id": "comp-fast-1", "name": "Schriftsatz"},
                                    {"id": "comp-fast-2", "name": "Weben"}]
    result = execute(schemas[0], store, query, {}, "pl")
    assert result.data["nodes"] == [{"id": "comp-fast-1", "name": "skład tekstu"},
                                    {"id": "comp-fast-2", "name": "weaving"}]


@strawberry.type
class Item:
    id: strawberry.ID | None
    tag: str | None = None


@strawberry.type
class Items:
    @strawberry.field
    def items(self) -> list[Item]:
        return [Item(id=strawberry.ID("a"), tag="x"), Item(id=None)]

    @strawberry.field
    def tags(self) -> list[Item]:
        return [Item(id=strawberry.ID("b"), tag="y")]


def test_a_null_where_one_is_not_allowed_is_graphql_cores_error() -> None:
    """A value the fast path may not complete (here a null id, declared non-null below)
    hands the list back: the error, its path and the nulls that propagate are graphql-core's."""
    sdl = strawberry.Schema(Items, execution_context_class=FastExecutionContext)
    plain = strawberry.Schema(Items)
    for schema in (sdl, plain):  # make `id` non-null in both, as a schema would declare it
        field = schema._schema.type_map["Item"].fields["id"]  # type: ignore[attr-defined]
        field.type = GraphQLNonNull(field.type)
    query = "{ items { id tag } tags { id tag } }"
    fast, slow = (asyncio.run(s.execute(query)) for s in (sdl, plain))
    assert answer(fast) == answer(slow)
    assert fast.data is None and fast.errors and fast.errors[0].path == ["items", 1, "id"]
