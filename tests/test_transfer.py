from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from bridge import transfer
from bridge.domain import Activity, Organization
from bridge.store import crm
from bridge.store.activities import ActivityError, list_activities
from bridge.store.users import UserError, create_user, get_user
from bridge.transfer import TransferError, export_calendar, import_calendar
from tests.cli.calendars import calendar


@pytest.fixture
def ada(engine: sa.Engine) -> int:
    with engine.begin() as conn:
        return create_user(conn, "ada", "pw", name="Ada Lovelace").id


def _stored(engine: sa.Engine, login: str) -> dict[str, Activity]:
    with engine.connect() as conn:
        return {a.uid: a for a in list_activities(conn, get_user(conn, login).id)}


@pytest.mark.usefixtures("ada")
def test_import_maps_events_and_reports_the_broken_one(engine: sa.Engine) -> None:
    calls: list[tuple[int, int]] = []
    report = import_calendar(
        engine,
        calendar(range(1, 51), broken=True),
        login="ada",
        batch_size=20,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert (report.imported, report.skipped) == (50, 0)
    (failure,) = report.failed
    assert (failure.position, failure.uid) == (51, "broken@example.com")
    assert failure.reason
    assert calls == [(20, 51), (40, 51), (51, 51)]

    stored = _stored(engine, "ada")
    assert len(stored) == 50
    timed = stored["event-3@example.com"]  # 11:00 in Berlin, winter time
    assert (timed.due_date, timed.due_time) == (dt.date(2026, 3, 5), dt.time(10, 0))
    assert timed.duration == dt.timedelta(minutes=30)
    assert (timed.subject, timed.location, timed.type_key) == ("Event 3", "Room 3", "meeting")
    all_day = stored["event-10@example.com"]
    assert (all_day.due_date, all_day.due_time) == (dt.date(2026, 3, 12), None)
    assert stored["event-20@example.com"].due_date is None


@pytest.mark.usefixtures("ada")
def test_worker_processes_give_the_same_result(engine: sa.Engine) -> None:
    report = import_calendar(
        engine, calendar(range(1, 61), broken=True), login="ada", batch_size=10, workers=2
    )
    assert (report.imported, [f.uid for f in report.failed]) == (60, ["broken@example.com"])
    assert len(_stored(engine, "ada")) == 60


@pytest.mark.usefixtures("ada")
def test_links_to_missing_records_are_dropped(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        org = crm.add_organization(conn, Organization("Acme"))
    text = (
        calendar([1, 2])
        .replace("SUMMARY:Event 1\r\n", f"SUMMARY:Event 1\r\nX-CALBRIDGE-ORG:{org.id}\r\n")
        .replace("SUMMARY:Event 2\r\n", "SUMMARY:Event 2\r\nX-CALBRIDGE-DEAL:999\r\n")
    )
    assert import_calendar(engine, text, login="ada").imported == 2
    stored = _stored(engine, "ada")
    assert stored["event-1@example.com"].org_id == org.id
    assert stored["event-2@example.com"].deal_id is None


@pytest.mark.usefixtures("ada")
def test_todos_become_tasks_and_unknown_types_the_default(engine: sa.Engine) -> None:
    text = calendar([1, 20]).replace(
        "SUMMARY:Event 1\r\n", "SUMMARY:Event 1\r\nX-CALBRIDGE-TYPE:nap\r\n"
    )
    import_calendar(engine, text, login="ada", type_key="call")
    stored = _stored(engine, "ada")
    assert stored["event-1@example.com"].type_key == "call"
    assert stored["event-20@example.com"].type_key == "task"


@pytest.mark.usefixtures("ada")
def test_reimport_skips_what_is_there(engine: sa.Engine) -> None:
    assert import_calendar(engine, calendar(range(1, 31)), login="ada").imported == 30
    report = import_calendar(engine, calendar(range(21, 41)), login="ada", batch_size=7)
    assert (report.imported, report.skipped, report.failed) == (10, 10, [])
    assert len(_stored(engine, "ada")) == 40


@pytest.mark.usefixtures("ada")
def test_uids_are_per_user(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        create_user(conn, "bob", "pw")
    import_calendar(engine, calendar(range(1, 6)), login="bob")
    assert import_calendar(engine, calendar(range(1, 6)), login="ada").imported == 5


@pytest.mark.usefixtures("ada")
def test_type_option_sets_the_type_of_events(engine: sa.Engine) -> None:
    import_calendar(engine, calendar(range(1, 20)), login="ada", type_key="call")
    assert {a.type_key for a in _stored(engine, "ada").values()} == {"call"}


@pytest.mark.usefixtures("ada")
def test_refuses_unknown_type_and_user(engine: sa.Engine) -> None:
    with pytest.raises(TransferError, match="unknown activity type 'nap'"):
        import_calendar(engine, calendar([1]), login="ada", type_key="nap")
    with pytest.raises(UserError):
        import_calendar(engine, calendar([1]), login="nobody")


@pytest.mark.usefixtures("ada")
def test_a_refused_row_costs_only_itself(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    insert_many = transfer.insert_many

    def refuse_event_7(conn: sa.Connection, batch: list[Activity], types: dict) -> int:
        if any(a.uid == "event-7@example.com" for a in batch):
            raise ActivityError("refused for the test")
        return insert_many(conn, batch, types)

    monkeypatch.setattr(transfer, "insert_many", refuse_event_7)
    report = import_calendar(engine, calendar(range(1, 13)), login="ada", batch_size=5)
    assert report.imported == 11
    assert [(f.position, f.uid, f.reason) for f in report.failed] == [
        (7, "event-7@example.com", "refused for the test")
    ]
    assert "event-7@example.com" not in _stored(engine, "ada")


def _length(activity: Activity) -> dt.timedelta | None:
    """An all-day activity without a duration lasts one day (see `Activity`)."""
    if activity.is_all_day and activity.duration is None:
        return dt.timedelta(days=1)
    return activity.duration


@pytest.mark.usefixtures("ada")
def test_export_round_trips(engine: sa.Engine) -> None:
    import_calendar(engine, calendar(range(1, 41)), login="ada")
    text = export_calendar(engine, "ada")
    assert text.startswith("BEGIN:VCALENDAR")
    with engine.begin() as conn:
        create_user(conn, "bob", "pw")
    assert import_calendar(engine, text, login="bob").imported == 40

    def essence(login: str) -> set[tuple[object, ...]]:
        return {
            (a.uid, a.subject, a.type_key, a.due_date, a.due_time, _length(a), a.location)
            for a in _stored(engine, login).values()
        }

    assert essence("bob") == essence("ada")
