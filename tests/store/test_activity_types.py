"""Activity types: adding custom ones, changing them, and what that does to stored activities."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
import sqlalchemy as sa

from bridge.domain import DEFAULT_ACTIVITY_TYPES, Activity, ActivityType, ComponentKind
from bridge.store import activities, crm, users
from bridge.store.revisions import current_revision

SITE_VISIT = ActivityType("site-visit", "Site visit", "#11AA33")
DEFAULT_KEYS = {item.key for item in DEFAULT_ACTIVITY_TYPES}


def _saved_visit(conn: sa.Connection) -> Activity:
    """The site-visit type added and an activity of it saved, owned by a new user."""
    owner = users.create_user(conn, "alice", "pw")
    assert owner.id is not None
    crm.create_activity_type(conn, SITE_VISIT)
    visit = Activity(
        subject="Visit the plant",
        type_key=SITE_VISIT.key,
        owner_id=owner.id,
        uid="visit@test",
        due_date=dt.date(2026, 12, 7),
        due_time=dt.time(9),
        duration=dt.timedelta(hours=2),
    )
    return activities.save_activity(conn, visit, crm.list_activity_types(conn))


def test_a_custom_type_is_added_checked_and_normalised(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        added = crm.create_activity_type(conn, replace(SITE_VISIT, name="  Site visit "))
        stored = crm.list_activity_types(conn)[SITE_VISIT.key]
    assert added.id is not None
    assert (stored.name, stored.color) == ("Site visit", "#11aa33")
    assert stored.kind is ComponentKind.EVENT


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"key": "Site Visit"}, "key"),
        ({"key": "-visit"}, "key"),
        ({"key": "x" * 33}, "key"),
        ({"key": "call"}, "key"),
        ({"name": "   "}, "name"),
        ({"name": "n" * 101}, "name"),
        ({"color": "green"}, "color"),
    ],
)
def test_a_wrong_new_type_names_its_field_and_saves_nothing(
    engine: sa.Engine, changes: dict[str, str], field: str
) -> None:
    with engine.begin() as conn:
        with pytest.raises(crm.ActivityTypeError) as raised:
            crm.create_activity_type(conn, replace(SITE_VISIT, **changes))
        assert raised.value.field == field
        assert str(raised.value).startswith(field)
        assert set(crm.list_activity_types(conn)) == DEFAULT_KEYS


def test_a_new_colour_or_deactivation_renders_nothing_again(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        saved = _saved_visit(conn)
        before = current_revision(conn)
        changed = crm.update_activity_type(conn, replace(SITE_VISIT, color="#000000", active=False))
        stored = crm.list_activity_types(conn)[SITE_VISIT.key]
        kept = activities.get_activity(conn, saved.id or 0)
        assert current_revision(conn) == before
    assert changed is False
    assert (stored.color, stored.active) == ("#000000", False)
    assert kept is not None and kept.revision == saved.revision


def test_a_renamed_type_renders_its_activities_again_under_new_revisions(
    engine: sa.Engine,
) -> None:
    with engine.begin() as conn:
        saved = _saved_visit(conn)
        assert "Site visit" in (saved.ical or "")
        assert crm.update_activity_type(conn, replace(SITE_VISIT, name="Plant tour"))
    assert crm.render_type_again(engine, SITE_VISIT.key) == 1
    with engine.connect() as conn:
        again = activities.get_activity(conn, saved.id or 0)
    assert again is not None and again.revision > (saved.revision or 0)
    assert ":Plant tour" in (again.ical or "") and "Site visit" not in (again.ical or "")


def test_switching_the_kind_moves_activities_between_events_and_to_dos(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        saved = _saved_visit(conn)
        crm.update_activity_type(conn, replace(SITE_VISIT, kind=ComponentKind.TODO))
    crm.render_type_again(engine, SITE_VISIT.key)
    with engine.connect() as conn:
        events = activities.Scope(saved.owner_id, ComponentKind.EVENT)
        todos = activities.Scope(saved.owner_id, ComponentKind.TODO)
        gone_from = activities.changed_since(conn, events, saved.revision or 0)
        as_todo = activities.find_by_href(conn, todos, saved.href or "")
        assert activities.find_by_href(conn, events, saved.href or "") is None
    assert saved.href in gone_from
    assert as_todo is not None and "BEGIN:VTODO" in (as_todo.ical or "")
    assert "BEGIN:VEVENT" not in (as_todo.ical or "")


def test_the_task_type_and_import_defaults_keep_their_kind_and_stay_active(
    engine: sa.Engine,
) -> None:
    with engine.begin() as conn:
        users.create_user(conn, "alice", "pw")
        types = crm.list_activity_types(conn)
        refusals = [
            replace(types["task"], kind=ComponentKind.EVENT),
            replace(types["task"], active=False),
            replace(types["meeting"], kind=ComponentKind.TODO),
            replace(types["meeting"], active=False),
        ]
        for refused in refusals:
            with pytest.raises(crm.ActivityTypeError):
                crm.update_activity_type(conn, refused)
        assert crm.list_activity_types(conn) == types


def test_an_unknown_type_cannot_be_updated(engine: sa.Engine) -> None:
    with engine.begin() as conn, pytest.raises(crm.NoSuchActivityType):
        crm.update_activity_type(conn, SITE_VISIT)


def test_many_activities_follow_in_batches_each_under_its_own_revision(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(crm, "RENDER_BATCH", 2)
    with engine.begin() as conn:
        first = _saved_visit(conn)
        types = crm.list_activity_types(conn)
        more = [
            activities.save_activity(
                conn, replace(first, id=None, uid=f"v{n}@test", href=None), types
            )
            for n in range(4)
        ]
        crm.update_activity_type(conn, replace(SITE_VISIT, kind=ComponentKind.TODO))
    assert crm.render_type_again(engine, SITE_VISIT.key) == 5
    with engine.connect() as conn:
        todos = activities.Scope(first.owner_id, ComponentKind.TODO)
        events = activities.Scope(first.owner_id, ComponentKind.EVENT)
        moved = [activities.get_activity(conn, item.id or 0) for item in [first, *more]]
        gone = activities.changed_since(conn, events, more[-1].revision or 0)
        listed = activities.listing(conn, todos)
    assert all(item is not None and "BEGIN:VTODO" in (item.ical or "") for item in moved)
    assert len({item.revision for item in moved if item is not None}) == 3
    assert sorted(gone) == sorted(item.href for item in [first, *more])
    assert len(listed) == 5
