"""Framework-free request and reply values for the Google Calendar emulator.

The same Calendar call can arrive as a plain HTTP request or as one part of a
batch request, so handlers take a `Call` and return a `Reply` instead of
Starlette objects; the HTTP layer and the batch layer both translate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.emulators import google_errors as errors
from tests.emulators.google_errors import ApiError

JSON_TYPE = "application/json; charset=UTF-8"


@dataclass(frozen=True)
class Call:
    """One Calendar API call: method, decoded path, repeated query pairs, lower-cased headers."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    base_url: str = ""

    def param(self, name: str) -> str | None:
        """The first value of a query parameter, as Google reads single-valued parameters."""
        return next((value for key, value in self.query if key == name), None)

    def params(self, name: str) -> list[str]:
        """Every value of a repeatable query parameter (e.g. privateExtendedProperty)."""
        return [value for key, value in self.query if key == name]

    def page_size(self, default: int, maximum: int) -> int:
        """`maxResults`: a positive integer, silently capped like Google caps page sizes."""
        value = self.param("maxResults")
        if value is None:
            return default
        if not value.isdigit() or int(value) < 1:
            raise errors.invalid("Invalid Value", "maxResults")
        return min(int(value), maximum)

    def json_body(self) -> dict[str, Any]:
        """The request body as a JSON object; Google answers 400 parseError otherwise."""
        try:
            parsed = json.loads(self.body or b"{}")
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise ApiError(400, "parseError", "Parse Error")
        return parsed


@dataclass(frozen=True)
class Reply:
    """A status, headers and an encoded body, ready for HTTP or for a batch part."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @classmethod
    def json(cls, status: int, payload: object, headers: dict[str, str] | None = None) -> Reply:
        return cls(
            status, {"Content-Type": JSON_TYPE, **(headers or {})}, json.dumps(payload).encode()
        )

    @classmethod
    def empty(cls, status: int = 204) -> Reply:
        return cls(status)

    @classmethod
    def error(cls, error: ApiError) -> Reply:
        return cls.json(error.code, error.body(), error.headers)
