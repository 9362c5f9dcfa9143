"""One table of settings for the whole service: the CLI options, ``/-/settings.json`` and the docs
derive from it (the pattern of Datasette's ``Setting`` table)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from coco_atlas.viz.i18n import N_  # help is worded in the reader's language (--help)


def flag(text: str) -> bool:
    """An on/off setting from the environment: 1/true/yes/on, or 0/false/no/off (click's
    words for boolean flags)."""
    word = text.strip().lower()
    if word in ("1", "true", "yes", "on", "y", "t"):
        return True
    if word in ("0", "false", "no", "off", "n", "f", ""):
        return False
    raise ValueError(f"expected on or off (1/0, true/false, yes/no), not {text!r}")


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: Any
    help: str
    cast: Callable[[str], Any] = str
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "COCO_DB", "coco.db", N_("Path of the embedded store's SQLite file.")),
    Setting("host", "COCO_HOST", "127.0.0.1",
            N_("Interface the server binds; loopback unless you mean to publish it.")),
    Setting("port", "COCO_PORT", 8000, N_("TCP port of the server."), int),
    Setting("workers", "COCO_WORKERS", 0,
            N_("Server processes answering requests (GraphQL runs one core per process); 0: one "
               "per core. A write through one is seen by the others on their next request."), int),
    Setting("neo4j", "COCO_NEO4J_URI", None,
            N_("Use the Neo4j server or cluster at this bolt:// or neo4j:// URI (neo4j+s:// and "
               "bolt+s:// with TLS, as Aura gives) instead of the embedded store.")),
    Setting("neo4j_database", "COCO_NEO4J_DATABASE", None,
            N_("Neo4j database to use (none: the server's default database).")),
    Setting("neo4j_user", "COCO_NEO4J_USER", None, N_("Neo4j user name (none: no auth).")),
    Setting("neo4j_password", "COCO_NEO4J_PASSWORD", None, N_("Neo4j password."), secret=True),
    Setting("neo4j_timeout", "COCO_NEO4J_TIMEOUT", 5.0,
            N_("Seconds Neo4j may leave a call unanswered before a new connection checks that it "
               "is alive (and as long for that check): a frozen server fails calls after about "
               "twice this, a busy one is waited for."), float),
    Setting("api_tokens", "COCO_API_TOKENS", "",
            N_("Write tokens of the GraphQL API, NAME:SECRET entries separated by commas; "
               "none: the API is read-only."), secret=True),
    Setting("api_tokens_file", "COCO_API_TOKENS_FILE", "",
            N_("File of write tokens, one NAME:SECRET or NAME:sha256:HEX per line.")),
    Setting("cors_origins", "COCO_CORS_ORIGINS", "",
            N_("Browser origins allowed to call the API (comma-separated); empty: CORS off.")),
    Setting("frame_ancestors", "COCO_FRAME_ANCESTORS", "",
            N_("Origins allowed to show the maps in a frame (the embed snippet on hubs' "
               "websites), e.g. https://hub.example.org, separated by spaces or commas; empty: no "
            "site may frame any page. Sent as the CSP frame-ancestors of map pages only.")),
    Setting("graphql_max_depth", "COCO_GRAPHQL_MAX_DEPTH", 12,
            N_("Deepest nesting of fields a GraphQL query may have."), int),
    Setting("graphql_max_tokens", "COCO_GRAPHQL_MAX_TOKENS", 5000,
            N_("Most lexical tokens a GraphQL document may have."), int),
    Setting("graphql_max_aliases", "COCO_GRAPHQL_MAX_ALIASES", 30,
            N_("Most field aliases a GraphQL document may use."), int),
    Setting("graphql_max_fields", "COCO_GRAPHQL_MAX_FIELDS", 300,
            N_("Most field selections a GraphQL document may have, fragments spread in place; "
               "checked before validation, whose field-overlap rule is quadratic in repeated "
               "fields (500 took 0.4 s, 1000 about 1 s). Researchers' queries use a few dozen, "
               "GraphiQL's schema introspection 229."), int),
    Setting("graphql_max_nodes", "COCO_GRAPHQL_MAX_NODES", 500_000,
            N_("Most nodes a GraphQL query may ask for: page sizes multiplied along nested "
               "lists."), int),
    Setting("graphql_timeout", "COCO_GRAPHQL_TIMEOUT", 30.0,
            N_("Seconds a GraphQL query may run; then it is stopped and answered with "
               "QUERY_TIMEOUT (writes always finish, so their answer is the truth)."), float),
    Setting("access_log", "COCO_ACCESS_LOG", False,
            N_("Log one line per request (uvicorn's access log). Off by default, as in gunicorn: "
               "the reverse proxy in front usually logs requests, and the line costs about a "
               "tenth of a small query's time in the server."), flag),
    Setting("write_wait", "COCO_WRITE_WAIT", 10.0,
            N_("Seconds a write through the API waits while another process (an import) writes "
               "to the embedded store, before answering STORE_BUSY with Retry-After."), float),
)

BY_NAME = {s.name: s for s in SETTINGS}


def resolve(overrides: Mapping[str, Any] | None = None,
            environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Effective settings: explicit overrides, then the environment, then defaults."""
    env = os.environ if environ is None else environ
    out: dict[str, Any] = {}
    for s in SETTINGS:
        value = (overrides or {}).get(s.name)
        if value is None and s.env in env:
            try:
                value = s.cast(env[s.env])
            except ValueError as e:  # name the variable; never echo a secret
                shown = "" if s.secret else f"={env[s.env]!r}"
                raise ValueError(f"{s.env}{shown}: {e}") from None
        out[s.name] = s.default if value is None else value
    return out


def public(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Settings safe to show (JSON-ready): secrets are masked."""
    return {k: ("***" if BY_NAME[k].secret and v else v if v is None or isinstance(
        v, (bool, int, float)) else str(v)) for k, v in settings.items() if k in BY_NAME}
