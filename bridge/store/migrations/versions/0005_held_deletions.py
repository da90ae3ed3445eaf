"""Held deletions and the privacy of imported events.

`calendar_accounts.held_deletions` lists what a run held back under the
mass-deletion guard, and `deletion_choice` the owner's answer ("apply" or
"restore") for the next run. `sync_links.external_private` remembers
whether an imported event was private in its calendar, so a change of the
privacy settings can be applied at once to what was imported before
(NULL: imported before this was recorded).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calendar_accounts") as batch_op:
        batch_op.add_column(sa.Column("held_deletions", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("deletion_choice", sa.String(16), nullable=True))
    with op.batch_alter_table("sync_links") as batch_op:
        batch_op.add_column(sa.Column("external_private", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_links") as batch_op:
        batch_op.drop_column("external_private")
    with op.batch_alter_table("calendar_accounts") as batch_op:
        batch_op.drop_column("deletion_choice")
        batch_op.drop_column("held_deletions")
