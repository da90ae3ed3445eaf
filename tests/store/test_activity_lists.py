"""List pages come out of SQL filtered, sorted and cut, with colleagues' private ones masked."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from bridge.domain import Activity, ProviderKind, User
from bridge.links import Link, Side
from bridge.store import activities, crm, sync_accounts, sync_links
from bridge.store.activity_lists import ListQuery, SortOrder, SyncFilter, page_of
from bridge.store.db import writing
from bridge.store.list_keys import key_at
from bridge.store.sync_settings import new_account_settings
from bridge.store.users import create_user

NOW = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)
DAY = dt.date(2026, 12, 7)


def _users(engine: sa.Engine) -> tuple[User, User]:
    with writing(engine) as conn:
        return create_user(conn, "alice", "pw-alice"), create_user(conn, "bob", "pw-bob")


def _add(engine: sa.Engine, owner: User, subject: str, **fields: object) -> int:
    assert owner.id is not None
    fields.setdefault("due_date", DAY)
    with writing(engine) as conn:
        saved = activities.save_activity(
            conn,
            Activity(
                subject=subject,
                type_key=str(fields.pop("type_key", "call")),
                owner_id=owner.id,
                uid=f"{subject}@test",
                **fields,  # type: ignore[arg-type]
            ),
            crm.list_activity_types(conn),
        )
    assert saved.id is not None
    return saved.id


def _ids(engine: sa.Engine, query: ListQuery) -> list[int]:
    with engine.connect() as conn:
        return [row_id for row_id, _key in page_of(conn, query)]


def test_by_start_all_day_first_undated_last_and_paged_by_position(engine: sa.Engine) -> None:
    alice, _bob = _users(engine)
    assert alice.id is not None
    timed = _add(engine, alice, "timed", due_time=dt.time(9))
    undated = _add(engine, alice, "undated", due_date=None, type_key="task")
    all_day = _add(engine, alice, "all-day")
    earlier = _add(engine, alice, "earlier", due_date=DAY - dt.timedelta(days=1))

    everything = ListQuery(viewer_id=alice.id, owner_id=alice.id)
    assert _ids(engine, everything) == [earlier, all_day, timed, undated]
    with engine.connect() as conn:
        first_two = page_of(conn, ListQuery(viewer_id=alice.id, owner_id=alice.id, limit=2))
    assert [row_id for row_id, _ in first_two] == [earlier, all_day, timed]
    after = (first_two[1][1], first_two[1][0])
    rest = ListQuery(viewer_id=alice.id, owner_id=alice.id, after=after)
    assert _ids(engine, rest) == [timed, undated]
    backwards = ListQuery(viewer_id=alice.id, owner_id=alice.id, sort=SortOrder.START_DESC)
    assert _ids(engine, backwards) == [undated, timed, all_day, earlier]
    from_nine = ListQuery(
        viewer_id=alice.id, key_from=key_at(dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC))
    )
    assert _ids(engine, from_nine) == [timed]


def test_a_colleagues_private_activity_sorts_and_filters_as_a_busy_block(
    engine: sa.Engine,
) -> None:
    alice, bob = _users(engine)
    assert alice.id is not None
    secret = _add(engine, bob, "Aardvark-canary", private=True, type_key="lunch", done=True)
    open_call = _add(engine, alice, "Call", due_time=dt.time(8))
    zebra = _add(engine, bob, "Zebra", due_time=dt.time(7))

    by_subject = ListQuery(viewer_id=alice.id, sort=SortOrder.SUBJECT)
    assert _ids(engine, by_subject) == [secret, open_call, zebra]  # "Busy", "Call", "Zebra"
    not_done_calls = ListQuery(viewer_id=alice.id, type_keys=("call",), done=False)
    assert _ids(engine, not_done_calls) == [secret, zebra, open_call]
    by_type = ListQuery(viewer_id=alice.id, sort=SortOrder.TYPE)
    assert _ids(engine, by_type)[0] == secret
    by_owner = ListQuery(viewer_id=alice.id, sort=SortOrder.OWNER)
    assert _ids(engine, by_owner) == [open_call, secret, zebra]


def test_sync_filters_look_at_the_viewers_own_links_and_errors(engine: sa.Engine) -> None:
    alice, bob = _users(engine)
    assert alice.id is not None
    synced = _add(engine, alice, "synced")
    failed = _add(engine, alice, "failed")
    waiting = _add(engine, alice, "waiting")
    _add(engine, bob, "bobs")
    with writing(engine) as conn:
        account = sync_accounts.add_account(
            conn,
            user_id=alice.id,
            provider=ProviderKind.GOOGLE,
            account_email="alice@example.com",
            encrypted_secret="",
            settings=new_account_settings(["call", "meeting"], "primary"),
            now=NOW,
        )
        link = Link(synced, "event-1", '"1"', "crm", "ext", None, Side.CRM)
        sync_links.save_link(conn, account.id, "primary", link, NOW)
        sync_links.record_item_error(conn, account.id, "refused", NOW, activity_id=failed)

    def ids(wanted: SyncFilter) -> list[int]:
        return _ids(engine, ListQuery(viewer_id=alice.id, sync=wanted))

    assert ids(SyncFilter.SYNCED) == [synced]
    assert ids(SyncFilter.FAILED) == [failed]
    assert ids(SyncFilter.NOT_SYNCED) == [failed, waiting]
