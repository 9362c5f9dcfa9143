"""The GraphQL schema is valid and derives from ``schema/`` alone (nothing restated by hand)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import build_client_schema, get_introspection_query, validate_schema

from coco_atlas.api.cli import main
from coco_atlas.schema import SCHEMA, PropType
from tests.server import running_server

ROOT = Path(__file__).resolve().parents[1]
SCALAR = {PropType.STRING: "String", PropType.INT: "Int", PropType.FLOAT: "Float",
          PropType.BOOL: "Boolean", PropType.DATE: "Date", PropType.DATETIME: "DateTime",
          PropType.STRING_LIST: "[String!]"}


@pytest.fixture(scope="module")
def introspection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    db = tmp_path_factory.mktemp("schema") / "demo.db"
    assert main(["demo-data", "--size", "small", "--db", str(db)]) == 0
    with running_server(db) as url:
        r = httpx.post(url + "/graphql", json={"query": get_introspection_query(
            descriptions=True)})
        assert r.status_code == 200
        reply = r.json()
        assert "errors" not in reply
        yield reply["data"]


def _type(ref: dict[str, Any]) -> str:
    if ref["kind"] == "NON_NULL":
        return _type(ref["ofType"]) + "!"
    if ref["kind"] == "LIST":
        return "[" + _type(ref["ofType"]) + "]"
    return str(ref["name"])


def _types(intro: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in intro["__schema"]["types"]}


def _fields(t: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: _type(f["type"]) for f in (t.get("fields") or t.get("inputFields"))}


def test_introspection_builds_a_valid_schema(introspection: dict[str, Any]) -> None:
    schema = build_client_schema(introspection)  # type: ignore[arg-type]
    assert validate_schema(schema) == []
    assert schema.query_type is not None and schema.mutation_type is not None


def test_every_label_and_property_is_a_typed_field(introspection: dict[str, Any]) -> None:
    types = _types(introspection)
    node = _fields(types["Node"])
    for label in SCHEMA.label_names:
        t = types[label]
        assert [i["name"] for i in t["interfaces"]] == ["Node"]
        fields = _fields(t)
        assert fields["id"] == "ID!" and fields["label"] == "Label!"
        for name, prop in SCHEMA.node_properties(label).items():
            expected = SCALAR[prop.type] + ("!" if prop.required else "")
            assert fields[name] == expected, (label, name)
        where = _fields(types[f"{label}Where"])
        assert set(SCHEMA.node_properties(label)) <= set(where)
        order = {v["name"] for v in types[f"{label}OrderBy"]["enumValues"]}
        assert {"ID_ASC", "NAME_ASC", "NAME_DESC", "UPDATED_AT_DESC"} <= order
    for prop in SCHEMA.common:
        assert prop.name in node


def test_every_relationship_is_a_field_both_ways(introspection: dict[str, Any]) -> None:
    types = _types(introspection)
    for rel in SCHEMA.relationships:
        for source in rel.sources:
            targets = rel.targets & {source} if rel.same_label else rel.targets
            if not targets:
                continue
            want = next(iter(targets)) if len(targets) == 1 else "Node"
            assert _fields(types[source])[rel.out_field] == f"[{want}!]!", (source, rel.name)
            conn = _fields(types[source])[f"{rel.out_field}Connection"].rstrip("!")
            edge = _fields(types[conn])["edges"].strip("[]!")
            assert set(SCHEMA.rel_properties(rel.name)) <= set(_fields(types[edge]))
            assert rel.out_field in _fields(types[f"{source}Where"])
        for target in rel.targets:
            sources = rel.sources & {target} if rel.same_label else rel.sources
            if not sources:
                continue
            want = next(iter(sources)) if len(sources) == 1 else "Node"
            assert _fields(types[target])[rel.in_field] == f"[{want}!]!", (target, rel.name)
    assert {v["name"] for v in types["RelType"]["enumValues"]} == set(SCHEMA.rel_names)
    assert {v["name"] for v in types["Label"]["enumValues"]} == set(SCHEMA.label_names)


def test_root_lists_and_hierarchy_filters(introspection: dict[str, Any]) -> None:
    types = _types(introspection)
    query = _fields(types["Query"])
    for lab in SCHEMA.labels:
        assert query[lab.collection] == f"{lab.name}Connection!"
    for label in ("Region", "Sector", "Competence"):  # NUTS PART_OF, NACE/ESCO BROADER
        assert _fields(types[f"{label}Where"])["within"] == f"{label}Where"
    assert "within" not in _fields(types["CompanyWhere"])


GROWN = """
import dataclasses, json, sys
from coco_atlas import schema
import coco_atlas.schema.model as m
from coco_atlas.schema import Property, PropType, RelType
company = dataclasses.replace(m.COMPANY, properties=(
    *m.COMPANY.properties, Property("employees", PropType.INT, description="Headcount.")))
mentors = RelType("MENTORS", frozenset({"Hub"}), frozenset({"Company"}), "mentees", "mentors",
                  "A hub mentors a company.", (Property("hours", PropType.FLOAT),))
grown = schema.Schema(
    labels=tuple(company if lab.name == "Company" else lab for lab in m.SCHEMA.labels),
    relationships=(*m.SCHEMA.relationships, mentors), common=m.SCHEMA.common,
    edge_common=m.SCHEMA.edge_common)
schema.SCHEMA = m.SCHEMA = grown
from coco_atlas.api.graphql.schema import build_schema
from coco_atlas.api.settings import resolve
print(json.dumps(str(build_schema(resolve()))))
"""


def test_a_new_property_and_relationship_appear_with_no_other_edit() -> None:
    """Grow the schema in a fresh interpreter: GraphQL follows with no change to api/."""
    out = subprocess.run([sys.executable, "-c", GROWN], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    sdl = json.loads(out)
    assert "employees: Int" in sdl
    assert "mentees(where: CompanyWhere" in sdl and "mentors(where: HubWhere" in sdl
    assert "type HubMenteesEdge" in sdl and "hours: Float" in sdl
    assert "EMPLOYEES_DESC" in sdl and "MENTORS" in sdl
