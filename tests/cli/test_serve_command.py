from __future__ import annotations

from typing import Any

import pytest
import uvicorn

from bridge.cli import main
from bridge.config import get_settings

pytestmark = pytest.mark.usefixtures("cli_env")
PUBLIC_URL = "https://cal.example.com"


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Records what uvicorn would have been asked to run instead of serving."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(
        uvicorn, "run", lambda app, **options: calls.append({"app": app, **options})
    )
    return calls


def test_serve_prints_where_to_go(
    started: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--no-worker"]) == 0
    out = capsys.readouterr().out
    assert f"web:    {PUBLIC_URL}/" in out
    assert f"CalDAV: {PUBLIC_URL}/dav/" in out
    assert "demo" not in out
    (call,) = started
    assert call["app"] == "bridge.web.app:create_app"
    assert call["factory"] is True
    assert (call["host"], call["port"]) == ("127.0.0.1", 8000)


def test_serve_mentions_the_demo_sign_in(
    started: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo"]) == 0
    feed_line = next(
        line for line in capsys.readouterr().out.splitlines() if line.startswith("feed URL")
    )
    feed_url = feed_line.split(": ", 1)[1]
    assert main(["serve"]) == 0
    out = capsys.readouterr().out
    assert "sign in as demo / demo" in out
    assert f"feed:   {feed_url}" in out


def test_address_options_reach_the_app(
    started: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CALBRIDGE_PUBLIC_URL")
    monkeypatch.setenv("CALBRIDGE_HOST", "127.0.0.1")
    monkeypatch.setenv("CALBRIDGE_PORT", "8000")
    assert main(["serve", "--host", "0.0.0.0", "--port", "9123"]) == 0
    (call,) = started
    assert (call["host"], call["port"]) == ("0.0.0.0", 9123)
    assert get_settings().base_url == "http://0.0.0.0:9123"
