from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from bridge.demo import ACTIVITY_COUNT, DEMO_PASSWORD, FUTURE_DAYS, PAST_DAYS, seed_demo
from bridge.domain import DEFAULT_ACTIVITY_TYPES
from bridge.store import crm
from bridge.store.activities import list_activities
from bridge.store.feeds import find_feed
from bridge.store.schema import deals, organizations, persons
from bridge.store.users import check_credentials, get_user

TODAY = dt.date(2026, 5, 6)


def test_second_run_creates_nothing(engine: sa.Engine) -> None:
    first = seed_demo(engine, TODAY)
    assert first.created
    assert first.activities == ACTIVITY_COUNT
    assert first.feed_token

    def crm_counts() -> list[int]:
        with engine.connect() as conn:
            return [crm.count_rows(conn, table) for table in (organizations, persons, deals)]

    before = crm_counts()
    second = seed_demo(engine, TODAY + dt.timedelta(days=1))
    assert not second.created
    assert second.feed_token is None
    assert second.activities == first.activities
    assert crm_counts() == before


def test_workspace_looks_lived_in(engine: sa.Engine) -> None:
    summary = seed_demo(engine, TODAY)
    with engine.connect() as conn:
        demo, colleague = (get_user(conn, login) for login in summary.logins)
        assert (demo.name, colleague.name) == ("Dana Demo", "Colin Colleague")
        assert all(check_credentials(conn, login, DEMO_PASSWORD) for login in summary.logins)
        feed = find_feed(conn, summary.feed_token or "")
        assert feed is not None
        assert (feed.login, feed.scope) == ("demo", "own")
        stored = list_activities(conn)

    assert {a.owner_id for a in stored} == {demo.id, colleague.id}
    assert {a.type_key for a in stored} == {t.key for t in DEFAULT_ACTIVITY_TYPES}
    assert {a.uid for a in stored} == {f"demo-{n}@calbridge" for n in range(1, 201)}
    private = [a for a in stored if a.private]
    assert 0.05 < len(private) / len(stored) < 0.15
    assert all(a.deal_id is None and not a.note for a in private)
    dated = [a for a in stored if a.due_date is not None]
    assert any(a.due_time is None for a in dated)
    assert any(a.due_time is not None for a in dated)
    assert any(a.due_date is None for a in stored)
    assert any(a.done for a in stored)
    assert not any(a.done for a in dated if a.due_date >= TODAY)
    assert min(a.due_date for a in dated) >= TODAY - dt.timedelta(days=PAST_DAYS)
    assert max(a.due_date for a in dated) <= TODAY + dt.timedelta(days=FUTURE_DAYS + 2)
    linked = [a for a in stored if a.deal_id]
    assert len(linked) > len(stored) / 2
    assert all(a.person_id and a.org_id for a in linked)
    assert any(a.note for a in linked)
    assert all(a.public_description for a in linked)
    assert any(a.location for a in stored)
