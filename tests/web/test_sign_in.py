"""Signing in at the API and at CalDAV: equal work for unknown logins, throttled guessing.

The app runs on a real socket; other client addresses are played through
`X-Forwarded-For` from 127.0.0.1, named a trusted proxy in these settings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import argon2
import httpx
import pytest
import sqlalchemy as sa

from bridge.config import Settings
from bridge.domain import User
from bridge.web.app import create_app
from tests.servers import serve_in_thread
from tests.sync_fixtures import CRM_LOGIN, CRM_PASSWORD

ACCOUNTS = "/api/v1/calendar-accounts"
ADDRESS_LIMIT = 3
USER_LIMIT = 5


def _settings(engine: sa.Engine, secret_key: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": engine.url.render_as_string(hide_password=False),
        "secret_key": secret_key,
        "sign_in_address_failures": ADDRESS_LIMIT,
        "sign_in_user_failures": USER_LIMIT,
        "sign_in_window_seconds": 600,
        "trusted_proxies": ["127.0.0.1/32"],
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def server(engine: sa.Engine, secret_key: str, crm_user: User) -> Iterator[str]:
    with serve_in_thread(create_app(_settings(engine, secret_key))) as base_url:
        yield base_url


def _api(base_url: str, password: str, address: str = "", login: str = CRM_LOGIN) -> httpx.Response:
    headers = {"X-Forwarded-For": address} if address else {}
    return httpx.get(f"{base_url}{ACCOUNTS}", auth=(login, password), headers=headers)


def _dav(base_url: str, password: str, address: str = "", login: str = CRM_LOGIN) -> httpx.Response:
    headers = {"Depth": "0", **({"X-Forwarded-For": address} if address else {})}
    url = f"{base_url}/dav/{login}/"
    return httpx.request("PROPFIND", url, auth=(login, password), headers=headers)


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every argon2 verification the server makes while the test runs."""
    seen: list[str] = []
    verify = argon2.PasswordHasher.verify

    def counted(self: argon2.PasswordHasher, hash: str, password: str) -> bool:
        seen.append(hash)
        return verify(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counted)
    return seen


@pytest.mark.parametrize("door", [_api, _dav], ids=["api", "caldav"])
def test_an_unknown_login_costs_the_same_argon2_work_as_a_wrong_password(
    server: str, verifications: list[str], door: Callable[..., httpx.Response]
) -> None:
    assert door(server, "wrong", "192.0.2.1").status_code == 401
    known = len(verifications)
    verifications.clear()
    assert door(server, "wrong", "192.0.2.2", login="nobody").status_code == 401
    assert known == len(verifications) == 1


@pytest.mark.parametrize("door", [_api, _dav], ids=["api", "caldav"])
def test_an_address_that_keeps_failing_gets_429_even_with_the_right_password(
    server: str, door: Callable[..., httpx.Response]
) -> None:
    for _ in range(ADDRESS_LIMIT):
        assert door(server, "wrong", "192.0.2.7").status_code == 401
    refused = door(server, CRM_PASSWORD, "192.0.2.7")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 600
    assert "too many failed sign-ins" in refused.text
    assert door(server, CRM_PASSWORD, "192.0.2.8").status_code in (200, 207)


def test_failures_count_across_doors_and_logins(server: str) -> None:
    assert _dav(server, "wrong", "198.51.100.1").status_code == 401
    assert _api(server, "wrong", "198.51.100.1", login="nobody").status_code == 401
    assert _dav(server, "wrong", "198.51.100.1", login="bob").status_code == 401
    assert _api(server, CRM_PASSWORD, "198.51.100.1").status_code == 429
    assert _dav(server, CRM_PASSWORD, "198.51.100.1").status_code == 429


def test_a_guessed_user_still_signs_in_from_an_address_without_failures(server: str) -> None:
    """Many addresses guessing one login refuse only addresses that failed themselves."""
    for attempt in range(USER_LIMIT):
        address = f"203.0.113.{attempt % 2 + 1}"
        assert _api(server, "wrong", address).status_code == 401
    assert _api(server, CRM_PASSWORD, "203.0.113.50").status_code == 200
    assert _api(server, "wrong", "203.0.113.51").status_code == 401
    refused = _api(server, CRM_PASSWORD, "203.0.113.51")
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert _dav(server, CRM_PASSWORD, "203.0.113.52").status_code == 207


def test_an_ipv6_client_counts_by_its_64_prefix(server: str) -> None:
    for host in range(1, ADDRESS_LIMIT + 1):
        assert _api(server, "wrong", f"2001:db8:1:2::{host}").status_code == 401
    assert _api(server, CRM_PASSWORD, "2001:db8:1:2::99").status_code == 429
    assert _api(server, CRM_PASSWORD, "2001:db8:1:3::1").status_code == 200


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(
    engine: sa.Engine, secret_key: str, crm_user: User
) -> None:
    app = create_app(_settings(engine, secret_key, trusted_proxies=[]))
    with serve_in_thread(app) as base_url:
        for attempt in range(ADDRESS_LIMIT):
            assert _api(base_url, "wrong", f"192.0.2.{attempt + 1}").status_code == 401
        assert _api(base_url, CRM_PASSWORD, "192.0.2.200").status_code == 429
        assert _dav(base_url, CRM_PASSWORD).status_code == 429


def test_a_client_cannot_choose_its_address_behind_a_trusted_proxy(server: str) -> None:
    """The proxy appends the peer it saw; what the client wrote before that is not read."""
    for attempt in range(ADDRESS_LIMIT):
        assert _api(server, "wrong", f"10.9.9.{attempt}, 192.0.2.44").status_code == 401
    assert _api(server, CRM_PASSWORD, "10.9.9.100, 192.0.2.44").status_code == 429
