"""The scenario tests run against each provider: the Google and Graph emulators and stock
Radicale."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from bridge.accounts import CalendarAccount
from bridge.calendar_accounts import CalendarAccounts
from bridge.domain import User
from bridge.worker.scheduler import Worker
from tests.emulators.google_calendar import GoogleEmulator
from tests.emulators.microsoft import GraphEmulator
from tests.providers import microsoft_samples
from tests.providers.google_provider_samples import issued_tokens
from tests.stock_radicale import running_radicale
from tests.sync_worker.calendar_sides import CalDavSide, CalendarSide, GoogleSide, MicrosoftSide
from tests.sync_worker.scene import Scene


@pytest.fixture(params=["google", "microsoft", "caldav"])
def side(
    request: pytest.FixtureRequest,
    google: GoogleEmulator,
    google_url: str,
    calendar_accounts: CalendarAccounts,
    crm_user: User,
    tmp_path: pathlib.Path,
) -> Iterator[CalendarSide]:
    """alice's connected (stopped) account at each provider, with the calendar's owner's hands."""
    if request.param == "google":
        account = calendar_accounts.connect_tokens(crm_user.login, "google", issued_tokens(google))
        yield GoogleSide(google, google_url, account)
        return
    if request.param == "microsoft":
        # started on demand (and in `provider_settings`): only Microsoft scenes pay for it
        graph = request.getfixturevalue("graph")
        yield _microsoft_side(graph, calendar_accounts, crm_user)
        assert graph.outbox == [], "CalBridge made Graph mail someone"
        return
    root = tmp_path / "radicale"
    with running_radicale(root) as server:
        server.make_calendar(server.user, "work")
        account = calendar_accounts.connect(
            crm_user.login,
            "caldav",
            {"url": server.url, "username": server.user, "password": server.password},
        )
        caldav = CalDavSide(server, root, account)
        yield caldav
        caldav.close()


@pytest.fixture
def scene(
    engine: sa.Engine,
    side: CalendarSide,
    calendar_accounts: CalendarAccounts,
    crm_user: User,
    worker: Worker,
) -> Scene:
    return Scene(engine, side, calendar_accounts, crm_user, worker)


@pytest.fixture
def scene_at_google(
    engine: sa.Engine,
    google: GoogleEmulator,
    google_url: str,
    calendar_accounts: CalendarAccounts,
    google_account: CalendarAccount,
    crm_user: User,
    worker: Worker,
) -> Scene:
    """The scene with alice's Google account, for what only Google does (faults, push, batches)."""
    side = GoogleSide(google, google_url, google_account)
    return Scene(engine, side, calendar_accounts, crm_user, worker)


def _microsoft_side(
    graph: GraphEmulator, calendar_accounts: CalendarAccounts, crm_user: User
) -> MicrosoftSide:
    tokens = microsoft_samples.issued_tokens(graph)
    account = calendar_accounts.connect_tokens(crm_user.login, "microsoft", tokens)
    return MicrosoftSide(graph, account)


@pytest.fixture
def scene_at_microsoft(
    engine: sa.Engine,
    graph: GraphEmulator,
    graph_url: str,
    calendar_accounts: CalendarAccounts,
    crm_user: User,
    worker: Worker,
) -> Iterator[Scene]:
    """The scene with alice's Microsoft account, for what only Graph does (faults, meetings);
    Graph must have sent no mail by its end."""
    side = _microsoft_side(graph, calendar_accounts, crm_user)
    yield Scene(engine, side, calendar_accounts, crm_user, worker)
    assert graph.outbox == [], "CalBridge made Graph mail someone"


@pytest.fixture(params=["google", "microsoft"])
def oauth_scene(request: pytest.FixtureRequest, engine: sa.Engine) -> Scene:
    """`scene_at_google`, then `scene_at_microsoft`: the two OAuth providers with a delta feed.

    (`engine` is named so that each database parametrizes it.)"""
    scene: Scene = request.getfixturevalue(f"scene_at_{request.param}")
    return scene


@pytest.fixture
def caldav_beside(
    oauth_scene: Scene, calendar_accounts: CalendarAccounts, tmp_path: pathlib.Path
) -> Iterator[Scene]:
    """alice's second account, on stock Radicale, beside her Google or Microsoft one."""
    yield from _caldav_beside(oauth_scene, calendar_accounts, tmp_path)


@pytest.fixture
def caldav_beside_google(
    scene_at_google: Scene, calendar_accounts: CalendarAccounts, tmp_path: pathlib.Path
) -> Iterator[Scene]:
    """alice's second account, on stock Radicale, beside her Google one (`scene_at_google`)."""
    yield from _caldav_beside(scene_at_google, calendar_accounts, tmp_path)


def _caldav_beside(
    first: Scene, calendar_accounts: CalendarAccounts, tmp_path: pathlib.Path
) -> Iterator[Scene]:
    root = tmp_path / "radicale-beside"
    with running_radicale(root) as server:
        server.make_calendar(server.user, "work")
        account = calendar_accounts.connect(
            first.user.login,
            "caldav",
            {"url": server.url, "username": server.user, "password": server.password},
        )
        side = CalDavSide(server, root, account)
        yield Scene(first.engine, side, calendar_accounts, first.user, first.worker)
        side.close()
