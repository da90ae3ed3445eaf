"""Bulk import of .ics files into a user's activities, and export back out.

An import can hold a hundred thousand events, so it works in batches: each
batch is parsed outside any transaction (in worker processes for big files,
while this process writes), then checked for UIDs the user already has with
one query and written with one multi-row insert in its own short
transaction, so CalDAV clients and other users are not blocked for the
length of the file. Objects that cannot be parsed or stored are reported with
their reason and the rest go in; a bad object costs its batch a slower,
row-by-row retry, never the import.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace

import sqlalchemy as sa

from bridge import errors
from bridge.domain import TASK_TYPE_KEY, Activity, ActivityType, User
from bridge.ical.errors import ICalError
from bridge.ical.feed import feed_calendar
from bridge.ical.parse import activity_from_ical
from bridge.ical.split import split_calendar
from bridge.store.activities import ActivityError, Scope, feed_rows, insert_many
from bridge.store.crm import list_activity_types
from bridge.store.db import writing
from bridge.store.hrefs import href_for
from bridge.store.schema import activities, deals, organizations, persons
from bridge.store.users import get_user

BATCH_SIZE = 1000
# Spawning workers costs about a second, so only files of several batches use them.
PARALLEL_FROM = 5
MAX_WORKERS = 8
# To-dos that name no type of their own become tasks, as in a CalDAV task list.
_TODO = re.compile(r"^BEGIN:VTODO\r?$", re.MULTILINE | re.IGNORECASE)
_LINKS = (("deal_id", deals), ("person_id", persons), ("org_id", organizations))

Progress = Callable[[int, int], None]
"""Called with (objects processed, objects in the file) after every batch."""


class TransferError(errors.InvalidInput):
    """An import or export that cannot start (unknown activity type, not a calendar file)."""


@dataclass(frozen=True)
class Failure:
    """One object that was not imported; ``position`` counts objects from 1."""

    position: int
    uid: str
    reason: str


@dataclass
class ImportReport:
    imported: int = 0
    skipped: int = 0
    failed: list[Failure] = field(default_factory=list)


@dataclass(frozen=True)
class _Parsed:
    position: int
    activity: Activity


def import_calendar(
    engine: sa.Engine,
    text: str,
    *,
    login: str,
    type_key: str | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Add every object of an iCalendar file to ``login``'s activities.

    Objects whose UID the user already has (or that repeat a UID earlier in
    the file) are skipped, so importing the same file twice is harmless.
    Events that name no known type of their own get ``type_key``, or the
    user's default import type; to-dos get the task type. Links to deals,
    people or organizations this database does not have are dropped.

    ``workers`` is how many processes parse while this one writes: 0 parses
    here, None picks by file size and CPU count.
    """
    with engine.connect() as conn:
        user = get_user(conn, login)
        types = list_activity_types(conn)
    default_type = type_key or user.default_import_type
    if default_type not in types:
        raise TransferError(f"unknown activity type {default_type!r}")
    try:
        objects = split_calendar(text)
    except ICalError as unreadable:  # the file as a whole: nothing to import
        raise TransferError(str(unreadable)) from None
    chunks = [
        (start, objects[start : start + batch_size]) for start in range(0, len(objects), batch_size)
    ]
    parser = _Parser(user.id, frozenset(types), default_type)
    report = ImportReport()
    seen: set[str] = set()
    with _mapper(len(chunks), workers) as parse_all:
        for (start, chunk), (parsed, failures) in zip(
            chunks, parse_all(parser, chunks), strict=True
        ):
            report.failed.extend(failures)
            with writing(engine) as conn:
                fresh = _without_dangling_links(conn, _unseen(conn, user, parsed, seen))
                report.skipped += len(parsed) - len(fresh)
                report.imported += _insert(conn, fresh, types, report)
            if progress is not None:
                progress(start + len(chunk), len(objects))
    report.failed.sort(key=lambda failure: failure.position)
    return report


@contextlib.contextmanager
def _mapper(chunks: int, workers: int | None) -> Iterator[Callable[..., Iterator]]:
    """``map`` here, or over worker processes when the file is big enough to pay for them.

    Parsing costs more than writing, and it needs no database, so workers
    parse the next batches while this process writes the current one. They
    are spawned, not forked: a fork would copy the engine's pool and any
    lock a thread (the progress bar's) holds at that moment.
    """
    if workers is None:
        cpus = os.cpu_count() or 1
        workers = min(MAX_WORKERS, max(1, cpus - 1)) if chunks >= PARALLEL_FROM else 0
    if workers == 0:
        yield map
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        yield pool.map
    finally:
        pool.shutdown(cancel_futures=True)


