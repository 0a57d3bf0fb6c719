"""Teams and memberships in SQL: rows, writes that keep totals, roles and search in step,
and keyset-paginated lists.

A membership names its team and user by their sequences; lists join both, so that
`teamId` and `userId` filter and order like any other attribute and each membership
comes back with what its model shows of the team and the user.

Lock order (PostgreSQL): a change that moves a team's `total` locks the member user
first, then the team, then touches the membership, as deleting a user (user, then its
teams, then its memberships by cascade) and deleting a team (team, then memberships)
do; so no two of them wait on each other in a circle, and a user's memberships cannot
change while the user is being deleted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import IntegrityError

from rosterd.queries.ast import (
    SYSTEM_ATTRIBUTES,
    AttributeType,
    Condition,
    ListQuery,
    Logical,
    Schema,
)
from rosterd.store import compiler, search
from rosterd.store.tables import authenticators, membership_roles, memberships, teams, users
from rosterd.store.users import Duplicate, UserRow, row_from_mapping


@dataclass(frozen=True)
class TeamRow:
    sequence: int
    project_id: str
    id: str
    name: str
    total: int
    prefs: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    search: str


@dataclass(frozen=True)
class MembershipRow:
    sequence: int
    project_id: str
    id: str
    team_sequence: int
    user_sequence: int
    roles: list[str]
    invited: datetime
    joined: datetime | None
    confirm: bool
    created_at: datetime
    updated_at: datetime
    search: str


@dataclass(frozen=True)
class MembershipView:
    """A membership with what its model shows of the team and of the user."""

    membership: MembershipRow
    team_id: str
    team_name: str
    user: UserRow
    #: The member has a verified TOTP authenticator (one of the factors MFA can use).
    user_has_totp: bool = False


_TEAM_COLUMNS = tuple(field.name for field in fields(TeamRow))
_MEMBERSHIP_COLUMNS = tuple(field.name for field in fields(MembershipRow))
#: User columns in a membership list are labelled `member_<column>`.
_MEMBER = "member_"

#: Attributes clients may filter and order teams by (`billingPlan` is Appwrite Cloud's).
TEAM_SCHEMA: Schema = {
    **SYSTEM_ATTRIBUTES,
    "name": AttributeType.STRING,
    "total": AttributeType.INTEGER,
}

#: Attributes clients may filter and order memberships by.
MEMBERSHIP_SCHEMA: Schema = {
    **SYSTEM_ATTRIBUTES,
    "userId": AttributeType.STRING,
    "teamId": AttributeType.STRING,
    "invited": AttributeType.DATETIME,
    "joined": AttributeType.DATETIME,
    "confirm": AttributeType.BOOLEAN,
    "roles": AttributeType.STRING_ARRAY,
}


def _search_teams(term: str) -> compiler.Predicate:
    return search.matches(teams.c.sequence, teams.c.search, term)


def _search_memberships(term: str) -> compiler.Predicate:
    return search.matches(memberships.c.sequence, memberships.c.search, term)


TEAMS = compiler.Collection(
    table=teams,
    sequence=teams.c.sequence,
    columns={
        **compiler.system_columns(teams),
        "name": teams.c.name,
        "total": teams.c.total,
    },
    arrays={},
    search=_search_teams,
)

MEMBERSHIPS = compiler.Collection(
    table=memberships,
    sequence=memberships.c.sequence,
    columns={
        **compiler.system_columns(memberships),
        "userId": users.c.id,
        "teamId": teams.c.id,
        "invited": memberships.c.invited,
        "joined": memberships.c.joined,
        "confirm": memberships.c.confirm,
    },
    arrays={
        "roles": compiler.ArrayAttribute(
            membership_roles, membership_roles.c.membership_sequence, membership_roles.c.role
        )
    },
    search=_search_memberships,
)

_JOINED = memberships.join(teams, teams.c.sequence == memberships.c.team_sequence).join(
    users, users.c.sequence == memberships.c.user_sequence
)


def team_search_text(team_id: str, name: str) -> str:
    """What full-text search sees of a team: its id and name."""
    return f"{team_id} {name}"


def membership_search_text(membership_id: str, user_id: str) -> str:
    """What full-text search sees of a membership: its id and the user's id."""
    return f"{membership_id} {user_id}"


def _team(mapping: Mapping[str, Any] | RowMapping) -> TeamRow:
    return TeamRow(**{name: mapping[name] for name in _TEAM_COLUMNS})


def _membership(mapping: Mapping[str, Any] | RowMapping) -> MembershipRow:
    return MembershipRow(**{name: mapping[name] for name in _MEMBERSHIP_COLUMNS})


def _view(mapping: RowMapping) -> MembershipView:
    member = {
        name[len(_MEMBER) :]: value for name, value in mapping.items() if name.startswith(_MEMBER)
    }
    return MembershipView(
        _membership(mapping),
        mapping["team_id"],
        mapping["team_name"],
        row_from_mapping(member),
        bool(mapping["user_has_totp"]),
    )


