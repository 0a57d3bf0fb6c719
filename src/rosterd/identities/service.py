"""OAuth2 identities: created by the sign-in flow, listed and deleted through the Users API.

The provider's access and refresh tokens are stored encrypted, under the key that
encrypts the MFA secrets (rosterd.mfa.service.SecretBox): the server must read them
back to call the provider for the user. Rows this service returns carry them in plain
text; rows of `rosterd.store.identities` carry them sealed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from rosterd import clock, ids
from rosterd.audit import Actor, Entry
from rosterd.errors import QueryInvalid, UserAlreadyExists, UserIdentityNotFound, UserNotFound
from rosterd.mfa.service import SecretBox
from rosterd.queries.ast import ListQuery
from rosterd.store import audit as audit_store
from rosterd.store import identities as store
from rosterd.store import users as user_store
from rosterd.store.database import Database
from rosterd.store.identities import DuplicateIdentity, IdentityRow
from rosterd.store.users import UserRow


@dataclass(frozen=True)
class NewIdentity:
    """A user's account at a provider, as the provider describes it (tokens in plain text)."""

    provider: str
    provider_uid: str
    provider_email: str = ""
    provider_access_token: str = ""
    provider_access_token_expiry: datetime | None = None
    provider_refresh_token: str = ""
    identity_id: str = ids.UNIQUE


class Identities:
    def __init__(self, database: Database, configured_secret: str) -> None:
        self._database = database
        self._box = SecretBox(database, configured_secret, purpose="identity")

    def create(self, user: UserRow, new: NewIdentity, *, actor: Actor) -> IdentityRow:
        """Link `user` to their account at a provider; 409 if that account is linked already.
        The provider email is kept lowercased, as users' emails are."""
        values = self._values(user, new)  # sealed first: the key may need a write of its own
        with self._database.write() as connection:
            if user_store.get_user(connection, user.project_id, user.id, lock=True) is None:
                raise UserNotFound()
            try:
                row = store.insert_identity(connection, values, user.id)
            except DuplicateIdentity:
                raise UserAlreadyExists(
                    "An identity with the same id, or the same provider and provider user id, "
                    "already exists in this project."
                ) from None
            self._record(connection, row, "identity.create", actor)
        return self._opened(row)

    def _values(self, user: UserRow, new: NewIdentity) -> dict[str, Any]:
        tokens = self._values_for_tokens(new)
        return {
            "project_id": user.project_id,
            "id": ids.resolve(new.identity_id),
            "user_sequence": user.sequence,
            "provider": new.provider,
            "provider_uid": new.provider_uid,
            **tokens,
            "created_at": tokens["updated_at"],
        }

    def list(
        self,
        project_id: str,
        query: ListQuery,
        search: str,
        with_total: bool,
        owner: UserRow | None = None,
    ) -> tuple[list[IdentityRow], int]:
        """A page of the project's identities (or the `owner`'s); identities have no
        full-text search (400)."""
        if search:
            raise QueryInvalid('Searching by attribute "search" requires a fulltext index.')
        sequence = owner.sequence if owner else None
        with self._database.read() as connection:
            rows = store.list_identities(connection, project_id, query, sequence)
            total = (
                store.count_identities(connection, project_id, query, sequence) if with_total else 0
            )
        return [self._opened(row) for row in rows], total

    def find(
        self, project_id: str, provider: str, provider_uid: str
    ) -> tuple[IdentityRow, UserRow] | None:
        """The identity of this account at the provider, and its user."""
        with self._database.read() as connection:
            row = store.get_by_provider(connection, project_id, provider, provider_uid)
            user = user_store.get_user(connection, project_id, row.user_id) if row else None
        return None if row is None or user is None else (row, user)

    def refresh(self, identity: IdentityRow, new: NewIdentity) -> IdentityRow:
        """Keep what the provider said at this sign-in: email and tokens."""
        values = self._values_for_tokens(new)
        with self._database.write() as connection:
            row = store.update_identity(connection, identity, values)
        return self._opened(row)

    def _values_for_tokens(self, new: NewIdentity) -> dict[str, Any]:
        return {
            "provider_email": new.provider_email.strip().lower(),
            "provider_access_token": self._seal(new.provider_access_token),
            "provider_access_token_expiry": new.provider_access_token_expiry,
            "provider_refresh_token": self._seal(new.provider_refresh_token),
            "updated_at": clock.now(),
        }

    def get(self, project_id: str, identity_id: str) -> IdentityRow:
        with self._database.read() as connection:
            row = store.get_identity(connection, project_id, identity_id)
        if row is None:
            raise UserIdentityNotFound()
        return self._opened(row)

    def delete(
        self, project_id: str, identity_id: str, *, actor: Actor, owner: UserRow | None = None
    ) -> None:
        """Delete an identity of any user of the project (Appwrite checks no owner), or
        one of the `owner`'s (another user's is not found)."""
        with self._database.write() as connection:
            row = store.get_identity(connection, project_id, identity_id)
            if row is not None and owner is not None and row.user_sequence != owner.sequence:
                row = None
            if row is None or not store.delete_identity(connection, row):
                raise UserIdentityNotFound()
            self._record(connection, row, "identity.delete", actor)

    @staticmethod
    def _record(connection: Connection, row: IdentityRow, event: str, actor: Actor) -> None:
        data = {"identityId": row.id, "provider": row.provider}
        entry = Entry(actor, event, row.user_id, data)
        audit_store.record(connection, row.project_id, entry, clock.now())

    def _seal(self, token: str) -> str:
        return self._box.seal(token) if token else ""

    def _opened(self, row: IdentityRow) -> IdentityRow:
        """The row with its tokens decrypted (outside any transaction: the key may need one)."""
        return replace(
            row,
            provider_access_token=self._open(row.provider_access_token),
            provider_refresh_token=self._open(row.provider_refresh_token),
        )

    def _open(self, sealed: str) -> str:
        return self._box.open(sealed) if sealed else ""
