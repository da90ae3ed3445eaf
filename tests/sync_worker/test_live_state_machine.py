"""The real sync, driven at random: both sides change, faults strike, runs die half-way.

Where `tests/sync/test_state_machine.py` drives the real run against the
in-memory reference provider, this machine runs it with the Google
provider against the Google emulator, and with the Microsoft provider
against the Graph emulator, over HTTP, with faults and runs that die. Each item has a unique,
versioned summary, so the expected content of both sides is a plain set:
after every completed sync both sides hold exactly that set, once each
(nothing duplicated, no edit lost), and a second sync writes nothing.

Between two completed syncs an item changes at most once, on one side, so
the expected outcome does not depend on the conflict policy (which has
scenario tests of its own).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test

from bridge.calendar_accounts import CalendarAccounts
from bridge.config import Settings
from bridge.connections import open_provider
from bridge.domain import Activity, User
from bridge.providers import CalendarProvider, EventDraft, ExternalEvent, ProviderError
from bridge.secrets import SecretBox, generate_key
from bridge.store.db import writing
from bridge.store.sync_accounts import request_sync, require_account
from bridge.store.sync_runs import RunOutcome
from bridge.store.users import create_user
from bridge.sync.guard import DeletionLimits
from bridge.sync.run import RunResult, run_account
from tests.conftest import _reset
from tests.emulators import microsoft
from tests.emulators.google_calendar import Fault, GoogleEmulator, create_google_emulator
from tests.providers import microsoft_samples
from tests.providers.google_provider_samples import issued_tokens
from tests.servers import serve_in_thread
from tests.sync_fixtures import emulator_settings, graph_settings
from tests.sync_worker.sync_samples import (
    GOOGLE_CALENDAR,
    add_activity,
    change_activity,
    delete_activity,
    google_event,
    live_activities,
    live_events,
    soon,
)

INTERVAL = dt.timedelta(seconds=60)
LIMITS = DeletionLimits(minimum=1)
"""Small enough for the few items of an example to reach the mass-deletion guard."""
pick = st.integers(min_value=0, max_value=1000)


class Killed(BaseException):
    """The process died: nothing after it runs, not even the run's error handling."""


class DyingProvider(CalendarProvider):
    """A provider whose process is killed after `writes` successful writes."""

    def __init__(self, inner: CalendarProvider, writes: int) -> None:
        self.inner = inner
        self.writes_left = writes
        self.lists_stamps = inner.lists_stamps
        self.create_chunk = inner.create_chunk

    def _wrote(self) -> None:
        self.writes_left -= 1
        if self.writes_left < 0:
            raise Killed

    def list_calendars(self) -> Any:
        return self.inner.list_calendars()

    def list_changes(self, calendar_id: str, cursor: str | None, window: Any) -> Any:
        return self.inner.list_changes(calendar_id, cursor, window)

    def read_stamps(self, calendar_id: str, event_ids: Sequence[str]) -> dict[str, int | None]:
        return self.inner.read_stamps(calendar_id, event_ids)

    def create(self, calendar_id: str, draft: EventDraft, idempotency_key: str) -> ExternalEvent:
        event = self.inner.create(calendar_id, draft, idempotency_key)
        self._wrote()
        return event

    def create_many(
        self, calendar_id: str, drafts: Mapping[str, EventDraft]
    ) -> dict[str, ExternalEvent | ProviderError]:
        results = self.inner.create_many(calendar_id, drafts)
        self._wrote()
        return results

    def update(self, calendar_id: str, event_id: str, draft: EventDraft, etag: str) -> Any:
        event = self.inner.update(calendar_id, event_id, draft, etag)
        self._wrote()
        return event

    def delete(self, calendar_id: str, event_id: str, etag: str | None) -> None:
        self.inner.delete(calendar_id, event_id, etag)
        self._wrote()

    def close(self) -> None:
        self.inner.close()

    @property
    def requests_made(self) -> int:
        return self.inner.requests_made


class Calendar(Protocol):
    """The owner's hands on the calendar at the emulator, and Google's or Microsoft's faults."""

    def insert(self, summary: str, start: dt.datetime) -> None: ...

    def rename(self, summary: str, new: str) -> None: ...

    def delete(self, summary: str) -> None: ...

    def delete_all(self) -> None: ...

    def summaries(self) -> list[str]:
        """The summaries of the live events, one per event."""

    def inject(self, fault: str) -> None:
        """ "rate_limited" (Retry-After 600), "outage" (a 500) or "dropped" (a cut reply)."""

    def clear_faults(self) -> None: ...


