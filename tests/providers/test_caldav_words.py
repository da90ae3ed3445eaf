"""What the CalDAV provider's errors say: the host, and why, in words a user can act on."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from bridge.providers import GrantRevoked, TemporaryFailure
from bridge.providers.caldav.provider import CalDavCalendarProvider
from tests.servers import free_port
from tests.stock_radicale import RadicaleServer
from tests.sync_fixtures import LOOPBACK


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def listing_error(url: str, password: str = "secret", timeout: float = 5) -> str:
    provider = CalDavCalendarProvider(
        url, "alice", password, timeout=timeout, allowed_networks=LOOPBACK
    )
    try:
        with pytest.raises((GrantRevoked, TemporaryFailure)) as raised:
            provider.list_calendars()
    finally:
        provider.close()
    return str(raised.value)


def test_a_refused_password_says_so_and_names_the_server(radicale: RadicaleServer) -> None:
    host = radicale.url.removeprefix("http://")
    provider = CalDavCalendarProvider(
        radicale.url + "/", "alice", "not the password", allowed_networks=LOOPBACK
    )
    try:
        with pytest.raises(GrantRevoked) as raised:
            provider.list_calendars()
    finally:
        provider.close()
    assert str(raised.value).startswith(
        f"the CalDAV server {host} refused the user name or password"
    )


def test_an_unreachable_server_is_named_with_the_reason(
    radicale: RadicaleServer, silent_port: int
) -> None:
    closed = free_port()
    https_host = radicale.url.removeprefix("http://")
    for url, timeout, expected in (
        (
            f"http://127.0.0.1:{closed}/",
            5,
            f"cannot reach the CalDAV server 127.0.0.1:{closed}: connection refused",
        ),
        (
            "http://calendar.invalid/",
            5,
            "cannot reach the CalDAV server calendar.invalid: the name could not be resolved",
        ),
        (
            f"http://127.0.0.1:{silent_port}/",
            0.3,
            f"cannot reach the CalDAV server 127.0.0.1:{silent_port}: timed out",
        ),
        (
            f"https://{https_host}/",
            5,
            f"cannot reach the CalDAV server {https_host}: TLS failed (wrong version number)",
        ),
    ):
        assert listing_error(url, timeout=timeout).startswith(expected)
