"""Which address a request comes from, for throttling sign-ins.

The socket's peer, unless the peer is a reverse proxy named in
`trusted_proxies`: then the `X-Forwarded-For` hops are read from the
right, each proxy naming the one before it, and the first hop that is not a
trusted proxy is the client. Hops a client wrote itself sit further left
and are never reached, so a client cannot choose its own address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from pydantic import IPvAnyNetwork

UNKNOWN = "unknown"


def client_address(
    peer: str | None, forwarded_for: str | None, trusted_proxies: Sequence[IPvAnyNetwork]
) -> str:
    """The client's address: `peer` unless it is a trusted proxy (see the module)."""
    address = peer or UNKNOWN
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    while hops and _trusted(address, trusted_proxies):
        address = hops.pop()
    return address


def _trusted(address: str, trusted_proxies: Sequence[IPvAnyNetwork]) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in trusted_proxies)