# Teams ---------------------------------------------------------------------------------------


def insert_team(connection: Connection, values: Mapping[str, Any]) -> TeamRow:
    """Insert a team (values: every TeamRow field but sequence and search)."""
    row_values = {**values, "search": team_search_text(values["id"], values["name"])}
    try:
        result = connection.execute(teams.insert().values(**row_values).returning(teams.c.sequence))
    except IntegrityError:
        raise Duplicate("id") from None
    return _team({**row_values, "sequence": result.scalar_one()})


def get_team(
    connection: Connection, project_id: str, team_id: str, *, lock: bool = False
) -> TeamRow | None:
    """The team, or None; `lock` holds the row until the transaction ends (for writes)."""
    query = sa.select(teams).where(teams.c.project_id == project_id, teams.c.id == team_id)
    if lock:
        query = query.with_for_update()
    found = connection.execute(query).mappings().first()
    return None if found is None else _team(found)


def update_team(connection: Connection, row: TeamRow, changes: Mapping[str, Any]) -> TeamRow:
    """Apply `changes` (TeamRow field names) to a row read in this transaction."""
    updated = replace(row, **changes)
    updated = replace(updated, search=team_search_text(updated.id, updated.name))
    values = {name: getattr(updated, name) for name in (*changes, "search")}
    connection.execute(teams.update().where(teams.c.sequence == row.sequence).values(**values))
    return updated


def delete_team(connection: Connection, row: TeamRow) -> None:
    """Delete the team; its memberships go with it (ON DELETE CASCADE)."""
    connection.execute(teams.delete().where(teams.c.sequence == row.sequence))


def change_total(connection: Connection, team_sequence: int, change: int) -> None:
    """Add `change` (±1) to the team's member count, which never falls below 0."""
    statement = teams.update().where(teams.c.sequence == team_sequence)
    if change < 0:
        statement = statement.where(teams.c.total > 0)
    connection.execute(statement.values(total=teams.c.total + change))


def leave_teams(connection: Connection, user: UserRow) -> None:
    """Take the user's confirmed memberships out of their teams' totals.

    Call it before deleting the user, in the same transaction; the memberships
    themselves go with the user (ON DELETE CASCADE).
    """
    joined = sa.select(memberships.c.team_sequence).where(
        memberships.c.user_sequence == user.sequence, memberships.c.confirm
    )
    locked = sa.select(teams.c.sequence).where(teams.c.sequence.in_(joined))
    locked = locked.order_by(teams.c.sequence).with_for_update()
    sequences = list(connection.execute(locked).scalars())
    if sequences:
        connection.execute(
            teams.update()
            .where(teams.c.sequence.in_(sequences), teams.c.total > 0)
            .values(total=teams.c.total - 1)
        )


def _teams_filtered(project_id: str, query: ListQuery, term: str) -> compiler.Predicate:
    conditions = [teams.c.project_id == project_id, compiler.where(TEAMS, query.conditions)]
    if term:
        conditions.append(_search_teams(term))
    return sa.and_(*conditions)


def count_teams(connection: Connection, project_id: str, query: ListQuery, term: str) -> int:
    statement = sa.select(sa.func.count()).select_from(teams)
    statement = statement.where(_teams_filtered(project_id, query, term))
    return int(connection.execute(statement).scalar_one())


def list_teams(
    connection: Connection, project_id: str, query: ListQuery, term: str
) -> list[TeamRow]:
    statement = sa.select(teams).where(_teams_filtered(project_id, query, term))

    def cursor(team_id: str, wanted: Sequence[str]) -> dict[str, Any]:
        where = sa.and_(teams.c.project_id == project_id, teams.c.id == team_id)
        return compiler.cursor_values(
            connection, TEAMS, teams, where, f"Team '{team_id}'", wanted=wanted
        )

    rows = compiler.page(connection, statement, TEAMS, query, cursor)
    return [_team(found._mapping) for found in rows]


# Memberships ---------------------------------------------------------------------------------


def insert_membership(connection: Connection, values: Mapping[str, Any]) -> MembershipRow:
    """Insert a membership (values: every MembershipRow field but sequence).

    Raises `Duplicate("id")` for a taken id, `Duplicate("member")` when the user
    is already in the team.
    """
    try:
        result = connection.execute(
            memberships.insert().values(**values).returning(memberships.c.sequence)
        )
    except IntegrityError as error:
        text = str(error.orig).lower()
        pair = "user_sequence" in text
        raise Duplicate("member" if pair else "id") from None
    row = _membership({**values, "sequence": result.scalar_one()})
    _write_roles(connection, row)
    return row


def _write_roles(connection: Connection, row: MembershipRow) -> None:
    owner = membership_roles.c.membership_sequence
    connection.execute(membership_roles.delete().where(owner == row.sequence))
    if row.roles:
        connection.execute(
            membership_roles.insert(),
            [{"membership_sequence": row.sequence, "role": role} for role in set(row.roles)],
        )


