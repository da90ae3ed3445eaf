"""The iCal feed door: ``GET /feeds/<token>.ics``, a secret read-only calendar URL.

It serves clients that can only subscribe (Google Calendar "From URL", Outlook
"Subscribe"). The token in the path is the only credential, so it is looked up
by its SHA-256 digest (`bridge.store.feeds.find_feed`): the lookup costs the
same whatever the token, and an unknown and a revoked token take the same path
to the same 404. Nothing is padded after that: the status code already tells
the caller what a timing difference could.

An "own" feed shows its owner's activities as stored, private ones included
(the URL is the owner's secret). A "team" feed shows everyone else's: a
private activity becomes an opaque busy block (`ical.render_masked`) that the
type and done filters never look at, since the reader must not learn its type
or state from which feed shows it; other activities lose their alarms, which
are their owners' reminders.

Subscribers poll every few minutes, so validators come from a cheap
fingerprint of the scope, and a conditional request is answered 304 without
reading a single activity text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, QueryParams
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

import bridge
from bridge.ical.feed import feed_calendar
from bridge.ical.mask import colleague_view, render_masked
from bridge.ical.times import utc
from bridge.store import activities, crm, users
from bridge.store.feeds import FeedToken, find_feed
from bridge.store.revisions import current_revision

MAX_DAYS = 3650
DAY_SECONDS = 86_400
# Bounds for the open side of a one-sided window, well inside a 64-bit column.
_FOREVER = 2**62
_DAYS_PATTERN = re.compile(r"[0-9]{1,4}")
_CACHE_CONTROL = "private, max-age=300"


class QueryError(ValueError):
    """A feed URL parameter that cannot be honoured; the message is shown to the caller."""


@dataclass(frozen=True)
class FeedQuery:
    """What a feed URL's parameters ask for; ``None`` means "no limit"."""

    types: tuple[str, ...] | None = None
    include_done: bool = True
    past_days: int | None = None
    future_days: int | None = None

    @classmethod
    def parse(cls, params: QueryParams, known_types: frozenset[str]) -> FeedQuery:
        """Read ``types``, ``done``, ``past_days`` and ``future_days``; ignore anything else.

        Other parameters are ignored rather than refused because subscribing
        clients and link shorteners append their own (cache busters, tracking).
        """
        done = params.get("done")
        past = params.get("past_days")
        future = params.get("future_days")
        return cls(
            types=_types(params.getlist("types"), known_types) if "types" in params else None,
            include_done=True if done is None else _done(done),
            past_days=None if past is None else _days("past_days", past),
            future_days=None if future is None else _days("future_days", future),
        )

    @property
    def windowed(self) -> bool:
        return self.past_days is not None or self.future_days is not None

    def window(self, today: dt.date) -> tuple[int, int] | None:
        """The time range shown, in epoch seconds, in whole UTC days.

        Whole days make the feed change at midnight UTC and not in between,
        which is what lets the ETag carry the date instead of the time.
        """
        if not self.windowed:
            return None
        midnight = int(dt.datetime.combine(today, dt.time(0), dt.UTC).timestamp())
        start = -_FOREVER if self.past_days is None else midnight - self.past_days * DAY_SECONDS
        end = (
            _FOREVER
            if self.future_days is None
            else midnight + (self.future_days + 1) * DAY_SECONDS
        )
        return start, end

    def admits(self, type_key: str, done: bool) -> bool:
        """The type and done filters, for rows fetched without them."""
        return (self.types is None or type_key in self.types) and (self.include_done or not done)


def _types(values: list[str], known_types: frozenset[str]) -> tuple[str, ...]:
    named = (key.strip() for value in values for key in value.split(","))
    keys = tuple(dict.fromkeys(key for key in named if key))
    if not keys:
        raise QueryError("types must name at least one activity type")
    unknown = [key for key in keys if key not in known_types]
    if unknown:
        raise QueryError(
            f"unknown activity types: {', '.join(unknown)}; "
            f"known types: {', '.join(sorted(known_types))}"
        )
    return keys


