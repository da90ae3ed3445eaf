"""Google's batch endpoint: many Calendar calls in one multipart/mixed HTTP request.

Each part is an `application/http` request with a path-only URL and a
`Content-ID`; the outer request's Authorization applies to every part. The
reply holds one `application/http` response per part, matched back by
`Content-ID: <response-...>` because Google does not promise the order.
Google allows 1000 calls per batch but advises fewer; 50 keeps each reply
small and one failed batch cheap to redo. Each part answers on its own, so
replies come back as ordinary `httpx.Response`s for the usual error mapping.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from typing import Any

import httpx

from bridge.providers import TemporaryFailure
from bridge.providers.google.api import GoogleApi

MAX_CALLS = 50


@dataclass(frozen=True)
class BatchCall:
    method: str
    target: str  # path-only URL, query included
    body: dict[str, Any] | None = None


class Batcher:
    def __init__(self, api: GoogleApi, batch_url: str) -> None:
        self.api = api
        self.batch_url = batch_url

    def send(self, calls: Sequence[BatchCall]) -> list[httpx.Response]:
        """Each call's reply, in order; one HTTP request per `MAX_CALLS` calls."""
        replies: list[httpx.Response] = []
        for start in range(0, len(calls), MAX_CALLS):
            replies += self._one_batch(calls[start : start + MAX_CALLS])
        return replies

    def _one_batch(self, calls: Sequence[BatchCall]) -> list[httpx.Response]:
        boundary = "calbridge_" + secrets.token_hex(12)
        response = self.api.call(
            "POST",
            self.batch_url,
            content=encode(calls, boundary),
            headers={"Content-Type": f"multipart/mixed; boundary={boundary}"},
        )
        by_id = dict(decode(response))
        try:
            return [by_id[f"<response-item-{number}>"] for number in range(len(calls))]
        except KeyError as missing:
            raise TemporaryFailure(f"batch reply lacks the part for {missing}") from None


def encode(calls: Sequence[BatchCall], boundary: str) -> bytes:
    chunks = []
    for number, call in enumerate(calls):
        body = b"" if call.body is None else json.dumps(call.body).encode()
        inner = f"{call.method} {call.target} HTTP/1.1\r\n"
        if call.body is not None:
            inner += "Content-Type: application/json; charset=UTF-8\r\n"
        head = (
            f"--{boundary}\r\nContent-Type: application/http\r\n"
            f"Content-ID: <item-{number}>\r\n\r\n{inner}\r\n"
        )
        chunks.append(head.encode() + body + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks)


def decode(response: httpx.Response) -> Iterator[tuple[str, httpx.Response]]:
    """(Content-ID, reply) of each part of a multipart/mixed batch reply."""
    envelope = f"Content-Type: {response.headers.get('content-type', '')}\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(envelope + response.content)
    if not message.is_multipart():
        raise TemporaryFailure("the batch reply is not multipart/mixed")
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            yield str(part.get("Content-ID", "")), _inner_response(payload)


def _inner_response(raw: bytes) -> httpx.Response:
    """An `application/http` part: `HTTP/1.1 <status> <reason>`, headers, blank line, body."""
    separator = b"\r\n\r\n" if b"\r\n\r\n" in raw else b"\n\n"
    head, _, body = raw.partition(separator)
    status_line, *header_lines = head.decode("iso-8859-1").strip().splitlines()
    fields = (line.partition(":") for line in header_lines)
    headers = [
        (name.strip(), value.strip())
        for name, _, value in fields
        if name.strip().lower() != "content-length"
    ]
    return httpx.Response(int(status_line.split()[1]), headers=headers, content=body.strip())
