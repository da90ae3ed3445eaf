"""What the CalDAV door refuses before Radicale reads a request, each with a clear 4xx.

Radicale answers 500 when it trips over a request it cannot read, and it
reads a body only as far as ``Content-Length`` says. So `admit`, run first:

- refuses a path longer than the database keeps (414; 400 for a MOVE's
  ``Destination``);
- buffers the body whole, a chunked one (no ``Content-Length``) included,
  up to the body limit (413 beyond it), and sets its length for Radicale;
- refuses a ``charset`` in ``Content-Type`` that Python cannot decode (400);
- checks the XML body of a WebDAV method within bounds (`bridge.web.dav_xml`);
- answers 401 with the challenge to ``Authorization: Basic`` credentials
  that are not base64 of ``login:password``, as if none had been sent.

The body is decoded as Radicale decodes it (`radicale.httputils.decode_request`),
so the text checked here is the text Radicale goes on to parse.
"""

from __future__ import annotations

import base64
import io
from http import HTTPStatus
from urllib.parse import unquote, urlsplit

import radicale.config
from radicale import httputils, types
from starlette.exceptions import HTTPException

from bridge.store.schema import dav_collections
from bridge.web import dav_xml

XML_METHODS = frozenset({"PROPFIND", "PROPPATCH", "REPORT", "MKCALENDAR", "MKCOL"})
"""The methods whose body Radicale parses as XML."""
MAX_PATH = dav_collections.c.path.type.length
"""The longest path: a collection's path, or an item's name, is kept in a column this size."""


class Refused(Exception):
    """A request answered `status` with `message` as plain text, before Radicale sees it."""

    def __init__(
        self, status: HTTPStatus, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}

    def response(self) -> tuple[str, list[tuple[str, str]], bytes]:
        """The WSGI status line, headers and body of the refusal."""
        body = f"{self}\n".encode()
        headers = {
            **self.headers,
            "Content-Type": "text/plain; charset=utf-8",
            "Content-Length": str(len(body)),
        }
        return f"{self.status.value} {self.status.phrase}", list(headers.items()), body


def admit(environ: types.WSGIEnviron, configuration: radicale.config.Configuration) -> None:
    """Raise `Refused` for a request Radicale must not see; leave the body readable again."""
    _check_paths(environ)
    body = _buffer_body(environ, configuration.get("server", "max_content_length"))
    text = _decoded(environ, configuration, body)
    method = environ.get("REQUEST_METHOD", "").upper()
    if text and method in XML_METHODS:
        try:
            dav_xml.check(text, method)
        except dav_xml.BadXml as error:
            raise Refused(error.status, str(error)) from None
    _check_basic(environ, configuration)


def _check_paths(environ: types.WSGIEnviron) -> None:
    """414 for a request path too long to keep, 400 for such a ``Destination``."""
    if len(environ.get("PATH_INFO", "")) > MAX_PATH:
        raise Refused(
            HTTPStatus.REQUEST_URI_TOO_LONG, f"the path is longer than {MAX_PATH} characters"
        )
    # Read as Radicale's MOVE reads it: unquoted, then its path below this mount.
    destination = urlsplit(unquote(environ.get("HTTP_DESTINATION", ""))).path
    if len(destination.removeprefix(environ.get("SCRIPT_NAME", ""))) > MAX_PATH:
        raise Refused(
            HTTPStatus.BAD_REQUEST, f"the Destination path is longer than {MAX_PATH} characters"
        )


def _buffer_body(environ: types.WSGIEnviron, limit: int) -> bytes:
    """The whole body, put back as a stream with its length, whether it came chunked or not."""
    length = environ.get("CONTENT_LENGTH")
    too_large = Refused(
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the request body is larger than {limit} bytes"
    )
    try:
        body = environ["wsgi.input"].read(int(length) if length else limit + 1)
    except HTTPException as error:  # the app's body limit, met while the body streams in
        if error.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE:
            raise too_large from None
        raise
    if len(body) > limit:
        raise too_large
    if length and len(body) < int(length):  # the client left; Radicale would refuse it too
        raise Refused(HTTPStatus.BAD_REQUEST, "the request body is shorter than its length")
    environ["CONTENT_LENGTH"] = str(len(body))  # type: ignore[index]
    environ["wsgi.input"] = io.BytesIO(body)  # type: ignore[index]
    return body


def _decoded(
    environ: types.WSGIEnviron, configuration: radicale.config.Configuration, body: bytes
) -> str:
    """The body as Radicale will decode it; 400 for a charset it cannot decode with.

    Radicale decodes credentials with the same charset, so even a request
    without a body is refused here rather than failing in the sign-in.
    """
    content_type = environ.get("CONTENT_TYPE", "")
    given = (
        content_type.split("charset=")[1].split(";")[0].strip()
        if "charset=" in content_type
        else None
    )
    refused = Refused(HTTPStatus.BAD_REQUEST, f"unknown or unusable charset {given!r}")
    if given is not None and not dav_xml.is_text_encoding(given):
        raise refused
    try:
        return httputils.decode_request(configuration, environ, body)
    except (LookupError, ValueError):
        raise refused from None


def _check_basic(environ: types.WSGIEnviron, configuration: radicale.config.Configuration) -> None:
    """401 for Basic credentials Radicale would fail to split into login and password."""
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    if not authorization.startswith("Basic"):
        return
    try:
        encoded = authorization[len("Basic") :].strip().encode("ascii")
        credentials = httputils.decode_request(configuration, environ, base64.b64decode(encoded))
    except (LookupError, ValueError):  # not ASCII, not base64 (binascii.Error), not text
        credentials = ""
    if ":" not in credentials:
        realm = configuration.get("auth", "realm")
        raise Refused(
            HTTPStatus.UNAUTHORIZED,
            "the Authorization header is not Basic base64 of login:password",
            {"WWW-Authenticate": f'Basic realm="{realm}"'},
        )
