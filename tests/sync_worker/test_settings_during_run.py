"""A settings change made while a run is under way applies to that run's writes, never half.

The change here lands between the run's listing and its first calendar
write (the user unticks a type on the settings page meanwhile). The run
must end with the calendar as the new settings want it, and must not
record a full read that the new settings still ask for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bridge.providers import CalendarProvider
from tests.sync_worker.scene import Scene


class _ChangesSettingsOnFirstWrite:
    """A provider that lets `change` happen just before its first calendar write."""

    def __init__(self, inner: CalendarProvider, change: Callable[[], None]) -> None:
        self._inner = inner
        self._change: Callable[[], None] | None = change

    def create_many(self, *args: Any, **kwargs: Any) -> Any:
        if self._change is not None:
            change, self._change = self._change, None
            change()
        return self._inner.create_many(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_unticking_a_type_during_a_run_leaves_no_event_of_that_type(scene: Scene) -> None:
    for n in range(3):
        scene.add(f"Call {n}", type_key="call")
    scene.add("Meeting", type_key="meeting")
    scene.start()

    def untick_calls() -> None:
        scene.accounts.update_settings("alice", scene.account_id, {"pushed_type_keys": ["meeting"]})

    opener = scene.worker.open_provider
    scene.worker.open_provider = lambda account, save: _ChangesSettingsOnFirstWrite(
        opener(account, save), untick_calls
    )
    try:
        scene.sync()
    finally:
        scene.worker.open_provider = opener

    assert [event.summary for event in scene.side.events()] == ["Meeting"]
    quiet = scene.sync()
    assert (quiet.counts.pushed, quiet.counts.deleted) == (0, 0)
    assert [event.summary for event in scene.side.events()] == ["Meeting"]
