"""Who is signed in to the pages: a signed session cookie, the sign-in and sign-out pages.

The cookie is Starlette's `SessionMiddleware`: the session's contents,
signed (not encrypted) with a key derived from the `secret_key` setting, so
every process of one installation accepts it and a new newest key signs
everyone out. It holds the login, the session's secret, the CSRF token,
and for a moment a consent under way or a one-line notice for the next page.
It is HttpOnly, SameSite=Lax, Secure when the public URL is https. The
session itself is a database row named by the secret's hash
(`bridge.store.web_sessions`): it ends `SESSION_SECONDS` after sign-in
(Starlette re-signs the cookie on every answer, so the cookie's own age
would never run out), and signing out deletes it, so a copy of the cookie
made before is worthless.

Passwords are checked by `bridge.sign_in.SignIn`, the service CalDAV and the
JSON API use: failures count per login and per address in the database, so
guessing through the pages is throttled with the other doors, on every
process. A throttled sign-in is answered 429 with the wait.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bridge.config import Settings
from bridge.domain import User
from bridge.secrets import configured_key
from bridge.sign_in import SignIn, Throttled
from bridge.store.db import writing
from bridge.store.users import credentials_version, find_user
from bridge.store.web_sessions import close_session, open_session, session_user
from bridge.web.client_address import client_address
from bridge.web.pages import csrf
from bridge.web.pages.forms import parse_form
from bridge.web.pages.templates import render

COOKIE = "calbridge_session"
SESSION_SECONDS = 12 * 3600
"""A session ends this long after sign-in (or the last change to it), whatever happens."""
USER_KEY = "calbridge.user"
"""Where a signed-in page finds its `User` in the request's scope (templates read it too)."""
SIGN_IN_PATH = "/signin"

PageEndpoint = Callable[[Request, User], Awaitable[Response]]
Page = Callable[[Request], Awaitable[Response]]


def session_key(settings: Settings) -> str:
    """The cookie-signing key: derived from the newest secret key under a label of its own.

    Derived rather than the secret key itself, so a leaked session key
    reveals nothing of the key that encrypts stored credentials.
    """
    newest = configured_key(settings.secret_key, settings.secret_key_file).split(",")[0].strip()
    return hmac.new(newest.encode(), b"CalBridge session cookie", hashlib.sha256).hexdigest()


def session_middleware(settings: Settings) -> Middleware:
    """The session middleware for `Starlette(middleware=...)`, before `csrf.CsrfGuard`."""
    return Middleware(
        SessionMiddleware,
        secret_key=session_key(settings),
        session_cookie=COOKIE,
        max_age=SESSION_SECONDS,
        same_site="lax",
        https_only=settings.public_url.lower().startswith("https://"),
    )


def local_path(candidate: str | None) -> str:
    """`candidate` when it is a path on this site, else "/": `next` must not leave the site."""
    if not candidate or not candidate.startswith("/") or candidate.startswith("//"):
        return "/"
    if "\\" in candidate or any(ord(char) < 0x20 or ord(char) == 0x7F for char in candidate):
        return "/"
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc:
        return "/"
    return candidate


def sign_in_url(next_path: str) -> str:
    """The sign-in page, asked to come back to `next_path` afterwards."""
    if next_path == "/":
        return SIGN_IN_PATH
    return f"{SIGN_IN_PATH}?{urlencode({'next': next_path})}"


def signed_in(engine: sa.Engine) -> Callable[[PageEndpoint], Page]:
    """Decorates a page that needs a user: without one, 303 to the sign-in page and back.

    The user is read again on every request, so a deleted user's session
    stops working at once, and so does every session of a user whose
    password changed (or an app password was revoked) since it began: the
    session holds the credentials version it was signed in under.
    """

    def load(login: str, secret: object, version: object) -> User | None:
        if not isinstance(secret, str):
            return None
        with engine.connect() as conn:
            if credentials_version(conn, login) != version:
                return None
            user = find_user(conn, login)
            now = dt.datetime.now(dt.UTC)
            if user is None or session_user(conn, secret, now) != user.id:
                return None
            return user

    def decorate(endpoint: PageEndpoint) -> Page:
        @functools.wraps(endpoint)
        async def page(request: Request) -> Response:
            login = request.session.get("login")
            secret, version = request.session.get("secret"), request.session.get("version")
            user = None
            if isinstance(login, str):
                user = await run_in_threadpool(load, login, secret, version)
            if user is None:
                request.session.clear()
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(sign_in_url(local_path(target)), status_code=303)
            request.scope[USER_KEY] = user
            return await endpoint(request, user)

        return page

    return decorate


class SignInPages:
    """`GET`/`POST /signin` and `POST /signout`."""

    def __init__(self, engine: sa.Engine, settings: Settings) -> None:
        self._sign_in = SignIn(engine, settings)
        self._engine = engine
        self._trusted_proxies = settings.trusted_proxies

    def routes(self) -> list[Route]:
        return [
            Route(SIGN_IN_PATH, self.form, methods=["GET", "HEAD"]),
            Route(SIGN_IN_PATH, self.submit, methods=["POST"]),
            Route("/signout", self.sign_out, methods=["POST"]),
        ]

    async def form(self, request: Request) -> Response:
        next_path = local_path(request.query_params.get("next"))
        if isinstance(request.session.get("login"), str):
            return RedirectResponse(next_path, status_code=303)
        return render(request, "signin.html", {"next": next_path, "login": ""})

    async def submit(self, request: Request) -> Response:
        """Signs in and goes to `next`; the form again with an error, or 429 when throttled.

        The CSRF guard has checked the token already (a forged sign-in would
        sign the victim in as the attacker).
        """
        fields = parse_form(await request.body())
        login, password = fields.get("login", "").strip(), fields.get("password", "")
        next_path = local_path(fields.get("next"))
        peer = request.client.host if request.client else None
        address = client_address(
            peer, request.headers.get("x-forwarded-for"), self._trusted_proxies
        )
        context = {"next": next_path, "login": login}
        try:
            user = await run_in_threadpool(self._sign_in.check, login, password, address)
        except Throttled as error:
            wait = error.retry_after or 60
            message = f"Too many failed sign-ins from here. Wait {wait} seconds, then try again."
            return render(
                request,
                "signin.html",
                {**context, "error": message, "throttled": True},
                status_code=429,
                headers=dict(error.headers),
            )
        if user is None:
            return render(
                request, "signin.html", {**context, "error": "Wrong user name or password."}
            )
        # A new session on sign-in: nothing set before it (a planted token) carries over.
        request.session.clear()
        secret, version = await run_in_threadpool(self._open, user)
        request.session.update(login=user, secret=secret, version=version)
        csrf.token(request)
        return RedirectResponse(next_path, status_code=303)

    def _open(self, login: str) -> tuple[str, int | None]:
        """A new server-side session of `login`, and the credentials version it starts under."""
        with writing(self._engine) as conn:
            user = find_user(conn, login)
            assert user is not None and user.id is not None  # the password was just checked
            lifetime = dt.timedelta(seconds=SESSION_SECONDS)
            secret = open_session(conn, user.id, dt.datetime.now(dt.UTC), lifetime)
            return secret, credentials_version(conn, login)

    async def sign_out(self, request: Request) -> Response:
        secret = request.session.get("secret")
        if isinstance(secret, str):
            await run_in_threadpool(self._close, secret)
        request.session.clear()
        return RedirectResponse(SIGN_IN_PATH, status_code=303)

    def _close(self, secret: str) -> None:
        with writing(self._engine) as conn:
            close_session(conn, secret)
