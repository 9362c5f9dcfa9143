"""Third-party browser assets installed from the npm registry by ``scripts/setup-assets``.

Nothing third-party is committed: ``viz/assets/package.json`` pins the packages and
``package-lock.json`` their exact builds; ``npm ci`` puts them in ``viz/assets/node_modules``.
The wheel and sdist carry the files read here (setup.py finds the literal ``npm_file`` calls and
refuses to build without them), so an installed package finds them in the same place.
``COCO_ASSETS`` may point at another ``node_modules`` folder.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["AssetMissing", "npm_file"]

NODE_MODULES = Path(__file__).resolve().parent / "assets" / "node_modules"


class AssetMissing(RuntimeError):
    """A pinned asset is not installed: the message says how to install it."""


def npm_file(package: str, path: str) -> Path:
    """The installed file ``path`` of npm ``package`` (e.g. ``world-atlas``,
    ``countries-50m.json``)."""
    root = Path(os.environ.get("COCO_ASSETS") or NODE_MODULES)
    found = root / package / path
    if not found.is_file():
        raise AssetMissing(f"{package}/{path} is not installed in {root}: run scripts/setup "
                           "(it installs the map assets from the npm registry)")
    return found
