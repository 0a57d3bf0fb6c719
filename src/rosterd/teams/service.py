"""The Teams logic, free of HTTP: teams, their prefs, and memberships added by API keys.

Memberships are only made by API keys for now, so each one is confirmed when it is
made and counts in its team's `total` at once (reference §7.7).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from rosterd import clock, ids
from rosterd.audit import Actor, Entry
from rosterd.errors import (
    MembershipAlreadyConfirmed,
    MembershipNotFound,
    TeamAlreadyExists,
    TeamInviteAlreadyExists,
    TeamNotFound,
    UserAlreadyExists,
    UserNotFound,
)
from rosterd.passwords import StoredPassword
from rosterd.passwords.argon2 import Argon2
from rosterd.queries.ast import ListQuery
from rosterd.store import audit as audit_store
from rosterd.store import teams as store
from rosterd.store import users as user_store
from rosterd.store.compiler import Predicate
from rosterd.store.database import Database
from rosterd.store.teams import MembershipRow, MembershipView, TeamRow
from rosterd.store.users import Duplicate, UserRow
from rosterd.users.service import NewUser, insert_user_in, new_user_values


@dataclass(frozen=True)
class Invitation:
    """Who to add to a team: an existing user by id, else by email or phone (a new user
    is made when none has them); `name` names a new user (the email when empty)."""

    membership_id: str
    roles: list[str]
    user_id: str = ""
    email: str = ""
    phone: str = ""
    name: str = ""


@dataclass(frozen=True)
class TeamPage:
    teams: list[TeamRow]
    total: int


@dataclass(frozen=True)
class MembershipPage:
    memberships: list[MembershipView]
    total: int


def _team(connection: Connection, project_id: str, team_id: str, *, lock: bool = False) -> TeamRow:
    row = store.get_team(connection, project_id, team_id, lock=lock)
    if row is None:
        raise TeamNotFound()
    return row


def _membership_of(connection: Connection, team: TeamRow, membership_id: str) -> MembershipRow:
    """The team's membership with this id; another team's is not found either."""
    row = store.get_membership(connection, team.project_id, membership_id)
    if row is None or row.team_sequence != team.sequence:
        raise MembershipNotFound()
    return row


def _check_contacts(user: UserRow, invitation: Invitation) -> None:
    """An email or phone given with a user id must be that user's."""
    if invitation.email and (user.email or "") != invitation.email:
        raise UserAlreadyExists("Given userId and email doesn't match")
    if invitation.phone and (user.phone or "") != invitation.phone:
        raise UserAlreadyExists("Given userId and phone doesn't match")


def _contact(invitation: Invitation) -> tuple[str, str]:
    """The attribute and value that find an invitee without a user id."""
    return ("email", invitation.email) if invitation.email else ("phone", invitation.phone)


def _invitee(connection: Connection, project_id: str, invitation: Invitation) -> UserRow | None:
    """The user the invitation names; None when a new user is to be made."""
    if invitation.user_id:
        user = user_store.get_user(connection, project_id, invitation.user_id, lock=True)
        if user is None:
            raise UserNotFound()
        _check_contacts(user, invitation)
        return user
    user = user_store.get_user_by(connection, project_id, *_contact(invitation))
    if user is None:
        return None
    if invitation.email and invitation.phone and (user.phone or "") != invitation.phone:
        raise UserAlreadyExists("Given email and phone doesn't match")
    # Locked, as every membership change locks its user (None: deleted meanwhile).
    return user_store.get_user(connection, project_id, user.id, lock=True)


def _create_user(
    connection: Connection,
    project_id: str,
    invitation: Invitation,
    stored: StoredPassword,
    *,
    actor: Actor,
    now: datetime,
) -> UserRow:
    """Insert the invited user who had no account: nobody can sign in as them until a
    password is set (`passwordUpdate` empty), as in Appwrite."""
    new = NewUser(
        user_id=ids.UNIQUE,
        email=invitation.email or None,
        phone=invitation.phone or None,
        name=invitation.name or invitation.email,
    )
    values = new_user_values(project_id, new, stored, now)
    values["password_update"] = None
    return insert_user_in(connection, values, actor=actor, now=now)[0]


