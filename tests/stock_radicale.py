"""A stock Radicale on a real socket, for testing the CalDAV provider against a real server.

Stock means the installed `radicale` package as its users run it: the
`multifilesystem` storage under a test folder, htpasswd logins (plain-text
file: `alice`/`secret` and `bob`/`secret`) and `owner_only` rights. Its
configuration is built here from defaults only, never read from /etc or ~,
so a developer's own Radicale setup cannot change what the tests see.

`without_sync_collection` wraps the WSGI app so it refuses sync-collection
REPORTs the way a server without RFC 6578 does (403 `DAV:supported-report`),
which is how the provider's fallback listing gets tested.
"""

from __future__ import annotations

import contextlib
import pathlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import radicale
import radicale.config
from a2wsgi import WSGIMiddleware

from tests.servers import serve_in_thread

USERS = {"alice": "secret", "bob": "secret"}

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

MKCALENDAR_BODY = """<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop>
    <D:displayname>{name}</D:displayname>
    <C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
  </D:prop></D:set>
</C:mkcalendar>"""

UNSUPPORTED_REPORT = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<D:error xmlns:D="DAV:"><D:supported-report/></D:error>'
)


@dataclass(frozen=True)
class RadicaleServer:
    """A running Radicale: its base URL, and alice's credentials by default."""

    url: str
    user: str = "alice"
    password: str = USERS["alice"]

    def calendar_url(self, user: str, name: str) -> str:
        return f"{self.url}/{user}/{name}/"

    def make_calendar(self, user: str, name: str) -> str:
        """MKCALENDAR `name` in `user`'s home over HTTP, as a client would; its URL."""
        url = self.calendar_url(user, name)
        response = httpx.request(
            "MKCALENDAR",
            url,
            content=MKCALENDAR_BODY.format(name=name).encode(),
            headers={"Content-Type": "application/xml; charset=utf-8"},
            auth=(user, USERS[user]),
            trust_env=False,
        )
        response.raise_for_status()
        return url


def radicale_configuration(root: pathlib.Path) -> radicale.config.Configuration:
    """Defaults plus the test settings; `load` with no paths reads no configuration file."""
    root.mkdir(parents=True, exist_ok=True)
    htpasswd = root / "users"
    htpasswd.write_text("".join(f"{user}:{password}\n" for user, password in USERS.items()))
    configuration = radicale.config.load()
    configuration.update(
        {
            "auth": {
                "type": "htpasswd",
                "htpasswd_filename": str(htpasswd),
                "htpasswd_encryption": "plain",
                "delay": "0",
            },
            "rights": {"type": "owner_only"},
            "storage": {"type": "multifilesystem", "filesystem_folder": str(root / "collections")},
            "web": {"type": "none"},
        },
        "calbridge tests",
    )
    configuration.update({"storage": {"_filesystem_fsync": "False"}}, "tests", privileged=True)
    return configuration


def without_sync_collection(app: WsgiApp) -> WsgiApp:
    """`app`, except that every sync-collection REPORT gets 403 `DAV:supported-report`."""

    def refusing(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] == "REPORT":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length)
            if b"sync-collection" in body:
                start_response(
                    "403 Forbidden",
                    [
                        ("Content-Type", "application/xml; charset=utf-8"),
                        ("Content-Length", str(len(UNSUPPORTED_REPORT))),
                    ],
                )
                return [UNSUPPORTED_REPORT]
            environ = {**environ, "wsgi.input": _Replay(body)}
        return app(environ, start_response)

    return refusing


class _Replay:
    """A consumed request body, readable again by the wrapped app."""

    def __init__(self, body: bytes) -> None:
        self._body = body
        self._offset = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._body) if size is None or size < 0 else self._offset + size
        chunk = self._body[self._offset : end]
        self._offset += len(chunk)
        return chunk


@contextlib.contextmanager
def running_radicale(
    root: pathlib.Path, *, wrap: Callable[[WsgiApp], WsgiApp] | None = None
) -> Iterator[RadicaleServer]:
    """Stock Radicale storing under `root`, served on a free 127.0.0.1 port until exit.

    `wrap` puts a WSGI middleware in front of it (`without_sync_collection`).
    """
    app: WsgiApp = radicale.Application(radicale_configuration(root))
    if wrap is not None:
        app = wrap(app)
    with serve_in_thread(WSGIMiddleware(app)) as base_url:  # type: ignore[arg-type]
        yield RadicaleServer(url=base_url)
