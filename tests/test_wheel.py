"""The package as a user gets it: an sdist and a wheel built from this repository, the wheel
installed into a clean virtual environment next to the PyPI packages ``schema``, ``viz`` and
``importers`` (whose names are also folders here), then the ``coco`` a user runs.

Slow (two virtual environments, every dependency installed from the package index or pip's
cache): a few minutes. ``build`` (PyPA's build frontend) runs in its own throwaway environment,
so the environment under test holds only what ``pip install coco-atlas`` puts there.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tarfile
import tomllib
import venv
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.server import running_server

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
NEIGHBOURS = ["schema", "viz", "importers"]  # PyPI packages named like our folders
# Data files a working installation reads (paths inside the package coco_atlas).
DATA = ["docs/maps.md", "docs/img/ecosystem.jpg", "viz/templates/map.js",
        "importers/reference/nuts2021.csv", "graph/neo4j/server/pom.xml",
        "graph/neo4j/server/src/main/java/org/cocoatlas/neo4j/CocoNeo4jServer.java",
        "viz/assets/node_modules/world-atlas/countries-50m.json",
        "viz/assets/node_modules/svgcanvas/dist/svgcanvas.js"]


def _env(tmp: Path) -> dict[str, str]:
    """The user's environment without this checkout on the import path (PYTHONPATH), with a
    cache folder of the test's own."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, "XDG_CACHE_HOME": str(tmp / "cache"), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def _venv(path: Path) -> Path:
    venv.EnvBuilder(with_pip=True, clear=True).create(path)
    return path / "bin"


