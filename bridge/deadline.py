"""A deadline for the work the current request started, checked inside long loops.

A web door sets it around a request (`within`); loops that can run long
(recurrence walks, listings, REPORT answers) call `check`, which raises
`DeadlinePassed` once it is over, so the thread stops and is free for the
next request. Outside any request `check` never raises: the CLI and the
worker have no deadline.

`DeadlinePassed` is a BaseException on purpose, as KeyboardInterrupt is:
code between the loop and the door that turns any Exception into an answer
(Radicale answers 500 for those) must let it pass, while context managers
still roll back transactions and release locks on the way out.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterator

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("deadline", default=None)


class DeadlinePassed(BaseException):
    """The request's time is up; the work it started stops here."""


@contextlib.contextmanager
def within(seconds: float) -> Iterator[None]:
    """Run the block under a deadline `seconds` from now (0 or less: none)."""
    token = _deadline.set(time.monotonic() + seconds if seconds > 0 else None)
    try:
        yield
    finally:
        _deadline.reset(token)


def check() -> None:
    """Raise `DeadlinePassed` when the current deadline is over."""
    at = _deadline.get()
    if at is not None and time.monotonic() > at:
        raise DeadlinePassed(f"the request's deadline passed {time.monotonic() - at:.1f} s ago")
