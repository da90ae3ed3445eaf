"""An in-memory calendar account behind the provider contract: the reference implementation.

`MemoryCalendarProvider` follows every documented rule of
`bridge.providers` with nothing but dictionaries, so it shows provider
authors what the contract asks for, and it is the calendar the pure sync
tests run against. Its "outside world" methods play everyone else: other
clients editing events, the server expiring cursors or throttling, the
user revoking access. It is a library class, not a provider users can
connect (there is no `ProviderKind` for it).

The pieces, one job each: `provider` (the contract and the outside world),
`calendar` (one calendar's events, series and change log), `recurrence`
(rules and their occurrences), `cursor` (the opaque cursor) and `faults`
(request counting, throttling, a revoked grant).
"""

from bridge.providers.memory.provider import PRIMARY, MemoryCalendarProvider
from bridge.providers.memory.recurrence import Recurrence

__all__ = ["PRIMARY", "MemoryCalendarProvider", "Recurrence"]