def _done(value: str) -> bool:
    if value not in ("0", "1"):
        raise QueryError("done must be 0 (hide done activities) or 1 (show them)")
    return value == "1"


def _days(name: str, value: str) -> int:
    if not _DAYS_PATTERN.fullmatch(value) or int(value) > MAX_DAYS:
        raise QueryError(f"{name} must be a whole number of days from 0 to {MAX_DAYS}")
    return int(value)


class _ScopeStates:
    """Scope states, recomputed only when the global activity revision has moved.

    `feed_fingerprint` scans every row of a scope
    (milliseconds for ten thousand activities, and the team scope is nearly
    the whole table), while the revision counter is one row. Every save and
    delete bumps the counter, so while it stands still a poll is answered from
    memory. The memory is per process and bounded; a miss just recomputes.
    Rows removed without a revision (a user deleted with everything they own)
    show up at the next activity change.
    """

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._entries: OrderedDict[activities.Scope, tuple[int, activities.Fingerprint]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def get(self, conn: sa.Connection, scope: activities.Scope) -> activities.Fingerprint:
        revision = current_revision(conn)
        with self._lock:
            entry = self._entries.get(scope)
        if entry is not None and entry[0] == revision:
            return entry[1]
        state = activities.feed_fingerprint(conn, scope)
        with self._lock:
            self._entries[scope] = (revision, state)
            self._entries.move_to_end(scope)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return state


@dataclass(frozen=True)
class _Head:
    """All a conditional request needs, found without reading any activity text."""

    feed: FeedToken
    title: str
    known_types: frozenset[str]
    state: activities.Fingerprint

    @property
    def scope(self) -> activities.Scope:
        return _scope(self.feed)


def _scope(feed: FeedToken) -> activities.Scope:
    return activities.Scope(feed.user_id, team=feed.scope == "team")


def _look_up(engine: sa.Engine, states: _ScopeStates, token: str, with_types: bool) -> _Head | None:
    """The feed behind a token and its validators; the type keys only when a filter names some."""
    with engine.connect() as conn:
        feed = find_feed(conn, token)
        if feed is None:
            return None
        return _Head(
            feed=feed,
            title=_title(conn, feed),
            known_types=frozenset(crm.list_activity_types(conn) if with_types else ()),
            state=states.get(conn, _scope(feed)),
        )


def _title(conn: sa.Connection, feed: FeedToken) -> str:
    if feed.scope == "team":
        return "CalBridge team"
    owner = users.user_by_id(conn, feed.user_id)
    return f"CalBridge — {owner.name if owner else feed.login}"


@dataclass(frozen=True)
class _Validators:
    etag: str
    last_modified: dt.datetime

    @classmethod
    def of(cls, head: _Head, query: FeedQuery, today: dt.date) -> _Validators:
        """ETag and Last-Modified of the feed a request would get.

        The ETag covers everything the body depends on: the feed, the scope's
        fingerprint, the owner's name, the parameters, the code version and,
        for windowed feeds, the UTC date. It is weak because the body is read
        after it: a change in between pairs it with newer, equivalent content.
        Last-Modified is the scope's last change, but never before the feed
        existed nor, for windowed feeds, before the day began.
        """
        day = today if query.windowed else None
        material = repr(
            (
                bridge.__version__,
                head.feed.id,
                head.state.revision,
                head.state.live_count,
                head.title,
                query,
                day,
            )
        )
        etag = f'W/"{hashlib.sha256(material.encode()).hexdigest()[:32]}"'
        last_modified = max(head.state.last_change, utc(head.feed.created_at))
        if day is not None:
            last_modified = max(last_modified, dt.datetime.combine(day, dt.time(0), dt.UTC))
        return cls(etag, last_modified.replace(microsecond=0))

    def headers(self) -> dict[str, str]:
        return {
            "ETag": self.etag,
            "Last-Modified": format_datetime(self.last_modified, usegmt=True),
            "Cache-Control": _CACHE_CONTROL,
        }

    def fresh_for(self, headers: Headers) -> bool:
        """Whether the caller's copy is current (RFC 9110 13.1.2 and 13.1.3).

        If-None-Match wins when present; If-Modified-Since is only a fallback.
        """
        if_none_match = headers.get("if-none-match")
        if if_none_match is not None:
            return _etag_listed(if_none_match, self.etag)
        since = _http_date(headers.get("if-modified-since"))
        return since is not None and self.last_modified <= since


def _etag_listed(header: str, etag: str) -> bool:
    """Weak comparison of our ETag against an If-None-Match list."""
    if header.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == opaque for tag in header.split(","))


