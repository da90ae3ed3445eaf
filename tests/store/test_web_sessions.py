"""Page sessions live in the database: found while live, gone when closed or ended."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from bridge.store.db import writing
from bridge.store.schema import web_sessions
from bridge.store.users import create_user
from bridge.store.web_sessions import close_session, open_session, session_user

NOW = dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def test_a_session_is_found_until_it_is_closed_or_ends(engine: sa.Engine) -> None:
    with writing(engine) as conn:
        alice = create_user(conn, "alice", "pw")
        assert alice.id is not None
        first = open_session(conn, alice.id, NOW, HOUR)
        second = open_session(conn, alice.id, NOW, HOUR)
    with engine.connect() as conn:
        assert session_user(conn, first, NOW) == alice.id
        assert session_user(conn, second, NOW + HOUR - dt.timedelta(seconds=1)) == alice.id
        assert session_user(conn, second, NOW + HOUR) is None
        assert session_user(conn, "made-up", NOW) is None
        stored = conn.execute(sa.select(web_sessions.c.id)).scalars().all()
    assert first not in stored and second not in stored  # only hashes are kept

    with writing(engine) as conn:
        close_session(conn, first)
    with engine.connect() as conn:
        assert session_user(conn, first, NOW) is None
        assert session_user(conn, second, NOW) == alice.id


def test_opening_a_session_sweeps_the_ended_ones(engine: sa.Engine) -> None:
    with writing(engine) as conn:
        alice = create_user(conn, "alice", "pw")
        assert alice.id is not None
        open_session(conn, alice.id, NOW, HOUR)
        open_session(conn, alice.id, NOW + 2 * HOUR, HOUR)
        count = conn.execute(sa.select(sa.func.count()).select_from(web_sessions)).scalar_one()
    assert count == 1
