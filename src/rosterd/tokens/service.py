"""Create tokens and exchange them, once, for the user they belong to."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from rosterd import clock, ids
from rosterd.audit import Actor, Entry
from rosterd.sessions.service import Client
from rosterd.store import audit as audit_store
from rosterd.store import tokens as store
from rosterd.store.database import Database
from rosterd.store.tokens import TokenRow
from rosterd.store.users import UserRow

#: Appwrite's token types: made by an OAuth2 sign-in, and through the Users API.
OAUTH2, GENERIC = 7, 8


@dataclass(frozen=True)
class NewToken:
    token: TokenRow
    secret: str


class Tokens:
    def __init__(self, database: Database) -> None:
        self._database = database

    def create(
        self,
        user: UserRow,
        length: int,
        lifetime: int,
        client: Client,
        *,
        actor: Actor,
        provider: str = "",
    ) -> NewToken:
        """A token of `length` lowercase hex characters, valid for `lifetime` seconds;
        with a `provider`, an OAuth2 token (its session will name the provider)."""
        secret = secrets.token_hex((length + 1) // 2)[:length]
        now = clock.now()
        values = {
            "user_sequence": user.sequence,
            "id": ids.unique(),
            "created_at": now,
            "expire": now + timedelta(seconds=lifetime),
            "type": OAUTH2 if provider else GENERIC,
            "provider": provider,
            "secret_hash": ids.secret_hash(secret),
            "ip": client.ip,
            "user_agent": client.user_agent,
        }
        with self._database.write() as connection:
            token = store.insert_token(connection, values)
            entry = Entry(actor, "tokens.create", user.id, {"tokenId": token.id})
            audit_store.record(connection, user.project_id, entry, now)
        return NewToken(token, secret)

    def redeem(self, user: UserRow, secret: str) -> TokenRow | None:
        """Use up the user's unexpired token with this secret; None if there is none."""
        with self._database.write() as connection:
            return store.take_token(connection, user, ids.secret_hash(secret), clock.now())

    def delete_expired(self) -> int:
        now = clock.now()
        return self._database.delete_in_batches(
            lambda connection, batch: store.delete_expired(connection, now, batch)
        )
