"""``[auth] type = plugins.auth``: CalBridge users' passwords and app passwords.

The check is `bridge.sign_in.SignIn`'s, shared with the JSON API. Its
settings come from this section (`calbridge serve` puts them there), else
from CalBridge's own configuration. A client refused for guessing raises
`Throttled` through Radicale, which the CalDAV door answers with 429.
"""

from __future__ import annotations

from radicale import auth, config

from bridge.config import Settings
from bridge.sign_in import SETTINGS, SignIn
from bridge.web.client_address import UNKNOWN
from plugins.database import engine_for


class Auth(auth.BaseAuth):
    def __init__(self, configuration: config.Configuration) -> None:
        super().__init__(configuration)
        self._sign_in = SignIn(engine_for(configuration, "auth"), _settings(configuration))

    def _login_ext(self, login: str, password: str, context: auth.AuthContext) -> str:
        return self._sign_in.check(login, password, context.remote_addr or UNKNOWN) or ""

    def _sleep_for_constant_exec_time(self, time_ns_begin: int) -> None:
        """No padding: Radicale's pads every failure to the slowest one ever seen, forever.

        Unknown logins cost the same argon2 work as known ones (`check_credentials`)
        and guessing is throttled per address and login, which this delay stood for.
        """


def _settings(configuration: config.Configuration) -> Settings:
    given = {}
    for name in SETTINGS:
        try:
            given[name] = configuration.get("auth", name)
        except KeyError:
            continue
    return Settings(**given)
