"""Activity hrefs are single path segments: made flat from any UID, refused when not flat."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from bridge.domain import Activity
from bridge.store import activities, crm, users
from bridge.store.hrefs import MAX_LENGTH, href_for, is_flat


def test_a_plain_uid_names_its_href() -> None:
    assert href_for("6f1c0b7e-1d2a@crm.example") == "6f1c0b7e-1d2a@crm.example.ics"


@pytest.mark.parametrize(
    "uid",
    [
        "acc-recr/20261207T100000Z",
        "../../etc/passwd",
        "a b?c#d%e",
        "040000008200E00074C5B7101A82E008/20261207",
        "événement",
        ".hidden",
        "x" * 300,
        "/",
    ],
)
def test_any_uid_gets_a_flat_href_that_fits_the_column(uid: str) -> None:
    href = href_for(uid)
    assert is_flat(href)
    assert len(href) <= MAX_LENGTH
    assert href.endswith(".ics")
    assert href_for(uid) == href


def test_uids_that_clean_up_alike_get_different_hrefs() -> None:
    hrefs = {href_for(uid) for uid in ("a/b", "a:b", "a b", "a-b/")}
    assert len(hrefs) == 4


@pytest.mark.parametrize("href", ["", ".", "..", "a/b.ics", "a\x00.ics", "x" * 256])
def test_what_is_not_one_segment_is_not_flat(href: str) -> None:
    assert not is_flat(href)


def _activity(owner_id: int, uid: str, href: str | None = None) -> Activity:
    return Activity(
        subject="Weekly review",
        type_key="meeting",
        owner_id=owner_id,
        uid=uid,
        due_date=dt.date(2026, 12, 7),
        due_time=dt.time(10),
        duration=dt.timedelta(hours=1),
        href=href,
    )


def test_an_imported_occurrence_is_stored_under_a_flat_href(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        owner = users.create_user(conn, "alice", "pw")
        assert owner.id is not None
        types = crm.list_activity_types(conn)
        saved = activities.save_activity(
            conn, _activity(owner.id, "acc-recr/20261207T100000Z"), types
        )
        found = activities.find_by_href(conn, activities.Scope(owner.id), saved.href or "")
    assert saved.href is not None and is_flat(saved.href)
    assert found is not None and found.id == saved.id


@pytest.mark.parametrize("href", ["acc-recr/20261207T100000Z.ics", "..", "x" * 256])
def test_the_store_refuses_an_href_that_is_not_flat(engine: sa.Engine, href: str) -> None:
    with engine.begin() as conn:
        owner = users.create_user(conn, "alice", "pw")
        assert owner.id is not None
        types = crm.list_activity_types(conn)
        with pytest.raises(activities.ActivityError, match="single path segment"):
            activities.save_activity(conn, _activity(owner.id, "plain-uid", href), types)
        assert activities.list_activities(conn, owner.id) == []
