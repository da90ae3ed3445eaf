"""The one error this package raises, so callers can turn it into a 400 or a skipped import."""

from __future__ import annotations


class ICalError(ValueError):
    """Malformed or unsupported iCalendar input; the message is meant for a human."""
