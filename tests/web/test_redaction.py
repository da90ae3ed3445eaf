import logging

import httpx
import pytest
import sqlalchemy as sa

from bridge.store import feeds, users
from bridge.web.redaction import RedactFeedTokens, redact


def test_redact_hides_the_token_only() -> None:
    assert redact("GET /feeds/AbC-123_x.ics?types=call") == "GET /feeds/….ics?types=call"
    assert redact("GET /dav/demo/activities/") == "GET /dav/demo/activities/"


def test_access_log_never_shows_a_feed_token(
    live_server: str, engine: sa.Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with engine.begin() as conn:
        user = users.create_user(conn, "erin", "pw")
        token = feeds.create_feed(conn, user.id)
    access = logging.getLogger("uvicorn.access")
    assert any(isinstance(f, RedactFeedTokens) for f in access.filters)
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        assert httpx.get(f"{live_server}/feeds/{token}.ics").status_code == 200
    assert caplog.records
    assert all(token not in record.getMessage() for record in caplog.records)
