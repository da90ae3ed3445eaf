"""Activity hrefs: the name of an activity's object in its owner's CalDAV collection.

An href is one path segment below the collection. One with a slash would be
listed by PROPFIND and sync-collection but could not be fetched, and every
client of that user would stop syncing; so an href is made from the UID only
when the UID is plainly safe, and otherwise from a readable, cleaned-up part
of it plus a digest of the whole UID, which keeps it deterministic and, as
UIDs are unique per owner, unique per owner too.
"""

from __future__ import annotations

import hashlib
import re

SUFFIX = ".ics"
MAX_LENGTH = 255
"""The width of the ``activities.href`` column."""

_SAFE_UID = re.compile(r"[A-Za-z0-9][A-Za-z0-9@._~-]*")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9@._~-]+")
_READABLE_LENGTH = 80
_DIGEST_LENGTH = 16
_LONGEST_PLAIN_UID = MAX_LENGTH - len(SUFFIX)


def href_for(uid: str) -> str:
    """The href an activity with `uid` gets when no client chose one.

    ``<uid>.ics`` for a UID of letters, digits and ``@._~-`` (what CalBridge
    and most calendars make); otherwise each run of other characters becomes
    ``-``, the result is cut short and a digest of the UID follows, so that
    ``a/b`` and ``a:b`` still get different hrefs.
    """
    if _SAFE_UID.fullmatch(uid) and len(uid) <= _LONGEST_PLAIN_UID:
        return uid + SUFFIX
    digest = hashlib.sha256(uid.encode("utf-8")).hexdigest()[:_DIGEST_LENGTH]
    readable = _UNSAFE_RUN.sub("-", uid)[:_READABLE_LENGTH].strip("-.")
    return f"{readable}-{digest}{SUFFIX}" if readable else f"{digest}{SUFFIX}"


def is_flat(href: str) -> bool:
    """True for one path segment: not empty, no slash, not ``.``/``..``, no control characters.

    This is what Radicale accepts as an item name in a request path (a
    client's PUT can only produce such hrefs), minus control characters,
    which no XML answer could carry.
    """
    return (
        0 < len(href) <= MAX_LENGTH
        and "/" not in href
        and href not in (".", "..")
        and not any(ord(char) < 32 or ord(char) == 127 for char in href)
    )
