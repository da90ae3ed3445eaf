"""The web pages people sign in to: server-rendered HTML, htmx for the small live parts.

One module per concern: `session` (who is signed in; the sign-in and
sign-out pages), `csrf` (unsafe requests must prove they came from these
pages), `templates` (Jinja2, and what every page gets), `forms` (reading
posted forms), `week` (the home page). The app adds `page_routes` and,
after its own middleware, `page_middleware`.

Every file the pages need ships in the package (`bridge/web/static/`,
htmx vendored under `vendor/`), so nothing is fetched from elsewhere at run
time and the pages work offline and behind strict firewalls.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from bridge.config import Settings
from bridge.web.pages.activity_form import activity_form_routes
from bridge.web.pages.activity_types import activity_type_routes
from bridge.web.pages.apps_feeds import apps_feeds_routes
from bridge.web.pages.calendar_view import calendar_routes
from bridge.web.pages.csrf import CsrfGuard
from bridge.web.pages.listing import list_routes
from bridge.web.pages.records import record_routes
from bridge.web.pages.session import SignInPages, session_middleware
from bridge.web.pages.sync_settings import sync_settings_routes

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def page_routes(engine: sa.Engine, settings: Settings) -> list[BaseRoute]:
    """The pages and their static files (at `/static/`)."""
    return [
        *calendar_routes(engine, settings),
        *list_routes(engine, settings),
        *sync_settings_routes(engine, settings),
        *apps_feeds_routes(engine, settings),
        *activity_type_routes(engine, settings),
        *activity_form_routes(engine, settings),
        *record_routes(engine, settings),
        *SignInPages(engine, settings).routes(),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]


def page_middleware(settings: Settings) -> list[Middleware]:
    """The session cookie, then the CSRF guard that reads it; in this order."""
    return [
        session_middleware(settings),
        Middleware(CsrfGuard, public_url=settings.public_url),
    ]
