"""The tables as migration tests seed them at an older revision: only the columns they write.

`sa.table` stubs rather than the current schema, which may hold columns the
older revision lacks.
"""

from __future__ import annotations

import sqlalchemy as sa

users = sa.table(
    "users",
    sa.column("id"),
    sa.column("login"),
    sa.column("name"),
    sa.column("email"),
    sa.column("password_hash"),
    sa.column("created_at"),
)
activities = sa.table(
    "activities",
    sa.column("id"),
    sa.column("owner_id"),
    sa.column("uid"),
    sa.column("href"),
    sa.column("type_key"),
    sa.column("subject"),
    sa.column("due_date", sa.Date),
    sa.column("due_time", sa.Time),
    sa.column("participant_ids", sa.JSON),
    sa.column("attendees", sa.JSON),
    sa.column("component"),
    sa.column("ical"),
    sa.column("range_start"),
    sa.column("range_end"),
    sa.column("revision"),
    sa.column("created_at"),
    sa.column("updated_at"),
    sa.column("deleted_at"),
)
