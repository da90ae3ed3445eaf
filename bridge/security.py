"""Password hashing and secret tokens: the few primitives every door shares.

Passwords and app passwords are argon2 hashes; feed tokens are 128-bit random
strings of which only a SHA-256 digest is stored, so a database leak does not
reveal working feed URLs.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def spend_verification(password: str) -> None:
    """Do the work of one failed password check, for a login that does not exist.

    Without it an unknown login answers at once while a known one takes an
    argon2 verification, and the difference tells which logins exist.
    """
    verify_password(_dummy_hash(), password)


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random secret with the current parameters, made once per process."""
    return hash_password(new_token())


def new_token() -> str:
    """A 128-bit URL-safe secret."""
    return secrets.token_urlsafe(16)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same_secret(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class VerificationCache:
    """Remembers recent successful logins for a short time.

    Calendar clients send Basic credentials with every request and argon2 is
    deliberately slow, so a sync of many requests would spend most of its
    time hashing. Only a salted SHA-256 of the credentials is kept, for
    ``ttl`` seconds, with the user's credential version at the time: the
    caller passes the current version, so an entry is useless as soon as a
    password or app password changes or is revoked.
    """

    def __init__(self, ttl: float) -> None:
        self._ttl = ttl
        self._salt = secrets.token_bytes(16)
        self._entries: dict[str, tuple[str, int, float]] = {}

    def _digest(self, login: str, password: str) -> str:
        return hashlib.sha256(self._salt + login.encode() + b"\0" + password.encode()).hexdigest()

    def hit(self, login: str, password: str, version: int, now: float) -> bool:
        entry = self._entries.get(login)
        return (
            entry is not None
            and entry[1] == version
            and entry[2] > now
            and hmac.compare_digest(entry[0], self._digest(login, password))
        )

    def remember(self, login: str, password: str, version: int, now: float) -> None:
        if len(self._entries) > 10_000:
            self._entries = {k: v for k, v in self._entries.items() if v[2] > now}
        self._entries[login] = (self._digest(login, password), version, now + self._ttl)
