"""Events: transactionId idempotency, If-Match, read-only calendars, Prefer, extended props."""

from __future__ import annotations

import httpx

from tests.emulators.microsoft import GraphEmulator
from tests.emulators.microsoft.samples import PROP_ID, timed_event


def test_calendars_are_paged(graph: GraphEmulator, api: httpx.Client) -> None:
    for n in range(3):
        graph.state.add_calendar(f"Extra {n}")
    first = api.get("/me/calendars", headers={"Prefer": "odata.maxpagesize=2"}).json()
    assert len(first["value"]) == 2
    assert first["value"][0]["isDefaultCalendar"] is True
    second = api.get(first["@odata.nextLink"]).json()
    assert len(second["value"]) == 2
    assert "@odata.nextLink" not in second
    assert {"id", "name", "canEdit", "owner"} <= set(second["value"][0])


def test_transaction_id_makes_create_idempotent(graph: GraphEmulator, api: httpx.Client) -> None:
    calendar = graph.state.default_calendar()
    body = timed_event("Call", transactionId="7E163156-7762-4BEB-A1C6-729EA81755A7")
    first = api.post(f"/me/calendars/{calendar}/events", json=body)
    second = api.post(f"/me/calendars/{calendar}/events", json=body)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert len(graph.state.events(calendar)) == 1
    assert graph.requests["events.create"] == 2


def test_if_match_with_a_stale_etag_answers_412(graph: GraphEmulator, api: httpx.Client) -> None:
    calendar = graph.state.default_calendar()
    created = api.post(f"/me/calendars/{calendar}/events", json=timed_event("Call")).json()
    etag = created["@odata.etag"]
    ok = api.patch(f"/me/events/{created['id']}", json={"subject": "A"}, headers={"If-Match": etag})
    assert ok.status_code == 200
    assert ok.json()["@odata.etag"] != etag
    assert ok.json()["changeKey"] != created["changeKey"]
    stale = api.patch(
        f"/me/events/{created['id']}", json={"subject": "B"}, headers={"If-Match": etag}
    )
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "ErrorIrreparableConflict"
    gone = api.delete(
        f"/me/calendars/{calendar}/events/{created['id']}", headers={"If-Match": etag}
    )
    assert gone.status_code == 412
    assert api.delete(f"/me/events/{created['id']}").status_code == 204
    missing = api.get(f"/me/events/{created['id']}")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "ErrorItemNotFound"


def test_read_only_calendar_answers_403(graph: GraphEmulator, api: httpx.Client) -> None:
    shared = graph.state.add_calendar("Team", can_edit=False)
    event = graph.state.insert_event(shared, timed_event("Standup"))
    denied = api.post(f"/me/calendars/{shared}/events", json=timed_event("Mine"))
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "ErrorAccessDenied"
    assert api.patch(f"/me/events/{event['id']}", json={"subject": "x"}).status_code == 403


def test_prefer_timezone_and_text_body(graph: GraphEmulator, api: httpx.Client) -> None:
    calendar = graph.state.default_calendar()
    created = api.post(f"/me/calendars/{calendar}/events", json=timed_event("Call")).json()
    assert created["start"] == {"dateTime": "2030-01-07T17:00:00.0000000", "timeZone": "UTC"}
    assert created["originalStartTimeZone"] == "Pacific Standard Time"
    assert created["body"]["contentType"] == "html"
    reply = api.get(
        f"/me/events/{created['id']}",
        headers={
            "Prefer": 'outlook.timezone="Pacific Standard Time", outlook.body-content-type="text"',
        },
    )
    event = reply.json()
    assert event["start"] == {
        "dateTime": "2030-01-07T09:00:00.0000000",
        "timeZone": "Pacific Standard Time",
    }
    assert event["body"] == {"contentType": "text", "content": "About Call"}
    assert "outlook.timezone" in reply.headers["Preference-Applied"]
    utc = api.get(f"/me/events/{created['id']}", headers={"Prefer": 'outlook.timezone="UTC"'})
    assert utc.json()["start"]["timeZone"] == "UTC"
    immutable = api.get(f"/me/events/{created['id']}", headers={"Prefer": 'IdType="ImmutableId"'})
    assert immutable.headers["Preference-Applied"] == 'IdType="ImmutableId"'
    assert immutable.json()["id"] == created["id"]


def test_extended_properties_only_when_expanded(graph: GraphEmulator, api: httpx.Client) -> None:
    calendar = graph.state.default_calendar()
    body = timed_event("Call", singleValueExtendedProperties=[{"id": PROP_ID, "value": "act-1"}])
    created = api.post(f"/me/calendars/{calendar}/events", json=body).json()
    assert "singleValueExtendedProperties" not in created
    expanded = api.get(
        f"/me/events/{created['id']}",
        params={"$expand": f"singleValueExtendedProperties($filter=id eq '{PROP_ID}')"},
    ).json()
    assert expanded["singleValueExtendedProperties"] == [{"id": PROP_ID, "value": "act-1"}]


def test_invalid_bodies_answer_400(graph: GraphEmulator, api: httpx.Client) -> None:
    calendar = graph.state.default_calendar()
    bad_enum = api.post(
        f"/me/calendars/{calendar}/events", json=timed_event("x", sensitivity="secret")
    )
    assert bad_enum.status_code == 400
    unknown = api.post(f"/me/calendars/{calendar}/events", json=timed_event("x", colour="red"))
    assert unknown.json()["error"]["code"] == "RequestBodyRead"


def test_outbox_records_mail_for_meetings_only(graph: GraphEmulator, api: httpx.Client) -> None:
    calendar = graph.state.default_calendar()
    plain = api.post(f"/me/calendars/{calendar}/events", json=timed_event("Solo")).json()
    api.patch(f"/me/events/{plain['id']}", json={"subject": "Solo 2"})
    api.delete(f"/me/events/{plain['id']}")
    graph.state.insert_event(calendar, timed_event("Outlook", attendees=[_attendee("a@x.com")]))
    assert graph.state.outbox == []

    meeting = api.post(
        f"/me/calendars/{calendar}/events",
        json=timed_event("Review", attendees=[_attendee("a@x.com"), _attendee("b@x.com")]),
    ).json()
    api.patch(f"/me/events/{meeting['id']}", json={"showAs": "free"})
    api.patch(f"/me/events/{meeting['id']}", json={"subject": "Review v2"})
    api.delete(f"/me/events/{meeting['id']}")
    kinds = [(m.kind, m.to) for m in graph.state.outbox]
    assert kinds == [
        ("invitation", ("a@x.com", "b@x.com")),
        ("update", ("a@x.com", "b@x.com")),
        ("cancellation", ("a@x.com", "b@x.com")),
    ]


def _attendee(address: str) -> dict:
    return {"type": "required", "emailAddress": {"address": address, "name": address}}
