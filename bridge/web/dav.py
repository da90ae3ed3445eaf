"""The CalDAV door: Radicale configured with our plugins, plus one precondition it lacks.

Requests Radicale would fail on with a 500 are refused first, with a clear
4xx (`bridge.web.dav_guard`), and a MOVE to another server is forbidden.

Radicale does not check a PUT against the collection's
``supported-calendar-component-set``; a client putting a VTODO into the
events calendar must get 403 with the CalDAV precondition, not a silent
conversion or a 400, so `CalBridgeDav` checks that before Radicale runs.
It also answers the calendar-query REPORT clients poll a range with
itself (`bridge.web.dav_report`), much faster than Radicale's generic one.
A PROPPATCH the calendar refuses gets RFC 4918's 207 property by property.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from http import client
from typing import Any

import radicale.config
from radicale import httputils, pathutils, storage, types, xmlutils
from radicale.app import Application
from radicale.app.base import Access
from radicale.log import logger

from bridge.config import Settings
from bridge.dav_properties import PropertiesRefused
from bridge.ical import recurrence
from bridge.sign_in import SETTINGS, Throttled
from bridge.web import dav_guard, dav_proppatch, dav_report
from bridge.web.client_address import client_address

_COMPONENT_LINE = re.compile(rb"^BEGIN:(VEVENT|VTODO|VJOURNAL|VFREEBUSY)\r?$", re.I | re.M)


def radicale_configuration(settings: Settings) -> radicale.config.Configuration:
    configuration = radicale.config.load()
    configuration.update(
        {
            "server": {
                "max_content_length": str(settings.max_body_bytes),
                # Radicale caps a single item at 80% of the body limit; say so up front.
                "max_resource_size": str(settings.max_body_bytes * 4 // 5),
            },
            "auth": {
                "type": "plugins.auth",
                "realm": "CalBridge",
                "database_url": settings.database_url,
                # Throttling (`bridge.sign_in`) replaces Radicale's delay after a failure.
                "delay": "0",
                **{name: str(getattr(settings, name)) for name in SETTINGS},
            },
            "rights": {"type": "plugins.rights"},
            "storage": {
                "type": "plugins.storage",
                "database_url": settings.database_url,
                # The key of masked UIDs (`plugins.masking`) comes from the app's secret key.
                "secret_key": settings.secret_key,
                "secret_key_file": settings.secret_key_file,
            },
            "web": {"type": "none"},
        },
        "CalBridge",
    )
    return configuration


class CalBridgeDav(Application):
    def __init__(self, configuration: radicale.config.Configuration, settings: Settings) -> None:
        super().__init__(configuration)
        self._trusted_proxies = settings.trusted_proxies

    def _handle_request(self, environ: types.WSGIEnviron) -> tuple[str, list, list[bytes]]:
        """Sign-in sees the client's address (`client_address`); a guesser gets 429."""
        environ["REMOTE_ADDR"] = client_address(  # type: ignore[index]
            environ.get("REMOTE_ADDR"),
            environ.get("HTTP_X_FORWARDED_FOR"),
            self._trusted_proxies,
        )
        try:
            return super()._handle_request(environ)
        except Throttled as refused:
            body = f"{refused}\n".encode()
            headers = [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Retry-After", str(refused.retry_after)),
            ]
            return "429 Too Many Requests", headers, [body]

    def do_REPORT(
        self,
        environ: types.WSGIEnviron,
        base_prefix: str,
        path: str,
        user: str,
        user_groups: set,
        request_info: dict,
    ) -> types.WSGIResponse:
        """The common calendar-query here (`bridge.web.dav_report`), everything else by Radicale."""
        try:
            query = dav_report.CalendarQuery.of(self._peek_xml(environ, request_info))
        except (RuntimeError, ValueError):
            query = None
        if query is None or self._sharing._enabled:
            return super().do_REPORT(environ, base_prefix, path, user, user_groups, request_info)
        access = Access(self._rights, user, user_groups, path, None)
        with self._storage.acquire_lock("r", user):
            collection = next(iter(self._storage.discover(path)), None)
            if not (
                isinstance(collection, storage.BaseCollection)
                and collection.tag == "VCALENDAR"
                and access.check("r")
                and access.check("r", collection)
            ):
                return super().do_REPORT(
                    environ, base_prefix, path, user, user_groups, request_info
                )
            limit = self.configuration.get("reporting", "max_expand_occurrence")
            try:
                answer = dav_report.answer(query, collection, base_prefix, limit)
            except dav_report.Unanswerable:
                answer = None
            except ValueError:
                return httputils.BAD_REQUEST
        if answer is None:
            return super().do_REPORT(environ, base_prefix, path, user, user_groups, request_info)
        return self._multi_status(answer, request_info)

    def do_PROPPATCH(
        self,
        environ: types.WSGIEnviron,
        base_prefix: str,
        path: str,
        user: str,
        user_groups: set,
        request_info: dict,
    ) -> types.WSGIResponse:
        """Radicale's PROPPATCH; one the calendar refuses is a 207 saying why (`dav_proppatch`)."""
        try:
            requested = list(xmlutils.props_from_request(self._peek_xml(environ, request_info)))
        except (RuntimeError, ValueError):
            requested = []
        try:
            return super().do_PROPPATCH(environ, base_prefix, path, user, user_groups, request_info)
        except PropertiesRefused as refused:
            answer = dav_proppatch.refusal(base_prefix, path, requested, refused)
        return self._multi_status(self._xml_response(answer, request_info), request_info)

    def _peek_xml(self, environ: types.WSGIEnviron, request_info: dict) -> Any:
        """The request's XML body, read so that Radicale can read it again after us."""
        body = _buffered(environ)
        try:
            return self._read_xml_request_body(environ, request_info)
        finally:
            environ["wsgi.input"] = io.BytesIO(body)  # type: ignore[index]

    def _multi_status(self, answer: Any, request_info: dict) -> types.WSGIResponse:
        request_info["status"] = client.MULTI_STATUS
        headers = {"Content-Type": f"text/xml; charset={self._encoding}"}
        return client.MULTI_STATUS, headers, answer, None

    def do_PUT(
        self,
        environ: types.WSGIEnviron,
        base_prefix: str,
        path: str,
        user: str,
        user_groups: set,
        request_info: dict,
    ) -> types.WSGIResponse:
        body = _buffered(environ)
        unsupported = self._unsupported_component(path, body, user)
        if unsupported:
            request_info["status"] = client.FORBIDDEN
            return self._webdav_error_response(
                client.FORBIDDEN, "C:supported-calendar-component", request_info
            )
        # Before Radicale parses the item: its checks expand the rules they are given.
        refused = recurrence.refused_rule(body.decode("utf-8", "replace"))
        if refused:
            logger.info("PUT %s refused: %s", path, refused)
            request_info["status"] = client.FORBIDDEN
            return self._webdav_error_response(
                client.FORBIDDEN, "C:valid-calendar-data", request_info
            )
        return super().do_PUT(environ, base_prefix, path, user, user_groups, request_info)

    def __call__(
        self, environ: types.WSGIEnviron, start_response: types.WSGIStartResponse
    ) -> Iterable[bytes]:
        """Radicale's answer, unless `dav_guard` refuses the request first."""
        try:
            dav_guard.admit(environ, self.configuration)
        except dav_guard.Refused as refused:
            status, headers, body = refused.response()
            start_response(status, headers)
            return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]
        return super().__call__(environ, start_response)

    def do_MOVE(
        self,
        environ: types.WSGIEnviron,
        base_prefix: str,
        path: str,
        user: str,
        user_groups: set,
        request_info: dict,
    ) -> types.WSGIResponse:
        """Radicale's MOVE, with 403 Forbidden instead of 502 for a destination elsewhere.

        Radicale answers 502 Bad Gateway, which RFC 4918 (9.9.4) keeps for a
        destination server that refused the resource; CalBridge never asks
        another server, so the refusal is its own, and 403 is the status
        RFC 4918 gives a MOVE the server will not perform.
        """
        answer = super().do_MOVE(environ, base_prefix, path, user, user_groups, request_info)
        if answer != httputils.REMOTE_DESTINATION:
            return answer
        if not user:
            return httputils.NOT_ALLOWED  # Radicale challenges an anonymous client with 401
        request_info["status"] = client.FORBIDDEN
        message = "the Destination must be on this server"
        return client.FORBIDDEN, {"Content-Type": "text/plain"}, message, None

    def _unsupported_component(self, path: str, body: bytes, user: str) -> bool:
        """True when the item's components are outside its collection's supported set."""
        sane_path = pathutils.strip_path(path)
        parent_path = sane_path.rpartition("/")[0]
        with self._storage.acquire_lock("r", user):
            parent = next(
                iter(self._storage.discover(pathutils.unstrip_path(parent_path, True))), None
            )
            if not isinstance(parent, storage.BaseCollection) or parent.tag != "VCALENDAR":
                return False
            supported = parent.get_meta("C:supported-calendar-component-set")
        if not supported:
            return False
        allowed = {name.strip().upper() for name in supported.split(",")}
        found = {match.upper().decode() for match in _COMPONENT_LINE.findall(body)}
        return bool(found - allowed)


def _buffered(environ: types.WSGIEnviron) -> bytes:
    """Read the request body and put it back, so that it can be read again."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)  # type: ignore[index]
    return body


def dav_application(settings: Settings) -> CalBridgeDav:
    return CalBridgeDav(radicale_configuration(settings), settings)
