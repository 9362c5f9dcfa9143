"""Bearer tokens: anonymous clients read, holders of an operator-issued token may also write.

The operator lists tokens in ``COCO_API_TOKENS`` and/or a tokens file (``COCO_API_TOKENS_FILE``),
one ``NAME:SECRET`` per entry (entries separated by commas or new lines; ``#`` starts a comment in
the file). A file may hold ``NAME:sha256:HEX`` instead of the secret itself, so that it never
stores a usable credential: ``printf %s SECRET | sha256sum`` gives the hex digest.

Clients send ``Authorization: Bearer SECRET`` (RFC 6750). Secrets are compared as SHA-256 digests
with :func:`hmac.compare_digest` against every configured token (constant time, no early exit).
A missing or wrong token never fails the request here: the request goes on read-only, and a write
gets a clear GraphQL error (see :func:`write_denied`). The ``NAME`` is what writes are stamped
with (``source = "graphql:NAME"``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    BaseUser,
    SimpleUser,
)
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection

from coco_atlas.schema.messages import N_

WRITE = "write"  # the scope a valid token grants
MIN_SECRET = 16  # characters; shorter secrets are refused at start-up
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
_HEX = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Token:
    """A configured token: who holds it and the SHA-256 digest of its secret."""

    name: str
    digest: bytes

    def __repr__(self) -> str:  # never print a digest into logs
        return f"Token({self.name!r})"


class InvalidTokenUser(BaseUser):
    """A client that sent a bearer token no operator issued: it may read, not write."""

    @property
    def is_authenticated(self) -> bool:
        return False

    @property
    def display_name(self) -> str:
        return ""


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def parse_tokens(text: str, origin: str, *, lines: bool = False) -> list[Token]:
    """Tokens from ``NAME:SECRET`` / ``NAME:sha256:HEX`` entries, separated by commas or new
    lines (``lines=True``: one per line, ``#`` comments). Errors name the place (``origin``,
    line or entry N) and never echo a secret."""
    tokens: list[Token] = []
    entries = text.splitlines() if lines else re.split(r"[,\n]", text)
    for n, raw in enumerate(entries, 1):
        entry = (raw.split("#", 1)[0] if lines else raw).strip()
        if not entry:
            continue
        place = f"{origin}, {'line' if lines else 'entry'} {n}"
        name, sep, secret = entry.partition(":")
        name = name.strip()
        if not sep or not _NAME.match(name):
            raise ValueError(f"{place}: expected NAME:SECRET with NAME of letters, digits, "
                             "'_', '.', '@' or '-'")
        tokens.append(Token(name, _secret_digest(secret.strip(), place)))
    return tokens


def _secret_digest(secret: str, place: str) -> bytes:
    if secret.startswith("sha256:"):
        hexd = secret[len("sha256:"):].lower()
        if not _HEX.match(hexd):
            raise ValueError(f"{place}: expected sha256: followed by 64 hex digits")
        return bytes.fromhex(hexd)
    if len(secret) < MIN_SECRET:
        raise ValueError(f"{place}: expected a secret of at least {MIN_SECRET} characters")
    return digest(secret)


def load_tokens(settings: Mapping[str, Any]) -> list[Token]:
    """Every token the operator configured (environment and file); none means read-only."""
    tokens = parse_tokens(settings.get("api_tokens") or "", "COCO_API_TOKENS")
    path = settings.get("api_tokens_file") or ""
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise ValueError(f"tokens file {path}: cannot read it ({e.__class__.__name__})") \
                from None
        tokens += parse_tokens(text, f"tokens file {path}", lines=True)
    names = [t.name for t in tokens]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise ValueError(f"token name {dup!r} is configured twice")
    return tokens


class BearerTokens(AuthenticationBackend):
    """Starlette authentication backend for ``Authorization: Bearer SECRET``."""

    def __init__(self, tokens: Sequence[Token]):
        self.tokens = tuple(tokens)

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        header = conn.headers.get("authorization")
        if header is None:
            return None
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return AuthCredentials(), InvalidTokenUser()
        presented = digest(secret.strip())
        holder = None
        for token in self.tokens:  # no early exit: the time taken does not tell which matched
            if hmac.compare_digest(token.digest, presented):
                holder = token.name
        if holder is None:
            return AuthCredentials(), InvalidTokenUser()
        return AuthCredentials([WRITE]), SimpleUser(holder)


def middleware(settings: Mapping[str, Any]) -> Middleware:
    """The authentication middleware for :func:`api.app.create_app` (fails fast on bad config)."""
    return Middleware(AuthenticationMiddleware, backend=BearerTokens(load_tokens(settings)))


def writer(conn: HTTPConnection) -> str | None:
    """The token name a request may write as, or None (read-only)."""
    if WRITE in getattr(conn.scope.get("auth"), "scopes", ()):
        return str(conn.scope["user"].display_name)
    return None


def write_denied(conn: HTTPConnection) -> str | None:
    """Why a request may not write (None when it may): for the GraphQL error message."""
    if writer(conn) is not None:
        return None
    if isinstance(conn.scope.get("user"), InvalidTokenUser):
        return N_("the bearer token is not valid: writes need a token issued by the operator")
    return N_("writes need a bearer token issued by the operator (send 'Authorization: Bearer "
              "<token>'); anonymous clients may only read")
