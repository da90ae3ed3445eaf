"""The X-CALBRIDGE- properties: CRM fields that iCalendar has no property for.

Rendering writes them and parsing reads them back, so a calendar client that
keeps unknown properties (as CalDAV clients must) returns them untouched.
"""

from __future__ import annotations

TYPE = "X-CALBRIDGE-TYPE"
DONE = "X-CALBRIDGE-DONE"
TRANSP = "X-CALBRIDGE-TRANSP"
"""Busy or free for a VTODO, where RFC 5545 does not allow TRANSP."""
LINKS = (
    ("deal_id", "X-CALBRIDGE-DEAL"),
    ("person_id", "X-CALBRIDGE-PERSON"),
    ("org_id", "X-CALBRIDGE-ORG"),
)
"""(Activity field, property) for the CRM records an activity points to."""

DEFINED = frozenset({TYPE, DONE, TRANSP, *(name for _, name in LINKS)})
"""The X-CALBRIDGE- properties rendering writes; a client's other X-CALBRIDGE- lines are its own."""
TYPE_CATEGORY = "X-CALBRIDGE-TYPE"
"""The parameter marking the CATEGORIES line CalBridge writes for the activity type.

The client's own CATEGORIES lines are carried as they are; the marked one
is rewritten, so a type changed in the CRM never leaves the old one behind.
"""
