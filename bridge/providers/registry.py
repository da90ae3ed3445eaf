"""The providers this CalBridge has: adding one is adding its package and one line here."""

from __future__ import annotations

from bridge.domain import ProviderKind
from bridge.errors import InvalidInput
from bridge.providers import caldav, google, microsoft
from bridge.providers.spec import ProviderSpec

PROVIDERS: tuple[ProviderSpec, ...] = (
    google.SPEC,
    microsoft.SPEC,
    caldav.SPEC,
)


class UnknownProvider(InvalidInput):
    """A provider name or account kind this version has no package for."""


def provider_spec(kind: ProviderKind | str) -> ProviderSpec:
    """The spec of `kind` (an account's kind, or a name from a URL or the command line)."""
    for spec in PROVIDERS:
        if spec.kind.value == kind:
            return spec
    names = ", ".join(spec.kind.value for spec in PROVIDERS)
    raise UnknownProvider(f"unknown provider {str(kind)!r}: this CalBridge knows {names}")
