"""Users and their app passwords."""

from __future__ import annotations

import datetime as dt
import re
import time

import sqlalchemy as sa

from bridge.domain import User
from bridge.security import VerificationCache, hash_password, new_token, verify_password
from bridge.store.schema import app_passwords, users

LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class UserError(ValueError):
    """A user operation that cannot be done (bad login, duplicate, unknown user)."""


def _to_user(row: sa.Row) -> User:
    return User(
        login=row.login,
        name=row.name,
        email=row.email,
        timezone=row.timezone,
        default_import_type=row.default_import_type,
        id=row.id,
    )


def create_user(
    conn: sa.Connection,
    login: str,
    password: str,
    *,
    name: str = "",
    email: str = "",
    timezone: str = "UTC",
) -> User:
    """Create a user; the login becomes a CalDAV path segment, so it is kept path-safe."""
    if not LOGIN_PATTERN.match(login):
        raise UserError(
            f"invalid login {login!r}: use 1-64 lower-case letters, digits, '.', '_' or '-'"
        )
    if find_user(conn, login) is not None:
        raise UserError(f"user {login!r} already exists")
    user_id = conn.execute(
        sa.insert(users).values(
            login=login,
            name=name or login,
            email=email,
            timezone=timezone,
            password_hash=hash_password(password),
            created_at=dt.datetime.now(dt.UTC),
        )
    ).inserted_primary_key[0]
    return User(login=login, name=name or login, email=email, timezone=timezone, id=user_id)


def find_user(conn: sa.Connection, login: str) -> User | None:
    row = conn.execute(sa.select(users).where(users.c.login == login)).first()
    return _to_user(row) if row else None


def get_user(conn: sa.Connection, login: str) -> User:
    user = find_user(conn, login)
    if user is None:
        raise UserError(f"no such user: {login!r}")
    return user


def user_by_id(conn: sa.Connection, user_id: int) -> User | None:
    row = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
    return _to_user(row) if row else None


def list_users(conn: sa.Connection) -> list[User]:
    return [_to_user(row) for row in conn.execute(sa.select(users).order_by(users.c.login))]


def set_password(conn: sa.Connection, login: str, password: str) -> None:
    get_user(conn, login)
    conn.execute(
        sa.update(users).where(users.c.login == login).values(password_hash=hash_password(password))
    )


def add_app_password(conn: sa.Connection, login: str, label: str) -> str:
    """Create an app password for a calendar client; the plain text is shown once."""
    user = get_user(conn, login)
    secret = new_token()
    conn.execute(
        sa.insert(app_passwords).values(
            user_id=user.id,
            label=label,
            password_hash=hash_password(secret),
            created_at=dt.datetime.now(dt.UTC),
        )
    )
    return secret


def check_credentials(conn: sa.Connection, login: str, password: str) -> User | None:
    """The user if the password or one of their app passwords matches, else None."""
    row = conn.execute(sa.select(users).where(users.c.login == login)).first()
    if row is None:
        return None
    if verify_password(row.password_hash, password):
        return _to_user(row)
    app_hashes = conn.execute(
        sa.select(app_passwords.c.password_hash).where(app_passwords.c.user_id == row.id)
    ).scalars()
    if any(verify_password(app_hash, password) for app_hash in app_hashes):
        return _to_user(row)
    return None


class SignIn:
    """Checks logins for every door that takes Basic credentials (CalDAV, the JSON API).

    Successful checks are remembered for `ttl` seconds (`VerificationCache`):
    clients send their credentials with every request and argon2 is slow on
    purpose. `remembered` never touches the database, so an async caller can
    try it before handing `check` to a thread.
    """

    def __init__(self, engine: sa.Engine, ttl: float) -> None:
        self._engine = engine
        self._verified = VerificationCache(ttl)

    def remembered(self, login: str, password: str) -> bool:
        return self._verified.hit(login, password, time.monotonic())

    def check(self, login: str, password: str) -> str | None:
        """The login when the password or an app password is right, else None."""
        if self.remembered(login, password):
            return login
        with self._engine.connect() as conn:
            user = check_credentials(conn, login, password)
        if user is None:
            return None
        self._verified.remember(login, password, time.monotonic())
        return user.login
