"""The `[caldav]` settings section (`CALBRIDGE_CALDAV_*` in the environment)."""

from __future__ import annotations

from pydantic import BaseModel

from bridge.setting_types import Networks


class CalDavSettings(BaseModel):
    """The `[caldav]` settings."""

    allowed_networks: Networks = []
    """Private networks accounts may reach besides public addresses (self-hosted servers;
    see `reach`): a list in TOML, `10.0.0.0/8,127.0.0.1` in the environment."""
