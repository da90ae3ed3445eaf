"""Content hashes of both sides, recorded in the link table to detect changes and echoes.

Both sides hash the same `Content` normal form, so an event CalBridge just
wrote hashes like the activity it came from, and a hash that equals the one
recorded after the last write means "nothing changed" (our own echo
included), whatever etag the provider gave the event since.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

from bridge.domain import Activity
from bridge.providers import EventDraft, ExternalEvent
from bridge.sync.content import Content, draft_for, normalised

CONTENT_FIELDS = dataclasses.fields(Content)


def content_hash(content: Content) -> str:
    """A stable hex digest of `content` (same content, same digest, across processes)."""
    # Content is flat, so reading its fields beats `dataclasses.asdict`'s deep copy,
    # which dominated the hashing of a whole calendar's activities on every run.
    fields = {field.name: getattr(content, field.name) for field in CONTENT_FIELDS}
    text = json.dumps(fields, sort_keys=True, default=lambda moment: moment.isoformat())
    return hashlib.sha256(text.encode()).hexdigest()


def crm_hash(activity: Activity, description: str) -> str:
    """The hash of what pushing the activity would write (`description` as built for it)."""
    return draft_hash(draft_for(activity, description))


def draft_hash(draft: EventDraft) -> str:
    """The hash of what pushing `draft` writes."""
    return content_hash(normalised(draft))


def event_hash(event: ExternalEvent) -> str:
    """The hash of an external event's synced content, as the provider returned it."""
    return content_hash(normalised(event))
