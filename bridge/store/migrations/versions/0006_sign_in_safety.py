"""Sign-in throttling and credential versions.

`sign_in_failures` counts failed sign-ins per client address and per login
(decaying over time), so that every process and node refuses the same
guessers. `users.credentials_version` is bumped when a password or an app
password changes or is revoked, so that sign-in caches drop it at once.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("updated", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_sign_in_failures")),
    )
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("credentials_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("credentials_version")
    op.drop_table("sign_in_failures")
