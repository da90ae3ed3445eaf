"""The API's answers to held deletions: `POST .../apply-deletions` and `.../restore`."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
import sqlalchemy as sa

from bridge.accounts import CalendarAccount
from bridge.domain import User
from bridge.store import sync_accounts
from bridge.store.db import writing
from tests.web.api_client import ACCOUNTS, Api, assert_error

HELD = [{"activity_id": 7, "deleted_in": "calendar"}]


def _hold(engine: sa.Engine, account: CalendarAccount) -> None:
    with writing(engine) as conn:
        sync_accounts.hold_deletions(
            conn, account.id, dt.datetime.now(dt.UTC), "this run would delete 1 of 1", HELD
        )


@pytest.mark.parametrize(("path", "choice"), [("apply-deletions", "apply"), ("restore", "restore")])
def test_the_owner_answers_held_deletions(
    api: Api, engine: sa.Engine, google_account: CalendarAccount, path: str, choice: str
) -> None:
    url = f"{ACCOUNTS}/{google_account.id}/{path}"
    assert_error(api.post(url), 409, "holds no deletions")
    _hold(engine, google_account)

    shown = api.get(f"{ACCOUNTS}/{google_account.id}").json()
    assert (shown["state"], shown["held_deletions"]) == ("needs_attention", HELD)

    answered = api.post(url)
    assert answered.status_code == 200, answered.text
    assert (answered.json()["state"], answered.json()["deletion_choice"]) == ("active", choice)
    assert_error(api.post(url), 409, "holds no deletions")


def test_someone_elses_held_account_is_not_found(
    api: Api, engine: sa.Engine, google_account: CalendarAccount, bob: User
) -> None:
    _hold(engine, google_account)
    with httpx.Client(base_url=api.base_url, auth=("bob", "bob-password"), trust_env=False) as http:
        answer = http.post(f"{ACCOUNTS}/{google_account.id}/restore")
    assert_error(answer, 404)
    assert api.get(f"{ACCOUNTS}/{google_account.id}").json()["state"] == "needs_attention"
