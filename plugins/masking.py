"""The key a plugin masks UIDs with: its section's ``secret_key``, else CalBridge's own.

Masked UIDs must be the same in every process that serves a team calendar,
so the key comes from the secret key every CalBridge process shares
(`bridge.secrets.masking_key`): the section's ``secret_key`` and
``secret_key_file`` when set (``calbridge serve`` sets them), else
``CALBRIDGE_SECRET_KEY`` and ``CALBRIDGE_SECRET_KEY_FILE``.
"""

from __future__ import annotations

from radicale import config

from bridge.config import get_settings
from bridge.secrets import masking_key


def masking_key_for(configuration: config.Configuration, section: str) -> bytes:
    try:
        secret_key = str(configuration.get(section, "secret_key"))
        key_file = str(configuration.get(section, "secret_key_file"))
    except KeyError:
        settings = get_settings()
        secret_key, key_file = settings.secret_key, settings.secret_key_file
    return masking_key(secret_key, key_file)
