"""What syncing a CRM user's activities with Outlook (Microsoft Graph) costs, in requests and
in delay: the Graph twin of `bench.sync_google`.

    python -m bench.sync_microsoft [--activities N] [--changes K] [--database-url URL]

Run from the project root. CalBridge runs its production path (the worker
`calbridge worker` builds, the Microsoft provider, the store) against the
Microsoft Graph emulator of the test suite, served on 127.0.0.1 in this
process; the emulator counts every HTTP request it receives (a `$batch`
is one; the calls inside it are shown apart). Measured, in order, on one
account holding N activities (default 10,000), as `bench._sync_bench`
does for both services:

1. the initial push of all N: HTTP requests and wall time;
2. a run after one activity changed, the first after the push;
3. an idle run (nothing changed);
4. a run after one activity changed, once the push's echoes are behind;
5. with the worker serving in the background: the delay from saving a
   change in the CRM to the write arriving at Graph, over K changes;
6. the mails Graph would have sent over all of it (the emulator's outbox).

Targets: the push at most 600 requests for 10,000 activities (60 per
1,000, scaled with N); a run after one change at most 2 requests; an idle
run 1; change to write under 2 s (median and max); no mail. Each figure is
printed next to its target, met or MISSED. It is a measurement, not a
test: the exit status is 0 either way. SQLite in a temporary directory by
default; `--database-url` names a PostgreSQL server on which a throwaway
database is created and dropped.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bench import _sync_bench
from bench._microsoft_emulator import served_emulator


def main(argv: Sequence[str] | None = None) -> int:
    return _sync_bench.main(
        served_emulator, "CalBridge's Microsoft Graph sync: cost, delay, mail.", argv
    )


if __name__ == "__main__":
    sys.exit(main())
