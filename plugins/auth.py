"""``[auth] type = plugins.auth``: CalBridge users' passwords and app passwords."""

from __future__ import annotations

import time

from radicale import auth, config

from bridge.config import get_settings
from bridge.security import VerificationCache
from bridge.store.db import shared_engine
from bridge.store.users import check_credentials


class Auth(auth.BaseAuth):
    def __init__(self, configuration: config.Configuration) -> None:
        super().__init__(configuration)
        try:
            url = configuration.get("auth", "database_url")
        except KeyError:
            url = get_settings().database_url
        self._engine = shared_engine(url)
        self._verified = VerificationCache(get_settings().auth_cache_seconds)

    def _login(self, login: str, password: str) -> str:
        now = time.monotonic()
        if self._verified.hit(login, password, now):
            return login
        with self._engine.connect() as conn:
            user = check_credentials(conn, login, password)
        if user is None:
            return ""
        self._verified.remember(login, password, now)
        return user.login
