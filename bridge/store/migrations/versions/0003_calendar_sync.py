"""Calendar sync: connected accounts, the link table, per-item errors and the run log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("account_email", sa.String(length=320), nullable=False),
        sa.Column("display_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("server_url", sa.String(length=1024), server_default="", nullable=False),
        sa.Column("encrypted_secret", sa.Text(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=24), server_default="stopped", nullable=False),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("cursor_calendar_id", sa.String(length=1024), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("pushed", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("imported", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("failed", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("crm_revision_seen", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("crm_full_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel_id", sa.String(length=255), nullable=True),
        sa.Column("channel_token_hash", sa.String(length=64), nullable=True),
        sa.Column("channel_resource_id", sa.String(length=1024), nullable=True),
        sa.Column("channel_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_calendar_accounts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_accounts")),
        sa.UniqueConstraint("channel_id", name=op.f("uq_calendar_accounts_channel_id")),
        sa.UniqueConstraint(
            "user_id",
            "provider",
            "account_email",
            name=op.f("uq_calendar_accounts_user_id_provider_account_email"),
        ),
    )
    with op.batch_alter_table("calendar_accounts") as batch_op:
        batch_op.create_index("ix_calendar_accounts_state_next_run_at", ["state", "next_run_at"])

    op.create_table(
        "sync_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("calendar_id", sa.String(length=1024), nullable=False),
        sa.Column("external_id", sa.String(length=1024), nullable=False),
        sa.Column("recurrence_id", sa.String(length=64), server_default="", nullable=False),
        sa.Column("series_id", sa.String(length=1024), nullable=True),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("external_etag", sa.String(length=1024), nullable=False),
        sa.Column("crm_hash", sa.String(length=64), nullable=False),
        sa.Column("external_hash", sa.String(length=64), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["calendar_accounts.id"],
            name=op.f("fk_sync_links_account_id_calendar_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_sync_links_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_links")),
        sa.UniqueConstraint(
            "account_id",
            "calendar_id",
            "external_id",
            "recurrence_id",
            name="uq_sync_links_event",
        ),
        sa.UniqueConstraint("account_id", "activity_id", name="uq_sync_links_activity"),
    )
    with op.batch_alter_table("sync_links") as batch_op:
        batch_op.create_index("ix_sync_links_activity_id", ["activity_id"])

    op.create_table(
        "sync_item_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("external_id", sa.String(length=1024), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "activity_id IS NOT NULL OR external_id IS NOT NULL",
            name=op.f("ck_sync_item_errors_subject"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["calendar_accounts.id"],
            name=op.f("fk_sync_item_errors_account_id_calendar_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_sync_item_errors_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_item_errors")),
        sa.UniqueConstraint(
            "account_id", "activity_id", name=op.f("uq_sync_item_errors_account_id_activity_id")
        ),
        sa.UniqueConstraint(
            "account_id", "external_id", name=op.f("uq_sync_item_errors_account_id_external_id")
        ),
    )
    with op.batch_alter_table("sync_item_errors") as batch_op:
        batch_op.create_index("ix_sync_item_errors_activity_id", ["activity_id"])

    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("pushed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("imported", sa.Integer(), server_default="0", nullable=False),
        sa.Column("deleted", sa.Integer(), server_default="0", nullable=False),
        sa.Column("failed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("requests", sa.Integer(), server_default="0", nullable=False),
        sa.Column("message", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["calendar_accounts.id"],
            name=op.f("fk_sync_runs_account_id_calendar_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
    )
    with op.batch_alter_table("sync_runs") as batch_op:
        batch_op.create_index("ix_sync_runs_account_started", ["account_id", "started_at"])


def downgrade() -> None:
    with op.batch_alter_table("sync_runs") as batch_op:
        batch_op.drop_index("ix_sync_runs_account_started")
    op.drop_table("sync_runs")
    with op.batch_alter_table("sync_item_errors") as batch_op:
        batch_op.drop_index("ix_sync_item_errors_activity_id")
    op.drop_table("sync_item_errors")
    with op.batch_alter_table("sync_links") as batch_op:
        batch_op.drop_index("ix_sync_links_activity_id")
    op.drop_table("sync_links")
    with op.batch_alter_table("calendar_accounts") as batch_op:
        batch_op.drop_index("ix_calendar_accounts_state_next_run_at")
    op.drop_table("calendar_accounts")
