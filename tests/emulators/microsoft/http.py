"""Framework-free request and reply values.

The same Graph call can arrive as a plain HTTP request or as one part of a
JSON batch, so handlers take a `Call` and return a `Reply`; the HTTP layer
and the batch layer both translate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.emulators.microsoft import errors
from tests.emulators.microsoft.errors import GraphError

JSON_TYPE = (
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;"
    "charset=utf-8"
)


@dataclass(frozen=True)
class Call:
    """One Graph call: method, path below /v1.0, query pairs, lower-cased headers, body."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    base_url: str = ""
    parsed_body: Any = None

    def param(self, name: str) -> str | None:
        """A query option; OData system options match with or without `$`, any case."""
        wanted = name.lower().lstrip("$")
        return next((value for key, value in self.query if key.lower().lstrip("$") == wanted), None)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json_body(self) -> dict[str, Any]:
        if self.parsed_body is not None:
            parsed = self.parsed_body
        else:
            try:
                parsed = json.loads(self.body or b"")
            except ValueError:
                parsed = None
        if not isinstance(parsed, dict):
            raise errors.body_read("Empty Payload. JSON content expected.")
        return parsed


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    payload: Any = None

    @classmethod
    def json(cls, status: int, payload: Any, headers: dict[str, str] | None = None) -> Reply:
        return cls(status, {"Content-Type": JSON_TYPE, **(headers or {})}, payload)

    @classmethod
    def empty(cls, status: int = 204, headers: dict[str, str] | None = None) -> Reply:
        return cls(status, dict(headers or {}))

    @classmethod
    def error(cls, error: GraphError) -> Reply:
        return cls.json(error.status, error.body(), error.headers)

    def encoded(self) -> bytes:
        return b"" if self.payload is None else json.dumps(self.payload).encode("utf-8")
