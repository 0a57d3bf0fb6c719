"""The services one rosterd process runs, built once by `create_app`."""

from __future__ import annotations

from dataclasses import dataclass

from rosterd import ratelimit
from rosterd.accounts.service import Accounts, SignInLimit
from rosterd.audit.service import AuditLog
from rosterd.geo import Countries
from rosterd.http.clients import TrustedProxies
from rosterd.identities.service import Identities
from rosterd.jwts.service import Jwts
from rosterd.messaging.service import Providers
from rosterd.mfa.service import Mfa
from rosterd.oauth.service import OAuth
from rosterd.oauth.settings import OAuthSettings
from rosterd.passwords import argon2 as argon2_scheme
from rosterd.passwords.argon2 import Argon2
from rosterd.projects.service import Projects
from rosterd.sessions.service import Sessions
from rosterd.settings import Settings
from rosterd.store.database import Database
from rosterd.targets.service import Targets
from rosterd.teams.service import Teams
from rosterd.tokens.service import Tokens
from rosterd.users.service import Users


@dataclass(frozen=True)
class Services:
    settings: Settings
    database: Database
    projects: Projects
    users: Users
    sessions: Sessions
    accounts: Accounts
    proxies: TrustedProxies
    tokens: Tokens
    jwts: Jwts
    countries: Countries
    audit: AuditLog
    targets: Targets
    providers: Providers
    teams: Teams
    mfa: Mfa
    identities: Identities
    oauth: OAuth

    @classmethod
    def build(cls, settings: Settings) -> Services:
        database = Database(settings.database_url, settings.sqlite_cache_kib)
        argon2 = Argon2(
            settings.argon2_memory_cost, settings.argon2_time_cost, settings.argon2_threads
        )
        argon2_scheme.BUDGET.resize(settings.argon2_memory_budget)
        projects = Projects(database)
        countries = Countries(settings.geoip_db)
        sessions = Sessions(database, countries)
        limit = SignInLimit(settings.signin_limit, settings.signin_period)
        counters = ratelimit.counters(database, settings.redis_url)
        tokens = Tokens(database)
        accounts = Accounts(
            database,
            argon2,
            projects=projects,
            sessions=sessions,
            tokens=tokens,
            counters=counters,
            limit=limit,
        )
        users = Users(database, argon2)
        proxies = TrustedProxies.parse(settings.trusted_proxies)
        jwts = Jwts(database, settings.jwt_secret)
        identities = Identities(database, settings.mfa_secret)
        oauth = OAuth(
            database,
            settings.mfa_secret,
            settings=OAuthSettings(database, settings.mfa_secret),
            projects=projects,
            users=users,
            identities=identities,
            sessions=sessions,
            tokens=tokens,
        )
        return cls(
            settings=settings,
            database=database,
            projects=projects,
            users=users,
            sessions=sessions,
            accounts=accounts,
            proxies=proxies,
            tokens=tokens,
            jwts=jwts,
            countries=countries,
            audit=AuditLog(database, settings.audit_retention_days),
            targets=Targets(database),
            providers=Providers(database),
            teams=Teams(database, argon2),
            mfa=Mfa(database, settings.mfa_secret),
            identities=identities,
            oauth=oauth,
        )
