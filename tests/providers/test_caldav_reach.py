"""A CalDAV account reaches public addresses and allowed networks only, at every connection.

The test servers listen on loopback, which is not public: by default the
provider must not send them a single request, whether the address is
given, resolved from a name, reached through a redirect, or opened by the
worker for a later sync.
"""

from __future__ import annotations

import ipaddress
import pathlib
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bridge.calendar_accounts import CalendarAccounts
from bridge.config import Settings
from bridge.connections import open_provider
from bridge.domain import User
from bridge.providers import TemporaryFailure
from bridge.providers.caldav.provider import CalDavCalendarProvider
from bridge.providers.caldav.reach import reachable
from bridge.providers.caldav.settings import CalDavSettings
from bridge.secrets import SecretBox
from tests.servers import serve_in_thread
from tests.stock_radicale import RadicaleServer, WsgiApp, running_radicale
from tests.sync_fixtures import LOOPBACK

REFUSAL = "is not one CalDAV accounts may reach here"
ALICE = ("alice", "secret")


@pytest.fixture
def seen() -> list[str]:
    """The requests that reached the Radicale server."""
    return []


@pytest.fixture
def watched(tmp_path: pathlib.Path, seen: list[str]) -> Iterator[RadicaleServer]:
    def counting(app: WsgiApp) -> WsgiApp:
        def count(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            seen.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}")
            return app(environ, start_response)

        return count

    with running_radicale(tmp_path, wrap=counting) as server:
        server.make_calendar("alice", "work")
        seen.clear()
        yield server


def _listing_error(url: str, **options: Any) -> str:
    provider = CalDavCalendarProvider(url, *ALICE, **options)
    try:
        with pytest.raises(TemporaryFailure) as raised:
            provider.list_calendars()
    finally:
        provider.close()
    return str(raised.value)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_by_default_loopback_is_refused_before_any_request(
    watched: RadicaleServer, seen: list[str], host: str
) -> None:
    url = watched.url.replace("127.0.0.1", host) + "/"
    message = _listing_error(url)
    assert REFUSAL in message
    assert "CALBRIDGE_CALDAV_ALLOWED_NETWORKS" in message
    assert seen == []


def test_an_allowed_network_is_reached(watched: RadicaleServer, seen: list[str]) -> None:
    provider = CalDavCalendarProvider(watched.url + "/", *ALICE, allowed_networks=LOOPBACK)
    try:
        assert [calendar.name for calendar in provider.list_calendars()] == ["work"]
    finally:
        provider.close()
    assert seen


@pytest.fixture
def unreachable_listener() -> Iterator[tuple[str, list[bool]]]:
    """A socket on 127.0.0.2, outside the allowed 127.0.0.1/32; records any connection."""
    listener = socket.create_server(("127.0.0.2", 0))
    connected: list[bool] = []

    def accept() -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        connected.append(True)
        conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.2:{listener.getsockname()[1]}", connected
    listener.close()
    thread.join(timeout=5)


def test_a_redirect_to_an_address_outside_the_allowed_networks_is_not_followed(
    unreachable_listener: tuple[str, list[bool]],
) -> None:
    target, connected = unreachable_listener

    async def redirect(request: Request) -> Response:
        return RedirectResponse(f"{target}{request.url.path}", status_code=301)

    app = Starlette(routes=[Route("/{path:path}", redirect, methods=["GET", "PROPFIND"])])
    with serve_in_thread(app) as redirector:
        allowed = [ipaddress.ip_network("127.0.0.1/32")]
        message = _listing_error(redirector + "/dav/", allowed_networks=allowed)
    assert REFUSAL in message
    assert "127.0.0.2" in message
    assert connected == []


def test_the_worker_checks_every_later_sync_too(
    watched: RadicaleServer,
    seen: list[str],
    box: SecretBox,
    provider_settings: Settings,
    calendar_accounts: CalendarAccounts,
    crm_user: User,
) -> None:
    """An account connected while its network was allowed stops when it no longer is."""
    user, password = ALICE
    values = {"url": watched.url + "/", "username": user, "password": password}
    account = calendar_accounts.connect(crm_user.login, "caldav", values)
    seen.clear()
    public_only = provider_settings.model_copy(update={"caldav": CalDavSettings()})
    provider = open_provider(account, box, public_only, lambda _secret: None)
    try:
        with pytest.raises(TemporaryFailure, match=REFUSAL):
            provider.list_calendars()
    finally:
        provider.close()
    assert seen == []


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("127.0.0.1", False),
        ("::1", False),
        ("::ffff:127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("fc00::1", False),
        ("fe80::1", False),
        ("224.0.0.1", False),
    ],
)
def test_only_public_addresses_are_reachable_by_default(address: str, allowed: bool) -> None:
    assert reachable(ipaddress.ip_address(address), []) is allowed


def test_configured_networks_are_reachable_too() -> None:
    networks = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("127.0.0.1/32")]
    assert reachable(ipaddress.ip_address("10.20.30.40"), networks)
    assert reachable(ipaddress.ip_address("::ffff:127.0.0.1"), networks)
    assert not reachable(ipaddress.ip_address("127.0.0.2"), networks)
    assert not reachable(ipaddress.ip_address("192.168.0.1"), networks)
