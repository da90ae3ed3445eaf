"""Building the command line loads none of the heavy parts: each command loads what it uses.

Run in a fresh interpreter, since this test session has imported everything already.
"""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "sqlalchemy",
    "alembic",
    "pydantic",
    "cryptography",
    "radicale",
    "caldav",
    "authlib",
    "uvicorn",
    "starlette",
    "httpx",
    "icalendar",
    "rich",
    "bridge.providers.google.provider",
    "bridge.providers.caldav.provider",
    "bridge.providers.microsoft.provider",
    "bridge.providers.oauth",
    "bridge.calendar_accounts",
    "bridge.web",
    "bridge.worker",
    "bridge.sync",
    "bridge.transfer",
)

PROBE = """
import contextlib, io, sys
import bridge.cli
with contextlib.redirect_stdout(io.StringIO()):
    bridge.cli.main(sys.argv[1:])
print("\\n".join(sorted(sys.modules)))
"""


def _loaded_after(*argv: str) -> set[str]:
    """The modules a fresh interpreter holds after `calbridge ARGV` (its output dropped)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=True
    )
    return set(done.stdout.split())


def _heavy(modules: set[str]) -> list[str]:
    return sorted(
        name for name in modules if any(name == h or name.startswith(f"{h}.") for h in HEAVY)
    )


def test_help_loads_no_provider_no_web_app_and_no_caldav_server() -> None:
    assert _heavy(_loaded_after("--help")) == []


def test_a_subcommands_help_loads_none_of_them_either() -> None:
    assert _heavy(_loaded_after("account", "connect", "google", "--help")) == []
