"""Email/password sign-in: verify any stored scheme, upgrade it, open a session.

An unknown email, a user without a password and a wrong password all cost one
password verification, so response times do not tell which accounts exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from rosterd.audit import Actor
from rosterd.errors import (
    RateLimitExceeded,
    UserBlocked,
    UserInvalidCredentials,
    UserInvalidToken,
)
from rosterd.passwords import StoredPassword, schemes
from rosterd.passwords.argon2 import Argon2
from rosterd.projects.service import Projects
from rosterd.ratelimit import Counters
from rosterd.sessions.service import Client, NewSession, SessionKind, Sessions
from rosterd.store import users as store
from rosterd.store.database import Database
from rosterd.store.users import UserRow
from rosterd.tokens.service import Tokens

TOKEN = SessionKind("token", "", ("token",))


def _signed_in(actor: Actor, user: UserRow) -> Actor:
    """A sign-in is the user's own act, whoever relayed it."""
    return actor.as_user(user.id, user.email or "", user.name)


@dataclass(frozen=True)
class SignInLimit:
    attempts: int
    period: int


@dataclass(frozen=True)
class SignedIn:
    user: UserRow
    session: NewSession


class Accounts:
    def __init__(
        self,
        database: Database,
        argon2: Argon2,
        *,
        projects: Projects,
        sessions: Sessions,
        tokens: Tokens,
        counters: Counters,
        limit: SignInLimit,
    ) -> None:
        self._database = database
        self._argon2 = argon2
        self._projects = projects
        self._sessions = sessions
        self._tokens = tokens
        self._counters = counters
        self._limit = limit

    @cached_property
    def _decoy(self) -> StoredPassword:
        """A hash to verify against when there is no user, made on first need."""
        return self._argon2.hash("rosterd decoy password")

    def sign_in(
        self, project_id: str, email: str, password: str, client: Client, *, actor: Actor
    ) -> SignedIn:
        key = f"signin:{project_id}:{email}:{client.ip}"
        self.check_limit(key)
        user = self._verified_user(project_id, email, password)
        if not user.status:
            raise UserBlocked()
        user = self._upgrade(user, password)
        kind = SessionKind("email", user.email or email, ("password",))
        settings = self._projects.auth_settings(project_id)
        session = self._sessions.create(user, kind, client, settings, actor=_signed_in(actor, user))
        if self._limit.attempts:
            self._counters.clear(key, self._limit.period)
        return SignedIn(user, session)

    def exchange_token(
        self, project_id: str, user_id: str, secret: str, client: Client, *, actor: Actor
    ) -> SignedIn:
        """Trade a token for a session; the token is used up."""
        key = f"token:{project_id}:{user_id}:{client.ip}"
        self.check_limit(key)
        with self._database.read() as connection:
            user = store.get_user(connection, project_id, user_id)
        if user is None:
            raise UserInvalidToken()
        if not user.status:  # refused before the token is used up
            raise UserBlocked()
        token = self._tokens.redeem(user, secret)
        if token is None:
            raise UserInvalidToken()
        kind = SessionKind(token.provider, "", ("email", "oauth2")) if token.provider else TOKEN
        settings = self._projects.auth_settings(project_id)
        session = self._sessions.create(user, kind, client, settings, actor=_signed_in(actor, user))
        if self._limit.attempts:
            self._counters.clear(key, self._limit.period)
        return SignedIn(user, session)

    def prune_counters(self) -> int:
        return self._counters.prune(self._limit.period)

    def check_limit(self, key: str) -> None:
        """Count one attempt under `key`; 429 past the limit (also for second factors)."""
        if not self._limit.attempts:
            return
        if self._counters.hit(key, self._limit.period) > self._limit.attempts:
            raise RateLimitExceeded()

    def _verified_user(self, project_id: str, email: str, password: str) -> UserRow:
        with self._database.read() as connection:
            user = store.get_user_by_email(connection, project_id, email)
        if user is None or not user.password or user.password_update is None:
            schemes.verify(self._decoy, password)
            raise UserInvalidCredentials()
        stored = StoredPassword(user.password, user.hash or "", user.hash_options or {})
        matches = schemes.verify(stored, password)
        if schemes.needs_rehash(stored, self._argon2):
            # A cheaper scheme than ours: pay for one current Argon2 verification too, so
            # a known email answers no faster than an unknown one.
            schemes.verify(self._decoy, password)
        if not matches:
            raise UserInvalidCredentials()
        return user

    def _upgrade(self, user: UserRow, password: str) -> UserRow:
        """Re-hash with the current Argon2id when the stored scheme is weaker."""
        stored = StoredPassword(user.password or "", user.hash or "", user.hash_options or {})
        if not schemes.needs_rehash(stored, self._argon2):
            return user
        fresh = self._argon2.hash(password)
        changes = {"password": fresh.value, "hash": fresh.algorithm, "hash_options": fresh.options}
        with self._database.write() as connection:
            current = store.get_user(connection, user.project_id, user.id, lock=True)
            if current is None or current.password != user.password:
                return current or user  # changed meanwhile: keep what is there now
            return store.update_user(connection, current, changes)
