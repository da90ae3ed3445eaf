"""One sync run of one account: read both sides, plan, apply, and record how it went.

The order matters for safety. The CRM revision is read before the CRM
side, so a change made during the run wakes the next one. The calendar is
listed before anything is written, and its cursor is saved only after the
run applied what the listing returned (and not at all if an import
failed, so those events are listed again). A dangerous plan (the
mass-deletion guard) is not applied at all; the account then waits for the
user. Failures of the whole run back off exponentially, with jitter, and
follow the API's Retry-After when it gave one.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, replace

import sqlalchemy as sa

from bridge.accounts import AccountState, CalendarAccount
from bridge.providers import (
    CalendarProvider,
    ChangePage,
    CursorExpired,
    GrantRevoked,
    ProviderError,
    RateLimited,
)
from bridge.store import sync_accounts, sync_links, sync_runs
from bridge.store.db import writing
from bridge.store.revisions import current_revision
from bridge.store.schema import activities
from bridge.store.sync_accounts import RunTotals
from bridge.store.sync_runs import RunCounts, RunOutcome
from bridge.sync.executor import Executor, Outcome, SettingsChanged, Target, settled
from bridge.sync.guard import DEFAULT_LIMITS, DeletionChoice, DeletionLimits
from bridge.sync.model import Plan
from bridge.sync.planner import plan
from bridge.sync.sides import Descriptions, crm_changes, crm_side, external_side

log = logging.getLogger(__name__)

MAX_BACKOFF = dt.timedelta(hours=1)
MAX_PASSES = 2
MAX_RESTARTS = 3
"""Times a run starts over after its settings changed, before it goes on regardless."""
FULL_READ_EVERY = dt.timedelta(hours=1)
"""How often a run reads both sides in full rather than what changed since the last
run: this is what notices what no revision or sync token reports (a linked deal
renamed, an activity the moving window now reaches, occurrences a changed series
no longer has)."""
ECHO_PASS_WRITES = 1000
"""Calendar writes after which a run reads its echoes back at once (see `_sync`): fewer
fit in the one listing page the next run makes anyway, so reading them now would only
add a request."""
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class RunResult:
    outcome: RunOutcome
    counts: RunCounts
    message: str = ""


def run_account(
    engine: sa.Engine,
    account_id: int,
    provider: CalendarProvider,
    *,
    interval: dt.timedelta,
    now: Clock = utc_now,
    limits: DeletionLimits = DEFAULT_LIMITS,
) -> RunResult:
    """Sync the account once with `provider` (built for it) and record the run.

    `limits` are the mass-deletion guard's (`bridge.sync.guard`)."""
    with writing(engine) as conn:
        account = sync_accounts.require_account(conn, account_id)
        run_id = sync_runs.start_run(conn, account_id, now())
        sync_links.drop_links_outside(conn, account_id, account.settings.calendar_id)
    try:
        run = _Run(engine, provider, run_id, interval, now, limits)
        result = _sync_settled(run, account)
    except GrantRevoked as error:
        result = _failed(engine, account, now, error, AccountState.NEEDS_RECONNECT, None)
    except ProviderError as error:
        retry_at = now() + _backoff(engine, account, interval, error)
        result = _failed(engine, account, now, error, None, retry_at)
    except Exception as error:
        log.exception("sync run of account %s failed", account_id)
        retry_at = now() + _backoff(engine, account, interval, error)
        result = _failed(engine, account, now, error, None, retry_at)
    with writing(engine) as conn:
        sync_runs.finish_run(conn, run_id, now(), result.outcome, result.counts, result.message)
    return result


@dataclass(frozen=True)
class _Run:
    """What one run works with, whatever account state it starts (or starts over) from."""

    engine: sa.Engine
    provider: CalendarProvider
    run_id: int
    interval: dt.timedelta
    now: Clock
    limits: DeletionLimits


def _sync_settled(run: _Run, account: CalendarAccount) -> RunResult:
    """`_sync`, started over with the new settings when they change during it.

    Whatever the run wrote before the change was right under the settings of
    that moment; the new settings make the next pass read both sides in full
    (`save_settings`), which brings all of it in line.
    """
    for _ in range(MAX_RESTARTS):
        try:
            return _sync(run, account)
        except SettingsChanged:
            log.info("settings of account %s changed during its run: starting over", account.id)
            with writing(run.engine) as conn:
                account = sync_accounts.require_account(conn, account.id)
                sync_links.drop_links_outside(conn, account.id, account.settings.calendar_id)
            if account.state is not AccountState.ACTIVE:
                return RunResult(RunOutcome.OK, RunCounts(), "stopped during the run")
    return _sync(run, account)


