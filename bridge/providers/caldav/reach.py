"""Which addresses a CalDAV account may reach: public ones, and the networks an admin allows.

A signed-in user gives the server's URL, and CalBridge connects to it from
inside the installation's network; without a check, any user could make it
talk to internal services (a cloud's metadata address, a database, an admin
page on loopback). Every connection's addresses are checked after DNS
resolution, by the resolver the HTTP session uses (`ReachableResolver`), so
the check covers redirects, later syncs, and names that resolve differently
from one lookup to the next: only the addresses checked are connected to.
Self-hosted servers on private addresses are allowed by configuration
(`allowed_networks` in the `[caldav]` settings).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from typing import Any

from niquests.packages.urllib3.contrib.resolver.system import SystemResolver

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

SETTING = "CALBRIDGE_CALDAV_ALLOWED_NETWORKS"


class AddressNotAllowed(OSError):
    """A server's name resolved only to addresses CalDAV accounts may not reach.

    An `OSError`, as a failed connection is, so the HTTP library reports it
    like one (`network.reason` finds it among the causes).
    """


def reachable(address: IPAddress, allowed_networks: Sequence[Network]) -> bool:
    """Whether an account may connect to `address`: public, or inside an allowed network."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in allowed_networks):
        return True
    return address.is_global and not address.is_multicast


class ReachableResolver(SystemResolver):
    """The system's resolver, keeping only the addresses `reachable` allows."""

    def __init__(self, allowed_networks: Sequence[Network]) -> None:
        super().__init__()
        self._allowed = tuple(allowed_networks)

    def getaddrinfo(
        self,
        host: bytes | str | None,
        port: str | int | None,
        family: socket.AddressFamily,
        type: socket.SocketKind,
        proto: int = 0,
        flags: int = 0,
        *,
        quic_upgrade_via_dns_rr: bool = False,
    ) -> list[Any]:
        found = super().getaddrinfo(
            host, port, family, type, proto, flags, quic_upgrade_via_dns_rr=quic_upgrade_via_dns_rr
        )
        kept = [entry for entry in found if reachable(_address(entry), self._allowed)]
        if not kept:
            addresses = ", ".join(sorted({str(_address(entry)) for entry in found}))
            raise AddressNotAllowed(
                f"its address ({addresses}) is not one CalDAV accounts may reach here: "
                f"only public addresses, and the networks in {SETTING}"
            )
        return kept


def _address(entry: Any) -> IPAddress:
    """The IP address of one `getaddrinfo` result (IPv6 scope ids dropped)."""
    return ipaddress.ip_address(str(entry[4][0]).partition("%")[0])
