"""Password hashing and secret tokens: the few primitives every door shares.

Passwords and app passwords are argon2 hashes; feed tokens are 128-bit random
strings of which only a SHA-256 digest is stored, so a database leak does not
reveal working feed URLs.
"""

from __future__ import annotations

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
    ``ttl`` seconds; a password change takes effect when the entry expires.
    """

    def __init__(self, ttl: float) -> None:
        self._ttl = ttl
        self._salt = secrets.token_bytes(16)
        self._entries: dict[str, tuple[str, float]] = {}

    def _digest(self, login: str, password: str) -> str:
        return hashlib.sha256(self._salt + login.encode() + b"\0" + password.encode()).hexdigest()

    def hit(self, login: str, password: str, now: float) -> bool:
        entry = self._entries.get(login)
        return (
            entry is not None
            and entry[1] > now
            and hmac.compare_digest(entry[0], self._digest(login, password))
        )

    def remember(self, login: str, password: str, now: float) -> None:
        if len(self._entries) > 10_000:
            self._entries = {k: v for k, v in self._entries.items() if v[1] > now}
        self._entries[login] = (self._digest(login, password), now + self._ttl)
