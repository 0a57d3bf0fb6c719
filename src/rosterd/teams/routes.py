"""HTTP handlers for `/v1/teams` and `/v1/users/{userId}/memberships`.

Only API keys may use the Teams routes for now: a signed-in user's own team flows
(invitations by email, accepting them) are not built, so any other caller is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from starlette.routing import BaseRoute

from rosterd.errors import ArgumentInvalid
from rosterd.http.endpoint import Call, Output, endpoint
from rosterd.http.listing import LIST_PARAMS, list_query
from rosterd.http.params import Param
from rosterd.http.routing import operation
from rosterd.store.teams import MEMBERSHIP_SCHEMA, TEAM_SCHEMA, MembershipView
from rosterd.teams import models
from rosterd.teams.service import Invitation
from rosterd.validators import (
    UID,
    Assoc,
    CustomId,
    Email,
    Invalid,
    Kind,
    Phone,
    Text,
)

READ = ("teams.read",)
WRITE = ("teams.write",)
TEAM_ID = Param("teamId", UID())
MEMBERSHIP_ID = Param("membershipId", UID())

_ROLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,80}")


@dataclass(frozen=True)
class Roles:
    """Up to 100 roles, each 1..81 of `[A-Za-z0-9._-]`, not starting with a special char."""

    kind: ClassVar[Kind] = "strings"
    maximum: int = 100
    description: str = (
        "Value must a valid array no longer than 100 items and Parameter must contain at "
        "most 81 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore. "
        "Can't start with a special char"
    )

    def __call__(self, value: object) -> list[str]:
        if not isinstance(value, list) or len(value) > self.maximum:
            raise Invalid(self.description)
        if not all(isinstance(role, str) and _ROLE.fullmatch(role) for role in value):
            raise Invalid(self.description)
        return list(value)


def _membership(found: MembershipView, status: int = 200) -> Output:
    return Output("membership", models.membership(found), status)


# Teams ---------------------------------------------------------------------------------------


@endpoint(
    scopes=WRITE,
    params=(
        Param("teamId", CustomId()),
        Param("name", Text(128)),
        Param("roles", Roles(), optional=True, default=["owner"]),
    ),
    keys_only=True,
)
def create_team(call: Call) -> Output:
    row = call.services.teams.create(call.project_id, call.params["teamId"], call.params["name"])
    return Output("team", models.team(row), 201)


@endpoint(scopes=READ, params=LIST_PARAMS, keys_only=True)
def list_teams(call: Call) -> Output:
    query = list_query(call, TEAM_SCHEMA)
    page = call.services.teams.list(
        call.project_id, query, call.params["search"], call.params["total"]
    )
    return Output("teamList", models.team_list(page.teams, page.total))


@endpoint(scopes=READ, params=(TEAM_ID,), keys_only=True)
def get_team(call: Call) -> Output:
    row = call.services.teams.get(call.project_id, call.params["teamId"])
    return Output("team", models.team(row))


@endpoint(scopes=WRITE, params=(TEAM_ID, Param("name", Text(128))), keys_only=True)
def update_team_name(call: Call) -> Output:
    teams = call.services.teams
    row = teams.update(call.project_id, call.params["teamId"], name=call.params["name"])
    return Output("team", models.team(row))


@endpoint(scopes=WRITE, params=(TEAM_ID,), keys_only=True)
def delete_team(call: Call) -> None:
    call.services.teams.delete(call.project_id, call.params["teamId"])


@endpoint(scopes=READ, params=(TEAM_ID,), keys_only=True)
def get_team_prefs(call: Call) -> Output:
    row = call.services.teams.get(call.project_id, call.params["teamId"])
    return Output("preferences", dict(row.prefs))


@endpoint(scopes=WRITE, params=(TEAM_ID, Param("prefs", Assoc())), keys_only=True)
def update_team_prefs(call: Call) -> Output:
    teams = call.services.teams
    row = teams.update(call.project_id, call.params["teamId"], prefs=call.params["prefs"])
    return Output("preferences", dict(row.prefs))


# Memberships ---------------------------------------------------------------------------------


@endpoint(
    scopes=WRITE,
    params=(
        TEAM_ID,
        Param("email", Email(), optional=True, default=""),
        Param("userId", UID(), optional=True, default=""),
        Param("phone", Phone(), optional=True, default=""),
        Param("roles", Roles()),
        Param("name", Text(128), optional=True, default=""),
        Param("membershipId", CustomId(), optional=True, default="unique()"),
    ),
    keys_only=True,
)
def create_membership(call: Call) -> Output:
    params = call.params
    if not (params["userId"] or params["email"] or params["phone"]):
        raise ArgumentInvalid("At least one of userId, email, or phone is required")
    invitation = Invitation(
        membership_id=params["membershipId"],
        roles=params["roles"],
        user_id=params["userId"],
        email=params["email"],
        phone=params["phone"],
        name=params["name"],
    )
    teams = call.services.teams
    found = teams.add_member(call.project_id, params["teamId"], invitation, actor=call.actor)
    return _membership(found, 201)


@endpoint(scopes=READ, params=(TEAM_ID, *LIST_PARAMS), keys_only=True)
def list_team_memberships(call: Call) -> Output:
    query = list_query(call, MEMBERSHIP_SCHEMA)
    page = call.services.teams.members(
        call.project_id, call.params["teamId"], query, call.params["search"], call.params["total"]
    )
    return Output("membershipList", models.membership_list(page.memberships, page.total))


@endpoint(scopes=READ, params=(TEAM_ID, MEMBERSHIP_ID), keys_only=True)
def get_membership(call: Call) -> Output:
    teams = call.services.teams
    return _membership(
        teams.member(call.project_id, call.params["teamId"], call.params["membershipId"])
    )


@endpoint(scopes=WRITE, params=(TEAM_ID, MEMBERSHIP_ID, Param("roles", Roles())), keys_only=True)
def update_membership(call: Call) -> Output:
    found = call.services.teams.update_roles(
        call.project_id,
        call.params["teamId"],
        call.params["membershipId"],
        call.params["roles"],
        actor=call.actor,
    )
    return _membership(found)


@endpoint(scopes=WRITE, params=(TEAM_ID, MEMBERSHIP_ID), keys_only=True)
def delete_membership(call: Call) -> None:
    call.services.teams.remove_member(
        call.project_id, call.params["teamId"], call.params["membershipId"], actor=call.actor
    )


# The Users API's view of a user's memberships -------------------------------------------------


@endpoint(scopes=("users.read",), params=(Param("userId", UID()), *LIST_PARAMS))
def list_user_memberships(call: Call) -> Output:
    query = list_query(call, MEMBERSHIP_SCHEMA, legacy_allowed=False)
    page = call.services.teams.memberships_of(
        call.project_id, call.params["userId"], query, call.params["search"], call.params["total"]
    )
    return Output("membershipList", models.membership_list(page.memberships, page.total))


ROUTES: list[BaseRoute] = [
    operation("POST", "/teams", create_team, "teams.create", "team"),
    operation("GET", "/teams", list_teams, "teams.list", "teamList"),
    operation("GET", "/teams/{teamId}", get_team, "teams.get", "team"),
    operation("PUT", "/teams/{teamId}", update_team_name, "teams.updateName", "team"),
    operation("DELETE", "/teams/{teamId}", delete_team, "teams.delete", "none"),
    operation("GET", "/teams/{teamId}/prefs", get_team_prefs, "teams.getPrefs", "preferences"),
    operation(
        "PUT", "/teams/{teamId}/prefs", update_team_prefs, "teams.updatePrefs", "preferences"
    ),
    operation(
        "POST",
        "/teams/{teamId}/memberships",
        create_membership,
        "teams.createMembership",
        "membership",
    ),
    operation(
        "GET",
        "/teams/{teamId}/memberships",
        list_team_memberships,
        "teams.listMemberships",
        "membershipList",
    ),
    operation(
        "GET",
        "/teams/{teamId}/memberships/{membershipId}",
        get_membership,
        "teams.getMembership",
        "membership",
    ),
    operation(
        "PATCH",
        "/teams/{teamId}/memberships/{membershipId}",
        update_membership,
        "teams.updateMembership",
        "membership",
    ),
    operation(
        "DELETE",
        "/teams/{teamId}/memberships/{membershipId}",
        delete_membership,
        "teams.deleteMembership",
        "none",
    ),
    operation(
        "GET",
        "/users/{userId}/memberships",
        list_user_memberships,
        "users.listMemberships",
        "membershipList",
    ),
]
