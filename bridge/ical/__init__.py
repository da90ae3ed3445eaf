"""Activities <-> iCalendar text: parsing, rendering, masking, feeds, imports. Pure, no I/O.

- `activity_from_ical`: what a calendar client wrote, as an activity (`parse`).
- `render`: the object calendars receive, deterministic so ETags stay put (`render`).
- `render_masked`, `masked_uid`, `colleague_view`, `without_alarms`: what other users see (`mask`).
- `time_range`, `activity_time_range`, `is_recurring`: spans for SQL prefilters (`timerange`).
- `build_description`: the description pushed to external calendars (`description`).
- `split_calendar`: an .ics export cut into one object per UID (`split`).
- `feed_calendar`, `feed_chunks`: objects joined into one subscribable calendar (`feed`).

Every function raises `ICalError` (a ValueError) for input it cannot use.
"""

from bridge.ical.description import build_description
from bridge.ical.errors import ICalError
from bridge.ical.feed import feed_calendar, feed_chunks
from bridge.ical.mask import colleague_view, masked_uid, render_masked, without_alarms
from bridge.ical.parse import activity_from_ical
from bridge.ical.render import component_kind, render
from bridge.ical.split import split_calendar
from bridge.ical.timerange import activity_time_range, is_recurring, time_range

__all__ = [
    "ICalError",
    "activity_from_ical",
    "activity_time_range",
    "build_description",
    "colleague_view",
    "component_kind",
    "feed_calendar",
    "feed_chunks",
    "is_recurring",
    "masked_uid",
    "render",
    "render_masked",
    "split_calendar",
    "time_range",
    "without_alarms",
]
