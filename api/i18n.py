"""Each request answered in its reader's language (:mod:`viz.i18n` renders in it).

The language is, in order: ``?lang=`` on the address (the language switch of every page), the
reader's earlier choice (the ``coco_lang`` cookie that ``?lang=`` sets, so the choice holds as
they follow links), the browser's ``Accept-Language`` (:func:`schema.languages.negotiate`,
RFC 9110 §12.5.4), English. Responses say ``Content-Language`` and ``Vary: Accept-Language,
Cookie`` (RFC 9110 §12.5.5), so a shared cache never serves one reader's language to another.

The cookie holds only a language tag, ``SameSite=Lax`` and ``HttpOnly`` (no script needs it), so
it carries nothing to steal and no cross-site request can set it. A pure ASGI middleware, like
:mod:`api.headers`: it sets the context variable in the request's own task, which the handlers
and their worker threads inherit.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coco_atlas.schema.languages import negotiate, normalise
from coco_atlas.viz import i18n

COOKIE = "coco_lang"
COOKIE_AGE = 365 * 24 * 3600


class Language:
    """Picks the request's language, renders in it, and says so in the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        query = tuple(parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                                keep_blank_values=True))
        asked = next((normalise(v) for k, v in reversed(query) if k == "lang"), None)
        saved = _cookie(headers.get("cookie", ""))
        lang = negotiate(asked or saved, headers.get("accept-language"))

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [(b"content-language", lang.encode()),
                         (b"vary", b"Accept-Language, Cookie")]
                if asked and asked != saved:
                    extra.append((b"set-cookie", (
                        f"{COOKIE}={asked}; Path=/; Max-Age={COOKIE_AGE}; SameSite=Lax; "
                        "HttpOnly").encode()))
                message["headers"] = [*(message.get("headers") or []), *extra]
            await send(message)

        with i18n.use(lang, query):
            await self.app(scope, receive, send_with_language)


def _cookie(header: str) -> str | None:
    """The saved language, when the cookie names a supported one (anything else is ignored)."""
    try:
        jar = SimpleCookie(header)
    except Exception:  # a malformed Cookie header must not fail the request
        return None
    morsel = jar.get(COOKIE)
    return normalise(morsel.value) if morsel else None
