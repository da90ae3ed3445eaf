"""The JSON API end to end: real HTTP against the app, the Google emulator and stock Radicale.

Every response a test receives is kept (`Api.seen`), so the privacy checks
can search all of them for passwords and tokens.
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import sqlalchemy as sa

from bridge.accounts import AccountState, CalendarAccount
from bridge.calendar_accounts import CalendarAccounts
from bridge.domain import User
from bridge.secrets import SecretBox
from bridge.store import sync_accounts
from bridge.store.db import writing
from bridge.store.sync_links import record_item_error
from bridge.store.sync_runs import RunOutcome
from bridge.store.users import add_app_password
from bridge.worker.scheduler import Worker
from tests.emulators.google_calendar import GoogleEmulator
from tests.stock_radicale import USERS, RadicaleServer, running_radicale
from tests.sync_fixtures import CRM_LOGIN, CRM_PASSWORD
from tests.sync_worker.sync_samples import (
    GOOGLE_CALENDAR,
    add_activity,
    live_events,
    soon,
    sync,
    sync_ok,
)
from tests.web.api_client import ACCOUNTS, MAX_BODY, Api, assert_error


@pytest.fixture
def radicale(tmp_path: pathlib.Path) -> Iterator[RadicaleServer]:
    """Stock Radicale where alice has one calendar, `work`."""
    with running_radicale(tmp_path / "radicale") as server:
        server.make_calendar("alice", "work")
        yield server


def stored(engine: sa.Engine, user: User) -> list[CalendarAccount]:
    with engine.connect() as conn:
        return sync_accounts.accounts_of(conn, user.id)


def caldav_body(radicale: RadicaleServer, **changes: str) -> dict[str, str]:
    return {
        "provider": "caldav",
        "url": radicale.url + "/",
        "username": radicale.user,
        "password": radicale.password,
        **changes,
    }


# -- signing in -----------------------------------------------------------------------


def test_sign_in_with_the_password_or_an_app_password(api: Api, engine: sa.Engine) -> None:
    for auth in (None, (CRM_LOGIN, "wrong"), ("nobody", CRM_PASSWORD)):
        response = httpx.get(f"{api.base_url}{ACCOUNTS}", auth=auth, trust_env=False)
        assert_error(response, 401)
        assert response.headers["www-authenticate"] == 'Basic realm="CalBridge"'
    garbled = {"Authorization": "Basic not-base64!"}
    assert_error(httpx.get(f"{api.base_url}{ACCOUNTS}", headers=garbled, trust_env=False), 401)

    assert api.get(ACCOUNTS).json() == []
    assert api.get(ACCOUNTS).json() == []  # the remembered verification
    with writing(engine) as conn:
        app_password = add_app_password(conn, CRM_LOGIN, "script")
    by_app = httpx.get(f"{api.base_url}{ACCOUNTS}", auth=(CRM_LOGIN, app_password))
    assert (by_app.status_code, by_app.json()) == (200, [])


# -- CalDAV ---------------------------------------------------------------------------


def test_caldav_account_from_connect_to_disconnect(
    api: Api, engine: sa.Engine, crm_user: User, radicale: RadicaleServer
) -> None:
    wrong = api.post(ACCOUNTS, json=caldav_body(radicale, password="not-the-password"))
    host = radicale.url.removeprefix("http://")
    assert_error(wrong, 422, f"the CalDAV server {host} refused the user name or password")
    assert stored(engine, crm_user) == []

    created = api.post(ACCOUNTS, json=caldav_body(radicale))
    assert created.status_code == 201
    account = created.json()
    assert created.headers["location"] == f"{ACCOUNTS}/{account['id']}"
    work = radicale.calendar_url("alice", "work")
    assert account | {"settings": None} == {
        "id": 1,
        "provider": "caldav",
        "account_email": "alice",
        "display_name": "work",
        "server_url": radicale.url + "/",
        "state": "stopped",
        "settings": None,
        "last_success_at": None,
        "last_error": None,
        "counts": {"pushed": 0, "imported": 0, "failed": 0},
        "held_deletions": [],
        "deletion_choice": None,
    }
    assert account["settings"]["calendar_id"] == work
    assert_error(api.post(ACCOUNTS, json=caldav_body(radicale)), 409, "already connected")
    assert len(stored(engine, crm_user)) == 1

    assert api.get(ACCOUNTS).json() == [account]
    calendars = api.get(f"{ACCOUNTS}/1/calendars")
    assert calendars.json() == [{"id": work, "name": "work", "primary": True, "writable": True}]

    started = api.post(f"{ACCOUNTS}/1/start")
    assert (started.status_code, started.json()["state"]) == (200, "active")
    assert api.post(f"{ACCOUNTS}/1/sync").json()["state"] == "active"
    stopped = api.post(f"{ACCOUNTS}/1/stop")
    assert (stopped.status_code, stopped.json()["state"]) == (200, "stopped")
    assert_error(api.post(f"{ACCOUNTS}/1/sync"), 409, "account 1 is stopped: start it first")

    deleted = api.delete(f"{ACCOUNTS}/1")
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert stored(engine, crm_user) == []
    assert_error(api.get(f"{ACCOUNTS}/1"), 404, "no calendar account 1")
    assert_error(api.delete(f"{ACCOUNTS}/1"), 404, "no calendar account 1")
    api.assert_never_shown(radicale.password, "not-the-password")


def test_an_unreachable_caldav_server_is_refused(
    api: Api, engine: sa.Engine, crm_user: User
) -> None:
    body = {"provider": "caldav", "url": "http://127.0.0.1:9/", "username": "a", "password": "pw1"}
    refused = "cannot reach the CalDAV server 127.0.0.1:9: connection refused"
    assert_error(api.post(ACCOUNTS, json=body), 422, refused)
    assert stored(engine, crm_user) == []


# -- Google ---------------------------------------------------------------------------


def test_google_connect_flow_through_the_consent_page_and_the_callback(
    api: Api, engine: sa.Engine, crm_user: User, box: SecretBox
) -> None:
    callback = f"{api.base_url}/oauth/google/callback"
    consent = api.post(ACCOUNTS, json={"provider": "google", "redirect_uri": callback})
    assert consent.status_code == 200
    url = consent.json()["authorization_url"]
    assert parse_qs(urlsplit(url).query)["redirect_uri"] == [callback]

    # Another browser (no consent cookie) following the link connects nothing.
    elsewhere = httpx.get(url, follow_redirects=True, trust_env=False)
    assert_error(elsewhere, 400, "does not belong to this browser")
    assert stored(engine, crm_user) == []

    # The emulator's consent page says "Allow" at once and redirects to the callback.
    cookies = api.client.cookies
    landed = httpx.get(url, follow_redirects=True, trust_env=False, cookies=cookies)
    api.seen.append(landed.text)

    assert landed.status_code == 201, landed.text
    account = landed.json()
    assert (account["provider"], account["account_email"]) == ("google", GOOGLE_CALENDAR)
    assert (account["state"], account["server_url"]) == ("stopped", None)
    [saved] = stored(engine, crm_user)
    assert saved.id == account["id"]
    assert api.get(f"{ACCOUNTS}/{saved.id}/calendars").json()[0]["id"] == GOOGLE_CALENDAR

    # The same callback twice: the code is spent.
    again = httpx.get(landed.url, trust_env=False, cookies=cookies)
    assert_error(again, 400, "Google refused the connection")
    assert len(stored(engine, crm_user)) == 1
    tokens = json.loads(box.decrypt(stored(engine, crm_user)[0].encrypted_secret))
    api.assert_never_shown(tokens["access_token"], tokens["refresh_token"], saved.encrypted_secret)


def test_a_consent_the_command_line_finishes_lands_on_a_page_saying_to_paste(
    api: Api, engine: sa.Engine, crm_user: User, calendar_accounts: CalendarAccounts
) -> None:
    """`connect google --redirect-uri PUBLIC_URL/oauth/google/callback`: no JSON error there."""
    callback = f"{api.base_url}/oauth/google/callback"
    url, nonce = calendar_accounts.consent_url(CRM_LOGIN, "google", callback, pasted=True)

    landed = httpx.get(url, follow_redirects=True, trust_env=False)

    assert landed.status_code == 200
    assert landed.headers["content-type"].startswith("text/html")
    assert "paste it into the terminal where calbridge is waiting" in landed.text
    assert stored(engine, crm_user) == []
    query = parse_qs(urlsplit(str(landed.url)).query)
    consented = calendar_accounts.finish_consent(
        "google", query["state"][0], query["code"][0], nonce
    )
    assert (consented.account.account_email, consented.reconnected) == (GOOGLE_CALENDAR, False)


def test_the_default_redirect_uri_is_the_public_callback(api: Api) -> None:
    consent = api.post(ACCOUNTS, json={"provider": "google"})
    redirect = parse_qs(urlsplit(consent.json()["authorization_url"]).query)["redirect_uri"]
    assert redirect == ["http://127.0.0.1:8000/oauth/google/callback"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"error": "access_denied", "state": "x"}, "access to the calendar was not allowed"),
        ({"error": "invalid_scope"}, "Google refused the consent (invalid_scope)"),
        ({"state": "x"}, "the callback needs the code and state"),
        ({"code": "4/abc", "state": "forged"}, "the consent answer is unknown or expired"),
    ],
)
def test_a_refused_or_forged_callback_stores_nothing(
    api: Api, engine: sa.Engine, crm_user: User, query: dict[str, str], message: str
) -> None:
    response = httpx.get(f"{api.base_url}/oauth/google/callback", params=query, trust_env=False)
    assert_error(response, 400, message)
    assert stored(engine, crm_user) == []


def test_calendars_of_an_account_whose_secret_cannot_be_opened(
    api: Api, engine: sa.Engine, google_account: CalendarAccount
) -> None:
    """A secret no configured key opens (a key rotated out) asks for a new connection."""
    with writing(engine) as conn:
        now = dt.datetime.now(dt.UTC)
        sync_accounts.replace_secret(conn, google_account.id, "sealed-by-another-key", now)
    assert_error(api.get(f"{ACCOUNTS}/1/calendars"), 422, "connect the account again")


# -- malformed requests ---------------------------------------------------------------


def test_malformed_requests_are_refused_and_store_nothing(
    api: Api, engine: sa.Engine, crm_user: User
) -> None:
    caldav = {"provider": "caldav", "url": "http://127.0.0.1:9/", "username": "a", "password": "b"}
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 400, "JSON"),
        ({"json": ["caldav"]}, 400, "the body must be a JSON object"),
        ({"content": b"provider=caldav", "headers": {"content-type": "text/plain"}}, 415, "json"),
        ({"content": b'{"provider": "google"}'}, 415, "application/json"),
        ({"json": {"provider": "outlook"}}, 400, "provider must be caldav or google"),
        ({"json": {}}, 400, "provider must be caldav or google"),
        ({"json": caldav | {"password": ""}}, 400, "password must be a non-empty string"),
        ({"json": caldav | {"username": 7}}, 400, "username must be a non-empty string"),
        ({"json": {"provider": "caldav", "url": "http://x/"}}, 400, "username is required"),
        ({"json": caldav | {"colour": "red"}}, 400, "unknown field 'colour'"),
        ({"json": caldav | {"url": "ftp://x/"}}, 400, "url must be an http or https address"),
        ({"json": {"provider": "google", "redirect_uri": "/x"}}, 400, "redirect_uri must be"),
    ]
    for options, status, message in cases:
        assert_error(api.post(ACCOUNTS, **options), status, message)

    too_large = api.post(ACCOUNTS, json=caldav | {"password": "x" * MAX_BODY})
    assert too_large.status_code == 413
    assert stored(engine, crm_user) == []


def test_wrong_methods_and_paths_get_json_answers(
    api: Api, google_account: CalendarAccount
) -> None:
    for method, path, allowed in (
        ("PUT", ACCOUNTS, "GET, POST"),
        ("POST", f"{ACCOUNTS}/1", "GET, DELETE"),
        ("GET", f"{ACCOUNTS}/1/start", "POST"),
        ("POST", f"{ACCOUNTS}/1/settings", "PATCH"),
    ):
        response = api.request(method, path)
        assert_error(response, 405, f"{method} is not allowed here")
        assert response.headers["allow"] == allowed
    for path in ("/api/v1/nothing", f"{ACCOUNTS}/one", f"{ACCOUNTS}/1/colour", "/api/v2/x"):
        assert_error(api.get(path), 404, "no such API endpoint")
    assert api.get(f"{ACCOUNTS}/1").json()["state"] == "stopped"


# -- settings, status and runs --------------------------------------------------------


def test_settings_change_field_by_field_and_bad_ones_change_nothing(
    api: Api, engine: sa.Engine, crm_user: User, google_account: CalendarAccount
) -> None:
    changed = api.patch(f"{ACCOUNTS}/1/settings", json={"window_past_days": 7})
    assert (changed.status_code, changed.json()["window_past_days"]) == (200, 7)
    changed = api.patch(
        f"{ACCOUNTS}/1/settings", json={"pushed_type_keys": ["call"], "include_crm_info": True}
    )
    assert changed.json() | {"calendar_id": None} == {
        "sync_type": "two_way",
        "import_visibility": "everyone",
        "private_events": "busy_block",
        "import_type_key": "meeting",
        "pushed_type_keys": ["call"],
        "include_crm_info": True,
        "window_past_days": 7,
        "window_future_days": 365,
        "conflict_policy": "most_recent",
        "calendar_id": None,
    }
    settings = stored(engine, crm_user)[0].settings

    for body, message in (
        ({"window_past_days": -1}, "window_past_days must be a whole number of days"),
        ({"window_future_days": 10**9}, "window_future_days must be a whole number of days"),
        ({"window_past_days": 1, "sync_type": "sideways"}, "sync_type must be one of"),
        ({"colour": "blue"}, "unknown setting 'colour'"),
        ({"pushed_type_keys": "call"}, "pushed_type_keys must be a list of activity type keys"),
        ({"pushed_type_keys": ["call", "karaoke"]}, "unknown activity type 'karaoke'"),
        ({"calendar_id": "someone@example.com"}, "calendar_id 'someone@example.com' is not in"),
    ):
        assert_error(api.patch(f"{ACCOUNTS}/1/settings", json=body), 400, message)
    assert_error(api.patch(f"{ACCOUNTS}/1/settings", json=[1]), 400, "JSON object")
    assert_error(api.patch(f"{ACCOUNTS}/1/settings", content=b"window_past_days=1"), 415)
    assert stored(engine, crm_user)[0].settings == settings


def test_status_and_runs_after_a_sync(
    api: Api,
    engine: sa.Engine,
    crm_user: User,
    google_account: CalendarAccount,
    worker: Worker,
) -> None:
    meeting = add_activity(engine, crm_user, "Renewal meeting")
    api.post(f"{ACCOUNTS}/1/start")
    sync_ok(worker, google_account.id)
    sync_ok(worker, google_account.id)
    with writing(engine) as conn:
        now = dt.datetime.now(dt.UTC)
        record_item_error(conn, google_account.id, "event too large", now, activity_id=meeting.id)

    status = api.get(f"{ACCOUNTS}/1").json()

    assert (status["state"], status["linked"], status["counts"]["pushed"]) == ("active", 1, 1)
    assert status["last_success_at"] is not None
    assert [run["outcome"] for run in status["runs"]] == ["ok", "ok"]
    assert status["runs"][1]["counts"] | {"requests": 0} == {
        "pushed": 1,
        "imported": 0,
        "deleted": 0,
        "failed": 0,
        "requests": 0,
    }
    [error] = status["item_errors"]
    assert (error["activity_id"], error["message"]) == (meeting.id, "event too large")

    runs = api.get(f"{ACCOUNTS}/1/runs", params={"limit": 1}).json()
    assert [run["id"] for run in runs] == [status["runs"][0]["id"]]
    assert len(api.get(f"{ACCOUNTS}/1/runs").json()) == 2
    for limit in ("0", "101", "x", "-1"):
        response = api.get(f"{ACCOUNTS}/1/runs", params={"limit": limit})
        assert_error(response, 400, "limit must be a whole number from 1 to 100")


# -- whose account --------------------------------------------------------------------


def test_another_users_account_is_answered_like_a_missing_one(
    api: Api, engine: sa.Engine, crm_user: User, bob: User, google_account: CalendarAccount
) -> None:
    api.client.auth = httpx.BasicAuth("bob", "bob-password")
    assert api.get(ACCOUNTS).json() == []
    for method, suffix, options in (
        ("GET", "", {}),
        ("DELETE", "", {}),
        ("PATCH", "/settings", {"json": {"window_past_days": 1}}),
        ("GET", "/calendars", {}),
        ("POST", "/start", {}),
        ("POST", "/stop", {}),
        ("POST", "/sync", {}),
        ("GET", "/runs", {}),
        ("POST", "/reconnect", {"json": {"password": "bob-password"}}),
    ):
        theirs = api.request(method, f"{ACCOUNTS}/1{suffix}", **options)
        missing = api.request(method, f"{ACCOUNTS}/2{suffix}", **options)
        assert_error(theirs, 404)
        assert theirs.json() == {"error": "no calendar account 1"}
        assert missing.json() == {"error": "no calendar account 2"}
    huge = 10**30
    assert_error(api.get(f"{ACCOUNTS}/{huge}"), 404, f"no calendar account {huge}")
    assert stored(engine, crm_user) == [google_account]


# -- sync status of activities --------------------------------------------------------


def test_sync_status_explains_each_activity_after_a_real_sync(
    api: Api,
    engine: sa.Engine,
    crm_user: User,
    bob: User,
    calendar_accounts: CalendarAccounts,
    google_account: CalendarAccount,
    worker: Worker,
) -> None:
    meeting = add_activity(engine, crm_user, "Renewal meeting")
    lunch = add_activity(engine, crm_user, "Team lunch", type_key="lunch")
    old = add_activity(engine, crm_user, "Old call", type_key="call", start=soon(-60))
    undated = add_activity(
        engine,
        crm_user,
        "Write notes",
        type_key="task",
        due_date=None,
        due_time=None,
        duration=None,
    )
    theirs = add_activity(engine, bob, "Bob's meeting")
    untouched = {"pushed_type_keys": ["call", "meeting", "task"]}
    assert api.patch(f"{ACCOUNTS}/1/settings", json=untouched).status_code == 200
    api.post(f"{ACCOUNTS}/1/start")
    sync_ok(worker, google_account.id)
    later = add_activity(engine, crm_user, "Follow-up", start=soon(2))

    ids = [meeting.id, lunch.id, old.id, undated.id, theirs.id, later.id, 999_999]
    answer = api.get("/api/v1/activities/sync-status", params={"ids": ",".join(map(str, ids))})

    assert answer.status_code == 200
    found = {item["id"]: item["accounts"] for item in answer.json()["activities"]}
    assert list(found) == [meeting.id, lunch.id, old.id, undated.id, later.id]
    [synced] = found[meeting.id]
    assert synced | {"synced_at": None} == {
        "account_id": google_account.id,
        "provider": "google",
        "account_email": GOOGLE_CALENDAR,
        "synced": True,
        "calendar_id": GOOGLE_CALENDAR,
        "synced_at": None,
        "reason": None,
    }
    assert dt.datetime.fromisoformat(synced["synced_at"]) <= dt.datetime.now(dt.UTC)
    reasons = {
        activity_id: [e["reason"] for e in entries] for activity_id, entries in found.items()
    }
    assert reasons == {
        meeting.id: [None],
        lunch.id: ["not pushed: type lunch is not ticked"],
        old.id: ["outside the sync window"],
        undated.id: ["no date"],
        later.id: ["waiting for the next run"],
    }

    with writing(engine) as conn:
        now = dt.datetime.now(dt.UTC)
        record_item_error(conn, google_account.id, "event too large", now, activity_id=later.id)
    assert reasons_of(api, later.id) == ["error: event too large"]
    calendar_accounts.stop(CRM_LOGIN, google_account.id)
    assert reasons_of(api, later.id) == ["sync stopped"]

    api.client.auth = httpx.BasicAuth("bob", "bob-password")
    mine = api.get("/api/v1/activities/sync-status", params={"ids": f"{meeting.id},{theirs.id}"})
    assert mine.json() == {"activities": [{"id": theirs.id, "accounts": []}]}
    assert stored(engine, crm_user)[0].state is AccountState.STOPPED


def reasons_of(api: Api, activity_id: int) -> list[str]:
    answer = api.get("/api/v1/activities/sync-status", params={"ids": str(activity_id)})
    [item] = answer.json()["activities"]
    return [entry["reason"] for entry in item["accounts"]]


def test_sync_status_needs_a_list_of_ids(api: Api) -> None:
    for query in ({}, {"ids": ""}, {"ids": "1,x"}, {"ids": "1,,2"}, {"ids": "-1"}):
        response = api.get("/api/v1/activities/sync-status", params=query)
        assert_error(response, 400, "ids must be a comma-separated list of activity ids")
    many = ",".join(str(number) for number in range(1, 502))
    assert_error(api.get("/api/v1/activities/sync-status", params={"ids": many}), 400, "500")
    assert api.get("/api/v1/activities/sync-status", params={"ids": "1, 2"}).json() == {
        "activities": []
    }


# -- reconnecting ---------------------------------------------------------------------


def test_caldav_reconnect_after_a_password_change_keeps_the_account(
    api: Api,
    engine: sa.Engine,
    crm_user: User,
    radicale: RadicaleServer,
    tmp_path: pathlib.Path,
    worker: Worker,
) -> None:
    assert api.post(ACCOUNTS, json=caldav_body(radicale)).status_code == 201
    api.patch(f"{ACCOUNTS}/1/settings", json={"window_past_days": 3})
    api.post(f"{ACCOUNTS}/1/start")
    add_activity(engine, crm_user, "Before the change")
    sync_ok(worker, 1)
    root = tmp_path / "radicale"
    logins = USERS | {"alice": "changed-secret"}
    (root / "users").write_text("".join(f"{user}:{word}\n" for user, word in logins.items()))
    assert sync(worker, 1).outcome is RunOutcome.NEEDS_RECONNECT

    broken = api.get(f"{ACCOUNTS}/1").json()
    host = radicale.url.removeprefix("http://")
    assert broken["state"] == "needs_reconnect"
    assert broken["last_error"].startswith(
        f"the CalDAV server {host} refused the user name or password"
    )
    assert "GrantRevoked" not in json.dumps(broken)
    [listed] = api.get(ACCOUNTS).json()
    assert_error(api.post(f"{ACCOUNTS}/1/start"), 409, "account 1 needs reconnecting")

    for body, status, message in (
        ({}, 400, "password is required"),
        ({"password": "secret"}, 422, "refused the user name or password"),
        ({"password": "changed-secret", "username": "bob"}, 409, "cannot move it"),
        ({"password": "changed-secret", "url": "http://127.0.0.1:9/"}, 409, "cannot move it"),
        ({"password": "changed-secret", "colour": "red"}, 400, "unknown field 'colour'"),
    ):
        assert_error(api.post(f"{ACCOUNTS}/1/reconnect", json=body), status, message)
    assert api.get(f"{ACCOUNTS}/1").json()["state"] == "needs_reconnect"

    same = {"password": "changed-secret", "url": radicale.url, "username": "alice"}
    renewed = api.post(f"{ACCOUNTS}/1/reconnect", json=same)
    assert renewed.status_code == 200, renewed.text
    assert renewed.json() == listed | {"state": "active", "last_error": None}
    add_activity(engine, crm_user, "After the reconnect")
    sync_ok(worker, 1)
    sync_ok(worker, 1)
    folder = root / "collections" / "collection-root" / "alice" / "work"
    assert len(list(folder.glob("*.ics"))) == 2
    assert api.get(f"{ACCOUNTS}/1").json()["linked"] == 2
    api.assert_never_shown("changed-secret")


def test_google_reconnect_through_the_consent_page_and_the_callback(
    api: Api,
    engine: sa.Engine,
    crm_user: User,
    google: GoogleEmulator,
    google_account: CalendarAccount,
    box: SecretBox,
    worker: Worker,
) -> None:
    api.post(f"{ACCOUNTS}/1/start")
    add_activity(engine, crm_user, "Before the revocation")
    sync_ok(worker, 1)
    google.state.revoke(json.loads(box.decrypt(google_account.encrypted_secret))["refresh_token"])
    assert sync(worker, 1).outcome is RunOutcome.NEEDS_RECONNECT
    callback = f"{api.base_url}/oauth/google/callback"

    def consent(google_user: str) -> httpx.Response:
        answer = api.post(f"{ACCOUNTS}/1/reconnect", json={"redirect_uri": callback})
        assert answer.status_code == 200, answer.text
        url = answer.json()["authorization_url"] + "&login_hint=" + google_user
        landed = httpx.get(url, follow_redirects=True, trust_env=False, cookies=api.client.cookies)
        api.seen.append(landed.text)
        return landed

    google.state.add_user("someone-else@example.com")
    other = consent("someone-else@example.com")
    assert_error(other, 409, f"reconnect signed in to Google as {GOOGLE_CALENDAR}")
    assert stored(engine, crm_user)[0].state is AccountState.NEEDS_RECONNECT

    landed = consent(GOOGLE_CALENDAR)
    assert landed.status_code == 200, landed.text
    assert (landed.json()["id"], landed.json()["state"]) == (1, "active")
    assert len(stored(engine, crm_user)) == 1
    add_activity(engine, crm_user, "After the reconnect")
    sync_ok(worker, 1)
    events = live_events(google.state.events(GOOGLE_CALENDAR)).values()
    assert sorted(event["summary"] for event in events) == [
        "After the reconnect",
        "Before the revocation",
    ]
    tokens = json.loads(box.decrypt(stored(engine, crm_user)[0].encrypted_secret))
    api.assert_never_shown(tokens["access_token"], tokens["refresh_token"])


def test_a_caldav_account_without_a_default_calendar_starts_once_one_is_picked(
    api: Api, engine: sa.Engine, crm_user: User, radicale: RadicaleServer
) -> None:
    home = radicale.make_calendar("alice", "home")
    work = radicale.calendar_url("alice", "work")
    created = api.post(ACCOUNTS, json=caldav_body(radicale))
    assert created.json()["settings"]["calendar_id"] == ""
    primaries = {item["id"]: item["primary"] for item in api.get(f"{ACCOUNTS}/1/calendars").json()}
    assert primaries == {work: False, home: False}

    refused = api.post(f"{ACCOUNTS}/1/start")
    assert_error(refused, 409, "account 1 has no calendar chosen")
    assert work in refused.json()["error"] and home in refused.json()["error"]
    assert stored(engine, crm_user)[0].state is AccountState.STOPPED

    assert api.patch(f"{ACCOUNTS}/1/settings", json={"calendar_id": home}).status_code == 200
    assert api.post(f"{ACCOUNTS}/1/start").json()["state"] == "active"
