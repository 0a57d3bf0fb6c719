"""Targets a client manages, and the ones kept in step with a user's email and phone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from rosterd import clock, ids
from rosterd.audit import Actor, Entry
from rosterd.errors import (
    InvalidEmail,
    InvalidPhone,
    ProviderIncorrectType,
    ProviderNotFound,
    UserTargetAlreadyExists,
    UserTargetNotFound,
)
from rosterd.queries.ast import ListQuery
from rosterd.store import audit as audit_store
from rosterd.store import targets as store
from rosterd.store.database import Database
from rosterd.store.targets import DuplicateTarget, TargetRow
from rosterd.store.users import UserRow
from rosterd.validators import is_email, is_phone

TYPES = ("email", "sms", "push")


@dataclass(frozen=True)
class NewTarget:
    target_id: str
    provider_type: str
    identifier: str
    provider_id: str = ""
    name: str = ""


def check_identifier(provider_type: str, identifier: str) -> str:
    """The identifier as stored; an email or phone must be one (reference §2.16)."""
    if provider_type == "email":
        if not is_email(identifier):
            raise InvalidEmail()
        return identifier.strip().lower()
    if provider_type == "sms" and not is_phone(identifier):
        raise InvalidPhone()
    if provider_type not in TYPES:
        raise ProviderIncorrectType()
    return identifier


def contact_target_values(user: UserRow, provider_type: str, identifier: str) -> dict[str, Any]:
    """A target for the user's own email or phone."""
    return own_target_values(user.project_id, user.sequence, provider_type, identifier, clock.now())


def own_target_values(
    project_id: str, user_sequence: int, provider_type: str, identifier: str, now: datetime
) -> dict[str, Any]:
    """A target for a user's own email or phone, by the user's sequence."""
    return {
        "project_id": project_id,
        "id": ids.unique(),
        "user_sequence": user_sequence,
        "created_at": now,
        "updated_at": now,
        "name": None,
        "provider_id": None,
        "provider_type": provider_type,
        "identifier": identifier,
        "expired": False,
    }


def follow_contact(
    connection: Connection, user: UserRow, provider_type: str, old: str | None, new: str | None
) -> None:
    """Keep the target of a changed email or phone in step: update, delete or create it."""
    current = store.target_with_identifier(connection, user.project_id, old) if old else None
    if current is not None and current.user_sequence == user.sequence:
        if new:
            store.update_target(connection, current, {"identifier": new, "expired": False})
        else:
            store.delete_target(connection, current)
    elif new:
        store.insert_target_if_free(connection, contact_target_values(user, provider_type, new))


class Targets:
    def __init__(self, database: Database) -> None:
        self._database = database

    def of(self, users: list[UserRow]) -> dict[int, list[TargetRow]]:
        with self._database.read() as connection:
            return store.targets_of(connection, [user.sequence for user in users])

    def create(self, user: UserRow, new: NewTarget, *, actor: Actor) -> TargetRow:
        identifier = check_identifier(new.provider_type, new.identifier)
        now = clock.now()
        with self._database.write() as connection:
            provider = (
                store.get_provider(connection, user.project_id, new.provider_id)
                if new.provider_id
                else None
            )
            values = {
                **contact_target_values(user, new.provider_type, identifier),
                "id": ids.resolve(new.target_id),
                "name": new.name or None,
                "provider_id": provider.id if provider else None,
            }
            try:
                target = store.insert_target(connection, values)
            except DuplicateTarget:
                raise UserTargetAlreadyExists() from None
            entry = Entry(actor, "target.create", user.id, {"targetId": target.id})
            audit_store.record(connection, user.project_id, entry, now)
        return target

    def get(self, user: UserRow, target_id: str) -> TargetRow:
        with self._database.read() as connection:
            target = store.target_of(connection, user, target_id)
        if target is None:
            raise UserTargetNotFound()
        return target

    def list(
        self, user: UserRow, query: ListQuery, with_total: bool
    ) -> tuple[list[TargetRow], int]:
        with self._database.read() as connection:
            rows = store.list_targets(connection, user, query)
            total = store.count_targets(connection, user, query) if with_total else 0
        return rows, total

    def update(
        self, user: UserRow, target_id: str, changes: dict[str, str | None], *, actor: Actor
    ) -> TargetRow:
        """Change identifier, provider or name; `None` leaves a field as it is."""
        with self._database.write() as connection:
            target = store.target_of(connection, user, target_id)
            if target is None:
                raise UserTargetNotFound()
            values = self._changes(connection, user, target, changes)
            try:
                updated = store.update_target(connection, target, values)
            except DuplicateTarget:
                raise UserTargetAlreadyExists() from None
            entry = Entry(actor, "target.update", user.id, {"targetId": target.id})
            audit_store.record(connection, user.project_id, entry, clock.now())
        return updated

    def _changes(
        self,
        connection: Connection,
        user: UserRow,
        target: TargetRow,
        changes: dict[str, str | None],
    ) -> dict[str, Any]:
        values: dict[str, Any] = {"updated_at": clock.now()}
        identifier, provider_id, name = (
            changes.get(k) for k in ("identifier", "providerId", "name")
        )
        if identifier is not None:
            values["identifier"] = check_identifier(target.provider_type, identifier)
            values["expired"] = False
        if provider_id is not None:
            provider = store.get_provider(connection, user.project_id, provider_id)
            if provider is None:
                raise ProviderNotFound()
            if provider.type != target.provider_type:
                raise ProviderIncorrectType()
            values["provider_id"] = provider.id
        if name is not None:
            values["name"] = name
        return values

    def delete(self, user: UserRow, target_id: str, *, actor: Actor) -> None:
        with self._database.write() as connection:
            target = store.target_of(connection, user, target_id)
            if target is None:
                raise UserTargetNotFound()
            store.delete_target(connection, target)
            entry = Entry(actor, "target.delete", user.id, {"targetId": target.id})
            audit_store.record(connection, user.project_id, entry, clock.now())
