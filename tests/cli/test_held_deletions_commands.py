"""`calbridge account apply-deletions | restore` for an account the mass-deletion guard holds."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from bridge.accounts import AccountState, CalendarAccount
from bridge.cli import main
from bridge.store import sync_accounts
from bridge.store.db import writing
from bridge.store.users import create_user

pytestmark = pytest.mark.usefixtures("google_cli_env")
HELD = [{"activity_id": 7, "deleted_in": "calendar"}, {"activity_id": 8, "deleted_in": "crm"}]


def _hold(engine: sa.Engine, account: CalendarAccount) -> None:
    with writing(engine) as conn:
        sync_accounts.hold_deletions(
            conn, account.id, dt.datetime.now(dt.UTC), "this run would delete 2 of 2", HELD
        )


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize(
    ("command", "choice"), [("apply-deletions", "apply"), ("restore", "restore")]
)
def test_a_held_account_takes_the_owners_choice(
    capsys: pytest.CaptureFixture[str],
    engine: sa.Engine,
    google_account: CalendarAccount,
    command: str,
    choice: str,
) -> None:
    _hold(engine, google_account)
    account_id = str(google_account.id)

    status, out, _ = _run(capsys, "account", "status", account_id, "--user", "alice")
    assert status == 0
    assert "2 deletions held" in out and f"account {command}" in out

    status, out, _ = _run(capsys, "account", command, account_id, "--user", "alice")
    assert status == 0, out
    assert "held" in out
    with engine.connect() as conn:
        account = sync_accounts.require_account(conn, google_account.id)
    assert (account.state, account.deletion_choice) == (AccountState.ACTIVE, choice)

    status, _, err = _run(capsys, "account", command, account_id, "--user", "alice")
    assert status != 0
    assert "holds no deletions" in err


def test_only_the_owner_chooses(
    capsys: pytest.CaptureFixture[str], engine: sa.Engine, google_account: CalendarAccount
) -> None:
    _hold(engine, google_account)
    with writing(engine) as conn:
        create_user(conn, "bob", "bob-password")
    status, _, err = _run(capsys, "account", "restore", str(google_account.id), "--user", "bob")
    assert status != 0
    assert f"no calendar account {google_account.id}" in err
    with engine.connect() as conn:
        account = sync_accounts.require_account(conn, google_account.id)
    assert account.state is AccountState.NEEDS_ATTENTION
