"""Event bodies for the emulator's tests."""

from __future__ import annotations

from typing import Any

PROP_ID = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name CalBridgeActivity"


def timed_event(subject: str, day: str = "2030-01-07", hour: int = 9, **extra: Any) -> dict:
    return {
        "subject": subject,
        "body": {"contentType": "html", "content": f"<p>About <b>{subject}</b></p>"},
        "start": {"dateTime": f"{day}T{hour:02d}:00:00", "timeZone": "Pacific Standard Time"},
        "end": {"dateTime": f"{day}T{hour + 1:02d}:00:00", "timeZone": "Pacific Standard Time"},
        **extra,
    }


def weekly_series(subject: str, count: int = 4) -> dict:
    """Mondays at 10:00 UTC from 2030-01-07."""
    return {
        "subject": subject,
        "start": {"dateTime": "2030-01-07T10:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2030-01-07T10:30:00", "timeZone": "UTC"},
        "recurrence": {
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"]},
            "range": {"type": "numbered", "startDate": "2030-01-07", "numberOfOccurrences": count},
        },
    }
