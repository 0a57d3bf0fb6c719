"""Create, find and delete sessions. The plain secret leaves only in the creating response."""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from rosterd import clock, ids
from rosterd.audit import Actor, Entry
from rosterd.geo import Countries
from rosterd.projects.settings import AuthSettings
from rosterd.sessions import devices
from rosterd.store import audit as audit_store
from rosterd.store import sessions as store
from rosterd.store.database import Database
from rosterd.store.sessions import SessionRow
from rosterd.store.users import UserRow
from rosterd.validators import is_uid


@dataclass(frozen=True)
class Client:
    """Where a request comes from."""

    ip: str
    user_agent: str


@dataclass(frozen=True)
class NewSession:
    session: SessionRow
    secret: str

    def credentials(self, user_id: str) -> str:
        return encode_credentials(user_id, self.secret)


def encode_credentials(user_id: str, secret: str) -> str:
    """The cookie / X-Appwrite-Session value: base64 of `{"id": ..., "secret": ...}`."""
    document = json.dumps({"id": user_id, "secret": secret}, separators=(",", ":"))
    return base64.b64encode(document.encode()).decode()


_SECRET = re.compile(r"[0-9a-f]{1,512}")


def decode_credentials(value: str) -> tuple[str, str] | None:
    """(user id, secret) from a cookie or header value; None unless both are well formed."""
    if len(value) > 4096:
        return None
    try:
        document = json.loads(base64.b64decode(value, validate=False))
    except (ValueError, binascii.Error, RecursionError):
        return None
    if not isinstance(document, dict):
        return None
    user_id, secret = document.get("id"), document.get("secret")
    if is_uid(user_id) and isinstance(secret, str) and _SECRET.fullmatch(secret):
        return str(user_id), secret
    return None


@dataclass(frozen=True)
class SessionKind:
    """How a session was opened: its provider, provider uid and first factors."""

    provider: str
    provider_uid: str
    factors: tuple[str, ...]


class Sessions:
    def __init__(self, database: Database, countries: Countries) -> None:
        self._database = database
        self._countries = countries

    def create(
        self,
        user: UserRow,
        kind: SessionKind,
        client: Client,
        settings: AuthSettings,
        *,
        actor: Actor,
    ) -> NewSession:
        """Open a session; beyond the project's `max_sessions` the oldest are dropped."""
        now = clock.now()
        secret = secrets.token_hex(128)
        values = {
            "user_sequence": user.sequence,
            "id": ids.unique(),
            "created_at": now,
            "updated_at": now,
            "expire": now + timedelta(seconds=settings.session_duration),
            "provider": kind.provider,
            "provider_uid": kind.provider_uid,
            "provider_access_token": "",
            "provider_access_token_expiry": None,
            "provider_refresh_token": "",
            "secret_hash": ids.secret_hash(secret),
            "ip": client.ip,
            "user_agent": client.user_agent,
            "device": devices.describe(client.user_agent),
            "country_code": self._countries.code(client.ip),
            "factors": list(kind.factors),
            "mfa_updated_at": None,
        }
        with self._database.write() as connection:
            session = store.insert_session(connection, values)
            if settings.max_sessions:
                store.trim_sessions(connection, user, settings.max_sessions)
            entry = Entry(actor, "session.create", user.id, {"sessionId": session.id})
            audit_store.record(connection, user.project_id, entry, now)
        return NewSession(session, secret)

    def authenticate(self, project_id: str, credentials: str) -> tuple[UserRow, SessionRow] | None:
        """The user and session a credentials value names, if it is valid now."""
        decoded = decode_credentials(credentials)
        if decoded is None:
            return None
        user_id, secret = decoded
        with self._database.read() as connection:
            return store.find_by_secret(
                connection, project_id, user_id, ids.secret_hash(secret), clock.now()
            )

    def find(self, user: UserRow, session_id: str) -> SessionRow | None:
        """The user's unexpired session with this id; `recent` names the newest."""
        with self._database.read() as connection:
            if session_id == "recent":
                session = store.latest_session(connection, user)
            else:
                session = store.session_of_user(connection, user, session_id)
        if session is None or session.expire < clock.now():
            return None
        return session

    def list(self, user: UserRow) -> list[SessionRow]:
        with self._database.read() as connection:
            return store.sessions_of(connection, user)

    def delete_all(self, user: UserRow, *, actor: Actor) -> None:
        with self._database.write() as connection:
            store.delete_sessions_of(connection, user)
            entry = Entry(actor, "session.delete", user.id, {"sessionId": "*"})
            audit_store.record(connection, user.project_id, entry, clock.now())

    def delete_expired(self) -> int:
        now = clock.now()
        return self._database.delete_in_batches(
            lambda connection, batch: store.delete_expired(connection, now, batch)
        )

    def delete(self, user: UserRow, session_id: str, *, actor: Actor) -> bool:
        """Delete one of the user's sessions; False if they have none with that id."""
        with self._database.write() as connection:
            session = store.session_of_user(connection, user, session_id)
            if session is None:
                return False
            store.delete_session(connection, session)
            entry = Entry(actor, "session.delete", user.id, {"sessionId": session_id})
            audit_store.record(connection, user.project_id, entry, clock.now())
        return True
