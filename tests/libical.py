"""libical's verdict on an iCalendar text: what its parser and its restriction check report.

libical reads calendars for Evolution, GNOME Calendar and many servers, and
`icalcomponent_check_restrictions` applies RFC 5545 and, under a METHOD,
iTIP's rules; each problem becomes an ``X-LIC-ERROR`` property. Its Python
binding (``ICalGLib`` through GObject introspection, Debian's
``gir1.2-ical-3.0`` and ``python3-gi``) is importable only by Debian's own
Python, not by the virtualenv's, so `errors_of` runs this very file under
``/usr/bin/python3`` with the text on stdin: the part below ``__main__``
imports nothing but the standard library and ``gi``.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from types import ModuleType
from typing import Any

DEBIAN_PYTHON = "/usr/bin/python3"
_PROBE = "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib"


@functools.cache
def unavailable() -> str | None:
    """Why libical cannot be used here, or None when it can."""
    try:
        probe = subprocess.run(
            [DEBIAN_PYTHON, "-c", _PROBE], capture_output=True, text=True, timeout=60
        )
    except OSError as error:
        return f"{DEBIAN_PYTHON} cannot run ({error}); libical's checks need Debian's Python"
    if probe.returncode != 0:
        return (
            "libical's GObject binding is not installed "
            "(apt-get install gir1.2-ical-3.0 python3-gi): "
            + (probe.stderr.strip().splitlines() or ["no message"])[-1]
        )
    return None


def errors_of(text: str) -> list[str]:
    """Every ``X-LIC-ERROR`` libical attaches to `text` when parsing and checking restrictions."""
    checked = subprocess.run(
        [DEBIAN_PYTHON, __file__],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(checked.stdout)


def _check(text: str) -> list[str]:
    """Parse with libical, then run its restriction check on each component on its own.

    libical's check of a whole calendar stops at the first component that
    fails it, so each component is checked in a calendar of its own (with
    the original's calendar properties) to report every one.
    """
    import gi

    gi.require_version("ICalGLib", "3.0")
    from gi.repository import ICalGLib

    calendar = ICalGLib.Component.new_from_string(text)
    if calendar is None:
        return ["libical could not parse the text at all"]
    found = _attached_errors(ICalGLib, calendar)
    calendar.strip_errors()
    shell = _calendar_like(ICalGLib, calendar)
    shell.check_restrictions()
    found += _attached_errors(ICalGLib, shell)
    for component in _children(ICalGLib, calendar):
        alone = _calendar_like(ICalGLib, calendar)
        alone.add_component(component.clone())
        alone.check_restrictions()
        found += _attached_errors(
            ICalGLib, alone.get_first_component(ICalGLib.ComponentKind.ANY_COMPONENT)
        )
    return found


def _calendar_like(lib: ModuleType, calendar: Any) -> Any:
    """A VCALENDAR with copies of `calendar`'s own properties and no components."""
    shell = lib.Component.new_vcalendar()
    prop = calendar.get_first_property(lib.PropertyKind.ANY_PROPERTY)
    while prop is not None:
        shell.add_property(prop.clone())
        prop = calendar.get_next_property(lib.PropertyKind.ANY_PROPERTY)
    return shell


def _children(lib: ModuleType, component: Any) -> list[Any]:
    """The components directly inside `component`."""
    children = []
    child = component.get_first_component(lib.ComponentKind.ANY_COMPONENT)
    while child is not None:
        children.append(child)
        child = component.get_next_component(lib.ComponentKind.ANY_COMPONENT)
    return children


def _attached_errors(lib: ModuleType, component: Any) -> list[str]:
    """``X-LIC-ERROR`` values of `component` and everything inside it, with the component's name."""
    found = []
    name = lib.Component.kind_to_string(component.isa())
    error = lib.PropertyKind.XLICERROR_PROPERTY
    prop = component.get_first_property(error)
    while prop is not None:
        found.append(f"{name}: {prop.get_xlicerror()}")
        prop = component.get_next_property(error)
    for child in _children(lib, component):
        found += _attached_errors(lib, child)
    return found


if __name__ == "__main__":
    json.dump(_check(sys.stdin.read()), sys.stdout)
