"""Index time ranges by span: short items by start, long and recurring ones apart.

A time-range query on ``range_start < end AND range_end > start`` walks every
row that starts before the window's end. Rows that span at most two days can
be found by a bounded range of ``range_start`` instead; the few longer or
recurring ones get an index of their own.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SHORT_SPAN_SECONDS = 2 * 86400


def upgrade() -> None:
    for table in ("activities", "dav_items"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column("long_span", sa.Boolean(), server_default=sa.false(), nullable=False)
            )
        op.execute(
            f"UPDATE {table} SET long_span = "
            f"(recurring OR range_end - range_start > {SHORT_SPAN_SECONDS})"
        )
    with op.batch_alter_table("activities") as batch_op:
        batch_op.drop_index("ix_activities_owner_component_range")
        batch_op.drop_index("ix_activities_range")
        batch_op.create_index(
            "ix_activities_owner_component_span_start",
            ["owner_id", "component", "long_span", "range_start"],
        )
        batch_op.create_index("ix_activities_span_start", ["long_span", "range_start"])
    with op.batch_alter_table("dav_items") as batch_op:
        batch_op.drop_index("ix_dav_items_collection_range")
        batch_op.create_index(
            "ix_dav_items_collection_span_start", ["collection_id", "long_span", "range_start"]
        )


def downgrade() -> None:
    with op.batch_alter_table("dav_items") as batch_op:
        batch_op.drop_index("ix_dav_items_collection_span_start")
        batch_op.create_index("ix_dav_items_collection_range", ["collection_id", "range_start"])
        batch_op.drop_column("long_span")
    with op.batch_alter_table("activities") as batch_op:
        batch_op.drop_index("ix_activities_span_start")
        batch_op.drop_index("ix_activities_owner_component_span_start")
        batch_op.create_index("ix_activities_range", ["range_start"])
        batch_op.create_index(
            "ix_activities_owner_component_range", ["owner_id", "component", "range_start"]
        )
        batch_op.drop_column("long_span")
