"""Applying a `Plan`: each action is written to its side and recorded in the link table.

Every action is committed on its own (creates in chunks of the provider's `create_chunk`,
which a provider with a batch API pushes in one request), so a run that
dies half-way leaves every applied item linked and the next run goes on
from there without duplicates. Provider calls happen outside database
transactions, so a slow API never holds the database's write lock.

Errors about one item (the API refused the event, the event changed since
it was listed, the activity changed since it was read) are recorded
against that item and the run goes on; errors about the whole account
(rate limits the provider's retries gave up on, outages, a revoked grant)
propagate to the run, which backs off.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from bridge.domain import Activity, ActivityType, SyncSettings
from bridge.links import Link, Side
from bridge.providers import (
    CalendarProvider,
    ExternalEvent,
    ItemRejected,
    NotFound,
    PreconditionFailed,
    ProviderError,
    RateLimited,
    TemporaryFailure,
)
from bridge.store import activities as activity_store
from bridge.store import sync_accounts, sync_links
from bridge.store.chunks import chunks
from bridge.store.crm import list_activity_types
from bridge.store.db import writing
from bridge.store.revisions import current_revision
from bridge.sync.content import activity_uid, apply_event
from bridge.sync.hashing import draft_hash, event_hash
from bridge.sync.model import (
    Action,
    CrmItem,
    ExternalItem,
    ForgetLink,
    ImportCreate,
    ImportDelete,
    ImportUpdate,
    PushCreate,
    PushDelete,
    PushUpdate,
    Relink,
    RestoreActivity,
    Skip,
)
from bridge.sync.sides import Descriptions

ITEM_ERRORS = (ItemRejected, PreconditionFailed, NotFound)
"""Provider errors that concern one event only."""
TRANSIENT = (RateLimited, TemporaryFailure)
"""Provider errors that concern the account for now: they end the run, which backs off."""


class SettingsChanged(Exception):
    """The account's settings changed during the run: it must start over under the new ones."""


@contextlib.contextmanager
def settled(engine: sa.Engine, account_id: int, settings: SyncSettings) -> Iterator[sa.Connection]:
    """A write transaction of a run, under the settings the run was planned with.

    Raises `SettingsChanged` (and writes nothing) once they changed, so no
    write of a run ever mixes old settings with new ones.
    """
    with writing(engine) as conn:
        if not sync_accounts.settings_unchanged(conn, account_id, settings):
            raise SettingsChanged(f"account {account_id}: settings changed")
        yield conn


class StaleActivity(Exception):
    """The activity changed (or went) after the run read it: its import waits for the next run."""


