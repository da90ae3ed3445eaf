"""POST /batch/calendar/v3: multipart/mixed batches of Calendar calls.

Each part is an `application/http` request with a path-only URL; the outer
request's headers (Authorization included, Content-* excluded) apply to
every part unless the part overrides them. The reply is multipart/mixed in
request order, each part carrying `Content-ID: <response-ID>` for a request
part's `Content-ID: <ID>`. Parts run one by one through the same handler as
plain requests, so batch and non-batch behaviour cannot drift apart.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from http import HTTPStatus
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.emulators import google_errors as errors
from tests.emulators.google_errors import ApiError
from tests.emulators.google_faults import FaultQueue
from tests.emulators.google_http import Call, Reply
from tests.emulators.requests import RequestLog

# The Calendar batch guide: "You're limited to 1000 calls in a single batch request."
MAX_BATCH_CALLS = 1000


@dataclass(frozen=True)
class BatchPart:
    content_id: str | None
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


def parse_batch(content_type: str, body: bytes) -> list[BatchPart]:
    """The nested requests of a multipart/mixed body; 400 if it is not one."""
    envelope = f"Content-Type: {content_type}\r\n\r\n".encode() + body
    message = BytesParser(policy=policy.HTTP).parsebytes(envelope)
    if not message.is_multipart():
        raise errors.invalid("Batch requests must be multipart/mixed.", "Content-Type")
    parts = []
    for part in message.iter_parts():
        if part.get_content_type() != "application/http":
            raise errors.invalid("Each batch part must be application/http.", "Content-Type")
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        parts.append(_nested_request(part.get("Content-ID"), payload))
    return parts


def render_batch(replies: list[tuple[str | None, Reply]]) -> Reply:
    """One multipart/mixed reply holding every part's HTTP response, in request order."""
    boundary = "batch_" + secrets.token_hex(12)
    chunks = []
    for content_id, reply in replies:
        lines = [f"--{boundary}", "Content-Type: application/http"]
        if content_id:
            lines.append(f"Content-ID: <response-{content_id.strip('<>')}>")
        lines += ["", f"HTTP/1.1 {reply.status} {HTTPStatus(reply.status).phrase}"]
        lines += [f"{name}: {value}" for name, value in reply.headers.items()]
        lines += [f"Content-Length: {len(reply.body)}", "", ""]
        chunks.append("\r\n".join(lines).encode() + reply.body + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return Reply(200, {"Content-Type": f"multipart/mixed; boundary={boundary}"}, b"".join(chunks))


@dataclass
class BatchRunner:
    """Runs a batch's parts through `handle`, counting each and serving injected errors."""

    handle: Callable[[Call], Reply]
    endpoint_of: Callable[[str, str], str]
    faults: FaultQueue
    requests: RequestLog
    max_calls: int = MAX_BATCH_CALLS

    def run(self, outer: Call) -> Reply:
        parts = parse_batch(outer.headers.get("content-type", ""), outer.body)
        if not parts or len(parts) > self.max_calls:
            raise ApiError(
                400, "badRequest", f"A batch must contain 1 to {self.max_calls} requests."
            )
        inherited = {k: v for k, v in outer.headers.items() if not k.startswith("content-")}
        return render_batch(
            [(part.content_id, self._one(outer, part, inherited)) for part in parts]
        )

    def _one(self, outer: Call, part: BatchPart, inherited: dict[str, str]) -> Reply:
        url = urlsplit(part.target)
        if url.scheme or url.netloc:
            return Reply.error(errors.invalid("Batch parts must use path-only URLs.", "url"))
        path = unquote(url.path)
        self.requests.record_batched(self.endpoint_of(part.method, path))
        fault = self.faults.take(path, errors_only=True)
        if fault is not None and fault.error is not None:
            return Reply.error(fault.error)
        call = Call(
            method=part.method,
            path=path,
            query=(*outer.query, *parse_qsl(url.query, keep_blank_values=True)),
            headers={**inherited, **part.headers},
            body=part.body,
            base_url=outer.base_url,
        )
        return self.handle(call)


def _nested_request(content_id: str | None, raw: bytes) -> BatchPart:
    head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    request_line, *header_lines = head.decode("utf-8").strip().split("\n")
    method, target, *_ = request_line.split()
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return BatchPart(content_id, method.upper(), target, headers, body.strip())
