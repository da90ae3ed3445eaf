"""What a colleague reads of private events through every door: busy time, and nothing else.

Alice writes with a CalDAV client; bob reads her events through the team
calendar (PROPFIND, GET, time-range REPORT, multiget, sync-collection) and
his team feed, and asks the API about them. Canary strings stand for the
details that must not travel.
"""

from __future__ import annotations

import hashlib
import re
import uuid

import caldav
import httpx
import icalendar
import pytest
import sqlalchemy as sa

from bridge.store.db import writing
from bridge.store.feeds import create_feed
from bridge.store.users import create_user

ALICE = ("alice", "alice-pw")
BOB = ("bob", "bob-pw")
CALDAV = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"'
QUERY = f"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query {CALDAV}><D:prop><D:getetag/><C:calendar-data/></D:prop>
<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
<C:time-range start="20240101T000000Z" end="20250101T000000Z"/>
</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"""
SYNC = """<?xml version="1.0" encoding="utf-8"?>
<D:sync-collection xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/><C:calendar-data/></D:prop>
</D:sync-collection>"""


def _zone(name: str) -> str:
    return (
        f"BEGIN:VTIMEZONE\r\nTZID:{name}\r\nX-NOTE:{name}\r\n"
        "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
        f"TZNAME:{name}\r\nDTSTART:19700329T020000\r\n"
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
        "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
        f"TZNAME:{name}\r\nDTSTART:19701025T030000\r\n"
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    )


def _calendar(*parts: str) -> str:
    body = "".join(parts)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}END:VCALENDAR\r\n"


def _event(uid: str, *lines: str) -> str:
    body = "".join(f"{line}\r\n" for line in lines)
    return f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20240101T000000Z\r\n{body}END:VEVENT\r\n"


@pytest.fixture
def colleagues(engine: sa.Engine) -> int:
    """Alice and bob; returns bob's id."""
    with writing(engine) as conn:
        create_user(conn, *ALICE)
        return create_user(conn, *BOB).id


def _put(live_server: str, name: str, text: str) -> None:
    answer = httpx.put(
        f"{live_server}/dav/alice/activities/{name}.ics",
        content=text,
        headers={"Content-Type": "text/calendar"},
        auth=ALICE,
    )
    assert answer.status_code == 201, answer.text


def _bobs_doors(live_server: str, engine: sa.Engine, bob_id: int) -> list[str]:
    """Every answer bob gets about his colleagues' activities."""
    with writing(engine) as conn:
        token = create_feed(conn, bob_id, scope="team")
    team = f"{live_server}/dav/bob/team/"
    with httpx.Client(auth=BOB, trust_env=False) as http:
        listing = http.request("PROPFIND", team, headers={"Depth": "1"}).text
        hrefs = sorted(set(re.findall(r">(/dav/bob/team/[0-9]+\.ics)<", listing)))
        multiget = (
            f'<?xml version="1.0"?><C:calendar-multiget {CALDAV}>'
            "<D:prop><D:getetag/><C:calendar-data/></D:prop>"
            + "".join(f"<D:href>{href}</D:href>" for href in hrefs)
            + "</C:calendar-multiget>"
        )
        answers = [
            http.request("REPORT", team, content=QUERY, headers={"Depth": "1"}),
            http.request("REPORT", team, content=multiget, headers={"Depth": "1"}),
            http.request("REPORT", team, content=SYNC, headers={"Depth": "1"}),
            http.get(f"{live_server}/feeds/{token}.ics"),
            http.get(
                f"{live_server}/api/v1/activities/sync-status",
                params={"ids": ",".join(re.sub(r"\D", "", href) for href in hrefs)},
            ),
            *(http.get(f"{live_server}{href}") for href in hrefs),
        ]
    assert hrefs and all(answer.status_code in (200, 207) for answer in answers)
    client = caldav.DAVClient(url=f"{live_server}/dav/", username=BOB[0], password=BOB[1])
    calendar = client.calendar(url=team)
    found = [obj.data for obj in calendar.objects_by_sync_token(load_objects=True)]
    return [listing, *(answer.text for answer in answers), *found]


