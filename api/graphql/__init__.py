"""The GraphQL API for researchers (strawberry), mounted at ``/graphql``."""

from __future__ import annotations

from starlette.routing import BaseRoute


def routes() -> list[BaseRoute]:
    """The GraphQL routes, mounted by :func:`api.app.create_app`."""
    return []
