"""Fixtures for calendar sync: the Google and Graph emulators on sockets, a CRM user, accounts,
a worker.

Everything talks over real HTTP to the emulators; the only test-specific
configuration is the emulators' URLs in the `[google]` and `[microsoft]`
settings (the Graph emulator starts only for tests that use it), and CalDAV
accounts being allowed to reach loopback (`LOOPBACK`), where the test
servers listen. The emulator refuses batches of more than 50 calls, the
provider's own limit.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from bridge.accounts import CalendarAccount
from bridge.calendar_accounts import CalendarAccounts
from bridge.config import Settings
from bridge.connections import open_provider
from bridge.domain import User
from bridge.providers.caldav.settings import CalDavSettings
from bridge.providers.google.endpoints import GoogleEndpoints
from bridge.providers.google.settings import GoogleSettings
from bridge.providers.microsoft.settings import MicrosoftSettings
from bridge.secrets import SecretBox, generate_key
from bridge.store.db import writing
from bridge.store.users import create_user
from bridge.worker.scheduler import Schedule, Worker
from tests.emulators.google_calendar import GoogleEmulator, create_google_emulator
from tests.emulators.microsoft import GraphEmulator, create_graph_emulator
from tests.providers.google_provider_samples import issued_tokens
from tests.servers import serve_in_thread

CRM_LOGIN = "alice"
CRM_PASSWORD = "alice-password"
GOOGLE_LOGIN = "user@example.com"
LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
"""What the test CalDAV servers listen on; the default lets accounts reach public addresses only."""
LOOPBACK_SETTING = ",".join(str(network) for network in LOOPBACK)
"""`LOOPBACK` as `CALBRIDGE_CALDAV_ALLOWED_NETWORKS` is written."""


@pytest.fixture
def google() -> Iterator[GoogleEmulator]:
    emulator = create_google_emulator(max_batch_calls=50)
    yield emulator
    emulator.close()


@pytest.fixture
def google_url(google: GoogleEmulator) -> Iterator[str]:
    with serve_in_thread(google.app) as base_url:
        yield base_url


@pytest.fixture
def graph() -> Iterator[GraphEmulator]:
    """The Microsoft Graph emulator (identity platform and Graph at one base URL)."""
    emulator = create_graph_emulator()
    yield emulator
    emulator.close()


@pytest.fixture
def graph_url(graph: GraphEmulator) -> Iterator[str]:
    with serve_in_thread(graph.app) as base_url:
        yield base_url


@pytest.fixture
def endpoints(google_url: str) -> GoogleEndpoints:
    return GoogleEndpoints(
        api_base=google_url,
        authorize_url=f"{google_url}/o/oauth2/v2/auth",
        token_url=f"{google_url}/token",
    )


@pytest.fixture
def secret_key() -> str:
    return generate_key()


@pytest.fixture
def box(secret_key: str) -> SecretBox:
    return SecretBox(secret_key)


def emulator_settings(
    google: GoogleEmulator,
    google_url: str,
    graph: tuple[GraphEmulator, str] | None = None,
    **core: Any,
) -> Settings:
    """Settings with Google at the emulator and CalDAV accounts allowed onto loopback;
    with `graph` (the Graph emulator and its URL), Microsoft at that emulator."""
    sections: dict[str, Any] = {}
    if graph is not None:
        sections["microsoft"] = graph_settings(*graph)
    return Settings(
        google=GoogleSettings(
            client_id=google.client_id,
            client_secret=google.client_secret,
            api_base=google_url,
            authorize_url=f"{google_url}/o/oauth2/v2/auth",
            token_url=f"{google_url}/token",
        ),
        caldav=CalDavSettings(allowed_networks=list(LOOPBACK)),
        **sections,
        **core,
    )


def graph_settings(graph: GraphEmulator, graph_url: str) -> MicrosoftSettings:
    """The `[microsoft]` section: sign-in and Graph both at the emulator's base URL."""
    return MicrosoftSettings(
        client_id=graph.client_id,
        client_secret=graph.client_secret,
        login_base=graph_url,
        graph_base=graph_url,
    )


def uses_graph(request: pytest.FixtureRequest) -> bool:
    """Whether the test asks for the Graph emulator: by name, or by a parametrized fixture's
    "microsoft" (such as the sync scenarios' `side`)."""
    callspec = getattr(request.node, "callspec", None)
    params = callspec.params.values() if callspec is not None else ()
    return "graph" in request.fixturenames or "microsoft" in params


@pytest.fixture
def provider_settings(
    request: pytest.FixtureRequest, google: GoogleEmulator, google_url: str
) -> Settings:
    """The emulators' settings; the Graph emulator is started only for tests that use it."""
    if not uses_graph(request):
        return emulator_settings(google, google_url)
    graph = request.getfixturevalue("graph")
    return emulator_settings(google, google_url, (graph, request.getfixturevalue("graph_url")))


@pytest.fixture
def crm_user(engine: sa.Engine) -> User:
    with writing(engine) as conn:
        return create_user(conn, CRM_LOGIN, CRM_PASSWORD, email="alice@example.com")


@pytest.fixture
def calendar_accounts(
    engine: sa.Engine, box: SecretBox, provider_settings: Settings
) -> CalendarAccounts:
    return CalendarAccounts(engine, box, provider_settings)


@pytest.fixture
def google_account(
    google: GoogleEmulator, calendar_accounts: CalendarAccounts, crm_user: User
) -> CalendarAccount:
    """The default emulator user's Google account, connected by alice (stopped)."""
    return calendar_accounts.connect_tokens(crm_user.login, "google", issued_tokens(google))


@pytest.fixture
def worker(engine: sa.Engine, box: SecretBox, provider_settings: Settings) -> Worker:
    """A worker whose runs the test drives with `tick` and `run_one` (no background loop)."""
    return Worker(
        engine,
        lambda account, save: open_provider(account, box, provider_settings, save),
        Schedule(poll=0.05, concurrency=2),
    )
