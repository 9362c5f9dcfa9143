"""HTML pages of the service: the landing page and the maps (``/``, ``/maps/...``)."""

from __future__ import annotations

from starlette.routing import BaseRoute


def routes() -> list[BaseRoute]:
    """The page routes, mounted by :func:`api.app.create_app`."""
    return []
