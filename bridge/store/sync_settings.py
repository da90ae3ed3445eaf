"""`SyncSettings` to and from the JSON column of ``calendar_accounts``.

The settings page saves every change at once, one field at a time, from
form or JSON input; the stored document must nevertheless always read back
as a complete, valid `SyncSettings`. So every write goes through
`settings_from_json`, which rejects unknown fields, missing fields and
values of the wrong type instead of storing them for the worker to trip on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping
from enum import StrEnum

from bridge import errors
from bridge.domain import (
    ConflictPolicy,
    ImportVisibility,
    PrivateEventPolicy,
    SyncSettings,
    SyncType,
)


class SettingsError(errors.InvalidInput):
    """Settings that do not make a valid `SyncSettings`; the message names the field."""


def _choice(enum: type[StrEnum]) -> Callable[[object], object]:
    def convert(value: object) -> object:
        allowed = [member.value for member in enum]
        if value not in allowed:
            raise SettingsError(f"must be one of {', '.join(allowed)}")
        return enum(value)

    return convert


def _text(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise SettingsError("must be a non-empty string")
    return value


def _calendar(value: object) -> str:
    """A calendar id, or "" while none is chosen (a CalDAV server that names no default)."""
    if not isinstance(value, str):
        raise SettingsError("must be a string")
    return value


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise SettingsError("must be true or false")
    return value


MAX_WINDOW_DAYS = 3650
"""Ten years each way: plenty for a calendar, and far from the ends of Python's dates."""


def _days(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_WINDOW_DAYS:
        raise SettingsError(f"must be a whole number of days from 0 to {MAX_WINDOW_DAYS}")
    return value


def _keys(value: object) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
        raise SettingsError("must be a list of activity type keys")
    if not all(isinstance(key, str) and key for key in value):
        raise SettingsError("must be a list of activity type keys")
    return frozenset(value)


_CONVERTERS: dict[str, Callable[[object], object]] = {
    "sync_type": _choice(SyncType),
    "import_visibility": _choice(ImportVisibility),
    "private_events": _choice(PrivateEventPolicy),
    "import_type_key": _text,
    "pushed_type_keys": _keys,
    "include_crm_info": _flag,
    "window_past_days": _days,
    "window_future_days": _days,
    "conflict_policy": _choice(ConflictPolicy),
    "calendar_id": _calendar,
}
"""One converter per `SyncSettings` field (a test keeps the two in step)."""

_REQUIRED = frozenset(
    field.name
    for field in dataclasses.fields(SyncSettings)
    if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
)


def settings_from_json(data: Mapping[str, object]) -> SyncSettings:
    """The `SyncSettings` that `data` describes; fields with a default may be left out.

    Raises `SettingsError` naming the first bad, unknown or missing field.
    """
    unknown = sorted(set(data) - set(_CONVERTERS))
    if unknown:
        raise SettingsError(f"unknown setting {unknown[0]!r}")
    missing = sorted(_REQUIRED - set(data))
    if missing:
        raise SettingsError(f"missing setting {missing[0]!r}")
    values: dict[str, object] = {}
    for name, value in data.items():
        try:
            values[name] = _CONVERTERS[name](value)
        except SettingsError as error:
            raise SettingsError(f"{name} {error}") from None
    return SyncSettings(**values)  # type: ignore[arg-type]


def settings_to_json(settings: SyncSettings) -> dict[str, object]:
    """A JSON-ready dict of every field, which `settings_from_json` reads back unchanged."""
    document: dict[str, object] = {}
    for field in dataclasses.fields(settings):
        value = getattr(settings, field.name)
        if isinstance(value, frozenset):
            value = sorted(value)
        elif isinstance(value, StrEnum):
            value = value.value
        document[field.name] = value
    return document


DEFAULT_IMPORT_TYPE = "meeting"


def new_account_settings(type_keys: Collection[str], calendar_id: str) -> SyncSettings:
    """What a newly connected account starts with: two-way, every type pushed, privacy kept.

    Imported events become meetings when that type exists (any type otherwise).
    """
    return SyncSettings(
        sync_type=SyncType.TWO_WAY,
        import_visibility=ImportVisibility.EVERYONE,
        private_events=PrivateEventPolicy.BUSY_BLOCK,
        import_type_key=DEFAULT_IMPORT_TYPE if DEFAULT_IMPORT_TYPE in type_keys else min(type_keys),
        pushed_type_keys=frozenset(type_keys),
        include_crm_info=False,
        calendar_id=calendar_id,
    )
