"""The two servers under test as child processes on 127.0.0.1, and their data.

Radicale gets its file storage written directly (one `.ics` per event), which
takes seconds where 100,000 PUTs would take hours; CalBridge gets its
database filled by its own bulk import in a child process
(`bench._load_calbridge`). Every process started here is stopped by the
`contextlib.ExitStack` the caller passes in, whatever happens.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from _events import Event, calendar_text

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
LOAD_TIMEOUT = 3600.0
"""Far above the few minutes 100,000 events take, yet a hung import still ends the run."""
CALENDAR_PROPS = {"tag": "VCALENDAR", "C:supported-calendar-component-set": "VEVENT"}


@dataclass(frozen=True)
class Server:
    """A running server: where it listens and where its output goes."""

    name: str
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    """A port nothing listens on now; the OS picks it, so two runs never collide."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate, then kill if it does not go within `STOP_TIMEOUT`."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_TIMEOUT)


def _spawn(
    stack: contextlib.ExitStack, command: Sequence[str], log: Path, env: dict[str, str]
) -> subprocess.Popen[bytes]:
    """Start ``command`` from the project root, output to ``log``, stopped with ``stack``."""
    output = stack.enter_context(log.open("wb"))
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=output
    )
    stack.callback(_stop, process)
    return process


def _wait_until_up(server: Server) -> None:
    """Poll until the port answers HTTP; a process that exits or stays mute is an error."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited at start:\n{server.log_tail()}")
        try:
            httpx.request("OPTIONS", server.base_url + "/", timeout=1.0, trust_env=False)
        except httpx.TransportError:
            time.sleep(0.1)
            continue
        return
    raise RuntimeError(f"{server.name} did not answer within {START_TIMEOUT:.0f} s")


# Radicale


def write_radicale_collection(folder: Path, user: str, calendar: str, events: list[Event]) -> Path:
    """A calendar in Radicale's file layout: `.Radicale.props` and one `<href>` file per event."""
    collection = folder / "collection-root" / user / calendar
    collection.mkdir(parents=True)
    (collection / ".Radicale.props").write_text(json.dumps(CALENDAR_PROPS), encoding="utf-8")
    for event in events:
        (collection / event.href).write_text(calendar_text([event]), encoding="utf-8", newline="")
    return collection


def start_radicale(stack: contextlib.ExitStack, workdir: Path, folder: Path) -> Server:
    """Stock Radicale with `multifilesystem` storage and no authentication."""
    port = free_port()
    config = workdir / "radicale.conf"
    config.write_text(
        "[server]\n"
        f"hosts = {HOST}:{port}\n"
        "[auth]\n"
        "type = none\n"
        "[storage]\n"
        "type = multifilesystem\n"
        f"filesystem_folder = {folder}\n"
        "[web]\n"
        "type = none\n"
        "[logging]\n"
        "level = warning\n",
        encoding="utf-8",
    )
    log = workdir / "radicale.log"
    command = [sys.executable, "-m", "radicale", "--config", str(config)]
    process = _spawn(stack, command, log, dict(os.environ))
    server = Server("Radicale", process, f"http://{HOST}:{port}", log)
    _wait_until_up(server)
    return server


# CalBridge


def start_calbridge_load(
    stack: contextlib.ExitStack, workdir: Path, database_url: str, arguments: Sequence[str]
) -> subprocess.Popen[bytes]:
    """Start filling the database in the background; `finish_calbridge_load` collects it."""
    env = dict(os.environ, CALBRIDGE_DATABASE_URL=database_url)
    command = [sys.executable, "-m", "bench._load_calbridge", *arguments]
    output = stack.enter_context((workdir / "load.out").open("wb"))
    errors = stack.enter_context((workdir / "load.err").open("wb"))
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=errors)
    stack.callback(_stop, process)
    return process


def finish_calbridge_load(process: subprocess.Popen[bytes], workdir: Path) -> dict[str, object]:
    """Wait for the loader and return what it printed; its stderr is the error otherwise."""
    if process.wait(LOAD_TIMEOUT) != 0:
        raise RuntimeError(f"loading CalBridge failed:\n{(workdir / 'load.err').read_text()}")
    return json.loads((workdir / "load.out").read_text())


def _calbridge_command(port: int) -> list[str]:
    """`calbridge serve` when the console script is installed, else the same app under uvicorn."""
    script = Path(sys.executable).with_name("calbridge")
    if script.exists():
        return [str(script), "serve", "--host", HOST, "--port", str(port), "--no-worker"]
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "bridge.web.app:create_app",
        "--factory",
        "--host",
        HOST,
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]


def start_calbridge(stack: contextlib.ExitStack, workdir: Path, database_url: str) -> Server:
    """CalBridge's web app (CalDAV at /dav/, feeds) on the loaded database."""
    port = free_port()
    env = dict(os.environ, CALBRIDGE_DATABASE_URL=database_url, CALBRIDGE_LOG_LEVEL="warning")
    log = workdir / "calbridge.log"
    process = _spawn(stack, _calbridge_command(port), log, env)
    server = Server("CalBridge", process, f"http://{HOST}:{port}", log)
    _wait_until_up(server)
    return server
