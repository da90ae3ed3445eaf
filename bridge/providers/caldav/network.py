"""Why a CalDAV server could not be reached, in words a user can act on.

The HTTP library wraps the operating system's error several times over
("Max retries exceeded ... NewConnectionError ... [Errno 111]"); what a
user needs is the host and one of a few reasons: the connection was
refused, the name does not resolve, the server did not answer in time,
or TLS failed (and why), or its address is one accounts may not reach
(`reach`). The reason is found by walking the exception's causes
down to the socket's own error.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from urllib.parse import urlsplit

from bridge.providers.caldav.reach import AddressNotAllowed


def unreachable(url: str, error: BaseException) -> str:
    """ "cannot reach HOST: REASON" for a request to `url` that failed with `error`."""
    return f"cannot reach the CalDAV server {host(url)}: {reason(error)}"


def host(url: str) -> str:
    """The host (and port, if the URL names one) a user recognises from the address they gave."""
    return urlsplit(url).netloc.rpartition("@")[2] or url


def reason(error: BaseException) -> str:
    """The first cause in `error`'s chain that says why no answer came."""
    for cause in _causes(error):
        if isinstance(cause, AddressNotAllowed):
            return str(cause)
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS failed: the server's certificate is not trusted ({cause.verify_message})"
        if isinstance(cause, ssl.SSLError):
            detail = (cause.reason or str(cause)).lower().replace("_", " ")
            return f"TLS failed ({detail}): is the address's https/http right?"
        if isinstance(cause, socket.gaierror):
            return "the name could not be resolved (check the address)"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused (nothing listens there: check the address and port)"
        if isinstance(cause, TimeoutError):
            return "timed out (the server did not answer in time)"
    return f"the connection failed ({type(error).__name__})"


def _causes(error: BaseException) -> Iterator[BaseException]:
    """`error`, then what caused it, and so on (each at most once)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__
