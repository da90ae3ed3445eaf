"""Concurrent writers: every request gets a proper answer and nothing is lost."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import httpx
import sqlalchemy as sa

from bridge.store import activities, users


def _event(uid: str, hour: int) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261201T{hour % 24:02d}0000Z\r\n"
        f"SUMMARY:{uid}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def _big_calendar(count: int) -> str:
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:big-{n}\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART:20261201T{n % 24:02d}0000Z\r\nSUMMARY:Imported {n}\r\nEND:VEVENT\r\n"
        for n in range(count)
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n{events}END:VCALENDAR\r\n"


def test_big_import_and_other_users_writes_all_succeed(live_server: str, engine: sa.Engine) -> None:
    with engine.begin() as conn:
        for login in ("importer", "w1", "w2"):
            users.create_user(conn, login, f"{login}-pw")

    def big_import() -> int:
        return httpx.put(
            f"{live_server}/dav/importer/imported/",
            content=_big_calendar(2_000),
            auth=("importer", "importer-pw"),
            headers={"Content-Type": "text/calendar"},
            timeout=120,
        ).status_code

    def small_writes(login: str) -> list[int]:
        with httpx.Client(auth=(login, f"{login}-pw"), timeout=60) as client:
            return [
                client.put(
                    f"{live_server}/dav/{login}/activities/{login}-{n}.ics",
                    content=_event(f"{login}-{n}", n),
                ).status_code
                for n in range(15)
            ]

    with ThreadPoolExecutor(max_workers=3) as pool:
        importing = pool.submit(big_import)
        writers = [pool.submit(small_writes, login) for login in ("w1", "w2")]
        assert importing.result() == 201
        assert all(status == 201 for writer in writers for status in writer.result())
    with engine.connect() as conn:
        assert len(activities.list_activities(conn)) == 30


def test_same_user_parallel_writes_keep_every_item(live_server: str, engine: sa.Engine) -> None:
    with engine.begin() as conn:
        users.create_user(conn, "busy", "busy-pw")
    httpx.request("PROPFIND", f"{live_server}/dav/busy/", auth=("busy", "busy-pw"))

    def put(n: int) -> int:
        return httpx.put(
            f"{live_server}/dav/busy/activities/e{n}.ics",
            content=_event(f"e{n}", n),
            auth=("busy", "busy-pw"),
            timeout=60,
        ).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(put, range(24)))
    assert statuses == [201] * 24
    with engine.connect() as conn:
        stored = activities.list_activities(conn)
    assert sorted(a.uid for a in stored) == sorted(f"e{n}" for n in range(24))
    assert len({a.revision for a in stored}) == 24
    assert all(a.due_date == dt.date(2026, 12, 1) for a in stored)
