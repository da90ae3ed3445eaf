"""The activity lists' sort key, and its index.

`activities.list_key` orders activities as the lists show them (by start,
all-day first on a day, undated last: `bridge.store.list_keys`), and
the `INDEXES` let a page of a long list be read from an index for each
sort and the type filter. Existing rows get their key here, in batches.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from bridge.store.list_keys import list_key

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BATCH = 1000
INDEXES = {
    "ix_activities_owner_list_key": ["owner_id", "list_key", "id"],
    "ix_activities_list_key": ["list_key", "id"],
    "ix_activities_owner_type_list_key": ["owner_id", "type_key", "list_key", "id"],
    "ix_activities_owner_subject": ["owner_id", "subject"],
}
"""One owner's list by start, everyone's by start, one owner's by type (or of one type),
and one owner's by subject."""

activities = sa.table(
    "activities",
    sa.column("id", sa.Integer),
    sa.column("due_date", sa.Date),
    sa.column("due_time", sa.Time),
    sa.column("list_key", sa.BigInteger),
)


def upgrade() -> None:
    with op.batch_alter_table("activities") as batch_op:
        batch_op.add_column(sa.Column("list_key", sa.BigInteger(), nullable=True))
    conn = op.get_bind()
    last_id = 0
    while True:
        rows = conn.execute(
            sa.select(activities.c.id, activities.c.due_date, activities.c.due_time)
            .where(activities.c.id > last_id)
            .order_by(activities.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        conn.execute(
            sa.update(activities)
            .where(activities.c.id == sa.bindparam("row_id"))
            .values(list_key=sa.bindparam("key")),
            [{"row_id": row.id, "key": list_key(row.due_date, row.due_time)} for row in rows],
        )
        last_id = rows[-1].id
    with op.batch_alter_table("activities") as batch_op:
        batch_op.alter_column("list_key", existing_type=sa.BigInteger(), nullable=False)
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns)


def downgrade() -> None:
    with op.batch_alter_table("activities") as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
        batch_op.drop_column("list_key")
