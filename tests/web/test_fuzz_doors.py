"""Hostile input at every door, generated: no answer is a 5xx, and a refusal stores nothing.

Hypothesis builds iCalendar bodies (valid events with hostile lines mixed
in), XML bodies, headers, paths and JSON documents and sends them to the
whole app on a real socket. After every answer under 500 the test checks
what the database holds: a refused request (4xx) must leave it as it was.
`make test` runs a few dozen examples per door; `make fuzz` runs many more
(`CALBRIDGE_FUZZ_EXAMPLES`).
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.config import Settings
from bridge.secrets import generate_key
from bridge.store.db import writing
from bridge.store.schema import activities, calendar_accounts, dav_items
from bridge.store.users import create_user
from bridge.web.app import create_app
from tests.servers import serve_in_thread

EXAMPLES = int(os.environ.get("CALBRIDGE_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=os.environ.get("CALBRIDGE_FUZZ_EXAMPLES") is None,
)
ALICE = ("alice", "alice-password")
TIMEOUT = httpx.Timeout(60.0)

# -- iCalendar ----------------------------------------------------------------------------

HOSTILE_LINES = st.sampled_from(
    [
        "RRULE:FREQ=DAILY;INTERVAL=0",
        "RRULE:FREQ=DAILY;INTERVAL=-1",
        "RRULE:FREQ=SECONDLY",
        "RRULE:FREQ=MINUTELY;BYSECOND=0,1,2,3,4,5,6,7,8,9",
        "RRULE:FREQ=DAILY;COUNT=99999999999999999999",
        "RRULE:FREQ=YEARLY;BYMONTH=13",
        "RRULE:FREQ=WEEKLY;X-NAME=1",
        "RRULE:FREQ=NONSENSE",
        "RRULE:",
        "EXDATE:not-a-date",
        "RDATE;VALUE=PERIOD:20261201T090000Z/garbage",
        "DTSTART:20261301T250000Z",
        "DTSTART;TZID=Nowhere/Secret:20261201T090000",
        "DTEND:19000101T000000Z",
        "DURATION:P99999999W",
        "DURATION:nonsense",
        "X-CALBRIDGE-DEAL:999999999999999999999",
        "X-CALBRIDGE-DEAL:-1",
        "X-CALBRIDGE-PERSON:abc",
        "X-CALBRIDGE-ORG:1e309",
        "X-CALBRIDGE-DONE:maybe",
        "CLASS:PRIVATE",
        'ATTENDEE;CN="unterminated:mailto:a@b',
        "ATTENDEE:mailto:",
        "CATEGORIES:" + ",".join(["x"] * 200),
        "SUMMARY:" + "ü" * 3000,
        'LOCATION;X-PARAM="v":Room',
        "BEGIN:VALARM",
        "END:VALARM",
        "BEGIN:VTODO",
        "END:VEVENT",
        "RECURRENCE-ID:20261201T090000Z",
        "STATUS:CANCELLED",
        "SEQUENCE:99999999999999999999999",
        "PRIORITY:-5",
        "GEO:abc;def",
        "\x00",
        " folded continuation without a property",
    ]
)


@st.composite
def calendar_bodies(draw: st.DrawFn) -> str:
    uid = draw(st.sampled_from(["fuzz", "x" * 300, "a/b", "../up", "ü-uid", ""]))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//fuzz//EN",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:20260101T000000Z",
        "DTSTART:20261201T090000Z",
        "DTEND:20261201T100000Z",
        "SUMMARY:fuzzed",
    ]
    for line in draw(st.lists(HOSTILE_LINES | st.text(max_size=40), max_size=6)):
        lines.insert(draw(st.integers(min_value=1, max_value=len(lines))), line)
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(lines) + "\r\n"


# -- XML ----------------------------------------------------------------------------------

TAGS = st.sampled_from(
    [
        "D:prop",
        "D:getetag",
        "D:displayname",
        "D:propfind",
        "D:allprop",
        "D:sync-token",
        "C:calendar-data",
        "C:filter",
        "C:comp-filter",
        "C:time-range",
        "C:expand",
        "C:calendar-multiget",
        "D:href",
        "X:unknown",
    ]
)
ATTRIBUTES = st.sampled_from(
    [
        "",
        ' name="VCALENDAR"',
        ' name="VEVENT"',
        ' name="VTODO"',
        ' start="20000101T000000Z" end="20400101T000000Z"',
        ' start="garbage" end="20400101T000000Z"',
        ' start="20261201T000000Z"',
    ]
)
NAMESPACES = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:X="urn:x"'


def _elements() -> st.SearchStrategy[str]:
    leaf = st.builds(lambda tag, attrs: f"<{tag}{attrs}/>", TAGS, ATTRIBUTES) | st.sampled_from(
        ["/dav/alice/activities/x.ics", "text & more", "<![CDATA[x]]>", ""]
    )
    return st.recursive(
        leaf,
        lambda children: st.builds(
            lambda tag, attrs, inner: f"<{tag}{attrs}>{''.join(inner)}</{tag}>",
            TAGS,
            ATTRIBUTES,
            st.lists(children, max_size=4),
        ),
        max_leaves=12,
    )


@st.composite
def xml_bodies(draw: st.DrawFn) -> bytes:
    root = draw(st.sampled_from(["D:propfind", "C:calendar-query", "D:sync-collection"]))
    inner = "".join(draw(st.lists(_elements(), max_size=4)))
    body = f'<?xml version="1.0" encoding="utf-8"?><{root} {NAMESPACES}>{inner}</{root}>'
    damage = draw(
        st.sampled_from(
            [
                "none",
                "doctype",
                "entity",
                "encoding",
                "truncate",
                "deep",
                "wide",
                "bytes",
            ]
        )
    )
    match damage:
        case "doctype":
            body = "<!DOCTYPE x [<!ELEMENT x ANY>]>" + body.split("?>", 1)[1]
        case "entity":
            body = '<!DOCTYPE x [<!ENTITY e "boom">]>' + body.split("?>", 1)[1].replace(
                "</", "&e;</", 1
            )
        case "encoding":
            body = body.replace("utf-8", draw(st.sampled_from(["klingon", "utf-32", "latin-1"])))
        case "truncate":
            body = body[: draw(st.integers(min_value=0, max_value=len(body)))]
        case "deep":
            depth = draw(st.integers(min_value=100, max_value=5000))
            body = body.replace("</", "<X:n>" * depth + "</X:n>" * depth + "</", 1)
        case "wide":
            count = draw(st.integers(min_value=1000, max_value=30000))
            body = body.replace("</", "<D:getetag/>" * count + "</", 1)
        case "bytes":
            return draw(st.binary(max_size=200))
    return body.encode("utf-8", "surrogatepass")


# -- headers and paths --------------------------------------------------------------------

SEGMENTS = st.sampled_from(
    ["alice", "bob", "activities", "tasks", "team", "x.ics", "..", ".", "%00", "%2F", "ü", ""]
)
PATHS = st.lists(SEGMENTS, max_size=5).map(lambda parts: "/dav/" + "/".join(parts))


@st.composite
def authorizations(draw: st.DrawFn) -> str:
    raw = draw(
        st.sampled_from(["alice:alice-password", "alice", "alice:", ":", "bob:x", "ü:ü", ""])
    )
    encoded = base64.b64encode(raw.encode()).decode() or "="
    # Stripped: HTTP clients refuse to send a header value with trailing blanks.
    return draw(
        st.sampled_from(
            [
                f"Basic {encoded}",
                "Basic",
                "Basic !!!",
                f"Basic {encoded[:-1]}",
                f"Bearer {encoded}",
                "basic " + encoded,
                f"Basic {encoded} extra",
            ]
        )
    ).strip()


HEADER_VALUES = st.sampled_from(
    ["0", "1", "infinity", "2", "", "*", '"etag"', "http://elsewhere.test/dav/alice/x.ics", "\x7f"]
)


# -- JSON -----------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=10,
)
SETTING_NAMES = st.sampled_from(
    [
        "sync_type",
        "import_visibility",
        "private_events",
        "pushed_type_keys",
        "window_past_days",
        "calendar_id",
        "include_crm_info",
        "unknown",
    ]
)


@st.composite
def json_bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["value", "settings", "deep", "text"]))
    match kind:
        case "settings":
            value: Any = draw(st.dictionaries(SETTING_NAMES, JSON_VALUES, max_size=3))
        case "deep":
            depth = draw(st.integers(min_value=500, max_value=100_000))
            return b"[" * depth + b"]" * depth
        case "text":
            return draw(st.binary(max_size=100))
        case _:
            value = draw(JSON_VALUES)
    return json.dumps(value).encode()


# -- the doors ------------------------------------------------------------------------------


@pytest.fixture
def doors(engine: sa.Engine) -> Iterator[httpx.Client]:
    """The whole app on a real socket, alice and bob in it, alice's CalDAV home made.

    Sign-in throttling is set out of reach: the fuzzer fails to sign in on
    purpose far more often than any client would, and must keep reaching
    the code behind the sign-in.
    """
    with writing(engine) as conn:
        create_user(conn, *ALICE)
        create_user(conn, "bob", "bob-password")
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        secret_key=generate_key(),
        sign_in_address_failures=1_000_000,
        sign_in_user_failures=1_000_000,
    )
    with (
        serve_in_thread(create_app(settings)) as base_url,
        httpx.Client(base_url=base_url, timeout=TIMEOUT, trust_env=False) as http,
    ):
        http.request("PROPFIND", "/dav/alice/", auth=ALICE, headers={"Depth": "1"})
        yield http


def _stored(engine: sa.Engine) -> tuple[int, ...]:
    with engine.connect() as conn:
        return tuple(
            conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in (activities, dav_items, calendar_accounts)
        )


def _check(engine: sa.Engine, before: tuple[int, ...], response: httpx.Response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:500])
    if 400 <= response.status_code < 500:
        assert _stored(engine) == before, f"a refused request ({response.status_code}) stored"


@FUZZ
@given(
    body=calendar_bodies(),
    calendar=st.sampled_from(["activities", "tasks", "team", "own"]),
)
def test_calendar_bodies(doors: httpx.Client, engine: sa.Engine, body: str, calendar: str) -> None:
    before = _stored(engine)
    response = doors.put(
        f"/dav/alice/{calendar}/fuzz.ics",
        content=body.encode("utf-8", "surrogatepass"),
        headers={"Content-Type": "text/calendar"},
        auth=ALICE,
    )
    _check(engine, before, response)
    if response.status_code < 300:
        for method in ("GET", "DELETE"):
            after = doors.request(method, f"/dav/alice/{calendar}/fuzz.ics", auth=ALICE)
            assert after.status_code < 500, (method, after.status_code)
        query = doors.request(
            "REPORT",
            "/dav/alice/team/",
            auth=("bob", "bob-password"),
            headers={"Depth": "1"},
            content=TEAM_QUERY,
        )
        assert query.status_code < 500


TEAM_QUERY = (
    f"<C:calendar-query {NAMESPACES}><D:prop><D:getetag/><C:calendar-data/></D:prop>"
    '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
    '<C:time-range start="20260101T000000Z" end="20280101T000000Z"/>'
    "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"
)


@FUZZ
@given(
    body=xml_bodies(),
    method=st.sampled_from(["PROPFIND", "REPORT", "PROPPATCH"]),
    path=st.sampled_from(["/dav/alice/", "/dav/alice/activities/", "/dav/alice/team/"]),
    depth=HEADER_VALUES,
)
def test_xml_bodies(
    doors: httpx.Client, engine: sa.Engine, body: bytes, method: str, path: str, depth: str
) -> None:
    before = _stored(engine)
    headers = {"Depth": depth, "Content-Type": "application/xml"}
    response = doors.request(method, path, content=body, headers=headers, auth=ALICE)
    _check(engine, before, response)


@FUZZ
@given(
    path=PATHS,
    method=st.sampled_from(["GET", "PROPFIND", "DELETE", "MOVE", "COPY", "MKCOL", "OPTIONS"]),
    authorization=authorizations(),
    header=st.sampled_from(["Depth", "Destination", "If-Match", "If-None-Match", "Overwrite"]),
    value=HEADER_VALUES,
)
def test_paths_and_headers(
    doors: httpx.Client,
    engine: sa.Engine,
    path: str,
    method: str,
    authorization: str,
    header: str,
    value: str,
) -> None:
    before = _stored(engine)
    headers = {"Authorization": authorization, header: value}
    response = doors.request(method, path, headers=headers)
    _check(engine, before, response)


@FUZZ
@given(
    body=json_bodies(),
    endpoint=st.sampled_from(
        [
            ("POST", "/api/v1/calendar-accounts"),
            ("PATCH", "/api/v1/calendar-accounts/1/settings"),
            ("POST", "/api/v1/calendar-accounts/1/reconnect"),
            ("GET", "/api/v1/activities/sync-status?ids=1,2,x"),
        ]
    ),
    content_type=st.sampled_from(["application/json", "text/plain", "application/json; x=1"]),
)
def test_json_bodies(
    doors: httpx.Client,
    engine: sa.Engine,
    body: bytes,
    endpoint: tuple[str, str],
    content_type: str,
) -> None:
    before = _stored(engine)
    method, path = endpoint
    response = doors.request(
        method, path, content=body, headers={"Content-Type": content_type}, auth=ALICE
    )
    _check(engine, before, response)
