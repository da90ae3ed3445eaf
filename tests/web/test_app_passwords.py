"""App passwords at the API: listed and revoked by their owner only, and dead at once everywhere.

Two instances of the app on one database stand for two processes or nodes,
each with its own cache of recent sign-ins.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa

from bridge.config import Settings
from bridge.domain import User
from bridge.store.db import writing
from bridge.store.users import add_app_password, set_password
from bridge.web.app import create_app
from tests.servers import serve_in_thread
from tests.sync_fixtures import CRM_LOGIN, CRM_PASSWORD

APP_PASSWORDS = "/api/v1/app-passwords"


@pytest.fixture
def servers(engine: sa.Engine, secret_key: str, crm_user: User) -> Iterator[tuple[str, str]]:
    """Two app instances on the test's database, each caching sign-ins for an hour."""
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        secret_key=secret_key,
        auth_cache_seconds=3600,
    )
    with serve_in_thread(create_app(settings)) as one, serve_in_thread(create_app(settings)) as two:
        yield one, two


def _new_app_password(engine: sa.Engine, login: str, label: str) -> str:
    with writing(engine) as conn:
        return add_app_password(conn, login, label)


def _propfind(base_url: str, login: str, password: str) -> int:
    url = f"{base_url}/dav/{login}/"
    return httpx.request(
        "PROPFIND", url, auth=(login, password), headers={"Depth": "0"}
    ).status_code


def test_the_owner_lists_their_app_passwords_without_secrets(
    servers: tuple[str, str], engine: sa.Engine, bob: User
) -> None:
    phone = _new_app_password(engine, CRM_LOGIN, "phone")
    _new_app_password(engine, CRM_LOGIN, "laptop")
    _new_app_password(engine, "bob", "bob's tablet")
    listed = httpx.get(f"{servers[0]}{APP_PASSWORDS}", auth=(CRM_LOGIN, phone))
    assert listed.status_code == 200
    assert [entry["label"] for entry in listed.json()] == ["phone", "laptop"]
    assert set(listed.json()[0]) == {"id", "label", "created_at"}
    assert phone not in listed.text
    assert "argon2" not in listed.text


def test_a_revoked_app_password_stops_working_at_once_on_every_instance(
    servers: tuple[str, str], engine: sa.Engine
) -> None:
    one, two = servers
    secret = _new_app_password(engine, CRM_LOGIN, "phone")
    assert _propfind(one, CRM_LOGIN, secret) == 207
    assert httpx.get(f"{one}{APP_PASSWORDS}", auth=(CRM_LOGIN, secret)).status_code == 200
    [entry] = httpx.get(f"{two}{APP_PASSWORDS}", auth=(CRM_LOGIN, CRM_PASSWORD)).json()
    revoked = httpx.delete(f"{two}{APP_PASSWORDS}/{entry['id']}", auth=(CRM_LOGIN, CRM_PASSWORD))
    assert revoked.status_code == 204
    assert _propfind(one, CRM_LOGIN, secret) == 401
    assert httpx.get(f"{one}{APP_PASSWORDS}", auth=(CRM_LOGIN, secret)).status_code == 401
    assert _propfind(one, CRM_LOGIN, CRM_PASSWORD) == 207


def test_a_changed_password_stops_working_at_once_on_every_instance(
    servers: tuple[str, str], engine: sa.Engine
) -> None:
    one, _two = servers
    assert _propfind(one, CRM_LOGIN, CRM_PASSWORD) == 207
    assert httpx.get(f"{one}{APP_PASSWORDS}", auth=(CRM_LOGIN, CRM_PASSWORD)).status_code == 200
    with writing(engine) as conn:
        set_password(conn, CRM_LOGIN, "a-new-password")
    assert _propfind(one, CRM_LOGIN, CRM_PASSWORD) == 401
    assert httpx.get(f"{one}{APP_PASSWORDS}", auth=(CRM_LOGIN, CRM_PASSWORD)).status_code == 401
    assert _propfind(one, CRM_LOGIN, "a-new-password") == 207


@pytest.mark.parametrize("app_password_id", ["other", "999", "99999999999999999999"])
def test_revoking_what_is_not_the_callers_is_404_and_changes_nothing(
    servers: tuple[str, str], engine: sa.Engine, bob: User, app_password_id: str
) -> None:
    bobs = _new_app_password(engine, "bob", "tablet")
    [entry] = httpx.get(f"{servers[0]}{APP_PASSWORDS}", auth=("bob", bobs)).json()
    target = str(entry["id"]) if app_password_id == "other" else app_password_id
    refused = httpx.delete(f"{servers[0]}{APP_PASSWORDS}/{target}", auth=(CRM_LOGIN, CRM_PASSWORD))
    assert refused.status_code == 404
    assert refused.json() == {"error": f"no app password {target}"}
    assert _propfind(servers[1], "bob", bobs) == 207


def test_app_passwords_need_a_signed_in_caller(servers: tuple[str, str]) -> None:
    assert httpx.get(f"{servers[0]}{APP_PASSWORDS}").status_code == 401
    assert httpx.delete(f"{servers[0]}{APP_PASSWORDS}/1").status_code == 401
    wrong_method = httpx.post(f"{servers[0]}{APP_PASSWORDS}", auth=(CRM_LOGIN, CRM_PASSWORD))
    assert wrong_method.status_code == 405
