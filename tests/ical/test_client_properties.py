"""A client's own categories, X-CALBRIDGE- lines and time parameters survive rendering."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

from bridge.domain import Activity, ActivityType
from bridge.ical.parse import activity_from_ical
from bridge.ical.render import render
from tests.ical.ical_samples import MEETING, UPDATED, calendar, event

Strict = Callable[[str], None]
CALL = ActivityType("call", "Call")


def parse(text: str, existing: Activity | None = None) -> Activity:
    activity = activity_from_ical(text, owner_id=7, default_type_key="meeting", existing=existing)
    return replace(activity, updated_at=UPDATED)


def client_text() -> str:
    return calendar(
        event(
            "DTSTART;X-HINT=morning;TZID=Europe/Berlin:20240702T090000",
            "DTEND;X-HINT=late:20240702T100000Z",
            "SUMMARY:Planning",
            "CATEGORIES:Work,Quarterly\\, planning",
            "CATEGORIES;LANGUAGE=en:Blue",
            "X-CALBRIDGE-CLIENT-COLOUR:teal",
            "X-CALBRIDGE-TYPE:meeting",
            "X-CALBRIDGE-DEAL:4",
        )
    )


def test_client_lines_come_back_beside_calbridge_ones(strict: Strict) -> None:
    text = render(parse(client_text()), MEETING)
    strict(text)
    assert "DTSTART;X-HINT=morning:20240702T070000Z\r\n" in text
    assert "DTEND;X-HINT=late:20240702T100000Z\r\n" in text
    assert "CATEGORIES:Work,Quarterly\\, planning\r\n" in text
    assert "CATEGORIES;LANGUAGE=en:Blue\r\n" in text
    assert "CATEGORIES;X-CALBRIDGE-TYPE=meeting:Meeting\r\n" in text
    assert "X-CALBRIDGE-CLIENT-COLOUR:teal\r\n" in text
    assert text.count("X-CALBRIDGE-TYPE:meeting\r\n") == 1
    assert text.count("X-CALBRIDGE-DEAL:4\r\n") == 1


def test_the_type_category_is_calbridges_and_follows_the_type() -> None:
    first = render(parse(client_text()), MEETING)
    echoed = parse(first)
    assert render(echoed, MEETING) == first
    changed = render(replace(echoed, type_key="call"), CALL)
    assert "CATEGORIES;X-CALBRIDGE-TYPE=call:Call\r\n" in changed
    assert "Meeting" not in changed
    assert "CATEGORIES:Work,Quarterly\\, planning\r\n" in changed


def test_a_category_the_client_gave_already_is_not_repeated() -> None:
    text = render(parse(calendar(event("DTSTART:20240702T090000Z", "CATEGORIES:meeting"))), MEETING)
    assert text.count("CATEGORIES") == 1 and "CATEGORIES:meeting\r\n" in text


def test_a_fresh_activity_gets_the_type_category() -> None:
    activity = Activity("Call Ada", "call", 1, "a@b", due_date=dt.date(2024, 3, 4))
    assert "CATEGORIES;X-CALBRIDGE-TYPE=call:Call\r\n" in render(activity, CALL)
