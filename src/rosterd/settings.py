"""Every ROSTERD_* setting, typed and documented in one registry.

`Settings.from_environ()` reads them; `docs/configuration.md` is generated from
`SETTINGS` (a test keeps the two from drifting apart).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, parser, default and meaning."""

    env: str
    attribute: str
    parse: Callable[[str], Any]
    default: Any
    help: str


def _switch(text: str) -> bool:
    """`enabled`/`disabled` (Appwrite's spelling), or `true`/`false`, `1`/`0`."""
    value = text.strip().lower()
    if value in ("enabled", "true", "1", "on"):
        return True
    if value in ("disabled", "false", "0", "off"):
        return False
    raise ValueError(text)


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "ROSTERD_DATABASE_URL",
        "database_url",
        str,
        "sqlite:///rosterd.db",
        "Where the data lives: `sqlite:///path/file.db` (embedded, the default) or "
        "`postgresql://user@host:5432/db`. Schema migrations run on start.",
    ),
    Setting("ROSTERD_HOST", "host", str, "127.0.0.1", "Address `rosterd serve` listens on."),
    Setting("ROSTERD_PORT", "port", int, 8080, "Port `rosterd serve` listens on."),
    Setting(
        "ROSTERD_WORKERS", "workers", int, 1, "Number of worker processes `rosterd serve` starts."
    ),
    Setting(
        "ROSTERD_ARGON2_MEMORY_COST",
        "argon2_memory_cost",
        int,
        65536,
        "Argon2id memory cost in KiB for new password hashes (Appwrite's default).",
    ),
    Setting(
        "ROSTERD_ARGON2_TIME_COST",
        "argon2_time_cost",
        int,
        4,
        "Argon2id iterations for new password hashes (Appwrite's default).",
    ),
    Setting(
        "ROSTERD_ARGON2_THREADS",
        "argon2_threads",
        int,
        3,
        "Argon2id parallelism for new password hashes (Appwrite's default).",
    ),
    Setting(
        "ROSTERD_ARGON2_MEMORY_BUDGET",
        "argon2_memory_budget",
        int,
        65536,
        "Argon2 memory (KiB) a worker may use at once across concurrent hashes and "
        "verifications; more wait their turn. It bounds a worker's memory under a burst "
        "of sign-ins; a hash costlier than the budget runs alone.",
    ),
    Setting(
        "ROSTERD_THREADS",
        "threads",
        int,
        4,
        "Threads a worker runs blocking work on (database writes, password hashing, most "
        "reads) at once. More add contention for Python's GIL: at 16 connections a worker "
        "served lists, gets and creates faster with 4 than with 8, and 8 faster than "
        "40; 4 still lets hashes run on both cores while other requests go on "
        "(docs/benchmarks.md).",
    ),
    Setting(
        "ROSTERD_SQLITE_CACHE_KIB",
        "sqlite_cache_kib",
        int,
        256,
        "SQLite's page cache per database connection, in KiB (a worker holds up to "
        "`ROSTERD_THREADS` + 1 connections). Pages not in it are read from the operating "
        "system's file cache, which a larger value mostly duplicates: at 1,000,000 users, "
        "256 KiB served gets and lists as fast as SQLite's default 2 MiB, with 15 MB less "
        "per worker (docs/benchmarks.md).",
    ),
    Setting(
        "ROSTERD_MAX_BODY_BYTES",
        "max_body_bytes",
        int,
        1_048_576,
        "Largest request body accepted; a larger one is answered 413.",
    ),
    Setting(
        "ROSTERD_REDIS_URL",
        "redis_url",
        str,
        "",
        "When set (`redis://host:6379/0`), abuse-limit counters live in Redis instead of "
        "the database. Either way every worker and host shares them.",
    ),
    Setting(
        "ROSTERD_SIGNIN_LIMIT",
        "signin_limit",
        int,
        10,
        "Attempts allowed in each period: email/password sign-ins per email and IP address, "
        "token exchanges per user and IP, MFA challenges and MFA codes per user (Appwrite's "
        "abuse limits); `0` switches the limits off.",
    ),
    Setting(
        "ROSTERD_SIGNIN_PERIOD",
        "signin_period",
        int,
        3600,
        "Length in seconds of the abuse limits' period.",
    ),
    Setting(
        "ROSTERD_JWT_SECRET",
        "jwt_secret",
        str,
        "",
        "Key that signs JWTs (HS256). Unset: a random key is made on first need and kept in "
        "the database, so every worker and host shares it.",
    ),
    Setting(
        "ROSTERD_MFA_SECRET",
        "mfa_secret",
        str,
        "",
        "Key from which the keys that encrypt TOTP secrets, MFA challenge codes, recovery "
        "codes and OAuth provider tokens are derived (one per use). Unset: a random key is "
        "made on first need and kept in the database, as for ROSTERD_JWT_SECRET. Changing it "
        "makes the stored ones unreadable.",
    ),
    Setting(
        "ROSTERD_TRUSTED_PROXIES",
        "trusted_proxies",
        str,
        "",
        "Comma-separated addresses or networks (`10.0.0.0/8,::1`) of reverse proxies whose "
        "`X-Forwarded-For` is believed. Unset: the connecting address is the client's.",
    ),
    Setting(
        "ROSTERD_GEOIP_DB",
        "geoip_db",
        str,
        "",
        "Path of a GeoIP country database in MaxMind format (`.mmdb`); sessions and logs "
        "then carry the client's country. Unset: every country is `--` (`Unknown`).",
    ),
    Setting(
        "ROSTERD_AUDIT_RETENTION_DAYS",
        "audit_retention_days",
        int,
        90,
        "Days the activity log keeps a record; older ones are deleted in the background.",
    ),
    Setting(
        "ROSTERD_MAINTENANCE_INTERVAL",
        "maintenance_interval",
        int,
        3600,
        "Seconds between clean-ups of expired sessions and tokens, old activity records "
        "and past abuse counters (each worker runs them, off the request path).",
    ),
    Setting(
        "ROSTERD_PUBLIC_URL",
        "public_url",
        str,
        "",
        "The URL clients reach rosterd at, without `/v1` (e.g. `https://auth.example.com`), "
        "for the OAuth2 redirect URIs providers are given. Unset: each request's own.",
    ),
    Setting(
        "ROSTERD_GRAPHQL_MAX_DEPTH",
        "graphql_max_depth",
        int,
        3,
        "Deepest nesting of fields with sub-selections a GraphQL operation may have "
        "(Appwrite's `_APP_GRAPHQL_MAX_DEPTH`).",
    ),
    Setting(
        "ROSTERD_GRAPHQL_MAX_COMPLEXITY",
        "graphql_max_complexity",
        int,
        250,
        "Highest complexity score a GraphQL operation may have "
        "(Appwrite's `_APP_GRAPHQL_MAX_COMPLEXITY`).",
    ),
    Setting(
        "ROSTERD_GRAPHQL_MAX_BATCH",
        "graphql_max_batch",
        int,
        10,
        "Most GraphQL operations one request may batch (Appwrite's `_APP_GRAPHQL_MAX_BATCH_SIZE`).",
    ),
    Setting(
        "ROSTERD_GRAPHQL_INTROSPECTION",
        "graphql_introspection",
        _switch,
        True,
        "Whether GraphQL answers introspection (`__schema`, `__type`): `enabled` or `disabled`.",
    ),
    Setting(
        "ROSTERD_LOG_LEVEL",
        "log_level",
        str,
        "info",
        "Log level of the server (`debug`, `info`, `warning`, `error`).",
    ),
)


