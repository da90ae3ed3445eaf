"""The SQL schema as SQLAlchemy Core tables; Alembic migrations create it.

Two families of rows serve CalDAV:

* ``activities``: the CRM's activities. A user's ``activities`` (VEVENT) and
  ``tasks`` (VTODO) collections and everyone's ``team`` collection are views
  over this table. Every change takes the next value of the global activity
  revision (``counters``), which makes sync tokens, CTags and ETags cheap.
  A deleted activity stays as a tombstone row (``deleted_at`` set) so that
  sync-collection can report it.
* ``dav_collections`` / ``dav_items``: any other calendar or address book a
  client creates, stored verbatim. Each collection counts its own revisions,
  so a big import into one collection does not contend with anybody else.

Calendar sync (the bridge worker) adds ``calendar_accounts`` (each user's
connected external calendars, with their settings, cursors and worker
lease), ``sync_links`` (which activity is which external event, as of the
last sync), ``sync_item_errors`` (single events that failed, shown against
them) and ``sync_runs`` (a log of each account's runs).

Sign-in keeps ``sign_in_failures``: a decaying count of failed sign-ins per
client address and per login, shared by every process (`bridge.store.throttle`).
The pages' sessions are rows of ``web_sessions``, so signing out ends a session
on the server and not only in the browser (`bridge.store.web_sessions`).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

TIMESTAMP = sa.DateTime(timezone=True)

counters = sa.Table(
    "counters",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("login", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False, server_default="UTC"),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("default_import_type", sa.String(32), nullable=False, server_default="meeting"),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    # Bumped whenever a password or app password changes or goes: every process's
    # sign-in cache compares it, so an old secret stops working at once everywhere.
    sa.Column("credentials_version", sa.Integer, nullable=False, server_default="0"),
)

app_passwords = sa.Table(
    "app_passwords",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("label", sa.String(100), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
)

sign_in_failures = sa.Table(
    "sign_in_failures",
    metadata,
    # A SHA-256 of what failed ("address:..." or "user:..."): no typed login is kept.
    sa.Column("subject", sa.String(64), primary_key=True),
    sa.Column("score", sa.Float, nullable=False),
    # Seconds since the epoch, so that the decay is plain arithmetic in SQL.
    sa.Column("updated", sa.Float, nullable=False),
)

web_sessions = sa.Table(
    "web_sessions",
    metadata,
    # A SHA-256 of the session's secret, which only the signed cookie holds.
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("expires_at", TIMESTAMP, nullable=False, index=True),
)

activity_types = sa.Table(
    "activity_types",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(32), nullable=False, unique=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("color", sa.String(16), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("kind", sa.String(8), nullable=False),
)

organizations = sa.Table(
    "organizations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("address", sa.String(500), nullable=False, server_default=""),
)

persons = sa.Table(
    "persons",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(320), nullable=False, server_default=""),
    sa.Column("phone", sa.String(64), nullable=False, server_default=""),
    sa.Column("org_id", sa.ForeignKey("organizations.id", ondelete="SET NULL")),
)

deals = sa.Table(
    "deals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("value", sa.Numeric(14, 2), nullable=False, server_default="0"),
    sa.Column("currency", sa.String(3), nullable=False, server_default="EUR"),
    sa.Column("stage", sa.String(64), nullable=False, server_default="lead"),
    sa.Column("person_id", sa.ForeignKey("persons.id", ondelete="SET NULL")),
    sa.Column("org_id", sa.ForeignKey("organizations.id", ondelete="SET NULL")),
)

activities = sa.Table(
    "activities",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("owner_id", sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("uid", sa.String(255), nullable=False),
    sa.Column("href", sa.String(255), nullable=False),
    sa.Column("type_key", sa.String(32), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("due_date", sa.Date),
    sa.Column("due_time", sa.Time),
    sa.Column("duration_seconds", sa.Integer),
    sa.Column("done", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("done_at", TIMESTAMP),
    sa.Column("busy", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("private", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("location", sa.Text, nullable=False, server_default=""),
    sa.Column("public_description", sa.Text, nullable=False, server_default=""),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("deal_id", sa.ForeignKey("deals.id", ondelete="SET NULL")),
    sa.Column("person_id", sa.ForeignKey("persons.id", ondelete="SET NULL")),
    sa.Column("org_id", sa.ForeignKey("organizations.id", ondelete="SET NULL")),
    sa.Column("participant_ids", sa.JSON, nullable=False),
    sa.Column("attendees", sa.JSON, nullable=False),
    sa.Column("component", sa.String(8), nullable=False),
    sa.Column("ical", sa.Text, nullable=False),
    sa.Column("range_start", sa.BigInteger, nullable=False),
    sa.Column("range_end", sa.BigInteger, nullable=False),
    sa.Column("recurring", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("long_span", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("revision", sa.BigInteger, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("updated_at", TIMESTAMP, nullable=False),
    sa.Column("deleted_at", TIMESTAMP),
    sa.Column("moved", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("list_key", sa.BigInteger, nullable=False),
    sa.Index(
        "uq_activities_live_owner_uid",
        "owner_id",
        "uid",
        unique=True,
        sqlite_where=sa.text("deleted_at IS NULL"),
        postgresql_where=sa.text("deleted_at IS NULL"),
    ),
    sa.Index(
        "uq_activities_live_owner_href",
        "owner_id",
        "href",
        unique=True,
        sqlite_where=sa.text("deleted_at IS NULL"),
        postgresql_where=sa.text("deleted_at IS NULL"),
    ),
    sa.Index("ix_activities_owner_component_revision", "owner_id", "component", "revision"),
    sa.Index("ix_activities_owner_list_key", "owner_id", "list_key", "id"),
    sa.Index("ix_activities_list_key", "list_key", "id"),
    sa.Index("ix_activities_owner_type_list_key", "owner_id", "type_key", "list_key", "id"),
    sa.Index("ix_activities_owner_subject", "owner_id", "subject"),
    sa.Index(
        "ix_activities_owner_component_span_start",
        "owner_id",
        "component",
        "long_span",
        "range_start",
    ),
    sa.Index("ix_activities_revision", "revision"),
    sa.Index("ix_activities_span_start", "long_span", "range_start"),
)

dav_collections = sa.Table(
    "dav_collections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("path", sa.String(1024), nullable=False, unique=True),
    sa.Column("parent_path", sa.String(1024), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("props", sa.JSON, nullable=False),
    sa.Column("revision", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("updated_at", TIMESTAMP, nullable=False),
)

dav_items = sa.Table(
    "dav_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "collection_id",
        sa.ForeignKey("dav_collections.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("href", sa.String(1024), nullable=False),
    sa.Column("uid", sa.String(1024), nullable=False),
    sa.Column("component", sa.String(16), nullable=False),
    sa.Column("text", sa.Text),
    sa.Column("etag", sa.String(80), nullable=False),
    sa.Column("range_start", sa.BigInteger, nullable=False),
    sa.Column("range_end", sa.BigInteger, nullable=False),
    sa.Column("recurring", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("long_span", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("revision", sa.BigInteger, nullable=False),
    sa.Column("updated_at", TIMESTAMP, nullable=False),
    sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("collection_id", "href"),
    sa.Index("ix_dav_items_collection_revision", "collection_id", "revision"),
    sa.Index("ix_dav_items_collection_uid", "collection_id", "uid"),
    sa.Index("ix_dav_items_collection_span_start", "collection_id", "long_span", "range_start"),
)

feed_tokens = sa.Table(
    "feed_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("scope", sa.String(8), nullable=False),
    sa.Column("label", sa.String(100), nullable=False, server_default=""),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("revoked_at", TIMESTAMP),
)

calendar_accounts = sa.Table(
    "calendar_accounts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("provider", sa.String(16), nullable=False),
    sa.Column("account_email", sa.String(320), nullable=False),
    sa.Column("display_name", sa.String(200), nullable=False, server_default=""),
    sa.Column("server_url", sa.String(1024), nullable=False, server_default=""),
    sa.Column("encrypted_secret", sa.Text, nullable=False),
    sa.Column("settings", sa.JSON, nullable=False),
    sa.Column("state", sa.String(24), nullable=False, server_default="stopped"),
    sa.Column("cursor", sa.Text),
    sa.Column("cursor_calendar_id", sa.String(1024)),
    sa.Column("last_success_at", TIMESTAMP),
    sa.Column("last_error", sa.Text),
    sa.Column("pushed", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("imported", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("failed", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("next_run_at", TIMESTAMP),
    sa.Column("lease_owner", sa.String(200)),
    sa.Column("lease_expires_at", TIMESTAMP),
    sa.Column("crm_revision_seen", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("crm_full_at", TIMESTAMP),
    sa.Column("channel_id", sa.String(255), unique=True),
    sa.Column("channel_token_hash", sa.String(64)),
    sa.Column("channel_resource_id", sa.String(1024)),
    sa.Column("channel_expires_at", TIMESTAMP),
    sa.Column("held_deletions", sa.JSON),
    sa.Column("deletion_choice", sa.String(16)),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("updated_at", TIMESTAMP, nullable=False),
    sa.UniqueConstraint("user_id", "provider", "account_email"),
    sa.Index("ix_calendar_accounts_state_next_run_at", "state", "next_run_at"),
)

sync_links = sa.Table(
    "sync_links",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "account_id", sa.ForeignKey("calendar_accounts.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("calendar_id", sa.String(1024), nullable=False),
    sa.Column("external_id", sa.String(1024), nullable=False),
    # '' for a single event: NULLs never collide in a unique constraint.
    sa.Column("recurrence_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("series_id", sa.String(1024)),
    sa.Column("activity_id", sa.ForeignKey("activities.id", ondelete="CASCADE"), nullable=False),
    sa.Column("origin", sa.String(8), nullable=False),
    sa.Column("external_etag", sa.String(1024), nullable=False),
    sa.Column("crm_hash", sa.String(64), nullable=False),
    sa.Column("external_hash", sa.String(64), nullable=False),
    sa.Column("external_private", sa.Boolean),
    sa.Column("synced_at", TIMESTAMP, nullable=False),
    sa.UniqueConstraint(
        "account_id", "calendar_id", "external_id", "recurrence_id", name="uq_sync_links_event"
    ),
    sa.UniqueConstraint("account_id", "activity_id", name="uq_sync_links_activity"),
    sa.Index("ix_sync_links_activity_id", "activity_id"),
)

sync_item_errors = sa.Table(
    "sync_item_errors",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "account_id", sa.ForeignKey("calendar_accounts.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("activity_id", sa.ForeignKey("activities.id", ondelete="CASCADE")),
    sa.Column("external_id", sa.String(1024)),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("at", TIMESTAMP, nullable=False),
    sa.UniqueConstraint("account_id", "activity_id"),
    sa.UniqueConstraint("account_id", "external_id"),
    sa.CheckConstraint("activity_id IS NOT NULL OR external_id IS NOT NULL", name="subject"),
    sa.Index("ix_sync_item_errors_activity_id", "activity_id"),
)

sync_runs = sa.Table(
    "sync_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "account_id", sa.ForeignKey("calendar_accounts.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("started_at", TIMESTAMP, nullable=False),
    sa.Column("finished_at", TIMESTAMP),
    sa.Column("outcome", sa.String(24)),
    sa.Column("pushed", sa.Integer, nullable=False, server_default="0"),
    sa.Column("imported", sa.Integer, nullable=False, server_default="0"),
    sa.Column("deleted", sa.Integer, nullable=False, server_default="0"),
    sa.Column("failed", sa.Integer, nullable=False, server_default="0"),
    sa.Column("requests", sa.Integer, nullable=False, server_default="0"),
    sa.Column("message", sa.Text, nullable=False, server_default=""),
    sa.Index("ix_sync_runs_account_started", "account_id", "started_at"),
)
