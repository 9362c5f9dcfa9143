"""Build hook: the wheel and sdist ship the browser assets the maps read at run time, or no build.

Everything else about the package is declared in pyproject.toml. The maps inline third-party
files installed from the npm registry into ``viz/assets/node_modules`` by ``scripts/setup-assets``
(pinned by ``viz/assets/package-lock.json``; nothing third-party is committed). Which files: every
literal ``npm_file("package", "path")`` call in the package's code, found here by reading the
sources, so a new call is shipped without a list to keep. Each package's licence and
``package.json`` (name, version) go along. A build without them fails with what to run, rather
than producing a wheel whose maps break on first use. An editable install (``pip install -e``,
``scripts/setup``) reads the repository's own ``node_modules`` and needs no check.
"""

from __future__ import annotations

import re
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.errors import SetupError

ROOT = Path(__file__).resolve().parent
CODE = ("api", "graph", "importers", "schema", "viz")  # the package's code (not tests/)
NODE_MODULES = "assets/node_modules"  # inside viz/
NPM_CALL = re.compile(r"""npm_file\(\s*["']([^"']+)["']\s*,\s*["']([^"']+)["']\s*\)""")


def npm_files() -> list[str]:
    """Paths under viz/ of the npm files the code reads, with their packages' licences."""
    wanted: set[str] = set()
    for folder in CODE:
        for source in sorted((ROOT / folder).rglob("*.py")):
            for package, path in NPM_CALL.findall(source.read_text(encoding="utf-8")):
                base = f"{NODE_MODULES}/{package}"
                wanted.update({f"{base}/{path}", f"{base}/package.json"})
                wanted.update(f"{base}/{p.name}" for p in (ROOT / "viz" / base).glob("LICEN[CS]E*"))
    return sorted(wanted)


class BuildWithAssets(build_py):
    """``build_py`` that adds the npm files to ``coco_atlas.viz``'s package data, or fails."""

    def finalize_options(self) -> None:
        super().finalize_options()
        if getattr(self, "editable_mode", False):
            return
        data = self.package_data.setdefault("coco_atlas.viz", [])
        data.extend(f for f in npm_files() if f not in data and (ROOT / "viz" / f).is_file())
        self.__dict__.pop("data_files", None)  # computed lazily again, with the npm files

    def run(self) -> None:
        """Refuse to build a package whose maps would break: checked here, when files are
        copied, not when options are read (pip reads them for an editable install's metadata
        too, before ``scripts/setup`` has installed the assets)."""
        if not getattr(self, "editable_mode", False):
            files = npm_files()
            missing = [f for f in files if not (ROOT / "viz" / f).is_file()]
            if missing or not files:
                raise SetupError(
                    "the browser assets the maps need are not installed: "
                    + (", ".join(f"viz/{f}" for f in missing) or "no npm_file() call found")
                    + ". Run scripts/setup-assets (npm ci in viz/assets) before building.")
        super().run()


setup(cmdclass={"build_py": BuildWithAssets})
