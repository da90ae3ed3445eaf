"""The pages' sessions, kept on the server so that signing out really ends one.

A signed cookie alone stays valid wherever it was copied to until it
expires; here each session is a row, and the cookie carries a random secret
whose SHA-256 names the row. Deleting the row (sign-out, or the user's
deletion through the foreign key) ends the session on every process at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa

from bridge.store.schema import web_sessions

c = web_sessions.c


def _key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def open_session(
    conn: sa.Connection, user_id: int, now: dt.datetime, lifetime: dt.timedelta
) -> str:
    """A new session of `user_id` ending after `lifetime`; returns the secret for the cookie.

    Sessions that have ended are swept here, so the table holds live ones only.
    """
    conn.execute(sa.delete(web_sessions).where(c.expires_at <= now))
    secret = secrets.token_urlsafe(32)
    conn.execute(
        sa.insert(web_sessions).values(
            id=_key(secret), user_id=user_id, created_at=now, expires_at=now + lifetime
        )
    )
    return secret


def session_user(conn: sa.Connection, secret: str, now: dt.datetime) -> int | None:
    """The user whose live session `secret` is, or None."""
    return conn.execute(
        sa.select(c.user_id).where(c.id == _key(secret), c.expires_at > now)
    ).scalar_one_or_none()


def close_session(conn: sa.Connection, secret: str) -> None:
    conn.execute(sa.delete(web_sessions).where(c.id == _key(secret)))
