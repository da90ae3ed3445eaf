"""Feed URLs as the CLI and the settings pages manage them: one meaning for both doors.

A token is shown once, when it is made or rotated; only its digest is
stored, so a lost URL is replaced rather than looked up. Everything is
scoped to a user when a login is given; the CLI, an operator's tool, may
also revoke by id alone. Another user's feed is "no such feed", like a
missing one.
"""

from __future__ import annotations

from urllib.parse import urlencode

import sqlalchemy as sa

from bridge import errors
from bridge.store.db import writing
from bridge.store.feeds import FeedToken, create_feed, list_feeds, revoke_feed, rotate_feed
from bridge.store.users import get_user

LABEL_MAX = 100
"""The label column's width."""


class FeedLabelError(errors.InvalidInput):
    """A label longer than the store keeps."""


def feed_url(base_url: str, token: str, filters: dict[str, str] | None = None) -> str:
    """The URL subscribers use: `base_url` (no trailing slash), the token, any filters."""
    query = f"?{urlencode(filters)}" if filters else ""
    return f"{base_url}/feeds/{token}.ics{query}"


class FeedService:
    """Create, list, rotate and revoke feed tokens over one engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def create(self, login: str, scope: str, label: str) -> str:
        """A new token for `login`'s feed; the scope is checked by the store."""
        label = label.strip()
        if len(label) > LABEL_MAX:
            raise FeedLabelError(f"label must be at most {LABEL_MAX} characters")
        with writing(self.engine) as conn:
            return create_feed(conn, _user_id(conn, login), scope, label)

    def feeds(self, login: str | None = None) -> list[FeedToken]:
        """Every feed (revoked ones too), or only `login`'s."""
        with self.engine.connect() as conn:
            return list_feeds(conn, _user_id(conn, login) if login else None)

    def revoke(self, feed_id: int, login: str | None = None) -> None:
        """The URL stops working at once; `NotFoundError` if there is no such live feed."""
        with writing(self.engine) as conn:
            if not revoke_feed(conn, feed_id, _user_id(conn, login) if login else None):
                raise errors.NotFoundError(f"no live feed {feed_id}")

    def rotate(self, feed_id: int, login: str) -> str:
        """A new token with the same scope and label; the old URL stops working at once."""
        with writing(self.engine) as conn:
            return rotate_feed(conn, feed_id, _user_id(conn, login))


def _user_id(conn: sa.Connection, login: str) -> int:
    user_id = get_user(conn, login).id
    assert user_id is not None
    return user_id
