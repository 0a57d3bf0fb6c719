"""Issue and check JWTs. The signing key comes from ROSTERD_JWT_SECRET or, when that is
unset, from the database, where the first process to need it stores a random one."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from functools import cached_property

from rosterd import clock
from rosterd.store import secrets as store
from rosterd.store.database import Database

ALGORITHM = "HS256"


@dataclass(frozen=True)
class Claims:
    user_id: str
    session_id: str


class InvalidToken(Exception):
    """The JWT is malformed, badly signed or expired."""


class Jwts:
    def __init__(self, database: Database, configured_secret: str) -> None:
        self._database = database
        self._configured = configured_secret

    @cached_property
    def _master(self) -> str:
        if self._configured:
            return self._configured
        with self._database.write() as connection:
            return store.get_or_create(connection, "jwt", secrets.token_hex(32), clock.now())

    def _key(self, project_id: str) -> str:
        """Each project signs with its own key, so a token of one is void in another."""
        derived = hmac.new(self._master.encode(), f"jwt:{project_id}".encode(), hashlib.sha256)
        return derived.hexdigest()

    def issue(self, project_id: str, user_id: str, session_id: str, duration: int) -> str:
        """A token for the user (bound to the session unless `session_id` is empty)."""
        expires = int(time.time()) + duration
        payload = {"userId": user_id, "sessionId": session_id, "exp": expires}
        import jwt  # PyJWT brings `cryptography`, 11 MB: only in workers that use JWTs

        return jwt.encode(payload, self._key(project_id), algorithm=ALGORITHM)

    def check(self, project_id: str, token: str) -> Claims:
        import jwt

        try:
            payload = jwt.decode(
                token,
                self._key(project_id),
                algorithms=[ALGORITHM],
                options={"require": ["exp"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from None
        user_id, session_id = payload.get("userId"), payload.get("sessionId", "")
        if not isinstance(user_id, str) or not isinstance(session_id, str):
            raise InvalidToken("the token names no user")
        return Claims(user_id, session_id)
