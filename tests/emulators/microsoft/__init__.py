"""An in-process Microsoft Graph (calendars, events, delta, batching, subscriptions) and
Microsoft identity platform v2.0 for CalBridge's tests, following Microsoft's documented
behaviour; see `emulator.py` for how to serve it."""

from tests.emulators.microsoft.emulator import GraphEmulator, create_graph_emulator
from tests.emulators.microsoft.faults import Fault

__all__ = ["Fault", "GraphEmulator", "create_graph_emulator"]
