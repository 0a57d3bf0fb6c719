"""The Users logic, free of HTTP: create, read, list, update and delete users."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from rosterd import clock, ids
from rosterd.audit import Actor, Entry
from rosterd.errors import (
    AppwriteError,
    UserAlreadyExists,
    UserEmailAlreadyExists,
    UserNotFound,
    UserPhoneAlreadyExists,
    UserTargetAlreadyExists,
)
from rosterd.passwords import StoredPassword
from rosterd.passwords.argon2 import Argon2
from rosterd.queries.ast import ListQuery
from rosterd.store import audit as audit_store
from rosterd.store import identities as identity_store
from rosterd.store import sessions as session_store
from rosterd.store import targets as target_store
from rosterd.store import teams as team_store
from rosterd.store import users as store
from rosterd.store.database import Database
from rosterd.store.targets import TargetRow
from rosterd.store.users import Duplicate, UserRow
from rosterd.targets.service import contact_target_values, follow_contact
from rosterd.users import emails

#: `accessedAt` is refreshed at most this often.
ACCESS_INTERVAL = timedelta(hours=24)


@dataclass(frozen=True)
class NewUser:
    """What a client may give when creating a user (`password` is plain text)."""

    user_id: str
    email: str | None = None
    phone: str | None = None
    password: str | None = None
    name: str = ""


@dataclass(frozen=True)
class UserPage:
    users: list[UserRow]
    total: int


def _email_fields(email: str | None) -> dict[str, Any]:
    if not email:
        return dict.fromkeys(
            (
                "email_canonical",
                "email_is_canonical",
                "email_is_free",
                "email_is_disposable",
                "email_is_corporate",
            )
        )
    found = emails.facts(email)
    return {
        "email_canonical": found.canonical,
        "email_is_canonical": found.is_canonical,
        "email_is_free": found.is_free,
        "email_is_disposable": found.is_disposable,
        "email_is_corporate": found.is_corporate,
    }


CONTACT_TYPES = {"email": "email", "phone": "sms"}


def new_user_values(
    project_id: str, new: NewUser, stored: StoredPassword, now: datetime
) -> dict[str, Any]:
    """Every column of a new user row (the password as given, set now)."""
    return {
        "project_id": project_id,
        "id": ids.resolve(new.user_id),
        "created_at": now,
        "updated_at": now,
        "name": new.name,
        "email": new.email or None,
        "phone": new.phone or None,
        "password": stored.value,
        "hash": stored.algorithm,
        "hash_options": stored.options,
        "password_update": now,
        "password_history": [],
        "registration": now,
        "status": True,
        "labels": [],
        "email_verification": False,
        "phone_verification": False,
        "mfa": False,
        "prefs": {},
        "accessed_at": None,
        "impersonator": False,
        "reset": False,
        **_email_fields(new.email),
    }


def user_values(
    project_id: str,
    new: NewUser,
    stored: StoredPassword | None,
    passwordless: StoredPassword,
    now: datetime,
) -> dict[str, Any]:
    """Every column of a new user. Without a password, the user still carries the scheme
    and options of `passwordless` (the current Argon2's), as Appwrite's users do."""
    values = new_user_values(project_id, new, stored or passwordless, now)
    if stored is None:
        values.update(password=None, password_update=None)
    return values


def insert_user_in(
    connection: Connection, values: dict[str, Any], *, actor: Actor, now: datetime
) -> tuple[UserRow, list[TargetRow]]:
    """Insert a user, the targets of its email and phone, and the audit record; the user
    and the targets they got (a contact another target holds gets none). An email an
    OAuth2 identity already has as its provider email is taken (reference §2.2)."""
    email = values["email"]
    if email and identity_store.provider_email_taken(connection, values["project_id"], email):
        raise UserEmailAlreadyExists()
    try:
        row = store.insert_user(connection, values)
    except Duplicate:
        raise UserAlreadyExists() from None
    held = []
    for provider_type, identifier in (("email", row.email), ("sms", row.phone)):
        if identifier:
            target_values = contact_target_values(row, provider_type, identifier)
            target = target_store.insert_target_if_free(connection, target_values)
            if target is not None:
                held.append(target)
    audit_store.record(connection, row.project_id, Entry(actor, "user.create", row.id), now)
    return row, held


def _check_contact_is_free(
    connection: Connection, row: UserRow, field: str, value: str, duplicate: type[AppwriteError]
) -> None:
    """Another user's email or phone is theirs (`duplicate`), and so is an email another
    user's OAuth2 identity has; any other target holding the value, the user's own
    current one included, is a target conflict (reference §2.12)."""
    other = store.get_user_by(connection, row.project_id, field, value)
    if other is not None and other.sequence != row.sequence:
        raise duplicate()
    if field == "email" and identity_store.provider_email_taken(
        connection, row.project_id, value, other_than=row.sequence
    ):
        raise duplicate()
    if target_store.target_with_identifier(connection, row.project_id, value) is not None:
        raise UserTargetAlreadyExists()


class Users:
    def __init__(self, database: Database, argon2: Argon2) -> None:
        self._database = database
        self._argon2 = argon2

    def create(
        self, project_id: str, new: NewUser, *, actor: Actor
    ) -> tuple[UserRow, list[TargetRow]]:
        """Create a user, hashing their password (if any); the user and their targets (a
        create answers with them, and would otherwise read them again)."""
        stored = self._argon2.hash(new.password) if new.password else None
        return self.insert(project_id, new, stored, actor=actor)

    def insert(
        self, project_id: str, new: NewUser, stored: StoredPassword | None, *, actor: Actor
    ) -> tuple[UserRow, list[TargetRow]]:
        """Create a user whose password (if any) is already hashed (see `create`)."""
        now = clock.now()
        values = self.new_values(project_id, new, stored, now)
        with self._database.write() as connection:
            return insert_user_in(connection, values, actor=actor, now=now)

    def new_values(
        self, project_id: str, new: NewUser, stored: StoredPassword | None, now: datetime
    ) -> dict[str, Any]:
        """Every column of a new user (see `user_values`)."""
        return user_values(project_id, new, stored, self.passwordless(), now)

    def passwordless(self) -> StoredPassword:
        """What a user without a password carries: the current Argon2's scheme and options."""
        return StoredPassword("", self._argon2.name, dict(self._argon2.options))

    def get(self, project_id: str, user_id: str) -> UserRow:
        with self._database.statement() as connection:
            row = store.get_user(connection, project_id, user_id)
        if row is None:
            raise UserNotFound()
        return row

    def get_with_targets(self, project_id: str, user_id: str) -> tuple[UserRow, list[TargetRow]]:
        """The user and their targets (oldest first), in one statement."""
        with self._database.statement() as connection:
            found = target_store.user_with_targets(connection, project_id, user_id)
        if found is None:
            raise UserNotFound()
        return found

    def find(self, project_id: str, attribute: str, value: str | int) -> UserRow | None:
        """The user whose `id`, `email`, `phone` (or internal `sequence`) is `value`."""
        with self._database.read() as connection:
            return store.get_user_by(connection, project_id, attribute, value)

    def touch(self, row: UserRow) -> UserRow:
        """Record a request by the user; stored at most once a day, as Appwrite does."""
        now = clock.now()
        if row.accessed_at is not None and now - row.accessed_at < ACCESS_INTERVAL:
            return row
        with self._database.write() as connection:
            store.touch_accessed(connection, row, now)
        return replace(row, accessed_at=now)

    def list(self, project_id: str, query: ListQuery, search: str, with_total: bool) -> UserPage:
        with self._database.read() as connection:
            rows = store.list_users(connection, project_id, query, search)
            total = store.count_users(connection, project_id, query, search) if with_total else 0
        return UserPage(rows, total)

    def delete(self, project_id: str, user_id: str, *, actor: Actor) -> None:
        def remove(connection: Connection, row: UserRow) -> UserRow:
            team_store.leave_teams(connection, row)  # their memberships go with the user
            store.delete_user(connection, row)
            return row

        self._change(project_id, user_id, Entry(actor, "user.delete", user_id), remove)

    def update(self, project_id: str, user_id: str, *, actor: Actor, **changes: Any) -> UserRow:
        """Set plain fields (status, labels, name, verification flags, prefs, ...)."""
        verification = set(changes) <= {"email_verification", "phone_verification"}
        event = "verification.update" if verification else "user.update"

        def apply(connection: Connection, row: UserRow) -> UserRow:
            return store.update_user(connection, row, {**changes, "updated_at": clock.now()})

        return self._change(project_id, user_id, Entry(actor, event, user_id), apply)

    def update_password(
        self, project_id: str, user_id: str, password: str, *, actor: Actor, end_sessions: bool
    ) -> UserRow:
        """Hash and store a new password (`""` clears it); `end_sessions` signs the user out."""
        stored = self._argon2.hash(password) if password else None
        changes = {
            "password": stored.value if stored else "",
            "hash": self._argon2.name,
            "hash_options": stored.options if stored else dict(self._argon2.options),
            "password_update": clock.now(),
            "updated_at": clock.now(),
        }

        def apply(connection: Connection, row: UserRow) -> UserRow:
            if end_sessions:
                session_store.delete_sessions_of(connection, row)
            return store.update_user(connection, row, changes)

        return self._change(project_id, user_id, Entry(actor, "user.update", user_id), apply)

    def update_email(self, project_id: str, user_id: str, email: str, *, actor: Actor) -> UserRow:
        """Change (or with `""` clear) the email; verification always resets."""
        changes = {"email": email or None, "email_verification": False, **_email_fields(email)}
        return self._update_contact(project_id, user_id, "email", changes, actor)

    def update_phone(self, project_id: str, user_id: str, phone: str, *, actor: Actor) -> UserRow:
        changes = {"phone": phone or None, "phone_verification": False}
        return self._update_contact(project_id, user_id, "phone", changes, actor)

    def _update_contact(
        self, project_id: str, user_id: str, field: str, changes: dict[str, Any], actor: Actor
    ) -> UserRow:
        duplicate = UserEmailAlreadyExists if field == "email" else UserPhoneAlreadyExists

        new = changes[field]

        def apply(connection: Connection, row: UserRow) -> UserRow:
            if new is not None:
                _check_contact_is_free(connection, row, field, new, duplicate)
            try:
                updated = store.update_user(connection, row, {**changes, "updated_at": clock.now()})
            except Duplicate:
                raise duplicate() from None
            follow_contact(connection, updated, CONTACT_TYPES[field], getattr(row, field), new)
            return updated

        return self._change(project_id, user_id, Entry(actor, "user.update", user_id), apply)

    def _change(
        self,
        project_id: str,
        user_id: str,
        entry: Entry,
        apply: Callable[[Connection, UserRow], UserRow],
    ) -> UserRow:
        """Lock the user, apply a change and record it, all in one transaction."""
        with self._database.write() as connection:
            row = store.get_user(connection, project_id, user_id, lock=True)
            if row is None:
                raise UserNotFound()
            changed = apply(connection, row)
            audit_store.record(connection, project_id, entry, clock.now())
            return changed