def test_a_private_series_reaches_colleagues_in_utc_without_its_zone(
    live_server: str, engine: sa.Engine, colleagues: int
) -> None:
    canary = f"CANARY{uuid.uuid4().hex}"
    zoned = f"TZID=Secret {canary}"
    _put(
        live_server,
        "series",
        _calendar(
            _zone(f"Secret {canary}"),
            _event(
                f"series-{canary}",
                f"DTSTART;{zoned}:20240102T090000",
                f"DTEND;{zoned}:20240102T100000",
                "RRULE:FREQ=WEEKLY;COUNT=20",
                f"EXDATE;{zoned}:20240109T090000",
                f"SUMMARY:Therapy {canary}",
                "CLASS:PRIVATE",
            ),
            _event(
                f"series-{canary}",
                f"RECURRENCE-ID;{zoned}:20240116T090000",
                f"DTSTART;{zoned}:20240116T150000",
                f"DTEND;{zoned}:20240116T160000",
                f"SUMMARY:Moved {canary}",
                "CLASS:PRIVATE",
            ),
        ),
    )
    _put(
        live_server,
        "single",
        _calendar(
            _zone(f"Other {canary}"),
            _event(
                f"single-{canary}",
                f"DTSTART;TZID=Other {canary}:20240702T100000",
                f"DTEND;TZID=Other {canary}:20240702T110000",
                f"SUMMARY:Dentist {canary}",
                "CLASS:CONFIDENTIAL",
            ),
        ),
    )
    doors = _bobs_doors(live_server, engine, colleagues)
    for body in doors:
        assert canary not in body
    seen = "\n".join(doors)
    assert "SUMMARY:Busy" in seen
    assert "DTSTART:20240702T080000Z" in seen
    assert "DTSTART:20240116T140000Z" not in seen  # the override keeps the series' zone


def test_a_private_occurrence_of_a_public_series_reaches_colleagues_as_busy(
    live_server: str, engine: sa.Engine, colleagues: int
) -> None:
    canary = f"CANARY{uuid.uuid4().hex}"
    _put(
        live_server,
        "weekly",
        _calendar(
            _zone(f"Zone {canary}"),
            _event(
                "weekly-sync",
                "DTSTART:20240102T080000Z",
                "DTEND:20240102T090000Z",
                "RRULE:FREQ=WEEKLY;COUNT=10",
                "SUMMARY:Weekly sync",
            ),
            _event(
                "weekly-sync",
                "RECURRENCE-ID:20240109T080000Z",
                f"DTSTART;TZID=Zone {canary}:20240109T140000",
                f"DTEND;TZID=Zone {canary}:20240109T150000",
                f"SUMMARY:Interview {canary}",
                f"LOCATION:Room {canary}",
                "CLASS:PRIVATE",
            ),
        ),
    )
    doors = _bobs_doors(live_server, engine, colleagues)
    for body in doors:
        assert canary not in body
    seen = "\n".join(doors)
    assert "SUMMARY:Weekly sync" in seen
    assert "RECURRENCE-ID:20240109T080000Z" in seen and "DTSTART:20240109T130000Z" in seen


def test_the_masked_uid_cannot_be_confirmed_by_hashing_a_guess(
    live_server: str, engine: sa.Engine, colleagues: int
) -> None:
    uid = "demo-7@calbridge"
    _put(
        live_server,
        "guessable",
        _calendar(_event(uid, "DTSTART:20240702T100000Z", "SUMMARY:Secret", "CLASS:PRIVATE")),
    )
    team = f"{live_server}/dav/bob/team/"
    listing = httpx.request("PROPFIND", team, headers={"Depth": "1"}, auth=BOB).text
    (href,) = set(re.findall(r">(/dav/bob/team/[0-9]+\.ics)<", listing))
    text = httpx.get(f"{live_server}{href}", auth=BOB).text
    masked = str(icalendar.Calendar.from_ical(text).walk("VEVENT")[0]["UID"])
    assert re.fullmatch(r"[0-9a-f]{64}", masked)
    assert masked != hashlib.sha256(uid.encode()).hexdigest()
    again = httpx.get(f"{live_server}{href}", auth=BOB).text
    assert again == text


def test_calendar_and_feed_mask_a_uid_alike(
    live_server: str, engine: sa.Engine, colleagues: int
) -> None:
    _put(
        live_server,
        "private",
        _calendar(_event("private-1", "DTSTART:20240702T100000Z", "CLASS:PRIVATE")),
    )
    with writing(engine) as conn:
        token = create_feed(conn, colleagues, scope="team")
    listing = httpx.request(
        "PROPFIND", f"{live_server}/dav/bob/team/", headers={"Depth": "1"}, auth=BOB
    ).text
    (href,) = set(re.findall(r">(/dav/bob/team/[0-9]+\.ics)<", listing))
    texts = [
        httpx.get(f"{live_server}{href}", auth=BOB).text,
        httpx.get(f"{live_server}/feeds/{token}.ics").text,
    ]
    uids = {str(icalendar.Calendar.from_ical(text).walk("VEVENT")[0]["UID"]) for text in texts}
    assert len(uids) == 1 and "private-1" not in uids
