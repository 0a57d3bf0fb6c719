"""The client's address (`X-Forwarded-For` is believed only from trusted proxies), and
the host name the client called."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from starlette.datastructures import URL
from starlette.requests import Request

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


def hostname(request: Request) -> str:
    """`request.url.hostname`, or "": Starlette builds and splits the whole URL for it,
    a tenth of a point read's own work, while a server is called by few host names."""
    server = request.scope.get("server")
    return _hostname(
        request.scope.get("scheme", "http"),
        request.headers.get("host"),
        None if server is None else (server[0], server[1]),
    )


@lru_cache(maxsize=64)
def _hostname(scheme: str, host: str | None, server: tuple[str, int | None] | None) -> str:
    """Starlette's own answer for a request to `/` with this scheme, Host and server."""
    headers = [] if host is None else [(b"host", host.encode("latin-1"))]
    scope = {"type": "http", "scheme": scheme, "path": "/", "query_string": b""}
    return URL(scope={**scope, "headers": headers, "server": server}).hostname or ""
