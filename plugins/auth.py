"""``[auth] type = plugins.auth``: CalBridge users' passwords and app passwords."""

from __future__ import annotations

import time

from radicale import auth, config

from bridge.config import get_settings
from bridge.security import VerificationCache
from bridge.store.users import check_credentials
from plugins.database import engine_for


class Auth(auth.BaseAuth):
    def __init__(self, configuration: config.Configuration) -> None:
        super().__init__(configuration)
        self._engine = engine_for(configuration, "auth")
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