class GoogleCalendar:
    def __init__(self, google: GoogleEmulator) -> None:
        self.google = google

    def insert(self, summary: str, start: dt.datetime) -> None:
        self.google.state.insert_event(GOOGLE_CALENDAR, google_event(summary, start))

    def rename(self, summary: str, new: str) -> None:
        self.google.state.patch_event(GOOGLE_CALENDAR, self._event(summary), {"summary": new})

    def delete(self, summary: str) -> None:
        self.google.state.delete_event(GOOGLE_CALENDAR, self._event(summary))

    def delete_all(self) -> None:
        for event_id in live_events(self.google.state.events(GOOGLE_CALENDAR)):
            self.google.state.delete_event(GOOGLE_CALENDAR, event_id)

    def summaries(self) -> list[str]:
        events = live_events(self.google.state.events(GOOGLE_CALENDAR))
        return [event["summary"] for event in events.values()]

    def inject(self, fault: str) -> None:
        self.google.inject(
            {
                "rate_limited": Fault.too_many_requests(retry_after=600),
                "outage": Fault.backend_error(),
                "dropped": Fault.dropped_connection(),
            }[fault]
        )

    def clear_faults(self) -> None:
        self.google.faults.clear()

    def _event(self, summary: str) -> str:
        events = live_events(self.google.state.events(GOOGLE_CALENDAR))
        (found,) = [key for key, event in events.items() if event["summary"] == summary]
        return found


class MicrosoftCalendar:
    def __init__(self, graph: microsoft.GraphEmulator) -> None:
        self.graph = graph
        self.calendar = graph.state.default_calendar()

    def insert(self, summary: str, start: dt.datetime) -> None:
        body = microsoft_samples.utc_body(summary, start, start + dt.timedelta(hours=1))
        self.graph.state.insert_event(self.calendar, body)

    def rename(self, summary: str, new: str) -> None:
        self.graph.state.patch_event(self.calendar, self._event(summary), {"subject": new})

    def delete(self, summary: str) -> None:
        self.graph.state.delete_event(self.calendar, self._event(summary))

    def delete_all(self) -> None:
        for event_id in self.graph.state.events(self.calendar):
            self.graph.state.delete_event(self.calendar, event_id)

    def summaries(self) -> list[str]:
        return [event["subject"] for event in self.graph.state.events(self.calendar).values()]

    def inject(self, fault: str) -> None:
        self.graph.inject(
            {
                "rate_limited": microsoft.Fault.throttled(retry_after=600),
                "outage": microsoft.Fault.server_error(500),
                "dropped": microsoft.Fault.dropped_connection(),
            }[fault]
        )

    def clear_faults(self) -> None:
        self.graph.faults.clear()

    def _event(self, summary: str) -> str:
        events = self.graph.state.events(self.calendar)
        (found,) = [key for key, event in events.items() if event["subject"] == summary]
        return found


@dataclasses.dataclass
class World:
    """What each example starts from: an empty database, a fresh emulator, alice's account."""

    engine: sa.Engine
    calendar: Calendar
    user: User
    account_id: int
    open: Any
    accounts: CalendarAccounts


@contextlib.contextmanager
def fresh_world(engine: sa.Engine, provider: str) -> Iterator[World]:
    """The world at Google's emulator or at Graph's (`provider`), served on a socket."""
    _reset(engine)
    if provider == "google":
        google = create_google_emulator(max_batch_calls=50)
        with serve_in_thread(google.app) as url:
            config = emulator_settings(google, url)
            yield from _world(engine, GoogleCalendar(google), config, issued_tokens(google))
        google.close()
        return
    graph = microsoft.create_graph_emulator()
    with serve_in_thread(graph.app) as url:
        config = Settings(microsoft=graph_settings(graph, url))
        tokens = microsoft_samples.issued_tokens(graph)
        yield from _world(engine, MicrosoftCalendar(graph), config, tokens, "microsoft")
        assert graph.outbox == [], "CalBridge made Graph mail someone"
    graph.close()


def _world(
    engine: sa.Engine, calendar: Calendar, config: Settings, tokens: Any, kind: str = "google"
) -> Iterator[World]:
    box = SecretBox(generate_key())
    with writing(engine) as conn:
        user = create_user(conn, "alice", "pw")
    accounts = CalendarAccounts(engine, box, config)
    account = accounts.connect_tokens("alice", kind, tokens)
    accounts.start("alice", account.id)
    yield World(
        engine,
        calendar,
        user,
        account.id,
        lambda account: open_provider(account, box, config, lambda _secret: None),
        accounts,
    )


