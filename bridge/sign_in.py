"""Signing in with a login and a password or app password: one service for every door.

CalDAV and the JSON API (and the web sign-in) all come here, so they share
the same throttling of failed attempts (`bridge.store.throttle`), the same
cost for unknown logins, and the same cache of recent successes.
"""

from __future__ import annotations

import time

import sqlalchemy as sa

from bridge.config import Settings
from bridge.security import VerificationCache
from bridge.store import throttle
from bridge.store.db import writing
from bridge.store.throttle import Throttled
from bridge.store.users import check_credentials, credentials_version

__all__ = ["SETTINGS", "SignIn", "Throttled"]

SETTINGS = (
    "auth_cache_seconds",
    "sign_in_address_failures",
    "sign_in_user_failures",
    "sign_in_window_seconds",
)
"""The settings `SignIn` reads: the CalDAV door hands them to its auth plugin."""


class SignIn:
    """Checks a login's password for a client at an address; refuses clients that guess.

    Successful checks are remembered for `auth_cache_seconds` (`VerificationCache`):
    clients send their credentials with every request and argon2 is slow on
    purpose. A remembered success still costs one small query, which reads
    the throttle and the user's credential version: a client refused for
    guessing cannot test guesses against the cache, and a changed or revoked
    password stops working at once on every process.
    """

    def __init__(self, engine: sa.Engine, settings: Settings) -> None:
        self._engine = engine
        self._limits = throttle.Limits(
            address_failures=settings.sign_in_address_failures,
            user_failures=settings.sign_in_user_failures,
            window_seconds=settings.sign_in_window_seconds,
        )
        self._verified = VerificationCache(settings.auth_cache_seconds)

    def check(self, login: str, password: str, address: str) -> str | None:
        """The login when the password or an app password is right, else None.

        Raises `Throttled` when `address` failed too often lately (or `login`
        did, and this address failed too), without checking the password.
        """
        with self._engine.connect() as conn:
            throttle.check(conn, self._limits, login, address, time.time())
            version = credentials_version(conn, login)
        if version is not None and self._verified.hit(login, password, version, time.monotonic()):
            return login
        with self._engine.connect() as conn:
            user = check_credentials(conn, login, password)
        if user is None:
            with writing(self._engine) as conn:
                throttle.record_failure(conn, self._limits, login, address, time.time())
            return None
        if version is not None:  # None: the user was created since the first query
            self._verified.remember(login, password, version, time.monotonic())
        return user.login
