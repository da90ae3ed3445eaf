"""`dav_guard.admit` on a WSGI environ: what cannot be shown over a socket that stays open."""

from __future__ import annotations

import io
from http import HTTPStatus

import pytest

from bridge.config import Settings
from bridge.web import dav_guard
from bridge.web.dav import radicale_configuration


def test_a_body_shorter_than_its_length_is_refused() -> None:
    configuration = radicale_configuration(Settings(database_url="sqlite://"))
    body = b"BEGIN:VCALENDAR\r\n"
    environ = {
        "REQUEST_METHOD": "PUT",
        "PATH_INFO": "/dave/activities/cut.ics",
        "CONTENT_LENGTH": str(len(body) + 100),
        "wsgi.input": io.BytesIO(body),
    }
    with pytest.raises(dav_guard.Refused) as refused:
        dav_guard.admit(environ, configuration)
    assert refused.value.status == HTTPStatus.BAD_REQUEST
    assert "shorter than its length" in str(refused.value)
