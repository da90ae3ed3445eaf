"""Dependencies point one way: each layer loads only what the README's Layout table allows.

Every check imports one module in a fresh interpreter and looks at what
`sys.modules` holds afterwards, so an import hidden behind another module
(or added later to a package's `__init__`) is caught as well as a direct one.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import bridge.store

IO = ("sqlalchemy", "httpx", "niquests", "authlib", "caldav")
"""Database and network libraries: loading one means the module can do I/O."""

PURE = (
    "bridge.sync.planner",
    "bridge.sync.decisions",
    "bridge.sync.guard",
    "bridge.sync.content",
    "bridge.sync.hashing",
    "bridge.sync.model",
    "bridge.sync.status",
    "bridge.links",
    "bridge.accounts",
)
"""The sync planner, its model, the status explanation and the value types they share."""

STORE = tuple(
    f"bridge.store.{module.name}"
    for module in pkgutil.iter_modules(bridge.store.__path__)
    if not module.ispkg
)


def loaded_by(module: str) -> list[str]:
    """The names in `sys.modules` after a fresh interpreter imports `module`."""
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout.split()


def within(names: list[str], packages: tuple[str, ...]) -> list[str]:
    """The names that are one of `packages` or inside one."""
    return [name for name in names if any(name == p or name.startswith(f"{p}.") for p in packages)]


@pytest.mark.parametrize("module", PURE)
def test_the_planner_and_its_values_load_no_store_and_no_io(module: str) -> None:
    names = loaded_by(module)
    assert module in names
    assert within(names, (*IO, "bridge.store", "bridge.worker", "bridge.web")) == []


def test_every_store_module_is_checked() -> None:
    assert "bridge.store.sync_links" in STORE
    assert "bridge.store.sync_accounts" in STORE


@pytest.mark.parametrize("module", STORE)
def test_the_store_loads_no_sync_engine(module: str) -> None:
    names = loaded_by(module)
    assert module in names
    assert within(names, ("bridge.sync", "bridge.worker", "bridge.web")) == []
