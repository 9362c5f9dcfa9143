"""The HTTP service, through a real client against the real server on loopback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from coco_atlas.api.cli import main
from coco_atlas.schema import SCHEMA
from tests.server import running_server


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("http") / "demo.db"
    assert main(["demo-data", "--size", "small", "--db", str(db)]) == 0
    with running_server(db) as url:
        yield url


def test_healthz(base_url: str) -> None:
    r = httpx.get(base_url + "/healthz")
    assert r.status_code == 200
    body = r.json()
    # which worker process answered and its resident memory (coco serve --workers)
    worker, rss = body.pop("worker"), body.pop("rss_mib")
    assert body == {"status": "ok", "version": 1}
    assert isinstance(worker, int) and worker > 1 and 10 < rss < 100_000


def test_stats_json_counts_the_demo(base_url: str) -> None:
    counts = httpx.get(base_url + "/-/stats.json").json()
    assert set(counts["labels"]) == set(SCHEMA.label_names)
    assert counts["labels"]["Hub"] >= 24


def test_schema_json_is_the_schema(base_url: str) -> None:
    assert httpx.get(base_url + "/-/schema.json").json() == SCHEMA.describe()


def test_settings_json_shows_loopback_default(base_url: str) -> None:
    settings = httpx.get(base_url + "/-/settings.json").json()
    assert settings["host"] == "127.0.0.1"


def test_unknown_path_is_404(base_url: str) -> None:
    assert httpx.get(base_url + "/nope").status_code == 404


def test_server_refuses_missing_store(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="no such store"), \
            running_server(tmp_path / "missing.db", timeout=20):
        pass


def test_unavailable_store_answers_a_generic_coded_503(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Where the store is and what its driver said go to the log (credentials masked), not to
    the client."""
    from coco_atlas.api.app import create_app
    from coco_atlas.graph.embedded.store import EmbeddedStore
    from coco_atlas.graph.store import StoreUnavailable
    from tests.graphql_client import serving

    class Down(EmbeddedStore):
        def counts(self) -> Any:
            raise StoreUnavailable("Neo4j at bolt://neo4j:hunter2@db.internal:7687 is "
                                   "unreachable: Couldn't connect to db.internal:7687")

    db = tmp_path / "demo.db"
    assert main(["demo-data", "--size", "small", "--db", str(db)]) == 0
    store = Down(db)
    try:
        with caplog.at_level(logging.WARNING, logger="coco.app"), \
                serving(create_app({"db": str(db)}, store=store)) as url:
            r = httpx.get(url + "/-/stats.json")
    finally:
        store.close()
    assert r.status_code == 503
    assert r.json() == {"error": "store unavailable", "code": "STORE_UNAVAILABLE"}
    assert r.headers["x-content-type-options"] == "nosniff"
    logged = "\n".join(rec.getMessage() for rec in caplog.records)
    assert "db.internal:7687 is unreachable" in logged and "hunter2" not in logged


@pytest.mark.parametrize("workers", ["1", "2"])
def test_access_log_only_when_asked(tmp_path: Path, workers: str) -> None:
    """One line per request with --access-log (or COCO_ACCESS_LOG), none by default: the
    reverse proxy in front usually logs requests, as gunicorn assumes."""
    db = tmp_path / "demo.db"
    assert main(["demo-data", "--size", "small", "--db", str(db)]) == 0
    lines = {}
    for name, args, env in (("default", (), {}), ("flag", ("--access-log",), {}),
                            ("env", (), {"COCO_ACCESS_LOG": "yes"})):
        log = tmp_path / f"{name}.log"
        with running_server(db, "--workers", workers, *args, env=env, log=log) as url:
            assert httpx.get(url + "/-/stats.json?probe=" + name).status_code == 200
        lines[name] = [x for x in log.read_text(encoding="utf-8").splitlines()
                       if "/-/stats.json?probe=" in x]
    assert lines["default"] == []
    assert len(lines["flag"]) == 1 and '"GET /-/stats.json?probe=flag HTTP/1.1" 200' in \
        lines["flag"][0]
    assert len(lines["env"]) == 1
