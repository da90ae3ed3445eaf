"""Encryption at rest for the credentials of connected calendar accounts.

OAuth refresh tokens and account passwords must be usable again (unlike user
passwords, which are only ever verified), so they are encrypted rather than
hashed: Fernet (AES-128-CBC with an HMAC-SHA256 tag), keyed by the
``secret_key`` setting. A database leak alone then reveals no credential.

The setting may hold several comma-separated keys so the key can be
rotated without downtime: the first one encrypts, all of them decrypt, and
`SecretBox.rotate` re-encrypts an old value under the first key. Keys never
appear in exceptions or reprs, since both end up in logs.

The newest key also yields, by derivation, the key of the masked UIDs that
stand in for private activities in colleagues' calendars (`masking_key`).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
from collections.abc import Iterator
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretError(Exception):
    """A secret cannot be encrypted or decrypted: no key, a malformed key or the wrong key."""


def generate_key() -> str:
    """A new random key, in the text form the ``secret_key`` setting takes."""
    return Fernet.generate_key().decode("ascii")


def box_from_settings(secret_key: str, key_file: str) -> SecretBox:
    """The box for the configured key, or for the key file, made on first use if missing."""
    return SecretBox(configured_key(secret_key, key_file))


def masking_key(secret_key: str, key_file: str) -> bytes:
    """The key of the masked UIDs colleagues see (`bridge.ical.masked_uid`), from the newest key.

    It is derived (HMAC-SHA256 under a label of its own), so it reveals
    nothing of the encryption key, and it is the same in every process and
    after restarts as long as the newest key is. Putting a new key first
    changes every masked UID: colleagues' calendars then replace the busy
    blocks they hold.
    """
    newest = _keys(configured_key(secret_key, key_file))[0]
    return hmac.new(newest.encode(), b"CalBridge masked UID", hashlib.sha256).digest()


def configured_key(secret_key: str, key_file: str) -> str:
    """The ``secret_key`` setting, or the key file's text when it is empty.

    A key file spares a single-machine install any set-up; it is created
    with owner-only permissions, complete or not at all, and processes racing
    to create it end up with the same key (the first link wins).
    """
    if secret_key.strip():
        return secret_key
    path = Path(key_file)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(generate_key() + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
        draft.unlink()
    return path.read_text()


def _keys(key: str) -> list[str]:
    """The comma-separated keys of the setting, newest first; raises SecretError when none."""
    keys = [part.strip() for part in key.split(",") if part.strip()]
    if not keys:
        raise SecretError(
            "no secret key configured: set CALBRIDGE_SECRET_KEY "
            "(generate one with bridge.secrets.generate_key) to connect calendar accounts"
        )
    return keys


class SecretBox:
    """Encrypts and decrypts short secrets with the configured key(s).

    `key` is the ``secret_key`` setting: one Fernet key, or several separated
    by commas, the newest first.
    """

    def __init__(self, key: str) -> None:
        keys = _keys(key)
        try:
            self._fernet = MultiFernet([Fernet(part) for part in keys])
        except ValueError:
            raise SecretError(
                "the secret key is malformed: each key must be 32 url-safe base64-encoded bytes"
            ) from None
        self._key_count = len(keys)

    def __repr__(self) -> str:
        return f"SecretBox(<{self._key_count} key(s)>)"

    def encrypt(self, plaintext: str) -> str:
        """The ciphertext of `plaintext`, as ASCII text, under the first key."""
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, ciphertext: str, max_age: int | None = None) -> str:
        """The plaintext of a value `encrypt` made with any of the configured keys.

        With `max_age` (seconds), older values are refused like forged ones.
        """
        with _unreadable():
            return self._fernet.decrypt(ciphertext.encode("ascii"), ttl=max_age).decode("utf-8")

    def rotate(self, ciphertext: str) -> str:
        """`ciphertext` re-encrypted under the first key, so older keys can be retired."""
        with _unreadable():
            return self._fernet.rotate(ciphertext.encode("ascii")).decode("ascii")


@contextlib.contextmanager
def _unreadable() -> Iterator[None]:
    """Turn "no configured key opens this" into a `SecretError` with no chained cause."""
    try:
        yield
    except (InvalidToken, UnicodeError):
        raise SecretError(
            "cannot open a stored secret: it was encrypted with a key that is not "
            "configured (wrong or rotated-out secret key), or it is corrupt"
        ) from None
