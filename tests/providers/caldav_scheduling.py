"""Stock Radicale dressed as a scheduling server (RFC 6638) that names a default calendar.

Radicale has no scheduling, so it never answers `schedule-default-calendar-URL`.
`naming_default` wraps its WSGI app so the PROPFIND asking for that property
is answered the way servers with scheduling answer it: on the principal
itself, or on the scheduling Inbox the principal points to (RFC 6638 9.2).
Every other request reaches Radicale unchanged.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from tests.stock_radicale import WsgiApp

PROPERTY = b"schedule-default-calendar-URL"
MULTISTATUS = """<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:response><D:href>{path}</D:href><D:propstat><D:prop>{props}</D:prop>
<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>"""


def naming_default(
    user: str, calendar: str, *, on_inbox: bool = False
) -> Callable[[WsgiApp], WsgiApp]:
    """A `running_radicale` wrap naming `user`'s `calendar` as the default calendar."""
    principal, inbox = f"/{user}/", f"/{user}/inbox/"
    default = f"<C:schedule-default-calendar-URL><D:href>/{user}/{calendar}/</D:href>"
    default += "</C:schedule-default-calendar-URL>"
    answers = (
        {principal: f"<C:schedule-inbox-URL><D:href>{inbox}</D:href></C:schedule-inbox-URL>"}
        | {inbox: default}
        if on_inbox
        else {principal: default}
    )

    def wrap(app: WsgiApp) -> WsgiApp:
        def answering(
            environ: dict[str, Any], start_response: Callable[..., Any]
        ) -> Iterable[bytes]:
            path = environ.get("PATH_INFO", "")
            if environ["REQUEST_METHOD"] == "PROPFIND" and path in answers:
                length = int(environ.get("CONTENT_LENGTH") or 0)
                body = environ["wsgi.input"].read(length)
                if PROPERTY in body:
                    reply = MULTISTATUS.format(path=path, props=answers[path]).encode()
                    start_response(
                        "207 Multi-Status",
                        [
                            ("Content-Type", "application/xml; charset=utf-8"),
                            ("Content-Length", str(len(reply))),
                        ],
                    )
                    return [reply]
                environ = {**environ, "wsgi.input": io.BytesIO(body)}
            return app(environ, start_response)

        return answering

    return wrap
