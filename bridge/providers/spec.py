"""What a provider package declares about itself, so the rest of CalBridge needs no `match`.

Each package under `bridge/providers/` exports one `ProviderSpec`, and
`bridge.providers.registry` lists them. The account service, the worker,
the API's connect endpoint, the OAuth callback, the push webhook, the
settings and the command line read everything provider-specific from it:
how an account connects (consent, or which credentials), the provider's
section of the settings, how to open a live provider for a stored account
and, if the provider can push, how a notification is read.

A spec is cheap to import: its callables import the provider's settings
model and implementation (HTTP clients, parsers) only when first called,
so `calbridge --help` loads neither pydantic nor any provider.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bridge.domain import ProviderKind

if TYPE_CHECKING:
    from pydantic import BaseModel

    from bridge.providers import CalendarProvider, ExternalCalendar
    from bridge.providers.oauth import OAuthApp


@dataclass(frozen=True)
class StoredAccount:
    """What opening a provider needs of a stored account; `secret` is in plaintext."""

    account_email: str
    server_url: str
    secret: str


SecretSaver = Callable[[str], None]
"""Receives renewed credentials (plaintext) to store at once, e.g. a rotated refresh token."""
Opener = Callable[[Any, StoredAccount, SecretSaver], "CalendarProvider"]
"""(the provider's settings section, the account, where renewed secrets go) -> a live provider."""


@dataclass(frozen=True)
class CredentialField:
    """One thing the user types to connect; `secret` ones are prompted for, never echoed."""

    name: str
    help: str
    secret: bool = False


@dataclass(frozen=True)
class CredentialConnect:
    """An account connected with typed credentials, checked by listing its calendars.

    `identity` names the field that identifies the account (its user name),
    `server` the one naming its server ("" if the provider has a fixed one),
    `secret` the one stored encrypted. Reconnecting asks for the secret
    again; the identity and the server stay the account's.
    """

    fields: tuple[CredentialField, ...]
    identity: str
    secret: str
    server: str = ""

    def stored(self, values: Mapping[str, str]) -> StoredAccount:
        """The account the typed `values` describe; every field must be in `values`."""
        return StoredAccount(
            account_email=values[self.identity],
            server_url=values[self.server] if self.server else "",
            secret=values[self.secret],
        )


@dataclass(frozen=True)
class OAuthConnect:
    """An account connected through the provider's consent page (OAuth 2.0 code + PKCE).

    `app` gives CalBridge's registered client from the settings section, or
    None when the operator has not set one up (`setup_hint` says what to
    set). `identify` names the account that consented, from a provider
    opened with the granted tokens and its calendars.
    """

    app: Callable[[Any], OAuthApp | None]
    setup_hint: str
    identify: Callable[[CalendarProvider, list[ExternalCalendar]], str]


@dataclass(frozen=True)
class Notification:
    """A push message as the webhook read it from the request's headers.

    It is believed only if `channel_id` names a channel an account holds,
    `token` matches it and `resource_id` is the watched one; `changed` says
    whether it reports a change (the account becomes due) or only greets.
    """

    channel_id: str
    token: str
    resource_id: str
    changed: bool
    describe: str
    """For the log: the provider's message number and state."""
    replace_channel: bool = False
    """The provider dropped the channel, or will (Graph's `subscriptionRemoved`,
    `reauthorizationRequired`): forget it, so the next run opens a new one."""


@dataclass(frozen=True)
class ValidationReply:
    """The provider checks the webhook address before it sends anything (Graph's
    `validationToken`): answer 200, text/plain, `token` as the body."""

    token: str


PushReading = ValidationReply | list[Notification]


WEBHOOK_PATH = "/webhooks/{provider}"
CALLBACK_PATH = "/oauth/{provider}/callback"


def callback_url(base_url: str, kind: str) -> str:
    """Where a consent page sends the browser back to, unless the caller names another address."""
    return base_url.rstrip("/") + CALLBACK_PATH.format(provider=kind)


def webhook_path(kind: str) -> str:
    """Where on CalBridge's public address `kind`'s provider posts its notifications."""
    return WEBHOOK_PATH.format(provider=kind)


@dataclass(frozen=True)
class PushDoor:
    """How `/webhooks/{provider}` reads the provider's messages: `read(headers, query, body)`.

    `accepted` is the status a believed message is answered with (Google
    takes 200, Graph expects 202).
    """

    read: Callable[[Mapping[str, str], Mapping[str, str], bytes], PushReading]
    accepted: int = 200


@dataclass(frozen=True)
class ProviderSpec:
    """Everything CalBridge needs to know about one provider, in one place.

    `settings` gives the model of the provider's settings section: it appears
    in `Settings` under the kind's value (`CALBRIDGE_<KIND>_<FIELD>` in the
    environment, `[<kind>]` in the TOML file).
    """

    kind: ProviderKind
    label: str
    settings: Callable[[], type[BaseModel]]
    connect: CredentialConnect | OAuthConnect
    open: Opener
    push: PushDoor | None = None