@dataclass(frozen=True)
class _Parser:
    """Turns one chunk of objects into activities; picklable, so a worker process can run it."""

    owner_id: int
    type_keys: frozenset[str]
    default_type: str

    def __call__(self, chunk: tuple[int, Sequence[str]]) -> tuple[list[_Parsed], list[Failure]]:
        start, objects = chunk
        parsed: list[_Parsed] = []
        failures: list[Failure] = []
        for position, text in enumerate(objects, start=start + 1):
            fallback = TASK_TYPE_KEY if _TODO.search(text) else self.default_type
            try:
                activity = activity_from_ical(
                    text, owner_id=self.owner_id, default_type_key=fallback
                )
            except ICalError as error:
                failures.append(Failure(position, _uid_hint(text), str(error)))
                continue
            if activity.type_key not in self.type_keys:
                activity = replace(activity, type_key=fallback)
            parsed.append(_Parsed(position, activity))
        return parsed, failures


def _uid_hint(text: str) -> str:
    """The UID of an object that failed to parse, for the report; best effort."""
    for line in text.splitlines():
        if line.upper().startswith("UID:"):
            return line[4:].strip()
    return ""


def _unseen(
    conn: sa.Connection, user: User, parsed: list[_Parsed], seen: set[str]
) -> list[_Parsed]:
    """The activities whose UID and href are free, found with one query for the batch.

    Hrefs count too: a CalDAV client may have stored an object under a name
    that an imported UID would take.
    """
    c = activities.c
    uids = [item.activity.uid for item in parsed]
    hrefs = [_href(item.activity) for item in parsed]
    taken = conn.execute(
        sa.select(c.uid, c.href).where(
            c.owner_id == user.id,
            c.deleted_at.is_(None),
            sa.or_(c.uid.in_(uids), c.href.in_(hrefs)),
        )
    ).all()
    taken_uids = {row.uid for row in taken} | seen
    taken_hrefs = {row.href for row in taken}
    fresh: list[_Parsed] = []
    for item in parsed:
        uid, href = item.activity.uid, _href(item.activity)
        if uid not in taken_uids and href not in taken_hrefs:
            fresh.append(item)
            taken_hrefs.add(href)
        taken_uids.add(uid)
    seen.update(uids)
    return fresh


def _without_dangling_links(conn: sa.Connection, batch: list[_Parsed]) -> list[_Parsed]:
    """Drop link ids (from X-CALBRIDGE- properties) that point nowhere in this database.

    A file exported elsewhere carries the other database's ids; keeping
    them would make the rows fail their foreign keys.
    """
    for name, table in _LINKS:
        wanted = {getattr(item.activity, name) for item in batch} - {None}
        if not wanted:
            continue
        query = sa.select(table.c.id).where(table.c.id.in_(wanted))
        dangling = wanted - set(conn.execute(query).scalars())
        batch = [
            _Parsed(item.position, replace(item.activity, **{name: None}))
            if getattr(item.activity, name) in dangling
            else item
            for item in batch
        ]
    return batch


def _href(activity: Activity) -> str:
    return activity.href or href_for(activity.uid)


def _insert(
    conn: sa.Connection,
    batch: list[_Parsed],
    types: dict[str, ActivityType],
    report: ImportReport,
) -> int:
    """Insert a batch at once; if anything in it is refused, retry it row by row."""
    try:
        with conn.begin_nested():
            return insert_many(conn, [item.activity for item in batch], types)
    except (ActivityError, ICalError, sa.exc.IntegrityError) as error:
        if len(batch) == 1:
            report.failed.append(Failure(batch[0].position, batch[0].activity.uid, _reason(error)))
            return 0
    return sum(_insert(conn, [item], types, report) for item in batch)


def _reason(error: Exception) -> str:
    if isinstance(error, sa.exc.IntegrityError):
        return f"refused by the database: {str(error.orig).splitlines()[0]}"
    return str(error)


def export_calendar(engine: sa.Engine, login: str) -> str:
    """All of ``login``'s activities as one VCALENDAR, private ones and done ones included."""
    with engine.connect() as conn:
        user = get_user(conn, login)
        rows = feed_rows(conn, Scope(user.id), type_keys=None, include_done=True, window=None)
    return feed_calendar((row.ical for row in rows), user.name)