#: Lower bounds of the numeric settings.
_MINIMUMS = {
    "port": 0,
    "workers": 1,
    "argon2_memory_cost": 8,
    "argon2_time_cost": 1,
    "argon2_threads": 1,
    "argon2_memory_budget": 8,
    "threads": 1,
    "sqlite_cache_kib": 16,
    "max_body_bytes": 1024,
    "signin_limit": 0,
    "signin_period": 1,
    "audit_retention_days": 1,
    "maintenance_interval": 1,
    "graphql_max_depth": 1,
    "graphql_max_complexity": 1,
    "graphql_max_batch": 1,
}


def _defaults() -> dict[str, Any]:
    return {setting.attribute: setting.default for setting in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """The resolved configuration of one rosterd process."""

    database_url: str = field(default=_defaults()["database_url"])
    host: str = field(default=_defaults()["host"])
    port: int = field(default=_defaults()["port"])
    workers: int = field(default=_defaults()["workers"])
    argon2_memory_cost: int = field(default=_defaults()["argon2_memory_cost"])
    argon2_time_cost: int = field(default=_defaults()["argon2_time_cost"])
    argon2_threads: int = field(default=_defaults()["argon2_threads"])
    argon2_memory_budget: int = field(default=_defaults()["argon2_memory_budget"])
    threads: int = field(default=_defaults()["threads"])
    sqlite_cache_kib: int = field(default=_defaults()["sqlite_cache_kib"])
    max_body_bytes: int = field(default=_defaults()["max_body_bytes"])
    redis_url: str = field(default=_defaults()["redis_url"])
    signin_limit: int = field(default=_defaults()["signin_limit"])
    signin_period: int = field(default=_defaults()["signin_period"])
    jwt_secret: str = field(default=_defaults()["jwt_secret"])
    mfa_secret: str = field(default=_defaults()["mfa_secret"])
    trusted_proxies: str = field(default=_defaults()["trusted_proxies"])
    geoip_db: str = field(default=_defaults()["geoip_db"])
    audit_retention_days: int = field(default=_defaults()["audit_retention_days"])
    maintenance_interval: int = field(default=_defaults()["maintenance_interval"])
    public_url: str = field(default=_defaults()["public_url"])
    graphql_max_depth: int = field(default=_defaults()["graphql_max_depth"])
    graphql_max_complexity: int = field(default=_defaults()["graphql_max_complexity"])
    graphql_max_batch: int = field(default=_defaults()["graphql_max_batch"])
    graphql_introspection: bool = field(default=_defaults()["graphql_introspection"])
    log_level: str = field(default=_defaults()["log_level"])

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        source = os.environ if environ is None else environ
        values = {}
        for setting in SETTINGS:
            if source.get(setting.env):
                try:
                    values[setting.attribute] = setting.parse(source[setting.env])
                except ValueError:
                    raise ValueError(f"{setting.env} is not a valid value") from None
        return cls(**values)

    def __post_init__(self) -> None:
        for name, minimum in _MINIMUMS.items():
            if getattr(self, name) < minimum:
                setting = next(s.env for s in SETTINGS if s.attribute == name)
                raise ValueError(f"{setting} must be at least {minimum}")

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def configuration_markdown() -> str:
    """The text of docs/configuration.md."""
    lines = [
        "# Configuration",
        "",
        "rosterd reads these environment variables (generated from `rosterd.settings`).",
        "",
        "| variable | default | meaning |",
        "| --- | --- | --- |",
    ]
    for setting in SETTINGS:
        default = f"`{setting.default}`" if setting.default != "" else "(unset)"
        lines.append(f"| `{setting.env}` | {default} | {setting.help} |")
    return "\n".join(lines) + "\n"
