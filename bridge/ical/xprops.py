"""The X-CALBRIDGE- properties: CRM fields that iCalendar has no property for.

Rendering writes them and parsing reads them back, so a calendar client that
keeps unknown properties (as CalDAV clients must) returns them untouched.
"""

from __future__ import annotations

PREFIX = "X-CALBRIDGE-"
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
