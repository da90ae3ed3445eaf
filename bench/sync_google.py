"""What syncing a CRM user's activities with Google Calendar costs, in requests and in delay.

    python -m bench.sync_google [--activities N] [--changes K] [--database-url URL]

Run from the project root. CalBridge runs its production path (the worker
`calbridge worker` builds, the Google provider, the store) against the
Google Calendar API emulator of the test suite, served on 127.0.0.1 in this
process; the emulator counts every HTTP request it receives. Measured, in
order, on one account holding N activities (default 10,000):

1. the initial push of all N: HTTP requests and wall time;
2. a run after one activity changed, the first after the push;
3. an idle run (nothing changed);
4. a run after one activity changed, once the push's echoes are behind;
5. with the worker serving in the background: the delay from saving a
   change in the CRM to the write arriving at Google, over K changes.

Each figure is printed next to its target, met or MISSED (the course is
`bench._sync_bench`'s, shared with `bench.sync_microsoft`). It is a
measurement, not a test: the exit status is 0 either way. SQLite in a
temporary directory by default; `--database-url` names a PostgreSQL server
on which a throwaway database is created and dropped.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bench import _sync_bench
from bench._sync_emulator import served_emulator


def main(argv: Sequence[str] | None = None) -> int:
    return _sync_bench.main(served_emulator, "CalBridge's Google Calendar sync: cost, delay.", argv)


if __name__ == "__main__":
    sys.exit(main())
