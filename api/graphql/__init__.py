"""The GraphQL API for researchers (strawberry), mounted at ``/graphql``.

``POST /graphql`` (and ``GET`` for queries) answers GraphQL; a browser asking ``GET /graphql``
gets GraphiQL, served offline from ``/graphql/static/``. The types derive from
:data:`schema.SCHEMA`; see ``docs/graphql.md`` for the researchers' cookbook.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route

from coco_atlas.api.graphql import ide
from coco_atlas.api.graphql.view import Endpoint


def routes() -> list[BaseRoute]:
    """The GraphQL routes, mounted by :func:`api.app.create_app`."""
    return [
        Route("/graphql", Endpoint(), name="graphql"),
        Route("/graphql/ide.js", ide.start_script, name="graphql-ide-script"),
        Mount(ide.STATIC, app=ide.assets(), name="graphql-static"),
    ]
