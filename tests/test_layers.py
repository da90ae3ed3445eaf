"""Dependencies point one way: each layer loads only what the README's Layout table allows.

Every check imports one module in a fresh interpreter and looks at what
`sys.modules` holds afterwards, so an import hidden behind another module
(or added later to a package's `__init__`) is caught as well as a direct one.
"""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import bridge.store

ROOT = Path(__file__).resolve().parent.parent

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


PROVIDER_PACKAGES = ("google", "microsoft", "caldav", "memory")
ABOVE_PROVIDERS = (
    "bridge.store",
    "bridge.sync",
    "bridge.worker",
    "bridge.web",
    "bridge.cli",
    "bridge.config",
    "bridge.connections",
    "bridge.calendar_accounts",
)


def modules_of(package: str) -> list[str]:
    """`package` and every module in it, by dotted name."""
    found = __import__(package, fromlist=["__path__"])
    return [package] + [
        f"{package}.{module.name}" for module in pkgutil.iter_modules(found.__path__)
    ]


@pytest.mark.parametrize(
    "module",
    [name for package in PROVIDER_PACKAGES for name in modules_of(f"bridge.providers.{package}")],
)
def test_a_provider_package_loads_no_other_provider_and_nothing_above_it(module: str) -> None:
    names = loaded_by(module)
    own = module.split(".")[2]
    others = tuple(f"bridge.providers.{name}" for name in PROVIDER_PACKAGES if name != own)
    assert within(names, (*others, *ABOVE_PROVIDERS)) == []


def test_the_registry_loads_no_provider_implementation_and_no_settings_library() -> None:
    names = loaded_by("bridge.providers.registry")
    implementations = tuple(f"bridge.providers.{name}.provider" for name in PROVIDER_PACKAGES)
    assert within(names, (*IO, *implementations, "pydantic", "bridge.providers.oauth")) == []


def test_the_account_service_reaches_no_worker_internals() -> None:
    assert within(loaded_by("bridge.calendar_accounts"), ("bridge.worker",)) == []


def test_the_command_line_imports_no_web_module() -> None:
    """Checked in the source, since commands import what they use inside their bodies."""
    offenders = []
    for path in sorted((ROOT / "bridge" / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bridge.web"):
                offenders.append(f"{path.name}: {node.module}")
            if isinstance(node, ast.Import):
                offenders += [
                    f"{path.name}: {a.name}" for a in node.names if a.name.startswith("bridge.web")
                ]
    assert offenders == []