def _sync(run: _Run, account: CalendarAccount) -> RunResult:
    """Up to `MAX_PASSES` passes: after many calendar writes, list once more at once.

    The second pass reads back the run's own writes (recognised as echoes,
    so it writes nothing unless someone changed something meanwhile), which
    moves the cursor past them: after a big push, the next run then lists
    only what changed since, instead of paging through the push. After a
    failed item there is no second pass: it would only try that item again.
    """
    engine, provider, now = run.engine, run.provider, run.now
    calendar_id = account.settings.calendar_id
    requests_before = provider.requests_made
    started_at = now()
    with engine.connect() as conn:
        crm_revision = current_revision(conn)
    full_read_due = (
        account.crm_full_at is None or started_at - account.crm_full_at >= FULL_READ_EVERY
    )
    cursor = None if full_read_due else account.cursor_for(calendar_id)
    since = None if full_read_due else account.crm_revision_seen
    read_in_full = False
    total = Outcome()
    for _ in range(MAX_PASSES):
        page = _listing(provider, calendar_id, cursor, account.settings.window(now()))
        page = _stamped(run, account, page)
        pass_since = None if page.full_listing else since
        read_in_full = read_in_full or pass_since is None
        outcome = _apply(run, account, page, pass_since)
        if isinstance(outcome, Plan):
            return _needs_attention(engine, account, now, outcome)
        total.add(outcome)
        if outcome.import_failures:
            break
        with settled(engine, account.id, account.settings) as conn:
            sync_accounts.save_cursor(conn, account.id, calendar_id, page.cursor, now())
        cursor = page.cursor
        since = crm_revision
        if outcome.calendar_writes < ECHO_PASS_WRITES or outcome.failed:
            break
    with settled(engine, account.id, account.settings) as conn:
        totals = RunTotals(total.pushed, total.imported, total.failed)
        seen = _revision_seen(conn, account.user_id, crm_revision, total)
        sync_accounts.record_success(
            conn,
            account.id,
            now(),
            totals,
            crm_revision_seen=seen,
            next_run_at=now() + run.interval,
            started_at=started_at,
            crm_full_at=started_at if read_in_full else None,
        )
    message = "; ".join(total.errors[:5])
    return RunResult(
        RunOutcome.OK, _counts(total, provider.requests_made - requests_before), message
    )


def _apply(
    run: _Run, account: CalendarAccount, page: ChangePage, since: int | None
) -> Outcome | Plan:
    """Plan one listing against the CRM as it is now and apply it, or the plan that held.

    The CRM side is read in full when `since` is None, else only what
    changed after that revision and what the listed events concern.
    """
    engine = run.engine
    settings = account.settings
    calendar_id = settings.calendar_id
    snapshot_time = run.now()
    window = settings.window(snapshot_time)
    with engine.connect() as conn:
        links = sync_links.links_of(conn, account.id, calendar_id)
        describe = Descriptions(conn, settings, account.id)
        if since is None:
            crm_items = crm_side(
                conn, account.id, account.user_id, settings, window, describe, page.events
            )
            scope = None
        else:
            changes = crm_changes(
                conn,
                account.id,
                account.user_id,
                settings,
                window,
                describe,
                since=since,
                links=links,
                events=page.events,
                complete_series=page.complete_series,
            )
            crm_items, scope = changes.items, changes.scope
    decided = plan(
        links,
        crm_items,
        external_side(page.events),
        settings,
        full_listing=page.full_listing,
        snapshot_time=snapshot_time,
        crm_scope=scope,
        complete_series=page.complete_series,
        choice=_choice(account),
        limits=run.limits,
    )
    if decided.needs_attention is not None:
        return decided
    target = Target(account.id, calendar_id, account.user_id, settings.import_type_key, run.run_id)
    with engine.connect() as conn:
        executor = Executor(
            engine,
            run.provider,
            target,
            settings,
            Descriptions(conn, settings, account.id),
            links=links,
            crm_items=crm_items,
            now=run.now,
        )
        return executor.apply(decided.actions)


def _choice(account: CalendarAccount) -> DeletionChoice | None:
    return None if account.deletion_choice is None else DeletionChoice(account.deletion_choice)


