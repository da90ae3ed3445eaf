"""Users and their app passwords."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import sqlalchemy as sa

from bridge import errors
from bridge.domain import User
from bridge.ical.times import utc_aware
from bridge.security import hash_password, new_token, spend_verification, verify_password
from bridge.store.schema import app_passwords, users

LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MAX_ID = 2**31 - 1
"""The largest id an `Integer` column holds on every database."""


class UserError(errors.UserError):
    """A user operation that cannot be done; its subclasses say why.

    Named before `bridge.errors.UserError` and kept for its callers; raise
    one of the subclasses, which carry the right status.
    """


class InvalidLogin(UserError, errors.InvalidInput):
    """The login cannot be a CalDAV path segment."""


class UserExists(UserError, errors.Conflict):
    """A user with that login exists already."""


class NoSuchUser(UserError, errors.NotFoundError):
    """No user has that login (the web answers 401 for a signed-in user removed since)."""


class NoSuchAppPassword(UserError, errors.NotFoundError):
    """The user has no app password of that id (another user's included)."""


class InvalidLabel(UserError, errors.InvalidInput):
    """An app password's label longer than the store keeps."""


APP_PASSWORD_LABEL_MAX = 100
"""The label column's width."""


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
        raise InvalidLogin(
            f"invalid login {login!r}: use 1-64 lower-case letters, digits, '.', '_' or '-'"
        )
    if find_user(conn, login) is not None:
        raise UserExists(f"user {login!r} already exists")
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
        raise NoSuchUser(f"no such user: {login!r}")
    return user


def user_by_id(conn: sa.Connection, user_id: int) -> User | None:
    row = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
    return _to_user(row) if row else None


def list_users(conn: sa.Connection) -> list[User]:
    return [_to_user(row) for row in conn.execute(sa.select(users).order_by(users.c.login))]


def set_password(conn: sa.Connection, login: str, password: str) -> None:
    get_user(conn, login)
    conn.execute(
        sa.update(users)
        .where(users.c.login == login)
        .values(password_hash=hash_password(password), credentials_version=_next_version())
    )


@dataclass(frozen=True)
class AppPassword:
    """An app password as its owner sees it: never the secret, which is shown once."""

    id: int
    label: str
    created_at: dt.datetime


def add_app_password(conn: sa.Connection, login: str, label: str) -> str:
    """Create an app password for a calendar client; the plain text is shown once."""
    if len(label) > APP_PASSWORD_LABEL_MAX:
        raise InvalidLabel(f"label must be at most {APP_PASSWORD_LABEL_MAX} characters")
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


def list_app_passwords(conn: sa.Connection, login: str) -> list[AppPassword]:
    user = get_user(conn, login)
    rows = conn.execute(
        sa.select(app_passwords.c.id, app_passwords.c.label, app_passwords.c.created_at)
        .where(app_passwords.c.user_id == user.id)
        .order_by(app_passwords.c.id)
    )
    return [
        AppPassword(id=row.id, label=row.label, created_at=utc_aware(row.created_at))
        for row in rows
    ]


def revoke_app_password(conn: sa.Connection, login: str, app_password_id: int) -> None:
    """Delete one of `login`'s app passwords; it stops working at once on every process.

    Another user's app password is "no such app password", exactly like a missing one.
    """
    user = get_user(conn, login)
    if not 0 < app_password_id <= MAX_ID:
        raise NoSuchAppPassword(f"{login} has no app password {app_password_id}")
    deleted = conn.execute(
        sa.delete(app_passwords).where(
            app_passwords.c.id == app_password_id, app_passwords.c.user_id == user.id
        )
    ).rowcount
    if not deleted:
        raise NoSuchAppPassword(f"{login} has no app password {app_password_id}")
    conn.execute(
        sa.update(users).where(users.c.id == user.id).values(credentials_version=_next_version())
    )


def _next_version() -> sa.ColumnElement[int]:
    return users.c.credentials_version + 1


def credentials_version(conn: sa.Connection, login: str) -> int | None:
    """What sign-in caches compare: it changes with every password change or revocation."""
    return conn.execute(
        sa.select(users.c.credentials_version).where(users.c.login == login)
    ).scalar_one_or_none()


def check_credentials(conn: sa.Connection, login: str, password: str) -> User | None:
    """The user if the password or one of their app passwords matches, else None.

    An unknown login costs one argon2 verification too, the same as a user
    without app passwords, so that the time taken does not tell whether it exists.
    """
    row = conn.execute(sa.select(users).where(users.c.login == login)).first()
    if row is None:
        spend_verification(password)
        return None
    if verify_password(row.password_hash, password):
        return _to_user(row)
    app_hashes = conn.execute(
        sa.select(app_passwords.c.password_hash).where(app_passwords.c.user_id == row.id)
    ).scalars()
    if any(verify_password(app_hash, password) for app_hash in app_hashes):
        return _to_user(row)
    return None