def _run(*cmd: str | Path, env: dict[str, str], cwd: Path, timeout: float = 600
         ) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(c) for c in cmd], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, f"{cmd} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(sdist, wheel): ``python -m build`` makes the sdist, then the wheel from the sdist, so
    the wheel proves the sdist holds everything a build needs."""
    tmp = tmp_path_factory.mktemp("build")
    tools = _venv(tmp / "tools")
    env = _env(tmp)
    _run(tools / "pip", "install", "-q", "build>=1.2", env=env, cwd=tmp)
    _run(tools / "python", "-m", "build", "--outdir", tmp / "dist", ROOT, env=env, cwd=tmp)
    (sdist,), (wheel,) = (tmp / "dist").glob("*.tar.gz"), (tmp / "dist").glob("*.whl")
    return sdist, wheel


@pytest.fixture(scope="module")
def coco(dists: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
         ) -> tuple[Path, dict[str, str], Path]:
    """(bin folder, environment, working folder) of a clean venv with the wheel installed
    beside ``schema``, ``viz`` and ``importers`` from PyPI."""
    tmp = tmp_path_factory.mktemp("user")
    bin_ = _venv(tmp / "venv")
    env = _env(tmp)
    _run(bin_ / "pip", "install", "-q", dists[1], *NEIGHBOURS, env=env, cwd=tmp, timeout=900)
    return bin_, env, tmp


def test_the_dists_hold_the_data_and_only_coco_atlas(dists: tuple[Path, Path]) -> None:
    sdist, wheel = dists
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in DATA:
        assert f"coco_atlas/{path}" in names, f"the wheel lacks {path}"
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"coco_atlas"}
    with tarfile.open(sdist) as tar:
        members = {m.name.split("/", 1)[1] for m in tar.getmembers() if "/" in m.name}
    for path in DATA:
        assert path in members, f"the sdist lacks {path}"


def test_schema_from_pypi_and_ours_both_import(coco: tuple[Path, dict[str, str], Path]) -> None:
    bin_, env, tmp = coco
    probe = ("import json, schema, viz, importers, coco_atlas.schema as ours\n"
             "print(json.dumps([schema.__file__, hasattr(schema, 'Or'), ours.__file__,\n"
             "                  hasattr(ours, 'SCHEMA'), viz.__file__, importers.__file__]))")
    theirs, has_or, ours, has_schema, viz_file, importers_file = json.loads(
        _run(bin_ / "python", "-c", probe, env=env, cwd=tmp).stdout)
    assert has_or and "coco_atlas" not in theirs  # PyPI's schema: Schema, And, Or, ...
    assert has_schema and Path(ours).parent.parent.name == "coco_atlas"
    assert "coco_atlas" not in viz_file and "coco_atlas" not in importers_file


def test_coco_commands_work_from_the_installed_package(
        coco: tuple[Path, dict[str, str], Path]) -> None:
    bin_, env, tmp = coco
    version = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    assert version in _run(bin_ / "coco", "--version", env=env, cwd=tmp).stdout
    db = tmp / "demo.db"
    _run(bin_ / "coco", "demo-data", "--size", "small", "--seed", "42", "--db", db,
         env=env, cwd=tmp)
    stats = json.loads(_run(bin_ / "coco", "stats", "--db", db, "--json", env=env,
                            cwd=tmp).stdout)
    assert stats, "the demo store is empty"

    # export, then import into a new store: the same counts
    out = tmp / "export"
    _run(bin_ / "coco", "export", "csv", out, "--db", db, env=env, cwd=tmp)
    nodes, edges = sorted(out.glob("*nodes*.csv")), sorted(out.glob("*edges*.csv"))
    assert nodes and edges, f"export wrote {sorted(p.name for p in out.iterdir())}"
    with nodes[0].open(encoding="utf-8") as f:
        exported = sum(1 for _ in csv.DictReader(f))
    copy = tmp / "copy.db"
    _run(bin_ / "coco", "import", "csv", "--nodes", nodes[0], "--edges", edges[0], "--db", copy,
         env=env, cwd=tmp)
    assert json.loads(_run(bin_ / "coco", "stats", "--db", copy, "--json", env=env,
                           cwd=tmp).stdout) == stats
    assert exported > 1000

    brokers = json.loads(_run(bin_ / "coco", "brokers", "--db", db, "--json", env=env,
                              cwd=tmp).stdout)
    assert brokers, "no brokers in the demo ecosystem"

    help_text = _run(bin_ / "coco", "neo4j-dev", "--help", env=env, cwd=tmp).stdout
    assert "--data-dir" in help_text

    with running_server(db, command=[str(bin_ / "coco")], cwd=tmp, env=env, timeout=60) as url:
        docs = httpx.get(url + "/docs", timeout=30)
        assert docs.status_code == 200 and "maps" in docs.text
        guide = httpx.get(url + "/docs/maps.md", timeout=30)
        assert guide.status_code == 200, guide.text[:300]
        for page in ("/maps/ecosystem", "/maps/ecosystem?country=AT,SI,SK&layout=geo"):
            r = httpx.get(url + page, timeout=120)
            assert r.status_code == 200 and "coco-map" in r.text, (page, r.text[:300])
        ide = httpx.get(url + "/graphql", headers={"Accept": "text/html"}, timeout=30)
        assert ide.status_code == 200 and "graphiql" in ide.text.lower()
        reply = httpx.post(url + "/graphql", json={"query": "{ hubs(first: 1) { totalCount } }"},
                           timeout=30)
        assert reply.status_code == 200 and reply.json()["data"]["hubs"]["totalCount"] > 0


def test_neo4j_dev_finds_its_maven_project_in_the_package(
        coco: tuple[Path, dict[str, str], Path]) -> None:
    """Installed, the Maven project is copied into the user cache (site-packages may not be
    writable) and built there on first use; the build itself (Java, Maven) is the Neo4j tests'
    business, so this runs without them."""
    bin_, env, tmp = coco
    probe = ("from coco_atlas.graph.neo4j.server import launcher as l\n"
             "p = l.project_dir(); print(p); print(l.HERE)")
    project, here = _run(bin_ / "python", "-c", probe, env=env, cwd=tmp).stdout.split()
    assert Path(env["XDG_CACHE_HOME"]) in Path(project).parents
    assert (Path(project) / "pom.xml").read_bytes() == (Path(here) / "pom.xml").read_bytes()
    assert "site-packages" in here and sys.prefix not in here
