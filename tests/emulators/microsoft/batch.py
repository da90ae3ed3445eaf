"""JSON batching: `POST /v1.0/$batch` with up to 20 requests, each answered on its own.

Parts are relative URLs run through the same handlers as plain requests,
with the batch's Authorization header; `dependsOn` orders them and a part
whose dependency failed gets 424. Each part can be throttled by itself
(Graph runs about four requests per mailbox at once and answers the rest
429 with Retry-After): injected faults match part paths, and the optional
`mailbox_concurrency` throttles independent parts beyond that many.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.emulators.microsoft import errors
from tests.emulators.microsoft.errors import GraphError
from tests.emulators.microsoft.faults import FaultQueue
from tests.emulators.microsoft.http import Call, Reply
from tests.emulators.requests import RequestLog

MAX_BATCH_REQUESTS = 20
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")


class BatchRunner:
    def __init__(
        self,
        handle: Callable[[Call], Reply],
        endpoint_of: Callable[[str, str], str],
        faults: FaultQueue,
        requests: RequestLog,
        max_requests: int = MAX_BATCH_REQUESTS,
        mailbox_concurrency: int | None = None,
    ) -> None:
        self.handle = handle
        self.endpoint_of = endpoint_of
        self.faults = faults
        self.requests = requests
        self.max_requests = max_requests
        self.mailbox_concurrency = mailbox_concurrency

    def run(self, call: Call) -> Reply:
        try:
            parts = self._parts(call.json_body())
        except GraphError as error:
            return Reply.error(error)
        statuses: dict[str, int] = {}
        responses: list[dict[str, Any]] = []
        independent = 0
        for part in parts:
            part_id = str(part["id"])
            depends = part.get("dependsOn") or []
            if any(statuses.get(str(d), 500) >= 400 for d in depends):
                reply = Reply.error(
                    GraphError(424, "FailedDependency", "The dependent request failed.")
                )
            else:
                if not depends:
                    independent += 1
                reply = self._run_part(call, part, throttle=self._over_limit(independent, depends))
            statuses[part_id] = reply.status
            response: dict[str, Any] = {
                "id": part_id,
                "status": reply.status,
                "headers": reply.headers,
            }
            if reply.payload is not None:
                response["body"] = reply.payload
            responses.append(response)
        return Reply.json(200, {"responses": responses})

    def _over_limit(self, independent: int, depends: list[Any]) -> bool:
        return (
            bool(self.mailbox_concurrency)
            and not depends
            and independent > (self.mailbox_concurrency or 0)
        )

    def _run_part(self, call: Call, part: dict[str, Any], *, throttle: bool) -> Reply:
        method = str(part["method"]).upper()
        url = str(part["url"])
        split = urlsplit(url if url.startswith("/") else "/" + url)
        path = unquote(split.path)
        self.requests.record_batched(self.endpoint_of(method, path))
        if throttle:
            return Reply.error(errors.throttled(1))
        fault = self.faults.take(method, "/v1.0" + path, errors_only=True)
        if fault is not None and fault.error is not None:
            return Reply.error(fault.error)
        headers = {k.lower(): str(v) for k, v in (part.get("headers") or {}).items()}
        if "authorization" in call.headers:
            headers["authorization"] = call.headers["authorization"]
        body = part.get("body")
        return self.handle(
            Call(
                method=method,
                path=path,
                query=tuple(parse_qsl(split.query, keep_blank_values=True)),
                headers=headers,
                body=json.dumps(body).encode() if body is not None else None,
                base_url=call.base_url,
                parsed_body=body,
            )
        )

    def _parts(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        parts = body.get("requests")
        if not isinstance(parts, list) or not parts:
            raise errors.bad_request("Invalid batch payload format.")
        if len(parts) > self.max_requests:
            raise errors.bad_request(
                f"The number of batch requests ({len(parts)}) exceeds the limit of "
                f"{self.max_requests}."
            )
        seen: set[str] = set()
        for part in parts:
            if not isinstance(part, dict) or not part.get("id") or not part.get("url"):
                raise errors.bad_request("Invalid batch payload format.")
            part_id = str(part["id"])
            if part_id in seen:
                raise errors.bad_request(f"Batch request contains duplicate Id '{part_id}'.")
            if str(part.get("method", "")).upper() not in METHODS:
                raise errors.bad_request(f"Invalid method in request id '{part_id}'.")
            headers = {k.lower() for k in (part.get("headers") or {})}
            if part.get("body") is not None and "content-type" not in headers:
                raise errors.bad_request(
                    f"Write request id : {part_id} does not contain Content-Type header or body."
                )
            for dependency in part.get("dependsOn") or []:
                if str(dependency) not in seen:
                    raise errors.bad_request(
                        f"Request id '{part_id}' depends on unknown request '{dependency}'."
                    )
            seen.add(part_id)
        return parts