def _http_date(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return utc(moment)


def _render(
    engine: sa.Engine, head: _Head, query: FeedQuery, today: dt.date, masking_key: bytes
) -> str:
    """The feed body, from the stored texts; private activities masked under `masking_key`."""
    window = query.window(today)
    with engine.connect() as conn:
        if head.feed.scope == "team":
            texts = _team_texts(conn, head.scope, query, window, masking_key)
        else:
            texts = _own_texts(conn, head.scope, query, window)
    return feed_calendar(texts, head.title)


def _own_texts(
    conn: sa.Connection, scope: activities.Scope, query: FeedQuery, window: tuple[int, int] | None
) -> list[str]:
    rows = activities.feed_rows(
        conn, scope, type_keys=query.types, include_done=query.include_done, window=window
    )
    return [row.ical for row in rows]


def _team_texts(
    conn: sa.Connection,
    scope: activities.Scope,
    query: FeedQuery,
    window: tuple[int, int] | None,
    masking_key: bytes,
) -> list[str]:
    """Others' activities: private ones masked and exempt from the type and done filters.

    A public series' private occurrences are masked too (`ical.colleague_view`).
    """
    rows = activities.feed_rows(conn, scope, type_keys=None, include_done=True, window=window)
    rows = [row for row in rows if row.private or query.admits(row.type_key, row.done)]
    private = {
        activity.id: activity
        for activity in activities.by_ids(conn, [row.id for row in rows if row.private])
    }
    # On PostgreSQL each statement sees the latest commits: an activity deleted between the
    # two reads is missing from `private`, and being gone it is left out.
    return [
        render_masked(private[row.id], masking_key) if row.private else colleague_view(row.ical)
        for row in rows
        if not row.private or row.id in private
    ]


def feed_routes(engine: sa.Engine, masking_key: bytes) -> list[BaseRoute]:
    """``GET``/``HEAD /feeds/{token}.ics`` over ``engine``.

    `masking_key` is the key of the UIDs private activities are masked under
    (`bridge.secrets.masking_key`).

    Answers 404 for an unknown or revoked token, 400 for a bad parameter,
    304 when the caller's ETag (or date) is current, else the calendar.
    """

    states = _ScopeStates()

    async def serve_feed(request: Request) -> Response:
        head = await run_in_threadpool(
            _look_up, engine, states, request.path_params["token"], "types" in request.query_params
        )
        if head is None:
            return PlainTextResponse("No such feed.\n", status_code=404)
        try:
            query = FeedQuery.parse(request.query_params, head.known_types)
        except QueryError as error:
            return PlainTextResponse(f"{error}\n", status_code=400)
        today = dt.datetime.now(dt.UTC).date()
        validators = _Validators.of(head, query, today)
        if validators.fresh_for(request.headers):
            return Response(status_code=304, headers=validators.headers())
        body = await run_in_threadpool(_render, engine, head, query, today, masking_key)
        return Response(
            body,
            media_type="text/calendar; charset=utf-8",
            headers={
                **validators.headers(),
                "Content-Disposition": 'inline; filename="calbridge.ics"',
            },
        )

    return [Route("/feeds/{token}.ics", serve_feed, methods=["GET", "HEAD"])]
