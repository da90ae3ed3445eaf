"""Flat activity hrefs: rows stored under an href with a slash get one path segment.

Occurrences imported by calendar sync were stored as ``<uid>/<recurrence id>.ics``.
PROPFIND and sync-collection listed such an href, but no request could reach
it, and the owner's CalDAV clients stopped syncing. Each such row (live or
tombstone) now gets the href the store makes for its UID, under one new
revision, so that a client's next sync-collection finds the live ones again.

Downgrading leaves the hrefs flat: earlier code reads flat hrefs as they are.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from bridge.store.hrefs import href_for

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

activities = sa.table(
    "activities", sa.column("id"), sa.column("uid"), sa.column("href"), sa.column("revision")
)
counters = sa.table("counters", sa.column("name"), sa.column("value"))


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(activities.c.id, activities.c.uid).where(activities.c.href.contains("/"))
    ).all()
    if not rows:
        return
    new_revision = conn.execute(
        sa.update(counters)
        .where(counters.c.name == "activity")
        .values(value=counters.c.value + 1)
        .returning(counters.c.value)
    ).scalar_one()
    conn.execute(
        sa.update(activities)
        .where(activities.c.id == sa.bindparam("row_id"))
        .values(href=sa.bindparam("new_href"), revision=new_revision),
        [{"row_id": row.id, "new_href": href_for(row.uid)} for row in rows],
    )


def downgrade() -> None:
    """Nothing to undo: a flat href is valid at every revision."""
