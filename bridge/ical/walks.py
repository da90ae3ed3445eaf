"""Recurrence walks that end: bounded in instances and stopped by the request's deadline.

Radicale and vobject walk a series through dateutil whenever they test a
time range, expand an occurrence or compute free-busy time, and dateutil
walks as long as the rule says: from DTSTART on, instance by instance,
with nothing to stop it. `bounded` arms a parsed object so that every walk
over it ends:

- a component whose rules `bridge.ical.recurrence` refuses (an item stored
  before the check existed) recurs no more: only its DTSTART is seen;
- every rule and exclusion rule yields at most `MAX_WALK` instances, which
  is where its series ends for whoever walks it (a daily series keeps 270
  years, a series every minute about 69 days);
- every walk checks the request's deadline (`bridge.deadline`) as it goes;
- `between(..., count=N)` stops at N instances, as Radicale's expansion
  expects of it (dateutil ignores that argument and lists them all).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

import vobject
from dateutil import rrule
from vobject.icalendar import RecurringComponent

from bridge import deadline
from bridge.ical.errors import ICalError
from bridge.ical.recurrence import RULE_PROPERTIES, check_rule

MAX_WALK = 100_000
"""Instances one rule yields to any walk over it."""
_CHECK_EVERY = 256


class _Walk:
    """One rule's instances, at most `limit` of them, with the deadline checked on the way."""

    def __init__(self, rule: Iterable[dt.datetime], limit: int) -> None:
        self._rule = rule
        self._limit = limit

    def __iter__(self) -> Iterator[dt.datetime]:
        for number, moment in enumerate(self._rule):
            if number >= self._limit:
                return
            if number % _CHECK_EVERY == 0:
                deadline.check()
            yield moment


class BoundedRuleSet(rrule.rruleset):
    """A dateutil rule set whose rules are `_Walk`s, with a `between` that honours `count`."""

    def __init__(self, inner: rrule.rruleset, limit: int = MAX_WALK) -> None:
        super().__init__()
        self._rrule = [_Walk(rule, limit) for rule in inner._rrule]
        self._exrule = [_Walk(rule, limit) for rule in inner._exrule]
        self._rdate = list(inner._rdate)
        self._exdate = list(inner._exdate)

    def between(
        self, after: dt.datetime, before: dt.datetime, inc: bool = False, count: int = 0
    ) -> list[dt.datetime]:
        """The instances between `after` and `before` (both included when `inc`), at most
        `count` of them when `count` is not 0."""
        found: list[dt.datetime] = []
        for moment in self:
            if moment > before or (moment == before and not inc):
                break
            if moment > after or (moment == after and inc):
                found.append(moment)
                if count and len(found) >= count:
                    break
        return found


class BoundedComponent(RecurringComponent):
    """A VEVENT, VTODO or VJOURNAL whose rule sets are `BoundedRuleSet`s."""

    def getrruleset(self, addRDate: bool = False) -> rrule.rruleset | None:
        if not _rules_acceptable(self):
            return None
        inner = super().getrruleset(addRDate)
        return None if inner is None else BoundedRuleSet(inner)

    rruleset = property(getrruleset, RecurringComponent.setrruleset)


def _rules_acceptable(component: vobject.base.Component) -> bool:
    try:
        for name in RULE_PROPERTIES:
            for line in component.contents.get(name.lower(), ()):
                check_rule(str(line.value))
    except ICalError:
        return False
    return True


def bounded(item: vobject.base.Component) -> vobject.base.Component:
    """Arm every recurring component of the parsed `item` (in place); returns `item`."""
    pending = [item]
    while pending:
        component = pending.pop()
        if type(component) is RecurringComponent:
            # vobject's __setattr__ would take `__class__` for a property name.
            object.__setattr__(component, "__class__", BoundedComponent)
        pending.extend(component.components())
    return item


def read_bounded(text: str) -> vobject.base.Component:
    """`vobject.readOne`, armed by `bounded`."""
    return bounded(vobject.readOne(text))
