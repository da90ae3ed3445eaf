"""Assembling the Microsoft Graph emulator: one app, its state and its test handles.

Serve `create_graph_emulator().app` with `tests.servers.serve_in_thread` and
give the yielded base URL to the client as both the login base
(`{B}/{tenant}/oauth2/v2.0/...`) and the Graph base (`{B}/v1.0`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.types import ASGIApp

from tests.emulators.clock import Clock
from tests.emulators.microsoft.api import GraphApi
from tests.emulators.microsoft.app import build_app
from tests.emulators.microsoft.batch import MAX_BATCH_REQUESTS, BatchRunner
from tests.emulators.microsoft.delta import DEFAULT_PAGE_SIZE, DeltaTracker
from tests.emulators.microsoft.events import EventService
from tests.emulators.microsoft.faults import Fault, FaultQueue
from tests.emulators.microsoft.oauth import Client, IdentityPlatform
from tests.emulators.microsoft.outbox import Mail
from tests.emulators.microsoft.state import GraphState
from tests.emulators.microsoft.store import Store
from tests.emulators.microsoft.subscriptions import SubscriptionHub
from tests.emulators.requests import RequestLog

DEFAULT_USER = "user@example.com"
DEFAULT_CLIENT_ID = "6731de76-14a6-49ae-97bc-6eba6914391e"
DEFAULT_CLIENT_SECRET = "emulator~client~secret"


@dataclass
class GraphEmulator:
    app: ASGIApp
    state: GraphState
    requests: RequestLog
    faults: FaultQueue
    client_id: str
    client_secret: str
    tenant_id: str

    @property
    def user(self) -> str:
        """The mailbox that signs in on the authorize page (settable)."""
        return self.state.current_user

    @user.setter
    def user(self, mail: str) -> None:
        self.state.add_user(mail)
        self.state.current_user = mail

    @property
    def outbox(self) -> list[Mail]:
        return self.state.outbox

    def inject(self, fault: Fault) -> None:
        """Serve `fault` instead of the real reply to the next matching request(s)."""
        self.faults.inject(fault)

    def close(self) -> None:
        """Stop the notification thread."""
        self.state.hub.close()


def create_graph_emulator(
    *,
    users: Iterable[str] = (DEFAULT_USER,),
    client_id: str = DEFAULT_CLIENT_ID,
    client_secret: str | None = DEFAULT_CLIENT_SECRET,
    redirect_uris: frozenset[str] | None = None,
    tenant_id: str | None = None,
    access_token_lifetime: int = 3599,
    delta_page_size: int = DEFAULT_PAGE_SIZE,
    max_batch_requests: int = MAX_BATCH_REQUESTS,
    mailbox_concurrency: int | None = None,
) -> GraphEmulator:
    """A fresh emulator; each of `users` gets a mailbox, the first one signs in.

    `client_secret=None` registers a public client (PKCE only);
    `mailbox_concurrency=4` throttles independent batch parts beyond four.
    """
    accounts = list(users)
    tenant = tenant_id or str(uuid.uuid4())
    clock = Clock()
    store = Store()
    oauth = IdentityPlatform(clock, access_token_lifetime)
    oauth.clients[client_id] = Client(client_id, client_secret, redirect_uris)
    outbox: list[Mail] = []
    events = EventService(store, clock, outbox)
    delta = DeltaTracker(store, delta_page_size)
    hub = SubscriptionHub(store, clock, tenant)
    store.listeners.append(hub.calendar_changed)
    state = GraphState(clock, store, oauth, delta, hub, events, outbox, accounts[0])
    for account in accounts:
        state.add_user(account)
    api = GraphApi(store, events, oauth, delta, hub, state.lock)
    requests, faults = RequestLog(), FaultQueue()
    batch = BatchRunner(
        api.handle, api.endpoint_of, faults, requests, max_batch_requests, mailbox_concurrency
    )
    app = build_app(state, api, batch, faults, requests)
    return GraphEmulator(app, state, requests, faults, client_id, client_secret or "", tenant)
