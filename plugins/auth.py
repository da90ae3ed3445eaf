"""``[auth] type = plugins.auth``: CalBridge users' passwords and app passwords."""

from __future__ import annotations

from radicale import auth, config

from bridge.config import get_settings
from bridge.store.users import SignIn
from plugins.database import engine_for


class Auth(auth.BaseAuth):
    def __init__(self, configuration: config.Configuration) -> None:
        super().__init__(configuration)
        self._sign_in = SignIn(engine_for(configuration, "auth"), get_settings().auth_cache_seconds)

    def _login(self, login: str, password: str) -> str:
        return self._sign_in.check(login, password) or ""
