"""Synced content both ways, its normal form and hashes: what makes echoes recognisable."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo

import pytest

from bridge.domain import Attendee
from bridge.sync import activity_uid, apply_event, crm_hash, draft_for, event_hash, normalised
from bridge.sync.content import overlaps
from tests.sync.sync_fakes import NOW, activity, event, pushed_event


def test_draft_carries_the_pushed_fields_and_the_stamp() -> None:
    item = activity(7, location="Room 1", private=True, busy=False)
    draft = draft_for(item, "Agenda")
    assert (draft.summary, draft.description, draft.location) == ("Call Ada", "Agenda", "Room 1")
    assert (draft.private, draft.busy, draft.activity_stamp, draft.uid) == (
        True,
        False,
        7,
        "activity-7",
    )
    assert draft.end - draft.start == dt.timedelta(minutes=30)


def test_all_day_activity_becomes_whole_days() -> None:
    draft = draft_for(activity(1, due_time=None, duration=None), "")
    assert (draft.all_day, draft.start, draft.end) == (
        True,
        dt.date(2025, 6, 3),
        dt.date(2025, 6, 4),
    )


def test_point_in_time_activity_ends_when_it_starts() -> None:
    draft = draft_for(activity(1, duration=None), "")
    assert draft.end == draft.start


def test_undated_activity_is_not_pushed() -> None:
    with pytest.raises(ValueError, match="dated"):
        draft_for(activity(1, due_date=None, due_time=None), "")


def test_provider_rewrites_do_not_change_the_hash() -> None:
    """An echo of our write hashes like the activity, however the API spelt it back."""
    item = activity(3, public_description="Line one\nLine two", attendees=[Attendee("A@X.org")])
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    start = dt.datetime(2025, 6, 3, 12, 0, 0, 123456, tzinfo=berlin)
    echoed = pushed_event(
        item,
        "e1",
        description="Line one  \r\nLine two\r\n",
        summary=" Call Ada ",
        start=start,
        end=start + dt.timedelta(minutes=30),
        attendees=(Attendee("a@x.org", "Ann", "ACCEPTED"),),
        etag="something else",
        updated=NOW + dt.timedelta(days=1),
    )
    assert event_hash(echoed) == crm_hash(item, item.public_description)


@pytest.mark.parametrize(
    "change",
    [
        {"summary": "Call Bob"},
        {"location": "Room 2"},
        {"private": True},
        {"busy": False},
        {"start": dt.datetime(2025, 6, 3, 11, 0, tzinfo=dt.UTC)},
        {"attendees": (Attendee("b@x.org"),)},
    ],
)
def test_every_synced_field_changes_the_hash(change: dict[str, object]) -> None:
    item = activity(3)
    assert event_hash(pushed_event(item, "e1", **change)) != crm_hash(item, "")


def test_description_as_built_is_part_of_the_crm_hash() -> None:
    item = activity(3, public_description="Hi")
    assert crm_hash(item, "Hi") != crm_hash(item, "Hi\n\nDeal: Big (1.00 EUR)")


def test_importing_then_pushing_gives_back_the_same_content() -> None:
    source = event("e1", description="Bring\r\nslides", location="Cafe", private=True)
    blank = activity(9, "", uid=activity_uid(source))
    imported = apply_event(blank, source, private=True)
    assert normalised(draft_for(imported, imported.public_description)) == normalised(source)


def test_all_day_event_imports_as_all_day_activity() -> None:
    source = event("e1", start=dt.date(2025, 6, 3), end=dt.date(2025, 6, 5), all_day=True)
    imported = apply_event(activity(1), source, private=False)
    assert (imported.due_date, imported.due_time, imported.duration) == (
        dt.date(2025, 6, 3),
        None,
        dt.timedelta(days=2),
    )
    assert normalised(draft_for(imported, "")) == normalised(source)


def test_pushed_crm_block_is_not_imported_as_public_text() -> None:
    block = "Deal: Big (1.00 EUR)"
    source = event("e1", description=f"Edited agenda\r\n\r\n{block}")
    imported = apply_event(activity(1), source, private=False)
    assert imported.public_description == "Edited agenda"


@pytest.mark.parametrize(
    "description",
    [
        "Agenda\n\nDeal: Old name (5.00 EUR)\nContact: Ann, ann@acme.test\nOrganization: Acme",
        "Agenda\n\nContact: Ann\nOrganization: Acme\n",
        "Agenda\n\nOrganization: Acme",
    ],
)
def test_any_block_calbridge_writes_is_recognised_whatever_it_says(description: str) -> None:
    """Even one written under other settings, or before the deal was renamed."""
    imported = apply_event(activity(1), event("e1", description=description), private=False)
    assert imported.public_description == "Agenda"


@pytest.mark.parametrize(
    "description",
    [
        "Agenda\n\nContact: Ann\nbring slides",
        "Agenda\n\nContact: Ann\nDeal: Big (1.00 EUR)",
        "Deal: X is close",
    ],
)
def test_text_that_only_looks_like_a_block_stays(description: str) -> None:
    imported = apply_event(activity(1), event("e1", description=description), private=False)
    assert imported.public_description == ("" if description == "Deal: X is close" else description)


def test_occurrences_get_distinct_activity_uids() -> None:
    first = event("e1", uid="series", recurrence_id="20250603T120000Z")
    second = dataclasses.replace(first, id="e2", recurrence_id="20250610T120000Z")
    assert activity_uid(first) != activity_uid(second)
    assert activity_uid(event("e3", uid="single")) == "single"


def test_window_overlap() -> None:
    window = (NOW, NOW + dt.timedelta(days=2))
    assert overlaps(event("e1"), window)
    before = event("e2", start=NOW - dt.timedelta(hours=2), end=NOW)
    assert not overlaps(before, window)
    instant = event("e3", start=NOW, end=NOW)
    assert overlaps(instant, window)
