"""Value types settings share, wherever their section is declared (core or a provider's)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, IPvAnyNetwork
from pydantic_settings import NoDecode


def _comma_separated(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


Networks = Annotated[list[IPvAnyNetwork], NoDecode, BeforeValidator(_comma_separated)]
"""Networks as a list (TOML) or comma-separated (environment): `10.0.0.0/8,127.0.0.1`."""
