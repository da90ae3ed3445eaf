"""X- parts of recurrence rules: skipped by the rule expansion instead of refused.

RFC 2445 let a rule carry x-name parts (``RRULE:FREQ=WEEKLY;X-NAME=value``),
clients still write them, and CalBridge gives a client back what it sent.
dateutil, which Radicale and vobject expand rules with (and Radicale checks
every PUT with), refuses a rule with any part it does not know, so such an
event could be neither stored nor searched. `skip_x_parts` makes dateutil's
rule parser pass over X- parts, which say nothing about when instances fall.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dateutil import rrule

_HANDLER = "_handle_X-"


def skip_x_parts() -> None:
    """Make `dateutil.rrule.rrulestr` skip X- rule parts; once is enough per process."""
    rrule._rrulestr.__getattr__ = _x_part_handler  # type: ignore[attr-defined]


def _x_part_handler(_parser: object, name: str) -> Callable[..., None]:
    """What dateutil calls a rule part it has no handler for: X- parts get one that does nothing."""
    if name.startswith(_HANDLER):
        return _skip
    raise AttributeError(name)


def _skip(*_args: Any, **_kwargs: Any) -> None:
    return None
