"""The sync settings and the provider contract's small promises."""

from __future__ import annotations

import datetime as dt

import pytest

from bridge.domain import ConflictPolicy
from bridge.providers import CalendarProvider, PreconditionFailed, RateLimited
from bridge.sync import draft_for
from tests.sync.sync_fakes import NOW, Clock, activity, memory_calendar, settings


def test_defaults_are_a_year_ahead_a_month_back_and_most_recent_wins() -> None:
    config = settings()
    assert config.window(NOW) == (NOW - dt.timedelta(days=30), NOW + dt.timedelta(days=365))
    assert config.conflict_policy is ConflictPolicy.MOST_RECENT


def test_provider_base_class_cannot_be_used_half_implemented() -> None:
    class Partial(CalendarProvider):
        def list_calendars(self):  # type: ignore[no-untyped-def]
            return []

    with pytest.raises(TypeError):
        Partial()  # type: ignore[abstract]


def test_rate_limit_carries_retry_after() -> None:
    assert RateLimited("slow down", retry_after=2.5).retry_after == 2.5
    assert RateLimited("slow down").retry_after is None


def test_memory_calendar_keeps_the_contract() -> None:
    """The calendar behind the state machine: idempotent create, etag checks, quiet deletes."""
    calendar = memory_calendar(Clock())
    cursor = calendar.list_changes("primary", None, settings().window(NOW)).cursor
    draft = draft_for(activity(1), "")
    created = calendar.create("primary", draft, "key-1")
    assert calendar.create("primary", draft, "key-1") == created
    with pytest.raises(PreconditionFailed):
        calendar.update("primary", created.id, draft, "stale")
    calendar.delete("primary", created.id, created.etag)
    calendar.delete("primary", created.id, created.etag)
    page = calendar.list_changes("primary", cursor, settings().window(NOW))
    assert [event.status for event in page.events] == ["cancelled"]
    assert not page.full_listing
