"""Assembles the doors into one ASGI app: CalDAV at /dav/, feeds, JSON API, web pages, health,
discovery."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import sqlalchemy as sa
from a2wsgi import WSGIMiddleware
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route

from bridge.calendar_accounts import CalendarAccounts
from bridge.config import Settings, get_settings
from bridge.secrets import box_from_settings, masking_key
from bridge.store.db import shared_engine
from bridge.web import redaction
from bridge.web.api import api_routes
from bridge.web.api_oauth import oauth_routes
from bridge.web.dav import dav_application
from bridge.web.dav_deadline import DeadlinePool
from bridge.web.errors import ErrorAnswers
from bridge.web.feeds import feed_routes
from bridge.web.pages import page_middleware, page_routes
from bridge.web.webhooks import webhook_routes
from bridge.worker.setup import BackgroundWorker, build_worker


def _health(engine: sa.Engine, dav_pool: DeadlinePool):
    """Unhealthy (503, with the reason) when the database does not answer or CalDAV's
    workers are all busy, so a load balancer sends new requests elsewhere."""

    def check() -> None:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))

    async def health(_request: Request) -> Response:
        if dav_pool.exhausted:
            return JSONResponse(
                {"status": "error", "caldav": "every worker is busy", "workers": dav_pool.workers},
                status_code=503,
            )
        try:
            await run_in_threadpool(check)
        except sa.exc.SQLAlchemyError:
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    return health


async def well_known(_request: Request) -> Response:
    return RedirectResponse("/dav/", status_code=301)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or get_settings()
    redaction.install()
    engine = shared_engine(settings.database_url)
    dav_pool = DeadlinePool(
        dav_application(settings), settings.dav_request_seconds, settings.dav_workers
    )
    dav = WSGIMiddleware(dav_pool, workers=settings.dav_workers)
    accounts = CalendarAccounts(
        engine,
        box_from_settings(settings.secret_key, settings.secret_key_file),
        settings,
    )
    routes = [
        Route("/healthz", _health(engine, dav_pool)),
        Route("/.well-known/caldav", well_known, methods=["GET", "HEAD", "PROPFIND"]),
        Route("/.well-known/carddav", well_known, methods=["GET", "HEAD", "PROPFIND"]),
        *feed_routes(engine, masking_key(settings.secret_key, settings.secret_key_file)),
        *webhook_routes(engine),
        *api_routes(settings, accounts),
        *oauth_routes(accounts),
        Mount("/dav", app=dav),
        *page_routes(engine, settings),  # "/", sign-in and /static/: bridge.web.pages
    ]
    errors = ErrorAnswers()  # a UserError by its status, a bug as 500 with an error id
    middleware = [
        errors.middleware(),
        Middleware(RequestBodyLimitMiddleware, max_body_size=settings.max_body_bytes),
        *page_middleware(settings),  # the pages' session cookie and CSRF guard
    ]
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers=errors.handlers(),
        lifespan=_lifespan(settings, engine),
    )


def _lifespan(settings: Settings, engine: sa.Engine):
    """Runs the sync worker beside the web app, unless this node is told not to."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if not settings.run_worker:
            yield
            return
        background = BackgroundWorker(build_worker(settings, engine))
        background.start()
        try:
            yield
        finally:
            await run_in_threadpool(background.stop)

    return lifespan
