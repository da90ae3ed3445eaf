"""What is synced of an item, both ways: activity -> event draft, event -> activity, normal form.

Both directions live here so they cannot drift apart: an activity pushed
with `draft_for` and read back from the provider has the same `normalised`
content as the draft, which is what lets the planner recognise its own
echoes. The internal `note`, deal links and other CRM-only fields are never
part of the content.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from bridge.domain import Activity
from bridge.ical import times
from bridge.ical.description import strip_crm_block
from bridge.ical.times import event_span, utc_seconds
from bridge.providers import EventDraft, ExternalEvent, Moment


@dataclasses.dataclass(frozen=True)
class Content:
    """The synced fields in a normal form that does not depend on who wrote them.

    Text has `\\n` line ends and no trailing blanks; times are UTC to the
    second (dates when all-day); attendees are their lower-cased e-mails,
    sorted.
    """

    summary: str
    description: str
    location: str
    start: Moment
    end: Moment
    all_day: bool
    private: bool
    busy: bool
    attendees: tuple[str, ...]


def draft_for(activity: Activity, description: str) -> EventDraft:
    """The event a dated activity becomes; `description` is `bridge.ical.build_description`'s.

    The activity id is stamped into the draft so the event is recognised as
    ours even when its link row is lost.
    """
    if activity.id is None or activity.due_date is None:
        raise ValueError("only stored, dated activities are pushed")
    start, end = event_span(activity)
    return EventDraft(
        uid=activity.uid,
        summary=activity.subject,
        description=description,
        location=activity.location,
        start=start,
        end=start if end is None else end,
        all_day=activity.is_all_day,
        private=activity.private,
        busy=activity.busy,
        attendees=tuple(activity.attendees),
        activity_stamp=activity.id,
    )


BUSY = "Busy"


def busy_block(draft: EventDraft) -> EventDraft:
    """`draft` reduced to its time: what of a private activity may reach another calendar.

    Its uid is made from the activity id, which the event carries anyway
    (`activity_stamp`), so not even a hash of the original event's UID travels.
    """
    return dataclasses.replace(
        draft,
        uid=f"busy-{draft.activity_stamp}@calbridge",
        summary=BUSY,
        description="",
        location="",
        private=True,
        busy=True,
        attendees=(),
    )


def normalised(event: ExternalEvent | EventDraft) -> Content:
    """The content of a draft or of an event as a provider returned it, in normal form."""
    return Content(
        summary=_text(event.summary),
        description=_text(event.description),
        location=_text(event.location),
        start=_moment(event.start, all_day=event.all_day),
        end=_moment(event.end, all_day=event.all_day),
        all_day=event.all_day,
        private=event.private,
        busy=event.busy,
        attendees=tuple(sorted({attendee.email.strip().lower() for attendee in event.attendees})),
    )


def apply_event(activity: Activity, event: ExternalEvent, *, private: bool) -> Activity:
    """A copy of `activity` carrying the event's content: what importing an event means.

    A deal/contact block CalBridge pushed is cut off the event's description
    (`strip_crm_block`), so it never comes back as public text, whatever the
    settings. `private` comes from the planner, which applies the visibility
    settings.
    """
    if event.all_day:
        start = _date(event.start)
        when = {"due_date": start, "due_time": None, "duration": _date(event.end) - start}
    else:
        start_at = utc_seconds(event.start)
        when = {
            "due_date": start_at.date(),
            "due_time": start_at.time(),
            "duration": utc_seconds(event.end) - start_at,
        }
    return dataclasses.replace(
        activity,
        subject=event.summary,
        public_description=_text(strip_crm_block(event.description)),
        location=event.location,
        busy=event.busy,
        private=private,
        attendees=list(event.attendees),
        **when,
    )


def activity_uid(event: ExternalEvent) -> str:
    """The uid an activity imported from `event` gets ("" when the event has no UID).

    Occurrences of one series share a UID, so theirs carries the recurrence
    id. An event pushed by CalBridge has the activity's uid, so matching on
    this finds the activity of an event whose link was lost.
    """
    if not event.uid or event.recurrence_id is None:
        return event.uid
    return f"{event.uid}/{event.recurrence_id}"


def _text(value: str) -> str:
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def _moment(value: Moment, *, all_day: bool) -> Moment:
    return _date(value) if all_day else utc_seconds(value)


def _date(value: Moment) -> dt.date:
    return utc_seconds(value).date() if isinstance(value, dt.datetime) else value


def overlaps(event: ExternalEvent | EventDraft, window: tuple[dt.datetime, dt.datetime]) -> bool:
    """Whether the event meets the sync window (an instant counts when it lies inside)."""
    return times.overlaps(event.start, event.end, window)
