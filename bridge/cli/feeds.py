"""`calbridge feed ...`: the secret read-only .ics URLs for subscribe-only calendars.

What the commands do is `bridge.feed_service`, which the settings pages use
too. A token is shown once, when it is made; only its digest is stored, so a
lost URL is replaced (`rotate`) rather than looked up.

The service brings SQLAlchemy, the iCalendar package and Radicale with it, so
each command imports it when it runs, not when `--help` builds the parser.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bridge.cli.common import database, print_table
from bridge.domain import FEED_SCOPES

if TYPE_CHECKING:
    from bridge.config import Settings


def register(commands: argparse._SubParsersAction) -> None:
    group = commands.add_parser("feed", help="manage iCal feed URLs").add_subparsers(
        dest="feed_command", required=True, metavar="COMMAND"
    )

    create = group.add_parser("create", help="create a feed URL (shown once)")
    create.add_argument("--user", required=True)
    create.add_argument("--scope", choices=FEED_SCOPES, default="own")
    create.add_argument("--label", default="")
    create.set_defaults(handler=create_url)

    listing = group.add_parser("list", help="list feeds")
    listing.add_argument("--user")
    listing.set_defaults(handler=show_feeds)

    revoke = group.add_parser("revoke", help="stop a feed URL from working")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(handler=revoke_url)

    rotate = group.add_parser("rotate", help="replace a feed URL with a new one")
    rotate.add_argument("id", type=int)
    rotate.add_argument("--user", required=True)
    rotate.set_defaults(handler=rotate_url)


def create_url(args: argparse.Namespace, settings: Settings) -> int:
    from bridge.feed_service import FeedService, feed_url

    with database(settings) as engine:
        token = FeedService(engine).create(args.user, args.scope, args.label)
    print(feed_url(settings.base_url, token))
    return 0


def show_feeds(args: argparse.Namespace, settings: Settings) -> int:
    from bridge.feed_service import FeedService

    with database(settings) as engine:
        feeds = FeedService(engine).feeds(args.user)
    print_table(
        ("ID", "USER", "SCOPE", "LABEL", "CREATED", "STATUS"),
        [
            (
                feed.id,
                feed.login,
                feed.scope,
                feed.label or "-",
                f"{feed.created_at:%Y-%m-%d %H:%M}",
                "revoked" if feed.revoked else "live",
            )
            for feed in feeds
        ],
    )
    return 0


def revoke_url(args: argparse.Namespace, settings: Settings) -> int:
    from bridge.feed_service import FeedService

    with database(settings) as engine:
        FeedService(engine).revoke(args.id)
    print(f"feed {args.id} revoked")
    return 0


def rotate_url(args: argparse.Namespace, settings: Settings) -> int:
    from bridge.feed_service import FeedService, feed_url

    with database(settings) as engine:
        token = FeedService(engine).rotate(args.id, args.user)
    print(feed_url(settings.base_url, token))
    return 0
