"""A project's OAuth2 settings: its providers (client id, encrypted secret, endpoints) and
its platforms, the hostnames a sign-in may send the browser back to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from rosterd import clock
from rosterd.mfa.service import SecretBox
from rosterd.oauth.providers import PROVIDERS, ProviderSettings
from rosterd.store import oauth as store
from rosterd.store.database import Database
from rosterd.store.oauth import ProviderRow

#: The `oidc` endpoint settings, named as Appwrite's `oidc` provider names them.
OIDC_ENDPOINTS = (
    "wellKnownEndpoint",
    "authorizationEndpoint",
    "tokenEndpoint",
    "userinfoEndpoint",
    "issuer",
    "jwksEndpoint",
)


class UnknownProvider(ValueError):
    pass


@dataclass(frozen=True)
class Change:
    """What to set on a provider; None leaves a value as it is."""

    enabled: bool | None = None
    client_id: str | None = None
    client_secret: str | None = None
    endpoints: Mapping[str, str] | None = None


class OAuthSettings:
    def __init__(self, database: Database, configured_secret: str) -> None:
        self._database = database
        self._box = SecretBox(database, configured_secret, purpose="oauth-client")

    def configure(self, project_id: str, provider: str, change: Change) -> ProviderSettings:
        """Create or change a provider's settings; returns them (secret in plain text)."""
        if provider not in PROVIDERS:
            raise UnknownProvider(provider)
        unknown = set(change.endpoints or {}) - set(OIDC_ENDPOINTS)
        if unknown or (change.endpoints and provider != "oidc"):
            raise UnknownProvider(f"endpoints {sorted(unknown or change.endpoints or {})}")
        current = self.provider(project_id, provider) or ProviderSettings(provider, False, "", "")
        secret = current.client_secret if change.client_secret is None else change.client_secret
        sealed = self._box.seal(secret) if secret else ""
        values = {
            "project_id": project_id,
            "provider": provider,
            "enabled": current.enabled if change.enabled is None else change.enabled,
            "client_id": current.client_id if change.client_id is None else change.client_id,
            "client_secret": sealed,
            "endpoints": dict(current.endpoints if change.endpoints is None else change.endpoints),
            "updated_at": clock.now(),
        }
        with self._database.write() as connection:
            store.save_provider(connection, values)
        found = self.provider(project_id, provider)
        assert found is not None
        return found

    def provider(self, project_id: str, provider: str) -> ProviderSettings | None:
        with self._database.read() as connection:
            row = store.get_provider(connection, project_id, provider)
        return None if row is None else self._opened(row)

    def providers(self, project_id: str) -> list[ProviderSettings]:
        with self._database.read() as connection:
            rows = store.list_providers(connection, project_id)
        return [self._opened(row) for row in rows]

    def _opened(self, row: ProviderRow) -> ProviderSettings:
        """The settings with the client secret decrypted (outside any transaction)."""
        secret = self._box.open(row.client_secret) if row.client_secret else ""
        return ProviderSettings(row.provider, row.enabled, row.client_id, secret, row.endpoints)

    def add_platform(self, project_id: str, hostname: str, name: str) -> bool:
        values = {
            "project_id": project_id,
            "hostname": hostname.lower(),
            "name": name,
            "created_at": clock.now(),
        }
        with self._database.write() as connection:
            return store.add_platform(connection, values)

    def remove_platform(self, project_id: str, hostname: str) -> bool:
        with self._database.write() as connection:
            return store.remove_platform(connection, project_id, hostname.lower())

    def hostnames(self, project_id: str) -> list[str]:
        with self._database.read() as connection:
            return store.hostnames(connection, project_id)

    def allows(self, project_id: str, url: str) -> bool:
        """Whether the browser may be sent to `url`: http(s), on one of the project's
        platforms (a platform `*.example.com` also covers its subdomains)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            return False
        return any(_covers(pattern, host) for pattern in self.hostnames(project_id))


def _covers(pattern: str, host: str) -> bool:
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    return host == pattern
