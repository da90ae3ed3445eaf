"""The `[caldav]` settings section (`CALBRIDGE_CALDAV_*` in the environment)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, IPvAnyNetwork, field_validator
from pydantic_settings import NoDecode


class CalDavSettings(BaseModel):
    """The `[caldav]` settings."""

    allowed_networks: Annotated[list[IPvAnyNetwork], NoDecode] = []
    """Private networks accounts may reach besides public addresses (self-hosted servers;
    see `reach`): a list in TOML, `10.0.0.0/8,127.0.0.1` in the environment."""

    @field_validator("allowed_networks", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value
