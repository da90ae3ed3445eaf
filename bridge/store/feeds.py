"""Secret feed tokens: created, listed, rotated and revoked per user; stored hashed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from bridge import errors
from bridge.domain import FEED_SCOPES
from bridge.security import new_token, token_digest
from bridge.store.schema import feed_tokens, users


@dataclass(frozen=True)
class FeedToken:
    id: int
    user_id: int
    login: str
    scope: str
    label: str
    created_at: dt.datetime
    revoked: bool


def create_feed(conn: sa.Connection, user_id: int, scope: str = "own", label: str = "") -> str:
    """Create a token and return it; only its digest is kept."""
    if scope not in FEED_SCOPES:
        raise errors.InvalidInput(f"feed scope must be one of {', '.join(FEED_SCOPES)}")
    token = new_token()
    conn.execute(
        sa.insert(feed_tokens).values(
            user_id=user_id,
            token_hash=token_digest(token),
            scope=scope,
            label=label,
            created_at=dt.datetime.now(dt.UTC),
        )
    )
    return token


def _select() -> sa.Select:
    return sa.select(feed_tokens, users.c.login).join(users, users.c.id == feed_tokens.c.user_id)


def _to_feed(row: sa.Row) -> FeedToken:
    return FeedToken(
        id=row.id,
        user_id=row.user_id,
        login=row.login,
        scope=row.scope,
        label=row.label,
        created_at=row.created_at,
        revoked=row.revoked_at is not None,
    )


def find_feed(conn: sa.Connection, token: str) -> FeedToken | None:
    """The live feed for a presented token; the lookup is by digest, an indexed equality."""
    row = conn.execute(
        _select().where(
            feed_tokens.c.token_hash == token_digest(token), feed_tokens.c.revoked_at.is_(None)
        )
    ).first()
    return _to_feed(row) if row else None


def list_feeds(conn: sa.Connection, user_id: int | None = None) -> list[FeedToken]:
    query = _select().order_by(feed_tokens.c.id)
    if user_id is not None:
        query = query.where(feed_tokens.c.user_id == user_id)
    return [_to_feed(row) for row in conn.execute(query)]


def revoke_feed(conn: sa.Connection, feed_id: int, user_id: int | None = None) -> bool:
    query = sa.update(feed_tokens).where(
        feed_tokens.c.id == feed_id, feed_tokens.c.revoked_at.is_(None)
    )
    if user_id is not None:
        query = query.where(feed_tokens.c.user_id == user_id)
    return conn.execute(query.values(revoked_at=dt.datetime.now(dt.UTC))).rowcount > 0


def rotate_feed(conn: sa.Connection, feed_id: int, user_id: int) -> str:
    """Revoke a feed and issue a new one with the same scope and label."""
    row = conn.execute(
        sa.select(feed_tokens).where(feed_tokens.c.id == feed_id, feed_tokens.c.user_id == user_id)
    ).first()
    if row is None or not revoke_feed(conn, feed_id, user_id):
        raise errors.NotFoundError(f"no live feed {feed_id}")
    return create_feed(conn, user_id, row.scope, row.label)
