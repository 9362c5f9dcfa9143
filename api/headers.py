"""Security headers on every HTTP response: JSON, GraphQL, pages, static files, errors.

``X-Content-Type-Options: nosniff`` stops a browser from reading a response as another type
than it says (a JSON body holding ``<script>`` is not run as HTML); ``X-Frame-Options: DENY``
keeps every answer out of frames (clickjacking), for browsers that do not read the
``frame-ancestors 'none'`` the pages' own Content-Security-Policy already carries. Both are
the OWASP Secure Headers Project's recommendations for APIs (and OWASP REST Security Cheat
Sheet, "Security Headers"). A header a response sets itself is left as it is: the pages keep
their own policies untouched.

A pure ASGI middleware (not ``BaseHTTPMiddleware``): it edits the response start message only,
so streamed bodies and the request body pass through unbuffered.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
)


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every HTTP response that does not set them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = with_security_headers(message.get("headers") or [])
            await send(message)

        await self.app(scope, receive, send_with_headers)


def with_security_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` plus those of :data:`SECURITY_HEADERS` it lacks (names compare
    case-insensitively, RFC 9110 §5.1).

    A response whose policy lets some origins frame it (a map page when the operator lists
    ``frame_ancestors``) gets no ``X-Frame-Options: DENY``: that header cannot name origins, and
    CSP Level 2 §7.7 has ``frame-ancestors`` take precedence over it anyway."""
    present = {name.lower() for name, _ in headers}
    if any(n.lower() == b"content-security-policy" and b"frame-ancestors 'none'" not in v
           and b"frame-ancestors" in v for n, v in headers):
        present.add(b"x-frame-options")
    return [*headers, *((n, v) for n, v in SECURITY_HEADERS if n not in present)]


ORIGIN = re.compile(r"https?://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?")


def frame_ancestors(setting: str) -> str:
    """The CSP ``frame-ancestors`` source list for the ``frame_ancestors`` setting: the origins
    it lists (``scheme://host[:port]``, CSP Level 2 §4.2 host-source without paths or
    wildcards), or ``'none'``. Raises :class:`ValueError` naming an entry that is not one."""
    origins = [o for o in re.split(r"[\s,]+", setting or "") if o]
    for o in origins:
        if not ORIGIN.fullmatch(o.rstrip("/")):
            raise ValueError(f"frame_ancestors: {o!r} is not an origin; expected "
                             "scheme://host[:port], e.g. https://hub.example.org")
    return " ".join(o.rstrip("/") for o in origins) or "'none'"
