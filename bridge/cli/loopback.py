"""Receiving a provider's consent answer on a loopback address, so the command finishes itself.

RFC 8252 section 7.3: a command-line app listens on `http://127.0.0.1:PORT/`
and names that address as its redirect URI; after the consent page the
browser brings the code there, and the browser's tab gets a plain page
instead of an error. Google, for one, accepts such an address at any port
for an OAuth client of type "Desktop app"; a web client only at a port
registered with it. The listener takes one answer, on 127.0.0.1 only, and stops when
the command ends.
"""

from __future__ import annotations

import http.server
import queue
import threading
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

from bridge.pages import plain_page


class LoopbackRedirect:
    """A one-answer HTTP listener on 127.0.0.1; `answers` receives the address the browser hit."""

    def __init__(self, port: int = 0, label: str = "the provider") -> None:
        """`label` names the provider on the pages the browser is shown."""
        self.answers: queue.Queue[str] = queue.Queue()
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.answers = self.answers
        self._server.label = label
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/"

    def __enter__(self) -> LoopbackRedirect:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Server(http.server.HTTPServer):
    answers: queue.Queue[str]
    label: str


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        """Take the redirect that carries `code` or `error`; anything else (a favicon) is 404."""
        query = parse_qs(urlsplit(self.path).query)
        if "code" not in query and "error" not in query:
            self._reply(404, "Not found", f"This address only takes {self.server.label}'s answer.")
            return
        host, port = self.server.server_address[:2]
        self.server.answers.put(f"http://{host}:{port}{self.path}")
        if "error" in query:
            self._reply(
                200,
                f"{self.server.label} did not grant access",
                "Nothing was connected: see the terminal.",
            )
        else:
            self._reply(
                200,
                f"CalBridge has {self.server.label}'s answer",
                "The terminal finishes connecting the calendar. You can close this tab.",
            )

    def _reply(self, status: int, title: str, text: str) -> None:
        body = plain_page(title, text).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request line holds the authorization code, which must not reach a log."""
