"""`calbridge import` refuses the rules CalDAV refuses: the object is reported, the rest go in."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bridge.store.users import create_user
from bridge.transfer import import_calendar


def _event(uid: str, rule: str) -> str:
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART:20300105T100000Z\r\nDURATION:PT1H\r\nRRULE:{rule}\r\n"
        f"SUMMARY:{uid}\r\nEND:VEVENT\r\n"
    )


@pytest.fixture
def grace(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        create_user(conn, "grace", "pw")


@pytest.mark.usefixtures("grace")
def test_an_import_reports_a_rule_that_never_advances(engine: sa.Engine) -> None:
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
        + _event("fine", "FREQ=WEEKLY;COUNT=4")
        + _event("stuck", "FREQ=DAILY;INTERVAL=0")
        + _event("seconds", "FREQ=SECONDLY")
        + "END:VCALENDAR\r\n"
    )
    report = import_calendar(engine, text, login="grace")
    assert report.imported == 1
    assert sorted(failure.uid for failure in report.failed) == ["seconds", "stuck"]
    assert all("recurrence rule" in failure.reason for failure in report.failed)
