"""Multi-factor authentication: TOTP authenticators, challenges and recovery codes.

TOTP secrets, challenge codes and recovery codes are stored encrypted (Fernet) under a
key derived from ROSTERD_MFA_SECRET or, when that is unset, from a random master key
the first process to need it keeps in the database. They must be encrypted rather than
hashed: checking a TOTP code needs the secret, and Appwrite shows recovery codes and
custom challenge codes again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import quote

import pyotp
from sqlalchemy.engine import Connection

from rosterd import clock, ids
from rosterd.audit import Actor, Entry
from rosterd.errors import (
    PhoneDisabled,
    SmtpDisabled,
    UserAuthenticatorAlreadyVerified,
    UserAuthenticatorNotFound,
    UserInvalidToken,
    UserNotFound,
    UserRecoveryCodesAlreadyExists,
    UserRecoveryCodesNotFound,
)
from rosterd.store import audit as audit_store
from rosterd.store import mfa as store
from rosterd.store import secrets as secret_store
from rosterd.store import sessions as session_store
from rosterd.store import users as user_store
from rosterd.store.database import Database
from rosterd.store.mfa import ChallengeRow
from rosterd.store.sessions import SessionRow
from rosterd.store.users import UserRow

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

TOTP = "totp"
RECOVERY_CODE = "recoveryCode"
CUSTOM = "custom"
#: Every factor a challenge may name (email and phone need a messaging service rosterd lacks).
CHALLENGE_FACTORS = ("email", "phone", TOTP, RECOVERY_CODE, CUSTOM)
#: A challenge may be completed for this long (Appwrite's).
CHALLENGE_LIFETIME = timedelta(hours=1)
RECOVERY_CODE_COUNT = 6
#: Codes of the step before and after the current 30-second one are accepted too.
TOTP_DRIFT_STEPS = 1


@dataclass(frozen=True)
class Factors:
    """Which factors a user can complete a challenge with (the MFAFactors model)."""

    totp: bool
    phone: bool
    email: bool
    recovery_code: bool
    custom: bool = False


@dataclass(frozen=True)
class NewAuthenticator:
    secret: str
    uri: str


class SecretBox:
    """Encrypts and decrypts secrets under a key derived from the master secret for one
    `purpose` (MFA secrets, OAuth provider tokens), so each use has a key of its own."""

    def __init__(self, database: Database, configured_secret: str, purpose: str = "mfa") -> None:
        self._database = database
        self._configured = configured_secret
        self._purpose = purpose

    @cached_property
    def _fernet(self) -> Fernet:
        from cryptography.fernet import Fernet  # 10 MB, for workers that use MFA only

        master = self._configured
        if not master:
            with self._database.write() as connection:
                candidate = secrets.token_hex(32)
                master = secret_store.get_or_create(connection, "mfa", candidate, clock.now())
        label = f"{self._purpose}:fernet".encode()
        derived = hmac.new(master.encode(), label, hashlib.sha256).digest()
        return Fernet(base64.urlsafe_b64encode(derived))

    def load(self) -> None:
        """Fetch the key now: it may need a write transaction of its own."""
        _ = self._fernet

    def seal(self, plain: str) -> str:
        """The encrypted form of `plain`, as text."""
        return self._fernet.encrypt(plain.encode()).decode()

    def open(self, sealed: str) -> str:
        """The plain text of a value `seal` made."""
        return self._fernet.decrypt(sealed.encode()).decode()


def verified_contacts(user: UserRow) -> list[str]:
    """The factors a user's verified email and phone give."""
    found = []
    if user.email and user.email_verification:
        found.append("email")
    if user.phone and user.phone_verification:
        found.append("phone")
    return found


def totp_uri(secret: str, issuer: str, label: str) -> str:
    """The otpauth URI as Appwrite writes it: sorted parameters, defaults left out."""
    name = quote(issuer, safe="") + ":" + quote(label, safe="")
    return f"otpauth://totp/{name}?issuer={quote(issuer, safe='')}&secret={secret}"


def totp_matches(secret: str, otp: str) -> bool:
    """Whether `otp` is the code of the current 30-second step, or of one step either side."""
    return pyotp.TOTP(secret).verify(otp, valid_window=TOTP_DRIFT_STEPS)


def new_recovery_codes() -> list[str]:
    """Six codes of ten lowercase hex characters."""
    return [secrets.token_hex(5) for _ in range(RECOVERY_CODE_COUNT)]


def _with_factors(existing: list[str], added: list[str]) -> list[str]:
    return existing + [factor for factor in dict.fromkeys(added) if factor not in existing]


