"""Microsoft Graph (Outlook calendars): what CalBridge needs to know about the provider (`SPEC`).

The settings model (`settings`) and the implementation (`provider`, `api`,
`events`, ...) load only when first needed: importing this package costs
next to nothing.

Push notifications come as a JSON body, answered 202, after Graph first
validated the webhook address with a `validationToken` to echo (see
`push`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from bridge.domain import ProviderKind
from bridge.providers.spec import (
    OAuthConnect,
    ProviderSpec,
    PushDoor,
    PushReading,
    SecretSaver,
    StoredAccount,
)

if TYPE_CHECKING:
    from bridge.providers import CalendarProvider, ExternalCalendar
    from bridge.providers.microsoft.settings import MicrosoftSettings
    from bridge.providers.oauth import OAuthApp


def _settings() -> type[MicrosoftSettings]:
    from bridge.providers.microsoft.settings import MicrosoftSettings

    return MicrosoftSettings


def _app(section: MicrosoftSettings) -> OAuthApp | None:
    if not section.client_id:
        return None
    from bridge.providers.microsoft.opening import endpoints

    return endpoints(section).oauth_app(section.client_id, section.client_secret)


def _open(
    section: MicrosoftSettings, account: StoredAccount, save: SecretSaver
) -> CalendarProvider:
    from bridge.providers.microsoft.opening import open_microsoft

    return open_microsoft(section, account, save)


def _identify(provider: CalendarProvider, _calendars: list[ExternalCalendar]) -> str:
    """The signed-in user's address, from `GET /me` (calendar ids are opaque at Graph)."""
    from bridge.providers.microsoft.provider import MicrosoftCalendarProvider

    if not isinstance(provider, MicrosoftCalendarProvider):
        raise TypeError("a Microsoft account is identified by the Microsoft provider")
    return provider.account_address()


def _read_push(headers: Mapping[str, str], query: Mapping[str, str], body: bytes) -> PushReading:
    from bridge.providers.microsoft.push import read_push

    return read_push(headers, query, body)


SPEC = ProviderSpec(
    kind=ProviderKind.MICROSOFT,
    label="Microsoft",
    settings=_settings,
    connect=OAuthConnect(
        app=_app,
        setup_hint="set CALBRIDGE_MICROSOFT_CLIENT_ID and CALBRIDGE_MICROSOFT_CLIENT_SECRET "
        "to CalBridge's app registration (Microsoft Entra ID)",
        identify=_identify,
    ),
    open=_open,
    push=PushDoor(read=_read_push, accepted=202),
)
