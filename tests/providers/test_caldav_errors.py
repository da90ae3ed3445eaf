"""How the CalDAV provider reports a refused login, a busy or broken server, and refused items.

A stock Radicale sits behind a switch that, when set, answers every
request itself with a given status, as a proxy or an overloaded server
would.
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterator

import pytest

from bridge.providers import (
    GrantRevoked,
    ItemRejected,
    NotFound,
    RateLimited,
    TemporaryFailure,
)
from bridge.providers.caldav.provider import CalDavCalendarProvider
from tests.providers.caldav_fixtures import WINDOW, Switch, draft
from tests.servers import free_port
from tests.stock_radicale import RadicaleServer, running_radicale
from tests.sync_fixtures import LOOPBACK


@pytest.fixture
def switch() -> Switch:
    return Switch()


@pytest.fixture
def switched(tmp_path: pathlib.Path, switch: Switch) -> Iterator[RadicaleServer]:
    with running_radicale(tmp_path, wrap=switch.wrap) as server:
        yield server


@pytest.fixture
def account(switched: RadicaleServer) -> Iterator[tuple[CalDavCalendarProvider, str]]:
    provider = CalDavCalendarProvider(
        switched.url, "alice", "secret", timeout=10, allowed_networks=LOOPBACK
    )
    yield provider, switched.make_calendar("alice", "work")
    provider.close()


@pytest.mark.parametrize(("user", "password"), [("alice", "not the password"), ("eve", "secret")])
def test_a_refused_login_means_the_user_must_reconnect(
    radicale: RadicaleServer, calendar_url: str, user: str, password: str
) -> None:
    provider = CalDavCalendarProvider(radicale.url, user, password, allowed_networks=LOOPBACK)

    with pytest.raises(GrantRevoked):
        provider.list_calendars()
    with pytest.raises(GrantRevoked):
        provider.list_changes(calendar_url, None, WINDOW)
    with pytest.raises(GrantRevoked):
        provider.create(calendar_url, draft(), "activity-7")
    provider.close()


def test_another_users_calendar_is_not_found(
    radicale: RadicaleServer, caldav: CalDavCalendarProvider
) -> None:
    bobs = radicale.make_calendar("bob", "work")

    with pytest.raises(NotFound):
        caldav.list_changes(bobs, None, WINDOW)


def test_a_server_that_does_not_answer_is_a_temporary_failure() -> None:
    provider = CalDavCalendarProvider(
        f"http://127.0.0.1:{free_port()}/", "alice", "secret", allowed_networks=LOOPBACK
    )

    with pytest.raises(TemporaryFailure):
        provider.list_calendars()
    with pytest.raises(TemporaryFailure):
        provider.list_changes(f"http://127.0.0.1:{free_port()}/alice/work/", None, WINDOW)
    provider.close()


def test_a_server_that_answers_too_late_is_a_temporary_failure(
    switched: RadicaleServer, switch: Switch
) -> None:
    calendar_url = switched.make_calendar("alice", "work")
    provider = CalDavCalendarProvider(
        switched.url, "alice", "secret", timeout=0.2, allowed_networks=LOOPBACK
    )
    switch.delay = 1.0

    with pytest.raises(TemporaryFailure):
        provider.list_changes(calendar_url, None, WINDOW)
    provider.close()


@pytest.mark.parametrize(
    ("status", "headers", "retry_after"),
    [
        ("429 Too Many Requests", [("Retry-After", "7")], 7.0),
        ("429 Too Many Requests", [], None),
        ("503 Service Unavailable", [("Retry-After", "30")], 30.0),
        ("503 Service Unavailable", [], None),
    ],
)
def test_a_server_asking_to_slow_down_is_rate_limiting(
    account: tuple[CalDavCalendarProvider, str],
    switch: Switch,
    status: str,
    headers: list[tuple[str, str]],
    retry_after: float | None,
) -> None:
    caldav, calendar_url = account
    switch.reply = (status, headers)

    with pytest.raises(RateLimited) as listing:
        caldav.list_changes(calendar_url, None, WINDOW)
    with pytest.raises(RateLimited) as creating:
        caldav.create(calendar_url, draft(), "activity-7")

    assert listing.value.retry_after == retry_after
    assert creating.value.retry_after == retry_after


@pytest.mark.parametrize("status", ["500 Internal Server Error", "502 Bad Gateway"])
def test_a_server_error_is_a_temporary_failure(
    account: tuple[CalDavCalendarProvider, str], switch: Switch, status: str
) -> None:
    caldav, calendar_url = account
    created = caldav.create(calendar_url, draft(), "activity-7")
    switch.reply = (status, [])

    with pytest.raises(TemporaryFailure):
        caldav.list_changes(calendar_url, None, WINDOW)
    with pytest.raises(TemporaryFailure):
        caldav.update(calendar_url, created.id, draft(), created.etag)
    with pytest.raises(TemporaryFailure):
        caldav.delete(calendar_url, created.id, created.etag)


@pytest.mark.parametrize(
    "status", ["400 Bad Request", "403 Forbidden", "415 Unsupported Media Type"]
)
def test_a_write_the_server_refuses_is_a_rejected_item(
    account: tuple[CalDavCalendarProvider, str], switch: Switch, status: str
) -> None:
    caldav, calendar_url = account
    switch.reply = (status, [])

    with pytest.raises(ItemRejected):
        caldav.create(calendar_url, draft(), "activity-7")
