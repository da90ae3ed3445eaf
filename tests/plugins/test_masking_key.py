"""The masking key: secret, and the same in every process and after every restart."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bridge.config import Settings
from bridge.secrets import SecretError, generate_key, masking_key
from bridge.web.dav import radicale_configuration
from plugins.masking import masking_key_for


def test_the_key_is_derived_from_the_newest_secret_key() -> None:
    old, new = generate_key(), generate_key()
    assert masking_key(old, "") == masking_key(f" {old} ", "")
    assert masking_key(f"{new},{old}", "") == masking_key(new, "") != masking_key(old, "")
    assert old.encode() not in masking_key(old, "") and len(masking_key(old, "")) == 32


def test_a_key_file_gives_every_process_the_same_key(tmp_path: Path) -> None:
    key_file = tmp_path / "var" / "secret.key"
    here = masking_key("", str(key_file))
    assert key_file.exists()
    elsewhere = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from bridge.secrets import masking_key; "
            "print(masking_key('', sys.argv[1]).hex())",
            str(key_file),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert elsewhere == here.hex()
    assert masking_key("", str(key_file)) == here


def test_an_empty_key_file_is_an_error_not_an_empty_key(tmp_path: Path) -> None:
    key_file = tmp_path / "secret.key"
    key_file.write_text(" \n")
    with pytest.raises(SecretError):
        masking_key("", str(key_file))


def test_the_storage_plugin_uses_the_apps_key(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", secret_key=generate_key()
    )
    configuration = radicale_configuration(settings)
    expected = masking_key(settings.secret_key, settings.secret_key_file)
    assert masking_key_for(configuration, "storage") == expected