def get_membership(
    connection: Connection, project_id: str, membership_id: str
) -> MembershipRow | None:
    query = sa.select(memberships).where(
        memberships.c.project_id == project_id, memberships.c.id == membership_id
    )
    found = connection.execute(query).mappings().first()
    return None if found is None else _membership(found)


def find_membership(connection: Connection, team: TeamRow, user: UserRow) -> MembershipRow | None:
    """The user's membership of the team, if any."""
    query = sa.select(memberships).where(
        memberships.c.team_sequence == team.sequence,
        memberships.c.user_sequence == user.sequence,
    )
    found = connection.execute(query).mappings().first()
    return None if found is None else _membership(found)


def update_membership(
    connection: Connection, row: MembershipRow, changes: Mapping[str, Any]
) -> MembershipRow:
    """Apply `changes` (MembershipRow field names) to a row read in this transaction."""
    updated = replace(row, **changes)
    statement = memberships.update().where(memberships.c.sequence == row.sequence)
    connection.execute(statement.values(**changes))
    if "roles" in changes:
        _write_roles(connection, updated)
    return updated


def lock_member(connection: Connection, row: MembershipRow) -> UserRow | None:
    """The membership's user, locked until the transaction ends; None if deleted."""
    query = sa.select(users).where(users.c.sequence == row.user_sequence).with_for_update()
    found = connection.execute(query).mappings().first()
    return None if found is None else row_from_mapping(found)


def delete_membership(connection: Connection, row: MembershipRow) -> bool:
    """Delete the membership; False when a concurrent request deleted it first."""
    statement = memberships.delete().where(memberships.c.sequence == row.sequence)
    return bool(connection.execute(statement).rowcount)


def _view_select() -> sa.Select[Any]:
    member = [column.label(_MEMBER + column.name) for column in users.c]
    team = [teams.c.id.label("team_id"), teams.c.name.label("team_name")]
    totp = (
        sa.select(authenticators.c.sequence)
        .where(
            authenticators.c.user_sequence == users.c.sequence,
            authenticators.c.type == "totp",
            authenticators.c.verified.is_(True),
        )
        .exists()
        .label("user_has_totp")
    )
    return sa.select(memberships, *team, *member, totp).select_from(_JOINED)


def view(connection: Connection, row: MembershipRow) -> MembershipView:
    """The membership with its team and user, read in this transaction."""
    query = _view_select().where(memberships.c.sequence == row.sequence)
    return _view(connection.execute(query).mappings().one())


def of_team(team: TeamRow) -> compiler.Predicate:
    """Scope of a team's membership list."""
    return memberships.c.team_sequence == team.sequence


def of_user(user: UserRow) -> compiler.Predicate:
    """Scope of a user's membership list."""
    return memberships.c.user_sequence == user.sequence


def _memberships_filtered(
    scope: compiler.Predicate, query: ListQuery, term: str
) -> compiler.Predicate:
    conditions = [scope, compiler.where(MEMBERSHIPS, query.conditions)]
    if term:
        conditions.append(_search_memberships(term))
    return sa.and_(*conditions)


def _names_team_or_user(conditions: Sequence[Condition]) -> bool:
    """Whether a filter reads `teamId` or `userId`, the columns only the join has."""
    for condition in conditions:
        if isinstance(condition, Logical):
            if _names_team_or_user(condition.conditions):
                return True
        elif condition.attribute in ("teamId", "userId"):
            return True
    return False


def count_memberships(
    connection: Connection, scope: compiler.Predicate, query: ListQuery, term: str
) -> int:
    """The exact count; the team and user are joined only when a filter needs them."""
    source = _JOINED if _names_team_or_user(query.conditions) else memberships
    statement = sa.select(sa.func.count()).select_from(source)
    statement = statement.where(_memberships_filtered(scope, query, term))
    return int(connection.execute(statement).scalar_one())


def list_memberships(
    connection: Connection,
    project_id: str,
    scope: compiler.Predicate,
    query: ListQuery,
    term: str,
) -> list[MembershipView]:
    """One page of the memberships in `scope` (`of_team(...)` or `of_user(...)`)."""
    statement = _view_select().where(_memberships_filtered(scope, query, term))

    def cursor(membership_id: str, wanted: Sequence[str]) -> dict[str, Any]:
        where = sa.and_(memberships.c.project_id == project_id, memberships.c.id == membership_id)
        label = f"Membership '{membership_id}'"
        return compiler.cursor_values(connection, MEMBERSHIPS, _JOINED, where, label, wanted=wanted)

    rows = compiler.page(connection, statement, MEMBERSHIPS, query, cursor)
    return [_view(found._mapping) for found in rows]


# Pages ---------------------------------------------------------------------------------------
