"""ATTENDEE lines <-> `Attendee` values.

The CRM models an attendee's address, name and participation status only; a
client's other parameters (ROLE, RSVP, CUTYPE, X- parameters...) are kept on
the line of the same address when the CRM rewrites it.
"""

from __future__ import annotations

from bridge.domain import Attendee
from bridge.ical.lines import (
    Component,
    Property,
    parse_property,
    quote_param,
    unescape_param,
    unescape_text,
)

_MODELLED_PARAMS = ("CN", "PARTSTAT")


def address_email(value: str) -> str:
    """The e-mail address of a CAL-ADDRESS value (`mailto:` stripped, any case)."""
    value = value.strip()
    return value[7:] if value[:7].lower() == "mailto:" else value


def read_attendees(lines: list[str]) -> list[Attendee]:
    """The attendees of raw ATTENDEE lines, in order; lines without an address are skipped."""
    attendees = []
    for line in lines:
        prop = parse_property(line)
        email = address_email(unescape_text(prop.value))
        if email:
            name, status = prop.param("CN"), prop.param("PARTSTAT")
            attendees.append(
                Attendee(
                    email=email,
                    name=unescape_param(name).strip() if name is not None else "",
                    status=unescape_param(status).upper() if status is not None else "NEEDS-ACTION",
                )
            )
    return attendees


def attendee_lines(attendees: list[Attendee], source: Component) -> list[str]:
    """ATTENDEE lines for `attendees`, keeping the parameters `source` had for each address."""
    known: dict[str, Property] = {}
    for line in source.lines("ATTENDEE"):
        prop = parse_property(line)
        known.setdefault(address_email(prop.value).lower(), prop)
    lines = []
    for attendee in attendees:
        email = "".join(attendee.email.split())
        previous = known.get(email.lower())
        name = attendee.name.strip()
        modelled = [("CN", quote_param(name))] if name else []
        if attendee.status:
            modelled.append(("PARTSTAT", quote_param(attendee.status.upper())))
        kept = (
            [pair for pair in previous.params if pair[0] not in _MODELLED_PARAMS]
            if previous
            else []
        )
        value = previous.value if previous is not None else f"mailto:{email}"
        lines.append(Property("ATTENDEE", (*modelled, *kept), value).line())
    return lines