class Mfa:
    def __init__(self, database: Database, configured_secret: str) -> None:
        self._database = database
        self._box = SecretBox(database, configured_secret)

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction, the key loaded first (SQLite has one writer)."""
        self._box.load()
        with self._database.write() as connection:
            yield connection

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        self._box.load()
        with self._database.read() as connection:
            yield connection

    def delete_expired_challenges(self) -> int:
        now = clock.now()
        return self._database.delete_in_batches(
            lambda connection, batch: store.delete_expired_challenges(connection, now, batch)
        )

    def has_verified_factors(self, user: UserRow) -> bool:
        """A verified email, phone or TOTP authenticator (what makes MFA binding)."""
        if verified_contacts(user):
            return True
        with self._database.read() as connection:
            return store.has_verified_authenticator(connection, user)

    def factors(self, user: UserRow, *, with_recovery_codes: bool) -> Factors:
        """Available factors; the Users API reports `recoveryCode` false, as Appwrite does."""
        with self._database.read() as connection:
            totp = store.has_verified_authenticator(connection, user)
            codes = store.recovery_codes_of(connection, user) is not None
        contacts = verified_contacts(user)
        return Factors(
            totp, "phone" in contacts, "email" in contacts, with_recovery_codes and codes
        )

    def create_authenticator(self, user: UserRow, issuer: str, *, actor: Actor) -> NewAuthenticator:
        """A new unverified TOTP authenticator, replacing an unverified one."""
        secret = pyotp.random_base32(32)
        with self._write() as connection:
            found = store.authenticator(connection, user, TOTP, lock=True)
            if found is not None and found.verified:
                raise UserAuthenticatorAlreadyVerified()
            now = clock.now()
            store.replace_authenticator(connection, user, TOTP, self._box.seal(secret), now)
            self._record(connection, user, actor, "user.update", now)
        return NewAuthenticator(secret, totp_uri(secret, issuer, user.email or user.id))

    def verify_authenticator(
        self, user: UserRow, session: SessionRow | None, otp: str, *, actor: Actor
    ) -> None:
        """Mark the TOTP authenticator verified when `otp` is its code; the session gains it."""
        with self._write() as connection:
            found = store.authenticator(connection, user, TOTP, lock=True)
            if found is None:
                raise UserAuthenticatorNotFound()
            if found.verified:
                raise UserAuthenticatorAlreadyVerified()
            if not totp_matches(self._box.open(found.secret), otp):
                raise UserInvalidToken()
            now = clock.now()
            store.mark_verified(connection, found, now)
            _add_session_factors(connection, user, session, [TOTP])
            self._record(connection, user, actor, "user.update", now)

    def delete_authenticator(self, user: UserRow, *, actor: Actor) -> None:
        """Delete the TOTP authenticator, verified or not; `user.mfa` is left as it is."""
        with self._write() as connection:
            if not store.delete_authenticator(connection, user, TOTP):
                raise UserAuthenticatorNotFound()
            self._record(connection, user, actor, "user.update", clock.now())

    def set_mfa(
        self, user: UserRow, enabled: bool, session: SessionRow | None, *, actor: Actor
    ) -> UserRow:
        """Turn MFA on or off; turning it on credits the session with every available factor."""
        with self._write() as connection:
            row = user_store.get_user(connection, user.project_id, user.id, lock=True)
            if row is None:
                raise UserNotFound()
            now = clock.now()
            updated = user_store.update_user(connection, row, {"mfa": enabled, "updated_at": now})
            if enabled:
                available = verified_contacts(updated)
                if store.has_verified_authenticator(connection, updated):
                    available.insert(0, TOTP)
                _add_session_factors(connection, updated, session, available)
            self._record(connection, updated, actor, "user.update", now)
        return updated

    def create_recovery_codes(self, user: UserRow, *, actor: Actor) -> list[str]:
        """The user's first recovery codes (409 if they have some)."""
        codes = new_recovery_codes()
        with self._write() as connection:
            now = clock.now()
            if not store.insert_recovery_codes(connection, user, self._seal_codes(codes), now):
                raise UserRecoveryCodesAlreadyExists()
            self._record(connection, user, actor, "user.update", now)
        return codes

    def recovery_codes(self, user: UserRow) -> list[str]:
        """The user's unused recovery codes (404 if they never made any)."""
        with self._read() as connection:
            sealed = store.recovery_codes_of(connection, user)
        if sealed is None:
            raise UserRecoveryCodesNotFound()
        return self._open_codes(sealed)

    def regenerate_recovery_codes(self, user: UserRow, *, actor: Actor) -> list[str]:
        """Replace the user's recovery codes with six new ones (404 if they have none)."""
        codes = new_recovery_codes()
        with self._write() as connection:
            now = clock.now()
            if not store.replace_recovery_codes(connection, user, self._seal_codes(codes), now):
                raise UserRecoveryCodesNotFound()
            self._record(connection, user, actor, "user.update", now)
        return codes

    def create_challenge(self, user: UserRow, factor: str, *, actor: Actor) -> ChallengeRow:
        """A challenge to complete with `factor`; email and phone need messaging (503)."""
        if factor == "email":
            raise SmtpDisabled()
        if factor == "phone":
            raise PhoneDisabled()
        now = clock.now()
        values = {
            "id": ids.unique(),
            "user_sequence": user.sequence,
            "type": factor,
            "code": self._box.seal(f"{secrets.randbelow(1_000_000):06d}"),
            "expire": now + CHALLENGE_LIFETIME,
            "created_at": now,
        }
        with self._write() as connection:
            challenge = store.insert_challenge(connection, values)
            data = {"challengeId": challenge.id, "factor": factor}
            audit_store.record(
                connection, user.project_id, Entry(actor, "challenge.create", user.id, data), now
            )
        return challenge

    def challenge_code(self, user: UserRow, challenge_id: str) -> tuple[ChallengeRow, str]:
        """An unexpired custom challenge of the user and its code (else 401)."""
        with self._read() as connection:
            challenge = store.live_challenge(connection, user, challenge_id, clock.now())
        if challenge is None or challenge.type != CUSTOM:
            raise UserInvalidToken()
        return challenge, self._box.open(challenge.code)

    def complete_challenge(
        self, user: UserRow, session: SessionRow, challenge_id: str, otp: str, *, actor: Actor
    ) -> SessionRow:
        """Check `otp` against the challenge; the session gains its factor. 401 on failure."""
        with self._write() as connection:
            now = clock.now()
            challenge = store.live_challenge(connection, user, challenge_id, now)
            if challenge is None or not self._passes(connection, user, challenge, otp):
                raise UserInvalidToken()
            if not store.delete_challenge(connection, challenge):
                raise UserInvalidToken()
            _add_session_factors(connection, user, session, [challenge.type], now)
            data = {"challengeId": challenge.id, "factor": challenge.type}
            entry = Entry(actor, "challenges.update", user.id, data)
            audit_store.record(connection, user.project_id, entry, now)
            fresh = session_store.session_of_user(connection, user, session.id)
        return fresh or session

    def _passes(
        self, connection: Connection, user: UserRow, challenge: ChallengeRow, otp: str
    ) -> bool:
        if challenge.type == TOTP:
            return self._totp_passes(connection, user, otp)
        if challenge.type == RECOVERY_CODE:
            return self._use_recovery_code(connection, user, otp)
        return hmac.compare_digest(self._box.open(challenge.code).encode(), otp.encode())

    def _totp_passes(self, connection: Connection, user: UserRow, otp: str) -> bool:
        found = store.authenticator(connection, user, TOTP)
        if found is None or not found.verified:
            return False
        return totp_matches(self._box.open(found.secret), otp)

    def _use_recovery_code(self, connection: Connection, user: UserRow, otp: str) -> bool:
        """Remove `otp` from the user's recovery codes; whether it was one of them."""
        sealed = store.recovery_codes_of(connection, user, lock=True)
        codes = [] if sealed is None else self._open_codes(sealed)
        matches = [code for code in codes if hmac.compare_digest(code.encode(), otp.encode())]
        if not matches:
            return False
        remaining = [code for code in codes if code != matches[0]]
        store.replace_recovery_codes(connection, user, self._seal_codes(remaining), clock.now())
        return True

    def _seal_codes(self, codes: list[str]) -> str:
        return self._box.seal(json.dumps(codes))

    def _open_codes(self, sealed: str) -> list[str]:
        return [str(code) for code in json.loads(self._box.open(sealed))]

    @staticmethod
    def _record(
        connection: Connection, user: UserRow, actor: Actor, event: str, now: datetime
    ) -> None:
        audit_store.record(connection, user.project_id, Entry(actor, event, user.id), now)


def _add_session_factors(
    connection: Connection,
    user: UserRow,
    session: SessionRow | None,
    added: list[str],
    challenged_at: datetime | None = None,
) -> None:
    """Append factors (once each) to the user's own session, read afresh in this transaction."""
    if session is None or session.user_sequence != user.sequence:
        return
    fresh = session_store.session_of_user(connection, user, session.id)
    if fresh is None:
        return
    factors = _with_factors(list(fresh.factors), added)
    store.set_session_factors(connection, fresh.sequence, factors, challenged_at)