def _join(
    connection: Connection, team: TeamRow, user: UserRow, invitation: Invitation, now: datetime
) -> MembershipRow:
    """Make the user a confirmed member and count them in the team's total."""
    existing = store.find_membership(connection, team, user)
    if existing is not None and existing.confirm:
        raise MembershipAlreadyConfirmed()
    if existing is not None:
        confirmed = {"invited": now, "joined": now, "confirm": True, "updated_at": now}
        row = store.update_membership(connection, existing, confirmed)
    else:
        row = _insert_membership(connection, team, user, invitation, now)
    store.change_total(connection, team.sequence, 1)
    return row


def _insert_membership(
    connection: Connection, team: TeamRow, user: UserRow, invitation: Invitation, now: datetime
) -> MembershipRow:
    membership_id = ids.resolve(invitation.membership_id)
    values = {
        "project_id": team.project_id,
        "id": membership_id,
        "team_sequence": team.sequence,
        "user_sequence": user.sequence,
        "roles": invitation.roles,
        "invited": now,
        "joined": now,
        "confirm": True,
        "created_at": now,
        "updated_at": now,
        "search": store.membership_search_text(membership_id, user.id),
    }
    try:
        return store.insert_membership(connection, values)
    except Duplicate as duplicate:
        if duplicate.field == "member":  # another request added the user meanwhile
            raise MembershipAlreadyConfirmed() from None
        raise TeamInviteAlreadyExists() from None


