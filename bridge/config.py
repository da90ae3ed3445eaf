"""Settings, read once from the environment (``CALBRIDGE_*``) and an optional TOML file.

One place decides defaults so that ``make run`` works with no configuration at
all: a SQLite file under ``./var/`` and a server on 127.0.0.1:8000.
"""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_DATABASE_URL = "sqlite:///./var/calbridge.db"


class Settings(BaseSettings):
    """Every knob CalBridge has; the README's configuration reference lists them."""

    model_config = SettingsConfigDict(env_prefix="CALBRIDGE_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""
    max_body_bytes: int = 10 * 1024 * 1024
    auth_cache_seconds: int = 60
    log_level: str = "info"

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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
