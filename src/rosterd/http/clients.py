"""The client's address: `X-Forwarded-For` is believed only from trusted proxies."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An IP address without a zone (`fe80::1%eth0` is refused); None if it is not one."""
    try:
        address = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        return None
    return address


@dataclass(frozen=True)
class TrustedProxies:
    networks: tuple[Network, ...]

    @classmethod
    def parse(cls, text: str) -> TrustedProxies:
        """`"10.0.0.0/8, ::1"`; raises ValueError on an entry that is not an address."""
        entries = [entry.strip() for entry in text.split(",") if entry.strip()]
        return cls(tuple(ipaddress.ip_network(entry, strict=False) for entry in entries))

    def trusts(self, text: str) -> bool:
        address = _address(text)
        return address is not None and any(address in network for network in self.networks)

    def client_ip(self, peer: str, forwarded_for: str) -> str:
        """Walk the forwarded chain from the nearest hop; the first untrusted one is the client."""
        if not self.trusts(peer):
            return peer
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                return peer
            if not self.trusts(hop):
                return str(address)
        first = _address(hops[0]) if hops else None
        return str(first) if first is not None else peer
