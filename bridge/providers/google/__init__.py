"""Google Calendar: what CalBridge needs to know about the provider (`SPEC`).

The settings model (`settings`) and the implementation (`provider`, `api`,
`events`, ...) load only when first needed: importing this package costs
next to nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from bridge.domain import ProviderKind
from bridge.providers.spec import (
    Notification,
    OAuthConnect,
    ProviderSpec,
    PushDoor,
    SecretSaver,
    StoredAccount,
)

if TYPE_CHECKING:
    from bridge.providers import CalendarProvider, ExternalCalendar
    from bridge.providers.google.settings import GoogleSettings
    from bridge.providers.oauth import OAuthApp

CHANGED_STATES = frozenset({"exists", "not_exists"})
"""Resource states that report a change; `sync` only greets a new channel."""


def _settings() -> type[GoogleSettings]:
    from bridge.providers.google.settings import GoogleSettings

    return GoogleSettings


def _app(section: GoogleSettings) -> OAuthApp | None:
    if not section.client_id:
        return None
    from bridge.providers.google.opening import endpoints

    return endpoints(section).oauth_app(section.client_id, section.client_secret)


def _open(section: GoogleSettings, account: StoredAccount, save: SecretSaver) -> CalendarProvider:
    from bridge.providers.google.opening import open_google

    return open_google(section, account, save)


def _identify(_provider: CalendarProvider, calendars: list[ExternalCalendar]) -> str:
    """A Google account's e-mail is the id of its primary calendar."""
    return next((item.id for item in calendars if item.primary), calendars[0].id)


def _notifications(
    headers: Mapping[str, str], _query: Mapping[str, str], _body: bytes
) -> list[Notification]:
    """Google's push message: all it says is in its X-Goog-* headers (the body is empty)."""
    state = headers.get("x-goog-resource-state", "")
    notification = Notification(
        channel_id=headers.get("x-goog-channel-id", ""),
        token=headers.get("x-goog-channel-token", ""),
        resource_id=headers.get("x-goog-resource-id", ""),
        changed=state in CHANGED_STATES,
        describe=f"message {headers.get('x-goog-message-number', '')} ({state})",
    )
    return [notification]


SPEC = ProviderSpec(
    kind=ProviderKind.GOOGLE,
    label="Google",
    settings=_settings,
    connect=OAuthConnect(
        app=_app,
        setup_hint="set CALBRIDGE_GOOGLE_CLIENT_ID and CALBRIDGE_GOOGLE_CLIENT_SECRET "
        "to CalBridge's OAuth client",
        identify=_identify,
    ),
    open=_open,
    push=PushDoor(read=_notifications),
)