def _needs_attention(
    engine: sa.Engine, account: CalendarAccount, now: Clock, held: Plan
) -> RunResult:
    """The guard held the run's deletions: nothing was applied, the owner must choose."""
    message = held.needs_attention or ""
    log.warning("account %s needs attention: %s", account.id, message)
    with writing(engine) as conn:
        sync_accounts.hold_deletions(
            conn, account.id, now(), message, [item.to_json() for item in held.held]
        )
    return RunResult(RunOutcome.NEEDS_ATTENTION, RunCounts(), message)


def _listing(
    provider: CalendarProvider,
    calendar_id: str,
    cursor: str | None,
    window: tuple[dt.datetime, dt.datetime],
) -> ChangePage:
    """The changes since the cursor; a full listing when there is none or it expired."""
    if cursor is not None:
        try:
            return provider.list_changes(calendar_id, cursor, window)
        except CursorExpired:
            log.info("cursor expired for calendar %s: listing in full", calendar_id)
    return provider.list_changes(calendar_id, None, window)


def _stamped(run: _Run, account: CalendarAccount, page: ChangePage) -> ChangePage:
    """`page` with the stamps of the events no link knows, for a provider that lists none.

    Only those stamps decide anything (an unlinked stamped event is CalBridge's
    own, to be matched, never imported again); a linked event is known by its
    key. So a run whose listing holds only echoes and edits of linked events
    asks for nothing.
    """
    if run.provider.lists_stamps:
        return page
    calendar_id = account.settings.calendar_id
    listed = list(dict.fromkeys(e.id for e in page.events if e.status == "confirmed"))
    if not listed:
        return page
    with run.engine.connect() as conn:
        known = sync_links.linked_ids(conn, account.id, calendar_id, listed)
    unknown = [event_id for event_id in listed if event_id not in known]
    if not unknown:
        return page
    stamps = run.provider.read_stamps(calendar_id, unknown)
    events = tuple(
        replace(event, activity_stamp=stamps[event.id]) if event.id in stamps else event
        for event in page.events
    )
    return replace(page, events=events)


def _revision_seen(conn: sa.Connection, owner_id: int, read_at: int, outcome: Outcome) -> int:
    """The CRM revision this run covers, so the worker is not woken by the run's own writes.

    Revisions past `read_at` that are all the run's own imports are covered;
    any other change since `read_at` (the user edited something during the
    run) keeps the mark at `read_at`, so the next run comes at once.
    """
    if outcome.last_revision <= read_at:
        return read_at
    c = activities.c
    others = conn.execute(
        sa.select(sa.func.count())
        .select_from(activities)
        .where(
            c.owner_id == owner_id,
            c.revision > read_at,
            c.revision.not_in(outcome.written_revisions),
        )
    ).scalar_one()
    return outcome.last_revision if others == 0 else read_at


def _failed(
    engine: sa.Engine,
    account: CalendarAccount,
    now: Clock,
    error: Exception,
    state: AccountState | None,
    retry_at: dt.datetime | None,
) -> RunResult:
    # A refused grant or password is the user's to fix: the provider's words say
    # which server refused what; the exception's class name would only puzzle.
    message = str(error) if isinstance(error, GrantRevoked) else f"{type(error).__name__}: {error}"
    with writing(engine) as conn:
        sync_accounts.record_failure(
            conn, account.id, now(), message, next_run_at=retry_at, state=state
        )
    outcome = (
        RunOutcome.NEEDS_RECONNECT if state is AccountState.NEEDS_RECONNECT else RunOutcome.ERROR
    )
    return RunResult(outcome, RunCounts(), message)


def _backoff(
    engine: sa.Engine, account: CalendarAccount, interval: dt.timedelta, error: Exception
) -> dt.timedelta:
    """Retry-After when the API gave one; else doubling per failed run in a row, with jitter."""
    if isinstance(error, RateLimited) and error.retry_after is not None:
        return dt.timedelta(seconds=error.retry_after)
    with engine.connect() as conn:
        recent = sync_runs.recent_runs(conn, account.id, limit=8)
    failures = 0
    for run in recent[1:]:
        if run.outcome is not RunOutcome.ERROR:
            break
        failures += 1
    ceiling = min(MAX_BACKOFF, interval * 2**failures)
    return ceiling / 2 + ceiling / 2 * random.random()


def _counts(outcome: Outcome, requests: int) -> RunCounts:
    return RunCounts(
        pushed=outcome.pushed,
        imported=outcome.imported,
        deleted=outcome.deleted,
        failed=outcome.failed,
        requests=requests,
    )
