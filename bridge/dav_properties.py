"""Which properties of a user's activity calendars a client may change, and how long they may be.

The ``activities``, ``tasks`` and ``team`` calendars are views of the CRM:
what they hold (the supported components, the resource type) is CalBridge's
to say, and a client that changed it could lock its owner out (a VEVENT
calendar turned into a VTODO one refuses every event). They are protected
properties in RFC 4918's sense; only how a calendar looks (its name, colour,
description and place in the list) is the client's, within a size fit for
a name.
"""

from __future__ import annotations

from collections.abc import Mapping

EDITABLE = frozenset(
    {"D:displayname", "ICAL:calendar-color", "ICAL:calendar-order", "C:calendar-description"}
)
"""Properties (in Radicale's short form) a client may set or remove."""
MAX_VALUE_BYTES = 1024
"""The longest value, in UTF-8 bytes, an editable property may have."""


class PropertiesRefused(Exception):
    """A PROPPATCH that must change nothing, and why, property by property.

    Deliberately not a ValueError: Radicale answers those with a bare 400,
    while this one is answered with RFC 4918's 207 (`bridge.web.dav_proppatch`).
    """

    def __init__(self, protected: frozenset[str], too_long: frozenset[str]) -> None:
        super().__init__(f"protected: {sorted(protected)}; too long: {sorted(too_long)}")
        self.protected = protected
        self.too_long = too_long


def check_changes(current: Mapping[str, str], wanted: Mapping[str, str]) -> None:
    """Raise PropertiesRefused unless going from `current` to `wanted` changes only what may change.

    Both are all of a calendar's properties, before and after the PROPPATCH.
    """
    changed = {
        name for name in current.keys() | wanted.keys() if current.get(name) != wanted.get(name)
    }
    protected = frozenset(changed - EDITABLE)
    too_long = frozenset(
        name
        for name in changed & EDITABLE
        if len((wanted.get(name) or "").encode("utf-8")) > MAX_VALUE_BYTES
    )
    if protected or too_long:
        raise PropertiesRefused(protected, too_long)
