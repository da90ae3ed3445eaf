"""Settings, read once from the environment (``CALBRIDGE_*``) and an optional TOML file.

One place decides defaults so that ``make run`` works with no configuration at
all: a SQLite file under ``./var/`` and a server on 127.0.0.1:8000. Each
provider brings its own section (`ProviderSpec.settings`), named after its
kind: ``CALBRIDGE_GOOGLE_CLIENT_ID`` in the environment is ``client_id``
under ``[google]`` in the file.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, create_model
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bridge.domain import ProviderKind
from bridge.providers.registry import PROVIDERS
from bridge.setting_types import Networks

DEFAULT_DATABASE_URL = "sqlite:///./var/calbridge.db"


class CoreSettings(BaseSettings):
    """Every knob CalBridge has but the providers' sections; the README lists them all."""

    model_config = SettingsConfigDict(
        env_prefix="CALBRIDGE_",
        extra="ignore",
        env_nested_delimiter="_",
        env_nested_max_split=1,
    )

    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""
    max_body_bytes: int = 10 * 1024 * 1024
    auth_cache_seconds: int = 60
    """How long a process remembers a successful sign-in instead of checking argon2 again."""
    dav_workers: int = Field(default=10, ge=1)
    """Threads answering CalDAV; when all are busy `/healthz` says so (503)."""
    dav_request_seconds: float = Field(default=30.0, ge=0)
    """How long one CalDAV request may work before it is stopped with 503 (0: no limit)."""
    sign_in_address_failures: int = Field(default=10, ge=1)
    """Failed sign-ins one client address may make per `sign_in_window_seconds`; then 429."""
    sign_in_user_failures: int = Field(default=50, ge=1)
    """Failed sign-ins per login and window (from any address) before addresses that
    failed too are refused; clients without recent failures may still sign in."""
    sign_in_window_seconds: float = Field(default=900.0, gt=0)
    """The window of both limits: counts leak away steadily, a full one in this time."""
    trusted_proxies: Networks = []
    """Reverse proxies whose `X-Forwarded-For` names the client; otherwise the socket's peer is."""
    log_level: str = "info"
    secret_key: str = Field(default="", repr=False)
    """Fernet key(s) encrypting connected accounts' refresh tokens and passwords at rest.

    When empty, the key is read from `secret_key_file`, which is created
    with a new random key on first use. To rotate, put the new key first
    and keep the old ones after it, comma-separated, until every stored
    secret is re-encrypted. The newest key also keys the UIDs colleagues
    see private activities under (`bridge.secrets.masking_key`), so a new
    one changes them. Kept out of the settings' repr.
    """
    secret_key_file: str = "./var/secret.key"
    run_worker: bool = True
    """Whether `calbridge serve` runs a sync worker in its own process (`--no-worker`: no)."""
    worker_interval_seconds: float = 60.0
    """How often each active account is synced when nothing wakes it earlier."""
    worker_poll_seconds: float = 0.5
    """How often the worker looks for due accounts and CRM changes."""
    worker_concurrency: int = 4
    """Accounts one worker process syncs at the same time."""
    worker_lease_seconds: float = 300.0
    """How long a claimed account stays a worker's before another may take it over."""
    deletion_hold_minimum: int = 10
    """Deletions a run always makes without asking (see `bridge.sync.guard`)."""
    deletion_hold_share: float = 0.25
    """Above the minimum, a run holds deletions past this share of an account's synced items."""
    deletion_hold_ceiling: int = 200
    """Above the minimum, a run holds more deletions than this whatever the share."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Environment beats the file named by CALBRIDGE_CONFIG, which beats defaults."""
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("CALBRIDGE_CONFIG")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)

    @property
    def base_url(self) -> str:
        """The URL people type; printed by the CLI and used in feed links."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    def section(self, kind: ProviderKind) -> BaseModel:
        """The settings section of provider `kind`."""
        section: BaseModel = getattr(self, kind.value)
        return section


if TYPE_CHECKING:
    Settings = CoreSettings
else:
    Settings = create_model(
        "Settings",
        __base__=CoreSettings,
        __doc__="The core settings and one section per provider of the registry.",
        **{
            spec.kind.value: (spec.settings(), Field(default_factory=spec.settings()))
            for spec in PROVIDERS
        },
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
