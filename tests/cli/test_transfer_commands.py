from __future__ import annotations

from pathlib import Path

import pytest

from bridge.cli import main
from tests.cli.calendars import calendar

pytestmark = pytest.mark.usefixtures("cli_env")


@pytest.fixture
def ada(cli_env: None) -> None:
    assert main(["user", "add", "ada", "--password", "pw"]) == 0


@pytest.mark.usefixtures("ada")
def test_import_twice_then_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.ics"
    source.write_text(calendar(range(1, 101), broken=True), newline="")
    capsys.readouterr()

    assert main(["import", str(source), "--user", "ada", "--type", "call"]) == 0
    out, err = capsys.readouterr()
    assert out == "imported 100, skipped 0 (already there), failed 1\n"
    assert err.startswith("  object 101 (UID broken@example.com): ")

    assert main(["import", str(source), "--user", "ada"]) == 0
    assert capsys.readouterr().out == "imported 0, skipped 100 (already there), failed 1\n"

    exported = tmp_path / "out.ics"
    assert main(["export", "--user", "ada", "--output", str(exported)]) == 0
    assert exported.read_text().count("UID:event-") == 100
    assert main(["export", "--user", "ada"]) == 0
    assert capsys.readouterr().out.count("UID:event-") == 100


@pytest.mark.usefixtures("ada")
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["import", "missing.ics", "--user", "ada"], "missing.ics: No such file or directory"),
        (["import", "{binary}", "--user", "ada"], "not a UTF-8 text file"),
        (["import", "{good}", "--user", "nobody"], "no such user: 'nobody'"),
        (["import", "{text}", "--user", "ada"], "content outside any BEGIN/END block"),
        (["import", "{good}", "--user", "ada", "--type", "nap"], "unknown activity type"),
        (["export", "--user", "nobody"], "no such user: 'nobody'"),
    ],
)
def test_refusals(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "binary.ics").write_bytes(b"\xff\xfe\x00garbage")
    (tmp_path / "good.ics").write_text(calendar([1]))
    (tmp_path / "text.ics").write_text("just some notes\n")
    files = {name: tmp_path / f"{name}.ics" for name in ("binary", "good", "text")}
    argv = [arg.format(**files) for arg in argv]
    capsys.readouterr()
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("calbridge: error: ")
    assert message in err
    assert len(err.splitlines()) == 1
