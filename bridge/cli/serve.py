"""`calbridge serve`: the web app, CalDAV and feeds in one process.

uvicorn and the demo's store are imported when the command runs, so building
the parser for `--help` or another command does not pay for them.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from bridge.cli.demo import DEMO_FEED_FILE
from bridge.cli.migrate import migrate_database

if TYPE_CHECKING:
    from bridge.config import Settings


def register(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser("serve", help="run the web app, CalDAV server and feeds")
    serve.add_argument("--host", help="default: the host setting")
    serve.add_argument("--port", type=int, help="default: the port setting")
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="do not run the sync worker in this process (for nodes behind a load balancer)",
    )
    serve.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from bridge.demo import DEMO_LOGIN, DEMO_PASSWORD

    if args.no_worker:
        os.environ["CALBRIDGE_RUN_WORKER"] = "false"
    settings = _with_environment(args.host, args.port)
    migrate_database(settings)
    print(f"web:    {settings.base_url}/")
    print(f"CalDAV: {settings.base_url}/dav/")
    sync = f"every {settings.worker_interval_seconds:.0f} s" if settings.run_worker else "off"
    print(f"sync:   in-process worker {sync}")
    if _demo_signs_in(settings):
        print(f"demo:   sign in as {DEMO_LOGIN} / {DEMO_PASSWORD}")
        print(f"feed:   {_demo_feed_url(settings)}")
    uvicorn.run(
        "bridge.web.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        lifespan="on",
        # The client is the socket's peer; `trusted_proxies` decides when X-Forwarded-For is.
        proxy_headers=False,
    )
    return 0


def _with_environment(host: str | None, port: int | None) -> Settings:
    """Settings with the command line's options, also for the app uvicorn builds.

    The app reads its settings itself (uvicorn calls the factory), so the
    overrides go through the environment: links the app prints then agree
    with where it listens, and `--no-worker` reaches the app's lifespan.
    """
    from bridge.config import get_settings

    if host:
        os.environ["CALBRIDGE_HOST"] = host
    if port:
        os.environ["CALBRIDGE_PORT"] = str(port)
    get_settings.cache_clear()
    return get_settings()


def _demo_feed_url(settings: Settings) -> str:
    """The demo feed URL `calbridge demo` kept, while its token still works."""
    from bridge.demo import DEMO_LOGIN
    from bridge.store.db import create_engine
    from bridge.store.feeds import find_feed

    if DEMO_FEED_FILE.exists():
        url = DEMO_FEED_FILE.read_text().strip()
        token = url.rsplit("/", 1)[-1].removesuffix(".ics")
        engine = create_engine(settings.database_url)
        try:
            with engine.connect() as conn:
                if find_feed(conn, token) is not None:
                    return url
        finally:
            engine.dispose()
    return f"create one with `calbridge feed create --user {DEMO_LOGIN}`"


def _demo_signs_in(settings: Settings) -> bool:
    """Only advertise the demo sign-in while it still works."""
    from bridge.demo import DEMO_LOGIN, DEMO_PASSWORD
    from bridge.store.db import create_engine
    from bridge.store.users import check_credentials

    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            return check_credentials(conn, DEMO_LOGIN, DEMO_PASSWORD) is not None
    finally:
        engine.dispose()
