"""Graph's dateTimeTimeZone values, time zone names and the `Prefer` header.

Graph takes and returns `{"dateTime": "2024-05-01T09:00:00.0000000",
"timeZone": "..."}` where the zone is a Windows name ("Pacific Standard
Time") or an IANA name; responses are in UTC unless `Prefer:
outlook.timezone` names another zone. Instants here are aware datetimes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tests.emulators.microsoft import errors

WINDOWS_ZONES = {
    "utc": "UTC",
    "coordinated universal time": "UTC",
    "greenwich standard time": "Atlantic/Reykjavik",
    "gmt standard time": "Europe/London",
    "w. europe standard time": "Europe/Berlin",
    "romance standard time": "Europe/Paris",
    "central europe standard time": "Europe/Budapest",
    "central european standard time": "Europe/Warsaw",
    "e. europe standard time": "Europe/Chisinau",
    "fle standard time": "Europe/Kiev",
    "russian standard time": "Europe/Moscow",
    "eastern standard time": "America/New_York",
    "central standard time": "America/Chicago",
    "mountain standard time": "America/Denver",
    "us mountain standard time": "America/Phoenix",
    "pacific standard time": "America/Los_Angeles",
    "alaskan standard time": "America/Anchorage",
    "hawaiian standard time": "Pacific/Honolulu",
    "india standard time": "Asia/Kolkata",
    "china standard time": "Asia/Shanghai",
    "tokyo standard time": "Asia/Tokyo",
    "aus eastern standard time": "Australia/Sydney",
    "new zealand standard time": "Pacific/Auckland",
    "e. south america standard time": "America/Sao_Paulo",
}


def zone(name: str | None) -> tzinfo:
    """The zone behind a Windows or IANA name; 400 TimeZoneNotSupportedException otherwise."""
    cleaned = (name or "").strip()
    iana = WINDOWS_ZONES.get(cleaned.lower(), cleaned)
    if iana.upper() in ("UTC", "Z", "ETC/UTC", "GMT"):
        return UTC
    try:
        return ZoneInfo(iana)
    except (ZoneInfoNotFoundError, ValueError):
        raise errors.GraphError(
            400,
            "TimeZoneNotSupportedException",
            "A valid TimeZone value must be specified. The following TimeZone value is not "
            f"supported: '{cleaned}'.",
        ) from None


def parse_local(value: object) -> datetime:
    """A naive wall-clock time from `dateTime` (fractions and a trailing Z tolerated)."""
    if not isinstance(value, str):
        raise errors.body_read("Cannot convert the literal to the expected type 'Edm.String'.")
    text = value.strip()
    text = re.sub(r"(\.\d{1,6})\d*", r"\1", text)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise errors.GraphError(
            400, "ErrorInvalidRequest", f"Cannot convert the literal '{value}' to DateTime."
        ) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def instant(value: dict[str, object] | None) -> datetime:
    """A dateTimeTimeZone as an aware UTC instant."""
    if not isinstance(value, dict) or "dateTime" not in value:
        raise errors.invalid_request("Your request can't be completed. Start and End are required.")
    local = parse_local(value["dateTime"])
    return local.replace(tzinfo=zone(str(value.get("timeZone") or "UTC"))).astimezone(UTC)


def parse_instant(value: str) -> datetime:
    """A query parameter such as startDateTime: ISO 8601, UTC when no offset is given."""
    text = re.sub(r"(\.\d{1,6})\d*", r"\1", value.strip()).replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise errors.GraphError(
            400, "ErrorInvalidParameter", f"The value '{value}' of parameter is invalid."
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def graph_local(moment: datetime) -> str:
    """Graph's dateTime format: wall-clock time with seven fractional digits, no offset."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0"


def timestamp(moment: datetime) -> str:
    """createdDateTime/lastModifiedDateTime: UTC with seven fractional digits and Z."""
    return graph_local(moment.astimezone(UTC)) + "Z"


def offset_timestamp(moment: datetime) -> str:
    """originalStart and expirationDateTime: ISO 8601 UTC with Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Preferences:
    """What the `Prefer` header(s) asked for; `applied()` is the Preference-Applied echo."""

    timezone: str | None = None
    body_text: bool = False
    immutable_ids: bool = False
    max_page_size: int | None = None

    @classmethod
    def parse(cls, header: str | None) -> Preferences:
        values: dict[str, str] = {}
        for part in re.findall(r'(?:[^,"]|"[^"]*")+', header or ""):
            key, _, value = part.strip().partition("=")
            values[key.strip().lower()] = value.strip().strip('"')
        size = values.get("odata.maxpagesize", "")
        return cls(
            timezone=values.get("outlook.timezone") or None,
            body_text=values.get("outlook.body-content-type", "").lower() == "text",
            immutable_ids=values.get("idtype", "").lower() == "immutableid",
            max_page_size=int(size) if size.isdigit() and int(size) > 0 else None,
        )

    def applied(self, *, paged: bool = False) -> dict[str, str]:
        parts = []
        if self.timezone:
            parts.append(f'outlook.timezone="{self.timezone}"')
        if self.body_text:
            parts.append('outlook.body-content-type="text"')
        if self.immutable_ids:
            parts.append('IdType="ImmutableId"')
        if paged and self.max_page_size:
            parts.append(f"odata.maxpagesize={self.max_page_size}")
        return {"Preference-Applied": ", ".join(parts)} if parts else {}