class Teams:
    def __init__(self, database: Database, argon2: Argon2) -> None:
        self._database = database
        self._argon2 = argon2

    # Teams -----------------------------------------------------------------------------------

    def create(self, project_id: str, team_id: str, name: str) -> TeamRow:
        """A team with no members (an API key creates it, and keys are not members)."""
        now = clock.now()
        values = {
            "project_id": project_id,
            "id": ids.resolve(team_id),
            "name": name,
            "total": 0,
            "prefs": {},
            "created_at": now,
            "updated_at": now,
        }
        with self._database.write() as connection:
            try:
                return store.insert_team(connection, values)
            except Duplicate:
                raise TeamAlreadyExists() from None

    def get(self, project_id: str, team_id: str) -> TeamRow:
        with self._database.read() as connection:
            return _team(connection, project_id, team_id)

    def list(self, project_id: str, query: ListQuery, search: str, with_total: bool) -> TeamPage:
        with self._database.read() as connection:
            rows = store.list_teams(connection, project_id, query, search)
            total = store.count_teams(connection, project_id, query, search) if with_total else 0
        return TeamPage(rows, total)

    def update(self, project_id: str, team_id: str, **changes: Any) -> TeamRow:
        """Set `name` or `prefs`."""
        with self._database.write() as connection:
            row = _team(connection, project_id, team_id, lock=True)
            return store.update_team(connection, row, {**changes, "updated_at": clock.now()})

    def delete(self, project_id: str, team_id: str) -> None:
        """Delete the team and every membership of it."""
        with self._database.write() as connection:
            store.delete_team(connection, _team(connection, project_id, team_id, lock=True))

    # Memberships -----------------------------------------------------------------------------

    def add_member(
        self, project_id: str, team_id: str, invitation: Invitation, *, actor: Actor
    ) -> MembershipView:
        """Add a user (found, or made) to the team as a confirmed member."""
        spare = self._spare_password(project_id, invitation)
        now = clock.now()
        with self._database.write() as connection:
            _team(connection, project_id, team_id)  # a missing team is reported first
            user = _invitee(connection, project_id, invitation)
            if user is None:
                stored = spare or self._random_password()
                user = _create_user(
                    connection, project_id, invitation, stored, actor=actor, now=now
                )
            team = _team(connection, project_id, team_id, lock=True)
            row = _join(connection, team, user, invitation, now)
            _record(connection, "membership.create", row, user, team, actor=actor, now=now)
            return store.view(connection, row)

    def member(self, project_id: str, team_id: str, membership_id: str) -> MembershipView:
        with self._database.read() as connection:
            team = _team(connection, project_id, team_id)
            return store.view(connection, _membership_of(connection, team, membership_id))

    def members(
        self, project_id: str, team_id: str, query: ListQuery, search: str, with_total: bool
    ) -> MembershipPage:
        """A page of the team's memberships."""
        with self._database.read() as connection:
            team = _team(connection, project_id, team_id)
            return _memberships(
                connection, project_id, store.of_team(team), query, search, with_total=with_total
            )

    def memberships_of(
        self, project_id: str, user_id: str, query: ListQuery, search: str, with_total: bool
    ) -> MembershipPage:
        """A page of the user's memberships."""
        with self._database.read() as connection:
            user = user_store.get_user(connection, project_id, user_id)
            if user is None:
                raise UserNotFound()
            return _memberships(
                connection, project_id, store.of_user(user), query, search, with_total=with_total
            )

    def update_roles(
        self,
        project_id: str,
        team_id: str,
        membership_id: str,
        roles: Sequence[str],
        *,
        actor: Actor,
    ) -> MembershipView:
        now = clock.now()
        with self._database.write() as connection:
            team = _team(connection, project_id, team_id)
            row = _membership_of(connection, team, membership_id)
            row = store.update_membership(
                connection, row, {"roles": list(roles), "updated_at": now}
            )
            found = store.view(connection, row)
            _record(connection, "membership.update", row, found.user, team, actor=actor, now=now)
            return found

    def remove_member(
        self, project_id: str, team_id: str, membership_id: str, *, actor: Actor
    ) -> None:
        """Delete the membership; a confirmed one leaves the team's total."""
        with self._database.write() as connection:
            team = _team(connection, project_id, team_id)
            user = store.lock_member(connection, _membership_of(connection, team, membership_id))
            if user is None:
                raise MembershipNotFound()
            team = _team(connection, project_id, team_id, lock=True)
            row = _membership_of(connection, team, membership_id)  # read again, under the locks
            if store.delete_membership(connection, row) and row.confirm:
                store.change_total(connection, team.sequence, -1)
            now = clock.now()
            _record(connection, "membership.delete", row, user, team, actor=actor, now=now)

    # Helpers ---------------------------------------------------------------------------------

    def _random_password(self) -> StoredPassword:
        return self._argon2.hash(secrets.token_urlsafe(32))

    def _spare_password(self, project_id: str, invitation: Invitation) -> StoredPassword | None:
        """Hash a password before the write transaction when a new user looks likely,
        so the single SQLite writer is not held while Argon2 runs."""
        if invitation.user_id:
            return None
        with self._database.read() as connection:
            found = user_store.get_user_by(connection, project_id, *_contact(invitation))
        return None if found is not None else self._random_password()


def _memberships(
    connection: Connection,
    project_id: str,
    scope: Predicate,
    query: ListQuery,
    search: str,
    *,
    with_total: bool,
) -> MembershipPage:
    rows = store.list_memberships(connection, project_id, scope, query, search)
    total = store.count_memberships(connection, scope, query, search) if with_total else 0
    return MembershipPage(rows, total)


def _record(
    connection: Connection,
    event: str,
    row: MembershipRow,
    user: UserRow,
    team: TeamRow,
    *,
    actor: Actor,
    now: datetime,
) -> None:
    """An audit entry about the member: which team, which membership."""
    data = {"teamId": team.id, "membershipId": row.id}
    audit_store.record(connection, team.project_id, Entry(actor, event, user.id, data), now)
