from __future__ import annotations

import pytest

from bridge.cli import main

pytestmark = pytest.mark.usefixtures("cli_env")
PUBLIC_URL = "https://cal.example.com"


def test_demo_prints_the_feed_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    first = capsys.readouterr().out
    assert "created demo workspace" in first
    assert f"{PUBLIC_URL}/feeds/" in first
    assert main(["demo"]) == 0
    second = capsys.readouterr().out
    assert second == "demo workspace already there: users demo, colleague, 200 activities\n"
