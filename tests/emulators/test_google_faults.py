"""Injected faults on the emulator: rate limits, backend errors, dropped connections."""

from __future__ import annotations

import httpx
import pytest

from tests.emulators.google_calendar import Fault, GoogleEmulator
from tests.emulators.google_samples import reason, timed_event

EVENTS = "/calendars/primary/events"


def test_429_with_retry_after_then_success(google: GoogleEmulator, api: httpx.Client) -> None:
    google.inject(Fault.too_many_requests(retry_after=7))

    limited = api.get(EVENTS)
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "7"
    assert limited.json()["error"]["errors"][0] == {
        "domain": "usageLimits",
        "reason": "rateLimitExceeded",
        "message": "Rate Limit Exceeded",
    }
    assert api.get(EVENTS).status_code == 200
    assert google.requests["calendar.events.list"] == 2


def test_faults_can_target_a_path_and_several_requests(
    google: GoogleEmulator, api: httpx.Client
) -> None:
    google.inject(Fault.rate_limit_exceeded("userRateLimitExceeded", times=2, path=r"/events/"))

    assert api.get(EVENTS).status_code == 200
    for _ in range(2):
        refused = api.get(f"{EVENTS}/nosuchevent")
        assert (refused.status_code, reason(refused)) == (403, "userRateLimitExceeded")
    assert api.get(f"{EVENTS}/nosuchevent").status_code == 404


def test_backend_error_and_dropped_connection(google: GoogleEmulator, api: httpx.Client) -> None:
    google.inject(Fault.backend_error())
    google.inject(Fault.dropped_connection())

    failed = api.post(EVENTS, json=timed_event("act00001"))
    assert (failed.status_code, reason(failed)) == (500, "backendError")
    # A connection closed mid-reply surfaces as a protocol error or, when the
    # peer resets it first, as a read error: both are transport errors.
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.post(EVENTS, json=timed_event("act00001"))
    assert api.post(EVENTS, json=timed_event("act00001")).status_code == 200


def test_slow_reply_trips_a_client_timeout(google: GoogleEmulator, api: httpx.Client) -> None:
    google.inject(Fault.slow(2.0))

    with pytest.raises(httpx.ReadTimeout):
        api.get(EVENTS, timeout=0.2)
    assert api.get(EVENTS).status_code == 200
