"""Kept while other page modules move their import to `bridge.web.pages.zones`."""

from bridge.web.pages.zones import zone_of

__all__ = ["zone_of"]
