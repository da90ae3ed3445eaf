"""authlib's OAuth 2.0 client for httpx, imported without its deprecation notice.

authlib 1.9 warns on import that its httpx integration will move to an
`httpx2` package; the client itself is supported and is what CalBridge
uses for Google's OAuth. The notice only confused `calbridge serve`'s
output, so it is silenced here, for this import alone.
"""

from __future__ import annotations

import warnings

# Imported first: importing it installs authlib's own "always show" filter,
# which the filter below must come after to win.
from authlib.deprecate import AuthlibDeprecationWarning

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message="The httpx module is deprecated", category=AuthlibDeprecationWarning
    )
    from authlib.integrations.httpx_client import OAuth2Client

__all__ = ["OAuth2Client"]