@dataclass
class Outcome:
    """What the executor did, for the run log and the account's counters."""

    pushed: int = 0
    imported: int = 0
    deleted: int = 0
    restored: int = 0
    failed: int = 0
    import_failures: int = 0
    """Failed imports: while any remain, the cursor must not move past their events."""
    calendar_writes: int = 0
    """Events created, changed or deleted in the calendar."""
    written_revisions: list[int] = field(default_factory=list)
    """The activity revisions this run's own writes took."""
    errors: list[str] = field(default_factory=list)

    def add(self, other: Outcome) -> None:
        """Count `other` (a later pass of the same run) in too."""
        for name in ("pushed", "imported", "deleted", "restored", "failed", "import_failures"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.calendar_writes += other.calendar_writes
        self.written_revisions += other.written_revisions
        self.errors += other.errors

    @property
    def last_revision(self) -> int:
        """The highest activity revision this run wrote (0: none)."""
        return max(self.written_revisions, default=0)


@dataclass(frozen=True)
class Target:
    """Where a plan is applied: one account's calendar, for one CRM user."""

    account_id: int
    calendar_id: str
    owner_id: int
    import_type_key: str
    run_id: int
    """The run applying the plan: part of the idempotency keys of its creates."""


class Executor:
    """Applies one run's plan; `now` stamps links and errors."""

    def __init__(
        self,
        engine: sa.Engine,
        provider: CalendarProvider,
        target: Target,
        settings: SyncSettings,
        describe: Descriptions,
        *,
        links: Sequence[Link],
        crm_items: Sequence[CrmItem],
        now: Callable[[], dt.datetime],
    ) -> None:
        self.engine = engine
        self.provider = provider
        self.target = target
        self.settings = settings
        self.describe = describe
        self.now = now
        self.outcome = Outcome()
        self._links_by_activity = {link.activity_id: link for link in links}
        self._read_revisions = {item.activity_id: item.activity.revision for item in crm_items}
        self._types: dict[str, ActivityType] | None = None

    def apply(self, actions: Sequence[Action]) -> Outcome:
        creates = [action for action in actions if isinstance(action, PushCreate)]
        for action in actions:
            if not isinstance(action, PushCreate | Skip):
                self._one(action)
        for chunk in chunks(creates, self.provider.create_chunk):
            self._create(chunk)
        return self.outcome

    def _one(self, action: Action) -> None:
        try:
            self._dispatch(action)
        except (*ITEM_ERRORS, StaleActivity, activity_store.ActivityError) as error:
            with writing(self.engine) as conn:
                self._note_failure(conn, action, _subject(action), error)

    @contextlib.contextmanager
    def _storing(self, action: Action) -> Iterator[sa.Connection]:
        """The transaction that stores what `action` did; it also clears the item's last error."""
        with settled(self.engine, self.target.account_id, self.settings) as conn:
            yield conn
            sync_links.clear_item_error(conn, self.target.account_id, **_subject(action))

    def _dispatch(self, action: Action) -> None:
        match action:
            case PushUpdate(link=link, item=item):
                draft = self.describe.draft(item.activity)
                event = self.provider.update(
                    self.target.calendar_id, link.external_id, draft, link.external_etag
                )
                with self._storing(action) as conn:
                    self._save_link(conn, _linked(link, item.hash, event))
                self.outcome.pushed += 1
                self.outcome.calendar_writes += 1
            case PushDelete(link=link):
                self.provider.delete(self.target.calendar_id, link.external_id, link.external_etag)
                with self._storing(action) as conn:
                    self._drop_link(conn, link)
                self.outcome.deleted += 1
                self.outcome.calendar_writes += 1
            case ImportCreate():
                self._import_new(action)
            case ImportUpdate():
                self._import_over(action)
            case ImportDelete(link=link):
                with self._storing(action) as conn:
                    self._check_unchanged(conn, link.activity_id)
                    activity_store.delete_activity(conn, link.activity_id)
                    self._wrote(conn)
                    self._drop_link(conn, link)
                self.outcome.deleted += 1
            case RestoreActivity(link=link):
                with self._storing(action) as conn:
                    if activity_store.restore_activity(
                        conn, link.activity_id, self._activity_types(conn)
                    ):
                        self._wrote(conn)
                self.outcome.restored += 1
            case Relink(link=link):
                with self._storing(action) as conn:
                    self._save_link(conn, link)
            case ForgetLink(link=link):
                with self._storing(action) as conn:
                    self._drop_link(conn, link)

    def _import_new(self, action: ImportCreate) -> None:
        external = action.external
        blank = Activity(
            subject="",
            type_key=self.target.import_type_key,
            owner_id=self.target.owner_id,
            uid=activity_uid(external.event) or _uid_for(self.target, external),
        )
        activity = apply_event(blank, external.event, private=action.private)
        with self._storing(action) as conn:
            saved = activity_store.save_activity(conn, activity, self._activity_types(conn))
            self._wrote(conn)
            link = Link(
                activity_id=_id(saved),
                external_id=external.event.id,
                external_etag=external.event.etag,
                crm_hash=draft_hash(self.describe.draft(saved)),
                external_hash=external.hash,
                recurrence_id=external.event.recurrence_id,
                origin=Side.CALENDAR,
                series_id=external.event.series_id,
                external_private=external.event.private,
            )
            self._save_link(conn, link)
        self.outcome.imported += 1

    def _import_over(self, action: ImportUpdate) -> None:
        link, external = action.link, action.external
        with self._storing(action) as conn:
            current = self._check_unchanged(conn, link.activity_id)
            updated = apply_event(current, external.event, private=action.private)
            saved = activity_store.save_activity(conn, updated, self._activity_types(conn))
            self._wrote(conn)
            self._save_link(
                conn,
                dataclasses.replace(
                    link,
                    external_etag=external.event.etag,
                    crm_hash=draft_hash(self.describe.draft(saved)),
                    external_hash=external.hash,
                    external_private=external.event.private,
                ),
            )
        self.outcome.imported += 1

    def _create(self, actions: Sequence[PushCreate]) -> None:
        """Push a chunk of new events at once, then record the ones that were created.

        What was created is recorded even when some drafts met a rate limit
        or an outage; that error then ends the run, and the rest is pushed
        by a later one.
        """
        by_key = {self._creation_key(action.item): action for action in actions}
        drafts = {key: self.describe.draft(action.item.activity) for key, action in by_key.items()}
        results = self.provider.create_many(self.target.calendar_id, drafts)
        created = {
            key: result for key, result in results.items() if isinstance(result, ExternalEvent)
        }
        links = [self._pushed(by_key[key].item, event) for key, event in created.items()]
        transient = [error for error in results.values() if isinstance(error, TRANSIENT)]
        with writing(self.engine) as conn:
            target = self.target
            sync_links.save_links(conn, target.account_id, target.calendar_id, links, self.now())
            pushed_ids = [link.activity_id for link in links]
            sync_links.clear_activity_errors(conn, target.account_id, pushed_ids)
            for key, result in results.items():
                if not isinstance(result, (ExternalEvent, *TRANSIENT)):
                    action = by_key[key]
                    self._note_failure(conn, action, _subject(action), result)
        self.outcome.pushed += len(links)
        self.outcome.calendar_writes += len(links)
        if transient:
            raise transient[0]

    def _pushed(self, item: CrmItem, event: ExternalEvent) -> Link:
        return Link(
            activity_id=item.activity_id,
            external_id=event.id,
            external_etag=event.etag,
            crm_hash=item.hash,
            external_hash=event_hash(event),
            recurrence_id=event.recurrence_id,
            origin=self._origin(item),
            external_private=event.private,
        )

    def _creation_key(self, item: CrmItem) -> str:
        """Stable across the retries of this run's create, new for every run.

        A retry after a lost answer reuses the key, so the provider finds the
        event it already made instead of making a second. A later run must
        not reuse it: the event it named may have been deleted since (a type
        unticked, then ticked again), and a deleted event's id stays taken.
        An event created by a run that died before recording its link is
        found by the next run through the activity id stamped into it.
        """
        return f"calbridge{self.target.account_id}a{item.activity_id}r{self.target.run_id}"

    def _origin(self, item: CrmItem) -> Side:
        previous = self._links_by_activity.get(item.activity_id)
        return Side.CRM if previous is None else previous.origin

    def _check_unchanged(self, conn: sa.Connection, activity_id: int) -> Activity:
        """The activity as the run read it, or `StaleActivity` if it changed since."""
        current = activity_store.get_activity(conn, activity_id)
        expected = self._read_revisions.get(activity_id)
        if current is None or (expected is not None and current.revision != expected):
            raise StaleActivity(f"activity {activity_id} changed during the run")
        return current

    def _activity_types(self, conn: sa.Connection) -> dict[str, ActivityType]:
        if self._types is None:
            self._types = list_activity_types(conn)
        return self._types

    def _wrote(self, conn: sa.Connection) -> None:
        self.outcome.written_revisions.append(current_revision(conn))

    def _save_link(self, conn: sa.Connection, link: Link) -> None:
        target = self.target
        sync_links.save_link(conn, target.account_id, target.calendar_id, link, self.now())

    def _drop_link(self, conn: sa.Connection, link: Link) -> None:
        sync_links.drop_link(conn, self.target.account_id, self.target.calendar_id, link.key)

    def _note_failure(
        self,
        conn: sa.Connection,
        action: Action,
        subject: dict[str, object],
        error: Exception | ProviderError,
    ) -> None:
        message = f"{type(action).__name__}: {error}"
        sync_links.record_item_error(conn, self.target.account_id, message, self.now(), **subject)
        self.outcome.failed += 1
        self.outcome.errors.append(message)
        if isinstance(action, ImportCreate | ImportUpdate | ImportDelete):
            self.outcome.import_failures += 1


def _linked(link: Link, crm_hash_now: str, event: ExternalEvent) -> Link:
    return dataclasses.replace(
        link,
        external_id=event.id,
        external_etag=event.etag,
        crm_hash=crm_hash_now,
        external_hash=event_hash(event),
    )


def _subject(action: Action) -> dict[str, object]:
    """Which item an action's error is recorded against: its activity, else its event."""
    match action:
        case PushCreate(item=item):
            return {"activity_id": item.activity_id}
        case ImportCreate(external=external):
            return {"external_id": external.event.id}
        case PushUpdate(link=link) | PushDelete(link=link) | ImportUpdate(link=link):
            return {"activity_id": link.activity_id}
        case ImportDelete(link=link) | RestoreActivity(link=link):
            return {"activity_id": link.activity_id}
        case Relink(link=link) | ForgetLink(link=link):
            return {"activity_id": link.activity_id}
    return {}


def _uid_for(target: Target, external: ExternalItem) -> str:
    """A uid for an event that has none (some APIs omit it): stable per account and event."""
    key = f"{target.account_id}/{external.event.id}/{external.event.recurrence_id or ''}"
    return f"calbridge-import-{hashlib.sha256(key.encode()).hexdigest()[:24]}"


def _id(activity: Activity) -> int:
    assert activity.id is not None
    return activity.id