@pytest.mark.parametrize("provider", ["google", "microsoft"])
def test_random_changes_faults_and_kills_converge(engine: sa.Engine, provider: str) -> None:
    class LiveSync(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self._world = fresh_world(engine, provider)
            self.world = self._world.__enter__()
            self.expected: dict[int, str] = {}
            self.numbers = iter(range(1_000_000))
            self.on_crm: set[int] = set()
            self.on_calendar: set[int] = set()
            self.touched: set[int] = set()

        def teardown(self) -> None:
            self._world.__exit__(None, None, None)

        # -- the owner changes things ----------------------------------------------

        @rule(day=st.integers(min_value=1, max_value=20))
        def crm_create(self, day: int) -> None:
            number = next(self.numbers)
            self.expected[number] = f"item {number} v0"
            add_activity(self.world.engine, self.world.user, self.expected[number], start=soon(day))
            self.on_crm.add(number)
            self.touched.add(number)

        @rule(day=st.integers(min_value=1, max_value=20))
        def calendar_create(self, day: int) -> None:
            number = next(self.numbers)
            self.expected[number] = f"item {number} v0"
            self.world.calendar.insert(self.expected[number], soon(day, 10))
            self.on_calendar.add(number)
            self.touched.add(number)

        @precondition(lambda self: self._untouched())
        @rule(which=pick, in_crm=st.booleans())
        def edit(self, which: int, in_crm: bool) -> None:
            number = self._pick(which)
            old = self.expected[number]
            version = int(old.rsplit("v", 1)[1]) + 1
            self.expected[number] = f"item {number} v{version}"
            if in_crm:
                change_activity(
                    self.world.engine, self._activity(old).id, subject=self.expected[number]
                )
            else:
                self.world.calendar.rename(old, self.expected[number])

        @precondition(lambda self: self._untouched())
        @rule(which=pick, in_crm=st.booleans())
        def delete(self, which: int, in_crm: bool) -> None:
            number = self._pick(which)
            summary = self.expected.pop(number)
            if in_crm:
                delete_activity(self.world.engine, self._activity(summary).id)
            else:
                self.world.calendar.delete(summary)

        @precondition(lambda self: self.expected and not self.touched)
        @rule(restore=st.booleans())
        def empty_the_calendar(self, restore: bool) -> None:
            """Every event deleted by hand: past the guard's limits the run holds, and the
            owner then restores everything or applies the deletions."""
            self.world.calendar.delete_all()
            result = self._run()
            held = len(self.expected) > LIMITS.minimum
            assert (result.outcome is RunOutcome.NEEDS_ATTENTION) is held, result.message
            if held and restore:
                self.world.accounts.restore_deletions("alice", self.world.account_id)
            else:
                if held:
                    self.world.accounts.apply_deletions("alice", self.world.account_id)
                self.expected.clear()
            self.on_calendar = set()

        # -- the sync, with its accidents --------------------------------------------

        @rule(writes=st.integers(min_value=0, max_value=3))
        def killed_mid_run(self, writes: int) -> None:
            with contextlib.suppress(Killed):
                self._run(lambda provider: DyingProvider(provider, writes))

        @rule(fault=st.sampled_from(["rate_limited", "outage", "dropped"]))
        def fault_strikes(self, fault: str) -> None:
            self.world.calendar.inject(fault)
            self._run()
            self.world.calendar.clear_faults()

        @rule()
        def sync_and_check(self) -> None:
            result = self._run()
            assert result.outcome.value == "ok", result.message
            self.touched.clear()
            self.on_crm = self.on_calendar = set(self.expected)
            wanted = sorted(self.expected.values())
            crm = sorted(a.subject for a in live_activities(self.world.engine, self.world.user))
            calendar = sorted(self.world.calendar.summaries())
            assert crm == wanted
            assert calendar == wanted
            again = self._run()
            assert (again.counts.pushed, again.counts.imported, again.counts.deleted) == (0, 0, 0)

        # -- helpers -------------------------------------------------------------------

        def _run(self, wrap: Any = None) -> RunResult:
            world = self.world
            with writing(world.engine) as conn:
                request_sync(conn, world.account_id, dt.datetime.now(dt.UTC))
                account = require_account(conn, world.account_id)
            provider = world.open(account)
            if wrap is not None:
                provider = wrap(provider)
            try:
                return run_account(
                    world.engine, world.account_id, provider, interval=INTERVAL, limits=LIMITS
                )
            finally:
                provider.close()

        def _untouched(self) -> list[int]:
            both = self.on_crm & self.on_calendar
            return sorted(number for number in self.expected if number in both - self.touched)

        def _pick(self, which: int) -> int:
            candidates = self._untouched()
            number = candidates[which % len(candidates)]
            self.touched.add(number)
            return number

        def _activity(self, subject: str) -> Activity:
            (found,) = [
                a
                for a in live_activities(self.world.engine, self.world.user)
                if a.subject == subject
            ]
            return found

    run_state_machine_as_test(
        LiveSync,
        settings=settings(
            max_examples=6,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
