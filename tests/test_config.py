"""Settings: the core knobs and each provider's section, from the environment and the TOML file."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from bridge.config import Settings
from bridge.providers.registry import PROVIDERS


def test_every_provider_of_the_registry_has_its_section() -> None:
    settings = Settings()
    for spec in PROVIDERS:
        assert isinstance(settings.section(spec.kind), spec.settings())


def test_a_section_reads_the_environment_under_the_providers_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CALBRIDGE_GOOGLE_CLIENT_ID", "from-env")
    monkeypatch.setenv("CALBRIDGE_CALDAV_ALLOWED_NETWORKS", "10.0.0.0/8, 127.0.0.1")
    monkeypatch.setenv("CALBRIDGE_TRUSTED_PROXIES", "192.0.2.1")

    settings = Settings()

    assert settings.google.client_id == "from-env"
    assert settings.caldav.allowed_networks == [
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("127.0.0.1/32"),
    ]
    assert settings.trusted_proxies == [ipaddress.ip_network("192.0.2.1/32")]


def test_the_file_holds_sections_and_the_environment_wins_field_by_field(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "calbridge.toml"
    config.write_text(
        'port = 9000\n[google]\nclient_id = "from-file"\nclient_secret = "file-secret"\n'
        '[caldav]\nallowed_networks = ["10.1.0.0/16"]\n'
    )
    monkeypatch.setenv("CALBRIDGE_CONFIG", str(config))
    monkeypatch.setenv("CALBRIDGE_GOOGLE_CLIENT_ID", "from-env")

    settings = Settings()

    assert settings.port == 9000
    assert (settings.google.client_id, settings.google.client_secret) == ("from-env", "file-secret")
    assert settings.caldav.allowed_networks == [ipaddress.ip_network("10.1.0.0/16")]


def test_a_secret_stays_out_of_the_settings_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALBRIDGE_GOOGLE_CLIENT_SECRET", "canary-client-secret")
    assert "canary-client-secret" not in repr(Settings())


def test_the_example_file_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    example = Path(__file__).resolve().parent.parent / "config" / "calbridge.example.toml"
    monkeypatch.setenv("CALBRIDGE_CONFIG", str(example))
    settings = Settings()
    assert settings.google.client_id == ""
    assert settings.caldav.allowed_networks == []
