"""Activities <-> iCalendar text: parsing, rendering, masking, feeds, imports. Pure, no I/O.

- `activity_from_ical`: what a calendar client wrote, as an activity (`parse`).
- `render`: the object calendars receive, deterministic so ETags stay put (`render`).
- `render_masked`, `masked_uid`, `colleague_view`, `without_alarms`: what other users see (`mask`).
- `time_range`, `activity_time_range`, `is_recurring`: spans for SQL prefilters (`timerange`).
- `build_description`: the description pushed to external calendars (`description`).
- `split_calendar`: an .ics export cut into one object per UID (`split`).
- `feed_calendar`, `feed_chunks`: objects joined into one subscribable calendar (`feed`).

Every function raises `ICalError` (`errors`, a ValueError) for input it cannot use.

Import each from its module: the package itself loads nothing, so code that
needs one helper (the store reads `times`) does not pay for the rest (the
feed and masking code loads Radicale's item parser), which keeps short
commands short.
"""
