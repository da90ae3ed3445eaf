"""CalDAV servers (Nextcloud, iCloud, Fastmail, Radicale, ...): the provider's `SPEC`.

The settings model (`settings`) and the implementation (`provider`,
`http`, `listing`, ...) load only when first needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bridge.domain import ProviderKind
from bridge.providers.spec import (
    CredentialConnect,
    CredentialField,
    ProviderSpec,
    SecretSaver,
    StoredAccount,
)

if TYPE_CHECKING:
    from bridge.providers import CalendarProvider
    from bridge.providers.caldav.settings import CalDavSettings


def _settings() -> type[CalDavSettings]:
    from bridge.providers.caldav.settings import CalDavSettings

    return CalDavSettings


def _open(section: CalDavSettings, account: StoredAccount, _save: SecretSaver) -> CalendarProvider:
    """A password never renews itself, so there is nothing to save."""
    from bridge.providers.caldav.provider import CalDavCalendarProvider

    return CalDavCalendarProvider(
        account.server_url,
        account.account_email,
        account.secret,
        allowed_networks=tuple(section.allowed_networks),
    )


SPEC = ProviderSpec(
    kind=ProviderKind.CALDAV,
    label="CalDAV",
    settings=_settings,
    connect=CredentialConnect(
        fields=(
            CredentialField("url", "the CalDAV server's address"),
            CredentialField("username", "the user name on that server"),
            CredentialField("password", "the password (or app password)", secret=True),
        ),
        identity="username",
        server="url",
        secret="password",
    ),
    open=_open,
)
