"""What pyproject.toml and setup.py ship matches the tree, so a new subpackage, template or data
file cannot be left out of the wheel silently (tests/test_wheel.py builds and installs it: slow).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
CODE = ("graph", "schema", "importers", "api", "viz")
# Tracked files inside package folders that are deliberately not installed.
NOT_SHIPPED = {"graph/neo4j/server/.gitignore", "viz/assets/package.json",
               "viz/assets/package-lock.json"}


def _tracked() -> list[str]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    return out.splitlines()


def _folder(package: str) -> Path:
    return ROOT.joinpath(*package.split(".")[1:])


def test_every_package_in_the_tree_is_listed() -> None:
    assert CONFIG["package-dir"] == {"coco_atlas": "."}
    in_tree = {"coco_atlas." + ".".join(Path(f).parent.parts) for f in _tracked()
               if Path(f).name == "__init__.py" and Path(f).parts[0] in CODE}
    listed = set(CONFIG["packages"])
    assert in_tree - listed == set(), "packages missing from [tool.setuptools] packages"
    assert {p for p in listed - in_tree if p != "coco_atlas.docs"} == set(), \
        "packages listed that are not in the tree"


def test_every_data_file_in_a_package_is_shipped() -> None:
    shipped: set[str] = set()
    for package, patterns in CONFIG["package-data"].items():
        folder = _folder(package)
        for pattern in patterns:
            shipped.update(p.relative_to(ROOT).as_posix() for p in folder.glob(pattern)
                           if p.is_file())
    roots = (*CODE, "docs")
    data = {f for f in _tracked() if f.split("/")[0] in roots and not f.endswith(".py")}
    assert data - shipped - NOT_SHIPPED == set(), "data files no package-data pattern ships"


def test_setup_py_sees_every_npm_file_the_code_reads() -> None:
    """setup.py finds the npm files to ship by reading literal npm_file("pkg", "path") calls;
    a call with computed arguments would escape it (and break the installed maps)."""
    calls = literal = 0
    pattern = re.compile(r"""npm_file\(\s*["'][^"']+["']\s*,\s*["'][^"']+["']\s*\)""")
    for folder in CODE:
        for source in (ROOT / folder).rglob("*.py"):
            text = source.read_text(encoding="utf-8")
            calls += len(re.findall(r"(?<!def )npm_file\(", text))
            literal += len(pattern.findall(text))
    assert calls > 0 and calls == literal


PROBE = """
import importlib, json, pathlib, sys
root = pathlib.Path(sys.argv[1])
for folder in {code!r}:
    for source in sorted((root / folder).rglob("*.py")):
        parts = source.relative_to(root).with_suffix("").parts
        importlib.import_module(".".join(("coco_atlas", *parts)).removesuffix(".__init__"))
from coco_atlas.api.pages import nav
from coco_atlas.viz.page import assets, render_page
assets()
render_page("docs.html", guides=[], nav=nav("docs"), home="/")
print(json.dumps(sorted(name for name, module in sys.modules.items()
                        if name.split(".")[0] in {code!r}
                        and "-packages" not in (getattr(module, "__file__", None) or "-packages"))))
"""


def test_nothing_loads_a_second_copy_under_the_bare_names(tmp_path: Path) -> None:
    """Every module, the page templates (Jinja's PackageLoader) and the map assets load through
    coco_atlas alone: a bare "viz" in an import or a package-name string would load a second
    copy of the code from a checkout (or fail in an installed package); a PyPI package of that
    name (in site-packages) is not ours. The interpreter runs outside the checkout with
    PYTHONSAFEPATH, so the checkout is not on its path by accident."""
    env = {**os.environ, "PYTHONSAFEPATH": "1"}
    done = subprocess.run([sys.executable, "-c", PROBE.format(code=CODE), str(ROOT)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
