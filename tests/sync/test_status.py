"""Why an activity is or is not in each connected calendar (`bridge.sync.status`)."""

from __future__ import annotations

import datetime as dt

import pytest

from bridge.accounts import AccountState, CalendarAccount
from bridge.domain import ProviderKind
from bridge.links import ActivitySync, ItemError
from bridge.sync.status import SyncStatus, sync_status
from tests.sync.sync_fakes import NOW, activity, settings

SYNCED_AT = NOW - dt.timedelta(minutes=5)


def account(
    account_id: int = 1, state: AccountState = AccountState.ACTIVE, **changes: object
) -> CalendarAccount:
    """An account of the activity's owner; `changes` override its settings."""
    return CalendarAccount(
        id=account_id,
        user_id=1,
        provider=ProviderKind.GOOGLE,
        account_email=f"user{account_id}@example.com",
        display_name="Calendar",
        server_url="",
        settings=settings(**changes),
        state=state,
        cursor=None,
        cursor_calendar_id=None,
        last_success_at=None,
        last_error=None,
        pushed=0,
        imported=0,
        failed=0,
        next_run_at=None,
        crm_revision_seen=0,
        crm_full_at=None,
        channel=None,
        created_at=NOW,
        updated_at=NOW,
        encrypted_secret="sealed",
    )


def error(account_id: int, activity_id: int, message: str) -> ItemError:
    return ItemError(account_id, activity_id, None, message, NOW)


def reasons(entries: list[SyncStatus]) -> list[str | None]:
    return [entry.reason for entry in entries]


def test_a_linked_activity_shows_where_and_when_it_was_synced() -> None:
    links = [ActivitySync(1, "primary", SYNCED_AT)]
    [entry] = sync_status(activity(7), [account(1)], links, [], NOW)
    assert entry == SyncStatus(
        1, ProviderKind.GOOGLE, "user1@example.com", calendar_id="primary", synced_at=SYNCED_AT
    )
    assert entry.synced


def test_one_entry_per_account_in_the_accounts_order() -> None:
    accounts = [account(2), account(1, pushed_type_keys=frozenset({"meeting"}))]
    entries = sync_status(activity(7), accounts, [ActivitySync(2, "primary", SYNCED_AT)], [], NOW)
    assert [(entry.account_id, entry.synced) for entry in entries] == [(2, True), (1, False)]
    assert entries[1].reason == "not pushed: type call is not ticked"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"due_date": None, "due_time": None}, "no date"),
        ({"type_key": "lunch"}, "not pushed: type lunch is not ticked"),
        ({"due_date": dt.date(2024, 1, 1)}, "outside the sync window"),
        ({"due_date": dt.date(2027, 1, 1)}, "outside the sync window"),
    ],
)
def test_what_the_activity_itself_lacks(changes: dict[str, object], expected: str) -> None:
    assert reasons(sync_status(activity(7, **changes), [account()], [], [], NOW)) == [expected]


def test_the_window_is_the_accounts_own() -> None:
    old = activity(7, due_date=dt.date(2025, 5, 1))
    wide = account(window_past_days=90)
    assert reasons(sync_status(old, [account(), wide], [], [], NOW)) == [
        "outside the sync window",
        "waiting for the next run",
    ]


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (AccountState.STOPPED, "sync stopped"),
        (
            AccountState.NEEDS_ATTENTION,
            "sync held: deletions wait for the owner (apply or restore)",
        ),
        (AccountState.NEEDS_RECONNECT, "sync stopped: reconnect the account"),
    ],
)
def test_an_account_that_is_not_syncing_says_so(state: AccountState, expected: str) -> None:
    failure = [error(1, 7, "quota exceeded")]
    assert reasons(sync_status(activity(7), [account(state=state)], [], failure, NOW)) == [expected]


def test_the_last_error_of_this_activity_on_this_account_is_shown() -> None:
    failures = [error(1, 7, "event too large"), error(2, 8, "not this activity")]
    entries = sync_status(activity(7), [account(1), account(2)], [], failures, NOW)
    assert reasons(entries) == ["error: event too large", "waiting for the next run"]


def test_a_type_that_is_not_ticked_wins_over_the_window_and_the_state() -> None:
    far = activity(7, type_key="lunch", due_date=dt.date(2030, 1, 1))
    stopped = account(state=AccountState.STOPPED)
    assert reasons(sync_status(far, [stopped], [], [], NOW)) == [
        "not pushed: type lunch is not ticked"
    ]


def test_links_of_other_accounts_are_ignored() -> None:
    links = [ActivitySync(9, "primary", SYNCED_AT)]
    assert reasons(sync_status(activity(7), [account(1)], links, [], NOW)) == [
        "waiting for the next run"
    ]


def test_no_accounts_no_entries() -> None:
    assert sync_status(activity(7), [], [], [], NOW) == []
