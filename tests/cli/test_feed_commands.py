from __future__ import annotations

import pytest
import sqlalchemy as sa

from bridge.cli import main
from bridge.store.feeds import find_feed

pytestmark = pytest.mark.usefixtures("cli_env")
PUBLIC_URL = "https://cal.example.com"


def _create(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Runs `feed create` and returns the token from the printed URL."""
    capsys.readouterr()
    assert main(["feed", "create", *argv]) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith(f"{PUBLIC_URL}/feeds/")
    assert url.endswith(".ics")
    return url.removeprefix(f"{PUBLIC_URL}/feeds/").removesuffix(".ics")


def _live(engine: sa.Engine, token: str) -> bool:
    with engine.connect() as conn:
        return find_feed(conn, token) is not None


@pytest.fixture
def users(cli_env: None) -> None:
    assert main(["user", "add", "ada", "--password", "pw"]) == 0
    assert main(["user", "add", "bob", "--password", "pw"]) == 0


@pytest.mark.usefixtures("users")
def test_create_list_revoke(engine: sa.Engine, capsys: pytest.CaptureFixture[str]) -> None:
    own = _create(capsys, "--user", "ada", "--label", "phone")
    team = _create(capsys, "--user", "ada", "--scope", "team")
    _create(capsys, "--user", "bob")
    assert _live(engine, own)
    assert _live(engine, team)

    assert main(["feed", "list", "--user", "ada"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert rows[0] == ["ID", "USER", "SCOPE", "LABEL", "CREATED", "STATUS"]
    assert [(row[0], row[1], row[2], row[3], row[-1]) for row in rows[1:]] == [
        ("1", "ada", "own", "phone", "live"),
        ("2", "ada", "team", "-", "live"),
    ]

    assert main(["feed", "revoke", "1"]) == 0
    assert not _live(engine, own)
    capsys.readouterr()
    assert main(["feed", "list"]) == 0
    statuses = [line.split()[-1] for line in capsys.readouterr().out.splitlines()[1:]]
    assert statuses == ["revoked", "live", "live"]

    assert main(["feed", "revoke", "1"]) == 1
    assert capsys.readouterr().err == "calbridge: error: no live feed 1\n"


@pytest.mark.usefixtures("users")
def test_rotate_replaces_the_url(engine: sa.Engine, capsys: pytest.CaptureFixture[str]) -> None:
    old = _create(capsys, "--user", "ada")
    capsys.readouterr()
    assert main(["feed", "rotate", "1", "--user", "bob"]) == 1
    assert main(["feed", "rotate", "1", "--user", "ada"]) == 0
    new = capsys.readouterr().out.strip().removeprefix(f"{PUBLIC_URL}/feeds/").removesuffix(".ics")
    assert not _live(engine, old)
    assert _live(engine, new)


def test_unknown_user(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["feed", "create", "--user", "nobody"]) == 1
    assert capsys.readouterr().err == "calbridge: error: no such user: 'nobody'\n"
