"""The activity form's fields: typed values become what the API would read, times made UTC."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bridge.crm_service import FieldError
from bridge.domain import Activity, Attendee
from bridge.web.pages.activity_fields import (
    ActivityForm,
    attendee_items,
    attendee_line,
    error_text,
    json_number,
)

BERLIN = ZoneInfo("Europe/Berlin")


def test_numbers_are_read_and_anything_else_is_left_to_the_api() -> None:
    assert json_number(" 42 ") == 42
    assert json_number("12.5") == 12.5
    assert json_number("") is None
    assert json_number("lots") == "lots"
    assert json_number("1e9") == "1e9"


def test_attendees_are_read_one_a_line_and_written_back_the_same() -> None:
    text = "Ada Lovelace <ada@example.com> accepted\n\nbob@example.com\n<carol@example.com>"
    assert attendee_items(text) == [
        {"email": "ada@example.com", "name": "Ada Lovelace", "status": "ACCEPTED"},
        {"email": "bob@example.com", "name": ""},
        {"email": "carol@example.com", "name": ""},
    ]
    assert attendee_line(Attendee("ada@example.com", "Ada Lovelace", "ACCEPTED")) == (
        "Ada Lovelace <ada@example.com> accepted"
    )
    assert attendee_line(Attendee("bob@example.com")) == "bob@example.com"
    with pytest.raises(FieldError) as refused:
        attendee_items("Ada <ada@example.com> <again@example.com>")
    assert refused.value.field == "attendees"


def test_a_timed_activity_is_typed_in_the_users_zone_and_saved_in_utc() -> None:
    posted = ActivityForm.posted(
        [
            ("subject", "Review"),
            ("date", "2026-07-14"),
            ("time", "14:30"),
            ("duration_minutes", "45"),
            ("participant_ids", "3"),
            ("participant_ids", "5"),
            ("private", "private"),
            ("busy", "free"),
        ]
    )
    values = posted.changes(BERLIN).values
    assert (values["due_date"], values["due_time"]) == (dt.date(2026, 7, 14), dt.time(12, 30))
    assert values["duration"] == dt.timedelta(minutes=45)
    assert values["participant_ids"] == [3, 5]
    assert (values["private"], values["busy"]) == (True, False)
    assert "type_key" not in values  # blank: the service's default


def test_the_form_of_an_activity_shows_its_times_in_the_users_zone() -> None:
    activity = Activity(
        subject="Review",
        type_key="meeting",
        owner_id=1,
        uid="u",
        due_date=dt.date(2026, 12, 31),
        due_time=dt.time(23, 30),
        duration=dt.timedelta(minutes=90),
        deal_id=7,
        attendees=[Attendee("ada@example.com", "Ada")],
    )
    form = ActivityForm.of(activity, BERLIN)
    assert (form.date, form.time, form.duration_minutes) == ("2027-01-01", "00:30", "90")
    assert (form.deal_id, form.person_id, form.attendees) == ("7", "", "Ada <ada@example.com>")
    again = ActivityForm.posted([("subject", "Review"), ("date", form.date), ("time", form.time)])
    values = again.changes(BERLIN).values
    assert (values["due_date"], values["due_time"]) == (dt.date(2026, 12, 31), dt.time(23, 30))


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ([("subject", " ")], "subject"),
        ([("subject", "x"), ("date", "2026-07-14")], "time"),
        ([("subject", "x"), ("duration_minutes", "soon")], "duration_minutes"),
        ([("subject", "x"), ("deal_id", "-1")], "deal_id"),
        ([("subject", "x"), ("participant_ids", "one")], "participant_ids"),
        ([("subject", "x"), ("busy", "maybe")], "busy"),
        ([("subject", "x"), ("date", "14/07/2026"), ("time", "10:00")], "date"),
        ([("subject", "x"), ("type", "no such type!")], "type"),
        ([("subject", "x"), ("attendees", "Ada <ada@example.com> maybe")], "attendees"),
    ],
)
def test_a_bad_value_names_its_field(fields: list[tuple[str, str]], field: str) -> None:
    with pytest.raises(FieldError) as refused:
        ActivityForm.posted(fields).changes(BERLIN)
    assert refused.value.field == field


def test_an_error_reads_with_the_fields_label() -> None:
    error = FieldError("duration_minutes", "must be a whole number")
    assert error_text(error, "Duration (minutes)") == "Duration (minutes): must be a whole number"
