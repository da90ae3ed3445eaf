"""Property tests: any activity survives render -> parse, and rendering is a pure function."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.domain import Activity, ActivityType, Attendee, ComponentKind
from bridge.ical.mask import render_masked
from bridge.ical.parse import activity_from_ical
from bridge.ical.render import render
from tests.ical.ical_samples import MASKING_KEY, MEETING, TASK

Strict = Callable[[str], None]

MAPPED = (
    "subject",
    "type_key",
    "uid",
    "due_date",
    "due_time",
    "done",
    "busy",
    "private",
    "location",
    "public_description",
    "deal_id",
    "person_id",
    "org_id",
    "attendees",
)

text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t,;:\\\"'"),
    max_size=30,
)
moments = st.datetimes(min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2099, 12, 31)).map(
    lambda moment: moment.replace(microsecond=0, tzinfo=dt.UTC)
)
ids = st.none() | st.integers(min_value=1, max_value=10**9)
attendees = st.lists(
    st.builds(
        Attendee,
        email=st.from_regex(r"[a-z][a-z0-9.]{0,8}@[a-z]{1,8}\.org", fullmatch=True),
        name=st.text(st.sampled_from("abcXYZ 019,;:.-'é"), max_size=12).map(str.strip),
        status=st.sampled_from(["NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE"]),
    ),
    max_size=3,
    unique_by=lambda attendee: attendee.email,
)


@st.composite
def activities(draw: st.DrawFn) -> Activity:
    timing = draw(st.sampled_from(["undated", "all-day", "timed"]))
    start = draw(moments)
    if timing == "timed":
        duration = draw(
            st.none() | st.integers(0, 10 * 86400).map(lambda s: dt.timedelta(seconds=s))
        )
    else:
        duration = draw(st.none() | st.integers(1, 30).map(lambda days: dt.timedelta(days=days)))
    done = draw(st.booleans())
    return Activity(
        subject=draw(text),
        type_key=draw(st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)),
        owner_id=1,
        uid=draw(st.from_regex(r"[A-Za-z0-9-]{1,20}@calbridge", fullmatch=True)),
        due_date=None if timing == "undated" else start.date(),
        due_time=start.time() if timing == "timed" else None,
        duration=None if timing == "undated" else duration,
        done=done,
        done_at=draw(st.none() | moments) if done else None,
        busy=draw(st.booleans()),
        private=draw(st.booleans()),
        location=draw(text),
        public_description=draw(text),
        note=draw(text),
        deal_id=draw(ids),
        person_id=draw(ids),
        org_id=draw(ids),
        attendees=draw(attendees),
        updated_at=draw(st.none() | moments),
    )


def expected_duration(activity: Activity, kind: ComponentKind) -> dt.timedelta | None:
    """An all-day event always has an end, at least a day after its start."""
    if kind is ComponentKind.EVENT and activity.is_all_day:
        return activity.duration or dt.timedelta(days=1)
    return activity.duration


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(activity=activities(), activity_type=st.sampled_from([MEETING, TASK]))
def test_render_parse_round_trip(
    activity: Activity, activity_type: ActivityType, strict: Strict
) -> None:
    text = render(activity, activity_type)
    assert render(activity, activity_type) == text
    strict(text)
    kind = ComponentKind.TODO if "BEGIN:VTODO" in text else ComponentKind.EVENT
    back = activity_from_ical(text, owner_id=1, default_type_key="other")
    for field in MAPPED:
        assert getattr(back, field) == getattr(activity, field), field
    assert back.duration == expected_duration(activity, kind)
    if kind is ComponentKind.TODO:
        assert back.done_at == activity.done_at
    assert activity.note not in text or activity.note in (
        text + activity.subject + activity.location + activity.public_description
    )

    again = activity_from_ical(text, owner_id=1, default_type_key="other", existing=activity)
    assert again.done_at == activity.done_at
    assert render(replace(again, updated_at=activity.updated_at), activity_type) == text


@settings(max_examples=50, deadline=None)
@given(activity=activities())
def test_masked_output_is_deterministic_and_bare(activity: Activity) -> None:
    masked = render_masked(activity, MASKING_KEY)
    assert render_masked(activity, MASKING_KEY) == masked
    assert activity.uid not in masked
    assert {line.split(":")[0].split(";")[0] for line in masked.split("\r\n") if line} <= {
        "BEGIN",
        "END",
        "PRODID",
        "VERSION",
        "UID",
        "DTSTAMP",
        "DTSTART",
        "DTEND",
        "SUMMARY",
        "CLASS",
        "TRANSP",
    }
