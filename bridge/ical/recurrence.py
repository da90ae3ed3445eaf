"""Which recurrence rules CalBridge accepts: a cheap check made before anything expands one.

Expanding a rule (dateutil, through vobject and Radicale) trusts it: with
``INTERVAL=0`` the expansion never advances and never ends, and a
``SECONDLY`` rule from a date long past makes billions of instances before
it reaches any range asked about. So every RRULE and EXRULE, in any
component (time zone rules included), is checked against RFC 5545's grammar
with sane bounds on every integer, and rules that make more than one
instance a minute (``SECONDLY``, or several ``BYSECOND`` values) are
refused. X- parts are allowed (they mean nothing to the expansion).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable

from bridge.ical.errors import ICalError
from bridge.ical.lines import Component, parse_property, parse_tree

RULE_PROPERTIES = ("RRULE", "EXRULE")
FREQUENCIES = frozenset({"MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"})
MAX_INTERVAL = 10_000
MAX_COUNT = 1_000_000
MAX_LIST = 400
"""No BY list needs more values than a year has days (BYYEARDAY, BYSETPOS: 366)."""

_WEEKDAY_NUMBERS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
_DAYS = frozenset(_WEEKDAY_NUMBERS)
_INTEGER = re.compile(r"[+-]?\d{1,6}")
_WEEKDAY = re.compile(r"([+-]?\d{1,2})?([A-Z]{2})")
_UNTIL = re.compile(r"\d{8}(T\d{6}Z?)?")

_ONLY_WITH = {
    # RFC 5545 3.3.10's MUST NOTs, and BYSETPOS below a day, which only ever
    # selects among the instances of one minute or hour and can walk for minutes.
    "BYWEEKNO": frozenset({"YEARLY"}),
    "BYYEARDAY": frozenset({"YEARLY", "HOURLY", "MINUTELY"}),
    "BYMONTHDAY": FREQUENCIES - {"WEEKLY"},
    "BYSETPOS": FREQUENCIES - {"HOURLY", "MINUTELY"},
}
_DAY_BY_DAY = frozenset({"DAILY", "HOURLY", "MINUTELY"})
"""Frequencies dateutil walks day by day when a day filter fails, up to the year 9999."""
_CYCLE_START = dt.date(2000, 1, 1)
_CYCLE_DAYS = 28 * 366
"""Every combination of weekday, month day and leap year occurs within 28 years."""
_BY_RANGES: dict[str, tuple[int, int, bool]] = {
    # part: (lowest, highest, whether negative values count from the end)
    "BYSECOND": (0, 60, False),
    "BYMINUTE": (0, 59, False),
    "BYHOUR": (0, 23, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYMONTH": (1, 12, False),
    "BYSETPOS": (1, 366, True),
}


def check_rule(value: str) -> None:
    """Raise ICalError unless `value` (an RRULE's value) is a rule CalBridge may expand."""
    parts: dict[str, str] = {}
    for part in value.strip().upper().split(";"):
        name, equals, part_value = part.partition("=")
        if not equals or not name or not part_value:
            raise ICalError(f"recurrence rule part {part[:40]!r} is not NAME=VALUE")
        if name in parts:
            raise ICalError(f"recurrence rule names {name} more than once")
        parts[name] = part_value
    freq = parts.get("FREQ")
    if freq == "SECONDLY":
        raise ICalError("recurrence rules repeating more than once a minute are not supported")
    if freq not in FREQUENCIES:
        raise ICalError(f"recurrence rule FREQ {freq!r} is missing or unknown")
    if "COUNT" in parts and "UNTIL" in parts:
        raise ICalError("a recurrence rule cannot have both COUNT and UNTIL")
    for name, allowed in _ONLY_WITH.items():
        if name in parts and freq not in allowed:
            raise ICalError(f"recurrence rule {name} cannot be used with FREQ={freq}")
    for name, part_value in parts.items():
        _check_part(name, part_value)
    if freq in _DAY_BY_DAY:
        _check_some_day(parts)


def _check_part(name: str, value: str) -> None:
    if name == "FREQ" or name.startswith("X-"):
        return
    if name == "INTERVAL":
        _bounded(name, value, 1, MAX_INTERVAL)
    elif name == "COUNT":
        _bounded(name, value, 1, MAX_COUNT)
    elif name == "UNTIL":
        _check_until(value)
    elif name == "WKST":
        if value not in _DAYS:
            raise ICalError(f"recurrence rule WKST {value[:10]!r} is not a weekday")
    elif name == "BYDAY":
        for day in _values(name, value):
            _check_weekday(day)
    elif name in _BY_RANGES:
        low, high, signed = _BY_RANGES[name]
        values = _values(name, value)
        numbers = {_bounded(name, item, -high if signed else low, high) for item in values}
        if signed and 0 in numbers:
            raise ICalError(f"recurrence rule {name} cannot be 0")
        if name == "BYSECOND" and len(numbers) > 1:
            raise ICalError("recurrence rules repeating more than once a minute are not supported")
    else:
        raise ICalError(f"recurrence rule part {name[:40]!r} is unknown")


def _check_some_day(parts: dict[str, str]) -> None:
    """Refuse day filters no day meets (BYMONTH=2;BYMONTHDAY=30): the rule never repeats,
    and dateutil would look for its first instance day by day for seconds."""
    months = _numbers(parts.get("BYMONTH"))
    month_days = _numbers(parts.get("BYMONTHDAY"))
    year_days = _numbers(parts.get("BYYEARDAY"))
    weekdays = parts.get("BYDAY")
    if not (months or month_days or year_days or weekdays):
        return
    names = weekdays.split(",") if weekdays else []
    if any(not name.isalpha() for name in names):
        raise ICalError("recurrence rule BYDAY can only be numbered in monthly and yearly rules")
    wanted_weekdays = {_WEEKDAY_NUMBERS[name] for name in names}
    for offset in range(_CYCLE_DAYS):
        day = _CYCLE_START + dt.timedelta(days=offset)
        if (
            (not months or day.month in months)
            and (not wanted_weekdays or day.weekday() in wanted_weekdays)
            and (not month_days or _counted(day.day, _month_length(day), month_days))
            and (not year_days or _counted(day.timetuple().tm_yday, _year_length(day), year_days))
        ):
            return
    raise ICalError("recurrence rule matches no day: it never repeats")


def _numbers(value: str | None) -> set[int]:
    return {int(item) for item in value.split(",")} if value else set()


def _counted(number: int, length: int, wanted: set[int]) -> bool:
    """Whether day `number` of a month or year of `length` days is wanted, from either end."""
    return number in wanted or number - length - 1 in wanted


def _month_length(day: dt.date) -> int:
    following = day.replace(day=28) + dt.timedelta(days=4)
    return (following - dt.timedelta(days=following.day)).day


def _year_length(day: dt.date) -> int:
    return 366 if calendar.isleap(day.year) else 365


def _values(name: str, value: str) -> list[str]:
    values = value.split(",")
    if len(values) > MAX_LIST:
        raise ICalError(f"recurrence rule {name} lists more than {MAX_LIST} values")
    return values


def _bounded(name: str, value: str, low: int, high: int) -> int:
    """The integer `value` when it lies in [low, high]; ICalError otherwise."""
    if not _INTEGER.fullmatch(value) or not low <= int(value) <= high:
        raise ICalError(f"recurrence rule {name}={value[:20]} is not from {low} to {high}")
    return int(value)


def _check_weekday(day: str) -> None:
    match = _WEEKDAY.fullmatch(day)
    if match is None or match[2] not in _DAYS:
        raise ICalError(f"recurrence rule BYDAY {day[:20]!r} is not a weekday")
    if match[1] is not None and not 1 <= abs(int(match[1])) <= 53:
        raise ICalError(f"recurrence rule BYDAY {day!r}: the ordinal must be from 1 to 53")


def _check_until(value: str) -> None:
    if not _UNTIL.fullmatch(value):
        raise ICalError(f"recurrence rule UNTIL {value[:20]!r} is not a date or date-time")
    try:
        dt.datetime.strptime(value[:15], "%Y%m%dT%H%M%S" if len(value) > 8 else "%Y%m%d")
    except ValueError as error:
        raise ICalError(f"recurrence rule UNTIL {value!r} is not a valid date") from error


def check_components(components: Iterable[Component]) -> None:
    """Check every rule of the components and of everything inside them."""
    for component in components:
        for name in RULE_PROPERTIES:
            for line in component.lines(name):
                check_rule(parse_property(line).value)
        check_components(component.children)


def check_rules(text: str) -> None:
    """Raise ICalError when any recurrence rule in the iCalendar `text` is refused."""
    check_components(parse_tree(text))


def refused_rule(text: str) -> str | None:
    """Why a recurrence rule in `text` is refused, or None when none is.

    Text that is not iCalendar at all is not this check's to refuse (None):
    whoever parses it next answers for that.
    """
    try:
        components = parse_tree(text)
    except ICalError:
        return None
    try:
        check_components(components)
    except ICalError as error:
        return str(error)
    return None
