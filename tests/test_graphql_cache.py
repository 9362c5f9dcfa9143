"""Answers kept per store version (GraphCache.result): the same question is answered once until
the next write, a write is seen at once, and the number kept is bounded."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from coco_atlas.api.graphql import aggregate, connections
from coco_atlas.api.graphql.context import Context, GraphCache
from coco_atlas.api.graphql.schema import build_schema
from coco_atlas.api.settings import resolve
from coco_atlas.graph.embedded.store import EmbeddedStore
from tests.conftest import company

PER_COUNTRY = '{ companies { aggregate(groupBy: ["country"]) { keys count } } }'


def ask(schema: Any, store: EmbeddedStore, cache: GraphCache, query: str) -> Any:
    ctx = Context(request=None, response=None, store=store,  # type: ignore[arg-type]
                  settings={}, cache=cache, writer=None, denied=None)
    result = asyncio.run(schema.execute(query, context_value=ctx))
    assert not result.errors, result.errors
    return result.data


def test_aggregates_are_counted_once_per_version(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, ...]] = []
    counts = aggregate.group_counts

    def counted(ctx: Any, label: str, flt: Any, group_by: Any, first: int) -> Any:
        calls.append(tuple(group_by))
        return counts(ctx, label, flt, group_by, first)

    monkeypatch.setattr(connections, "group_counts", counted)
    schema, cache = build_schema(resolve({})), GraphCache(results=2)
    with EmbeddedStore(tmp_path / "t.db") as store:
        store.upsert_nodes([company("c1", "A", "AT"), company("c2", "B", "SK")], source="t")
        first = ask(schema, store, cache, PER_COUNTRY)
        assert ask(schema, store, cache, PER_COUNTRY) == first and len(calls) == 1
        store.upsert_nodes([company("c3", "C", "AT")], source="t")  # a write: counted again
        rows = ask(schema, store, cache, PER_COUNTRY)["companies"]["aggregate"]
        assert rows[0] == {"keys": ["AT"], "count": 2} and len(calls) == 2
        for path in ("city", "sizeClass", "country"):  # two kept: country was dropped
            ask(schema, store, cache, PER_COUNTRY.replace("country", path))
        assert calls[2:] == [("city",), ("sizeClass",), ("country",)]
