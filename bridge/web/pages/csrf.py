"""Refusing forged requests to the pages: a token in the session, and the Origin checked.

A page's form can be posted from any site the user visits while signed in,
and the browser adds the session cookie. So every POST, PUT, PATCH and
DELETE to a page must carry the session's token, in the form's hidden field
`csrf_token` or, from htmx, in the `X-CSRF-Token` header (`base.html` sets
`hx-headers` on the body); and when the browser names the Origin, it must be
this app's own. Either failing is answered 403 with a plain page.

The other doors are not pages and keep their own rules: the JSON API and
CalDAV sign in with credentials on every request (no cookie to ride on),
webhooks and OAuth callbacks come from providers, feeds are read-only. Every
other path is treated as a page, so a new page is guarded without asking.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bridge.pages import plain_page
from bridge.web.pages.forms import TooManyFields, is_form, parse_form

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SESSION_KEY = "csrf"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NOT_PAGES = ("/api", "/dav", "/oauth", "/webhooks", "/feeds", "/.well-known", "/healthz")
"""Path prefixes of the doors that are not pages (see the module docstring)."""


def token(request: Request) -> str:
    """The session's token, made on first use; it lives as long as the session."""
    current = request.session.get(SESSION_KEY)
    if not isinstance(current, str) or not current:
        current = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = current
    return current


def is_page_path(path: str) -> bool:
    """Whether `path` belongs to the pages rather than to another door."""
    return not any(path == prefix or path.startswith(prefix + "/") for prefix in NOT_PAGES)


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of a URL, lower-cased, as browsers send it in Origin."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class CsrfGuard:
    """ASGI middleware, inside the session middleware: refuses forged unsafe page requests.

    `public_url` (the `public_url` setting, may be empty) is accepted as an
    Origin besides the request's own scheme and host, for a proxy that
    terminates TLS in front of the app.
    """

    def __init__(self, app: ASGIApp, public_url: str = "") -> None:
        self.app = app
        self.public_origin = origin_of(public_url) if public_url else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in UNSAFE_METHODS
            or not is_page_path(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if not self._same_origin(request):
            await _refuse("the request came from another site")(scope, receive, send)
            return
        sent = request.headers.get(HEADER)
        body: bytes | None = None
        if sent is None and is_form(request.headers.get("content-type")):
            body = await _read_body(receive)
            try:
                sent = parse_form(body).get(FIELD)
            except TooManyFields as error:  # outside the app's handlers: answered here
                await _refuse(str(error), status_code=400)(scope, receive, send)
                return
        expected = request.session.get(SESSION_KEY)
        if not (isinstance(expected, str) and expected and sent):
            await _refuse("the form has expired or was not sent by this site")(scope, receive, send)
            return
        if not secrets.compare_digest(expected.encode(), sent.encode()):
            await _refuse("the form has expired or was not sent by this site")(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive) if body is not None else receive, send)

    def _same_origin(self, request: Request) -> bool:
        origin = request.headers.get("origin")
        if origin is None:  # older browsers and non-browser clients; the token still counts
            return True
        origin = origin.lower()
        own = f"{request.url.scheme}://{request.url.netloc}".lower()
        return origin == own or origin == self.public_origin


def _refuse(reason: str, status_code: int = 403) -> HTMLResponse:
    text = f"CalBridge refused this request: {reason}. Go back, reload the page and try again."
    return HTMLResponse(plain_page("Request refused", text), status_code=status_code)


async def _read_body(receive: Receive) -> bytes:
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(parts)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the app the body read already, then the client's messages."""
    pending = True

    async def replaying() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replaying
