"""Graph event resources <-> contract types: pure mapping, no server."""

from __future__ import annotations

import datetime as dt

from bridge.domain import Attendee
from bridge.providers.microsoft.events import (
    STAMP_PROPERTY,
    body_text,
    create_body,
    event_body,
    external_event,
    split_attendees,
    transaction_id,
)
from bridge.sync.content import normalised
from tests.providers.microsoft_samples import draft, resource, stamped

SEEN = dt.datetime(2030, 1, 3, tzinfo=dt.UTC)
UTC = dt.UTC


def test_a_timed_event_maps_every_field() -> None:
    event = external_event(resource() | stamped(42), SEEN)

    assert (event.id, event.etag, event.uid) == (
        "AAMkAGevent1",
        'W/"DwAAABYAAAA1"',
        "040000008200E00074C5B7101A82E008",
    )
    assert (event.start, event.end, event.all_day) == (
        dt.datetime(2030, 1, 7, 9, tzinfo=UTC),
        dt.datetime(2030, 1, 7, 10, tzinfo=UTC),
        False,
    )
    assert (event.summary, event.description, event.location) == (
        "Call",
        "Bring the prices",
        "Room 1",
    )
    assert (event.status, event.private, event.busy) == ("confirmed", False, True)
    assert (event.recurrence_id, event.series_id, event.activity_stamp) == (None, None, 42)
    assert event.updated == dt.datetime(2030, 1, 2, 8, 30, 15, 123456, tzinfo=UTC)


def test_sensitivity_show_as_and_cancellation() -> None:
    for sensitivity, private in (("private", True), ("confidential", True), ("personal", False)):
        assert external_event(resource(sensitivity=sensitivity), SEEN).private is private
    for show_as, busy in (("free", False), ("workingElsewhere", False), ("tentative", True)):
        assert external_event(resource(showAs=show_as), SEEN).busy is busy
    assert external_event(resource(isCancelled=True), SEEN).status == "cancelled"


def test_an_all_day_event_keeps_the_date_part_only() -> None:
    item = resource(
        isAllDay=True,
        start={"dateTime": "2030-01-20T00:00:00.0000000", "timeZone": "UTC"},
        end={"dateTime": "2030-01-22T00:00:00.0000000", "timeZone": "UTC"},
    )

    event = external_event(item, SEEN)

    assert (event.start, event.end, event.all_day) == (
        dt.date(2030, 1, 20),
        dt.date(2030, 1, 22),
        True,
    )


def test_a_time_in_a_named_zone_is_converted_to_utc() -> None:
    item = resource(start={"dateTime": "2030-01-07T10:00:00", "timeZone": "Europe/Berlin"})

    assert external_event(item, SEEN).start == dt.datetime(2030, 1, 7, 9, tzinfo=UTC)


def test_an_occurrence_carries_its_original_start_and_series() -> None:
    item = resource(
        "AAMkAGocc",
        type="exception",
        seriesMasterId="AAMkAGmaster",
        originalStart="2030-01-14T09:00:00Z",
        start={"dateTime": "2030-01-14T13:00:00.0000000", "timeZone": "UTC"},
    )

    event = external_event(item, SEEN)

    assert (event.recurrence_id, event.series_id) == ("20300114T090000Z", "AAMkAGmaster")


def test_occurrences_share_the_series_uid() -> None:
    clean = "040000008200E00074C5B7101A82E00800000000ABCDEF"
    dated = "040000008200E00074C5B7101A82E00807EA010EABCDEF"
    occurrence = {"seriesMasterId": "m", "originalStart": "2030-01-14T09:00:00Z"}

    assert external_event(resource(iCalUId=dated, **occurrence), SEEN).uid == clean
    assert external_event(resource(iCalUId=dated, uid="shared", **occurrence), SEEN).uid == "shared"
    assert external_event(resource(iCalUId=dated), SEEN).uid == dated


def test_an_html_body_becomes_plain_text() -> None:
    markup = (
        '<html><head><meta charset="utf-8"><style>p {}</style></head>'
        "<body><div>First line<br>second line</div></body></html>"
    )
    item = resource(body={"contentType": "html", "content": markup})

    assert external_event(item, SEEN).description == "First line\nsecond line"


def test_graph_attendees_become_contract_attendees() -> None:
    item = resource(
        attendees=[
            {
                "emailAddress": {"name": "Ann", "address": "ann@example.com"},
                "status": {"response": "accepted"},
            },
            {"emailAddress": {"address": "bob@example.com"}, "status": {"response": "none"}},
        ]
    )

    assert external_event(item, SEEN).attendees == (
        Attendee("ann@example.com", "Ann", "ACCEPTED"),
        Attendee("bob@example.com", "", "NEEDS-ACTION"),
    )


def test_a_draft_never_sends_attendees_but_lists_them_in_the_body() -> None:
    people = (Attendee("ann@example.com", "Ann"), Attendee("bob@example.com"))
    sent = draft(5, attendees=people)

    body = create_body(sent, "key-5")

    assert "attendees" not in body
    assert body["body"] == {"contentType": "text", "content": body_text(sent)}
    assert "Ann <ann@example.com>" in body["body"]["content"]
    back = external_event(resource(body=body["body"]) | stamped(5), SEEN)
    assert back.description == "Call about the renewal"
    assert {a.email for a in back.attendees} == {"ann@example.com", "bob@example.com"}


def test_a_draft_reads_back_as_written() -> None:
    for sent in (
        draft(3),
        draft(4, private=True, busy=False, description=""),
        draft(
            6,
            all_day=True,
            start=dt.date(2030, 1, 20),
            end=dt.date(2030, 1, 22),
            attendees=(Attendee("c@example.com"),),
        ),
    ):
        body = event_body(sent)
        echoed = resource(
            subject=body["subject"],
            body=body["body"],
            location=body["location"],
            start=body["start"],
            end=body["end"],
            isAllDay=body["isAllDay"],
            sensitivity=body["sensitivity"],
            showAs=body["showAs"],
            singleValueExtendedProperties=body["singleValueExtendedProperties"],
        )
        back = external_event(echoed, SEEN)
        assert normalised(back) == normalised(sent)
        assert back.activity_stamp == sent.activity_stamp


def test_the_stamp_is_a_single_value_extended_property_of_ours() -> None:
    body = event_body(draft(7))

    assert body["singleValueExtendedProperties"] == [{"id": STAMP_PROPERTY, "value": "7"}]
    assert STAMP_PROPERTY.startswith("String {") and STAMP_PROPERTY.endswith("CalBridgeActivityId")
    shouted = [{"id": STAMP_PROPERTY.upper(), "value": "7"}]
    assert external_event(resource(singleValueExtendedProperties=shouted), SEEN).activity_stamp == 7
    assert external_event(resource(), SEEN).activity_stamp is None


def test_a_transaction_id_is_stable_per_key() -> None:
    assert transaction_id("a") == transaction_id("a") != transaction_id("b")
    assert create_body(draft(1), "a")["transactionId"] == transaction_id("a")


def test_text_that_only_looks_like_the_attendee_block_is_kept() -> None:
    text = "Notes\n\nAttendees (listed here, not invited):\nnot a list line"

    assert split_attendees(text) == (text, ())
