"""Teams and memberships through the official `appwrite` SDK, and their wire details."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import httpx
import pytest
from appwrite.id import ID
from appwrite.query import Query
from appwrite.services.teams import Teams
from appwrite.services.users import Users

from rosterd import clock
from rosterd.store import teams as team_store
from rosterd.store import users as user_store
from tests.conftest import Project, new_project
from tests.test_users_sdk import WIRE_TIME, raises
from tests.test_wire import assert_error

MEMBERSHIP_KEYS = [
    "$id", "$createdAt", "$updatedAt", "userId", "userName", "userEmail", "userPhone",
    "teamId", "teamName", "invited", "joined", "confirm", "mfa", "userAccessedAt", "roles",
]  # fmt: skip


@pytest.fixture
def teams(project: Project) -> Teams:
    return Teams(project.client())


def total_of(teams: Teams, team_id: str) -> int:
    return int(teams.get(team_id).total)


def queried(http: httpx.Client, path: str, *queries: str, **params: str) -> httpx.Response:
    indexed = {f"queries[{index}]": query for index, query in enumerate(queries)}
    return http.get(path, params={**indexed, **params})


# Teams ---------------------------------------------------------------------------------------


def test_create_get_rename_and_delete_a_team(teams: Teams) -> None:
    team = teams.create(team_id="t1", name="Team One", roles=["owner", "admin"])
    assert (team.id, team.name, team.total, team.prefs.data) == ("t1", "Team One", 0, {})
    assert WIRE_TIME.match(team.createdat) and team.updatedat == team.createdat
    generated = teams.create(team_id=ID.unique(), name="Generated")
    assert len(generated.id) == 20 and generated.id != "unique()"
    raises(lambda: teams.create(team_id="t1", name="Again"), 409, "team_already_exists")

    assert teams.get("t1").name == "Team One"
    renamed = teams.update_name("t1", "Renamed")
    assert (renamed.name, teams.get("t1").name) == ("Renamed", "Renamed")
    assert renamed.updatedat >= renamed.createdat

    assert teams.delete("t1") == b""
    raises(lambda: teams.get("t1"), 404, "team_not_found")
    raises(lambda: teams.delete("t1"), 404, "team_not_found")
    raises(lambda: teams.update_name("t1", "x"), 404, "team_not_found")
    assert [team.id for team in teams.list().teams] == [generated.id]


def test_team_prefs(teams: Teams) -> None:
    teams.create(team_id="p", name="Prefs")
    assert teams.get_prefs("p").data == {}
    assert teams.update_prefs("p", {"theme": "dark", "size": 3}).data == {
        "theme": "dark",
        "size": 3,
    }
    assert teams.get_prefs("p").data == {"theme": "dark", "size": 3}
    assert teams.get("p").prefs.data == {"theme": "dark", "size": 3}
    raises(lambda: teams.get_prefs("missing"), 404, "team_not_found")
    raises(lambda: teams.update_prefs("missing", {}), 404, "team_not_found")


def test_list_teams_with_queries_search_and_total(teams: Teams, users: Users) -> None:
    for team_id, name in (
        ("alpha", "Alpha Squad"),
        ("beta", "Beta Crew"),
        ("gamma", "Gamma Squad"),
    ):
        teams.create(team_id=team_id, name=name)
    users.create(user_id="m")
    teams.create_membership("beta", roles=[], user_id="m")

    listed = teams.list()
    assert (listed.total, [team.id for team in listed.teams]) == (3, ["alpha", "beta", "gamma"])
    assert [team.id for team in teams.list([Query.equal("name", ["Beta Crew"])]).teams] == ["beta"]
    assert [team.id for team in teams.list([Query.greater_than("total", 0)]).teams] == ["beta"]
    ordered = teams.list([Query.order_desc("name"), Query.limit(2)])
    assert ([team.id for team in ordered.teams], ordered.total) == (["gamma", "beta"], 3)
    after = teams.list([Query.cursor_after("alpha")])
    assert [team.id for team in after.teams] == ["beta", "gamma"]
    assert [team.id for team in teams.list(search="squad").teams] == ["alpha", "gamma"]
    assert [team.id for team in teams.list(search="beta").teams] == ["beta"]
    assert teams.list(total=False).total == 0
    error = raises(
        lambda: teams.list([Query.equal("billingPlan", ["pro"])]), 400, "general_argument_invalid"
    )
    assert "Attribute not found in schema: billingPlan" in error.message
    error = raises(
        lambda: teams.list([Query.cursor_after("nope")]), 400, "general_cursor_not_found"
    )
    assert error.message == "Team 'nope' for the 'cursor' value not found."


# Memberships ---------------------------------------------------------------------------------


def test_membership_by_user_id(teams: Teams, users: Users) -> None:
    users.create(user_id="ann", email="ann@example.com", phone="+16175550100", name="Ann")
    teams.create(team_id="t", name="Team")
    member = teams.create_membership("t", roles=["owner", "dev"], user_id="ann")
    assert (member.userid, member.username, member.useremail, member.userphone) == (
        "ann",
        "Ann",
        "ann@example.com",
        "+16175550100",
    )
    assert (member.teamid, member.teamname, member.confirm, member.roles) == (
        "t",
        "Team",
        True,
        ["owner", "dev"],
    )
    assert member.joined == member.invited and WIRE_TIME.match(member.joined)
    assert (member.mfa, member.useraccessedat) == (False, "")
    assert total_of(teams, "t") == 1
    raises(
        lambda: teams.create_membership("t", roles=[], user_id="ann"),
        409,
        "membership_already_confirmed",
    )
    assert total_of(teams, "t") == 1


def test_membership_by_email_finds_or_makes_the_user(teams: Teams, users: Users) -> None:
    users.create(user_id="bob", email="bob@example.com")
    teams.create(team_id="t", name="Team")
    found = teams.create_membership("t", roles=["dev"], email="BOB@example.com")
    assert (found.userid, found.useremail) == ("bob", "bob@example.com")

    made = teams.create_membership("t", roles=[], email="new@example.com")
    user = users.get(made.userid)
    assert (user.email, user.name, user.passwordupdate, user.hash) == (
        "new@example.com",
        "new@example.com",
        "",
        "argon2",
    )
    assert user.password is not None and user.password.startswith("$argon2id$")
    named = teams.create_membership("t", roles=[], email="named@example.com", name="Named")
    assert (named.username, users.get(named.userid).name) == ("Named", "Named")
    assert total_of(teams, "t") == 3
    assert users.list().total == 3


def test_membership_by_phone_finds_or_makes_the_user(teams: Teams, users: Users) -> None:
    users.create(user_id="cat", phone="+16175550101")
    teams.create(team_id="t", name="Team")
    assert teams.create_membership("t", roles=[], phone="+16175550101").userid == "cat"
    made = teams.create_membership("t", roles=[], phone="+16175550102")
    user = users.get(made.userid)
    assert (user.phone, user.email, user.name) == ("+16175550102", "", "")
    assert total_of(teams, "t") == 2


def test_membership_errors(teams: Teams, users: Users) -> None:
    users.create(user_id="dan", email="dan@example.com", phone="+16175550103")
    users.create(user_id="eve", email="eve@example.com", phone="+16175550104")
    teams.create(team_id="t", name="Team")
    error = raises(lambda: teams.create_membership("t", roles=[]), 400, "general_argument_invalid")
    assert error.message == "At least one of userId, email, or phone is required"
    raises(lambda: teams.create_membership("t", roles=[], user_id="nobody"), 404, "user_not_found")
    raises(lambda: teams.create_membership("none", roles=[], user_id="dan"), 404, "team_not_found")
    mismatches = (
        {"user_id": "dan", "email": "eve@example.com"},
        {"user_id": "dan", "phone": "+16175550104"},
        {"email": "dan@example.com", "phone": "+16175550104"},
    )
    for mismatch in mismatches:
        error = raises(
            partial(teams.create_membership, "t", roles=[], **mismatch), 409, "user_already_exists"
        )
        assert error.message.startswith("Given ")
    error = raises(
        lambda: teams.create_membership("t", roles=["-bad"], user_id="dan"),
        400,
        "general_argument_invalid",
    )
    assert error.message.startswith("Invalid `roles` param: ")
    raises(
        lambda: teams.create_membership("t", roles=["r" * 82], user_id="dan"),
        400,
        "general_argument_invalid",
    )
    raises(lambda: teams.create(team_id="u", name=""), 400, "general_argument_invalid")
    assert total_of(teams, "t") == 0
    assert users.list().total == 2


def test_custom_membership_id(teams: Teams, users: Users) -> None:
    users.create(user_id="a")
    users.create(user_id="b")
    teams.create(team_id="t", name="Team")
    assert teams.create_membership("t", roles=[], user_id="a", membership_id="m1").id == "m1"
    raises(
        lambda: teams.create_membership("t", roles=[], user_id="b", membership_id="m1"),
        409,
        "team_invite_already_exists",
    )
    assert total_of(teams, "t") == 1


def test_get_update_and_delete_a_membership(teams: Teams, users: Users) -> None:
    users.create(user_id="fay", email="fay@example.com", name="Fay")
    teams.create(team_id="t", name="Team")
    teams.create(team_id="other", name="Other")
    created = teams.create_membership("t", roles=["dev"], user_id="fay")

    got = teams.get_membership("t", created.id)
    assert (got.id, got.userid, got.username, got.teamname, got.roles) == (
        created.id,
        "fay",
        "Fay",
        "Team",
        ["dev"],
    )
    updated = teams.update_membership("t", created.id, roles=["admin", "owner"])
    assert (updated.roles, updated.useremail) == (["admin", "owner"], "fay@example.com")
    assert teams.get_membership("t", created.id).roles == ["admin", "owner"]

    raises(lambda: teams.get_membership("other", created.id), 404, "membership_not_found")
    raises(lambda: teams.delete_membership("other", created.id), 404, "membership_not_found")
    raises(lambda: teams.get_membership("t", "missing"), 404, "membership_not_found")
    raises(lambda: teams.get_membership("missing", created.id), 404, "team_not_found")

    assert total_of(teams, "t") == 1
    assert teams.delete_membership("t", created.id) == b""
    assert total_of(teams, "t") == 0
    raises(lambda: teams.get_membership("t", created.id), 404, "membership_not_found")
    raises(lambda: teams.delete_membership("t", created.id), 404, "membership_not_found")
    assert teams.list_memberships("t").total == 0


def test_an_unconfirmed_membership_is_confirmed(
    project: Project, teams: Teams, users: Users
) -> None:
    """Only key callers make memberships today; one left unconfirmed (as an invitation
    would leave it) is confirmed, not refused, and then counts in the total."""
    users.create(user_id="gus")
    teams.create(team_id="t", name="Team")
    now = clock.now()
    with project.server.services.database.write() as connection:
        team = team_store.get_team(connection, project.id, "t")
        user = user_store.get_user(connection, project.id, "gus")
        assert team is not None and user is not None
        values = {
            "project_id": project.id, "id": "pending", "team_sequence": team.sequence,
            "user_sequence": user.sequence, "roles": ["old"], "invited": now, "joined": None,
            "confirm": False, "created_at": now, "updated_at": now, "search": "pending gus",
        }  # fmt: skip
        team_store.insert_membership(connection, values)
    pending = teams.get_membership("t", "pending")
    assert (pending.confirm, pending.joined) == (False, "")

    confirmed = teams.create_membership("t", roles=["new"], user_id="gus")
    assert (confirmed.id, confirmed.confirm, confirmed.roles) == ("pending", True, ["old"])
    assert WIRE_TIME.match(confirmed.joined)
    assert total_of(teams, "t") == 1


def test_deleting_a_user_keeps_team_totals(teams: Teams, users: Users) -> None:
    for user_id in ("u1", "u2"):
        users.create(user_id=user_id)
    for team_id in ("t1", "t2"):
        teams.create(team_id=team_id, name=team_id)
        teams.create_membership(team_id, roles=[], user_id="u1")
    teams.create_membership("t1", roles=[], user_id="u2")
    assert (total_of(teams, "t1"), total_of(teams, "t2")) == (2, 1)

    users.delete("u1")
    assert (total_of(teams, "t1"), total_of(teams, "t2")) == (1, 0)
    assert [member.userid for member in teams.list_memberships("t1").memberships] == ["u2"]
    assert teams.list_memberships("t2").total == 0


def test_deleting_a_team_deletes_its_memberships(teams: Teams, users: Users) -> None:
    users.create(user_id="hal")
    teams.create(team_id="t1", name="One")
    teams.create(team_id="t2", name="Two")
    teams.create_membership("t1", roles=[], user_id="hal")
    kept = teams.create_membership("t2", roles=[], user_id="hal")
    teams.delete("t1")
    listed = users.list_memberships("hal")
    assert (listed.total, [member.id for member in listed.memberships]) == (1, [kept.id])
    assert users.list_memberships("hal", search="hal").total == 1
    raises(lambda: teams.list_memberships("t1"), 404, "team_not_found")


def test_team_memberships_list(teams: Teams, users: Users) -> None:
    teams.create(team_id="t", name="Team")
    ids = []
    for index, user_id in enumerate(("ivy", "jay", "kim")):
        users.create(user_id=user_id, name=user_id.title())
        roles = ["owner"] if index == 0 else ["dev"]
        ids.append(teams.create_membership("t", roles=roles, user_id=user_id).id)

    listed = teams.list_memberships("t")
    assert (listed.total, [member.userid for member in listed.memberships]) == (
        3,
        ["ivy", "jay", "kim"],
    )
    assert all(member.teamname == "Team" for member in listed.memberships)
    only = teams.list_memberships("t", [Query.equal("userId", ["jay"])])
    assert [member.id for member in only.memberships] == [ids[1]]
    devs = teams.list_memberships("t", [Query.contains("roles", ["dev"])])
    assert [member.userid for member in devs.memberships] == ["jay", "kim"]
    ordered = teams.list_memberships("t", [Query.order_desc("userId"), Query.limit(2)])
    assert ([member.userid for member in ordered.memberships], ordered.total) == (["kim", "jay"], 3)
    after = teams.list_memberships("t", [Query.order_desc("userId"), Query.cursor_after(ids[2])])
    assert [member.userid for member in after.memberships] == ["jay", "ivy"]
    assert [member.userid for member in teams.list_memberships("t", search="kim").memberships] == [
        "kim"
    ]
    assert [member.id for member in teams.list_memberships("t", search=ids[0]).memberships] == [
        ids[0]
    ]
    assert teams.list_memberships("t", total=False).total == 0
    error = raises(
        lambda: teams.list_memberships("t", [Query.cursor_after("nope")]),
        400,
        "general_cursor_not_found",
    )
    assert error.message == "Membership 'nope' for the 'cursor' value not found."


def test_user_memberships_list(teams: Teams, users: Users) -> None:
    users.create(user_id="lee", email="lee@example.com", phone="+16175550105", name="Lee")
    users.create(user_id="max")
    made = {}
    for team_id, roles in (
        ("red", ["owner", "admin"]),
        ("green", ["dev"]),
        ("blue", ["dev", "qa"]),
    ):
        teams.create(team_id=team_id, name=team_id.title())
        made[team_id] = teams.create_membership(team_id, roles=roles, user_id="lee").id
    teams.create_membership("red", roles=["dev"], user_id="max")

    listed = users.list_memberships("lee")
    assert listed.total == 3
    first = listed.memberships[0]
    assert (first.teamid, first.teamname, first.username, first.useremail, first.userphone) == (
        "red",
        "Red",
        "Lee",
        "lee@example.com",
        "+16175550105",
    )

    def team_ids(*queries: str, search: str | None = None) -> list[str]:
        found = users.list_memberships("lee", list(queries), search=search)
        return [member.teamid for member in found.memberships]

    assert team_ids(Query.equal("teamId", ["green", "blue"])) == ["green", "blue"]
    assert team_ids(Query.equal("confirm", [True])) == ["red", "green", "blue"]
    assert team_ids(Query.equal("confirm", [False])) == []
    assert team_ids(Query.contains("roles", ["dev"])) == ["green", "blue"]
    assert team_ids(Query.contains_all("roles", ["dev", "qa"])) == ["blue"]
    assert team_ids(Query.not_contains("roles", ["dev"])) == ["red"]
    assert team_ids(Query.order_desc("teamId")) == ["red", "green", "blue"]
    assert team_ids(Query.is_not_null("joined")) == ["red", "green", "blue"]
    assert team_ids(search=made["green"]) == ["green"]
    assert team_ids(search="lee") == ["red", "green", "blue"]
    assert team_ids(search="max") == []

    paged = users.list_memberships("lee", [Query.limit(1), Query.offset(1)])
    assert (paged.total, [member.teamid for member in paged.memberships]) == (3, ["green"])
    assert users.list_memberships("lee", total=False).total == 0
    error = raises(
        lambda: users.list_memberships("lee", [Query.equal("roles", ["dev"])]),
        400,
        "general_argument_invalid",
    )
    assert error.message == (
        "Invalid `queries` param: Invalid query: Cannot query equal on attribute "
        '"roles" because it is an array.'
    )
    raises(lambda: users.list_memberships("nobody"), 404, "user_not_found")


# Wire ----------------------------------------------------------------------------------------


def test_models_key_order_and_204(http: httpx.Client) -> None:
    team = http.post("/teams", json={"teamId": "w", "name": "Wire"})
    assert team.status_code == 201
    assert list(team.json()) == ["$id", "$createdAt", "$updatedAt", "name", "total", "prefs"]
    assert list(http.get("/teams").json()) == ["total", "teams"]
    http.post("/users", json={"userId": "x", "email": "x@example.com"}).raise_for_status()
    member = http.post("/teams/w/memberships", json={"userId": "x", "roles": ["a"]})
    assert member.status_code == 201
    assert list(member.json()) == MEMBERSHIP_KEYS
    assert list(http.get("/teams/w/memberships").json()) == ["total", "memberships"]
    assert list(http.get("/users/x/memberships").json()) == ["total", "memberships"]
    deleted = http.delete(f"/teams/w/memberships/{member.json()['$id']}")
    assert (deleted.status_code, deleted.content) == (204, b"")
    deleted = http.delete("/teams/w")
    assert (deleted.status_code, deleted.content) == (204, b"")


def test_older_response_formats(http: httpx.Client) -> None:
    http.post("/teams", json={"teamId": "w", "name": "Wire"}).raise_for_status()
    http.post("/users", json={"userId": "x"}).raise_for_status()
    http.post("/teams/w/memberships", json={"userId": "x", "roles": []}).raise_for_status()
    formats = {"1.4.0": {"mfa", "userPhone"}, "1.9.1": {"userPhone"}, "1.9.2": set()}
    for version, removed in formats.items():
        headers = {"x-appwrite-response-format": version}
        listed = http.get("/users/x/memberships", headers=headers).json()["memberships"][0]
        assert set(MEMBERSHIP_KEYS) - set(listed) == removed, version
    legacy = http.get(
        "/teams",
        params={"queries[0]": 'equal("name", ["Wire"])'},
        headers={"x-appwrite-response-format": "1.4.0"},
    )
    assert legacy.json()["total"] == 1


def test_non_key_callers_are_refused(project: Project, users: Users) -> None:
    users.create(user_id="n", email="n@example.com")
    secret = users.create_session("n").secret
    credentials: list[dict[str, str]] = [{}, {"x-appwrite-session": secret}]
    for extra in credentials:
        headers = {"x-appwrite-project": project.id, **extra}
        with httpx.Client(base_url=project.server.endpoint, headers=headers) as client:
            assert_error(client.get("/teams"), 401, "general_unauthorized_scope")
            created = client.post("/teams", json={"teamId": "x", "name": "X"})
            assert_error(created, 401, "general_unauthorized_scope")


def test_scopes(project: Project) -> None:
    readers = new_project(project.server, ["teams.read"])
    with readers.http() as client:
        assert client.get("/teams").status_code == 200
        refused = client.post("/teams", json={"teamId": "x", "name": "X"})
        body = assert_error(refused, 401, "general_unauthorized_scope")
        assert str(body["message"]).endswith('missing scopes (["teams.write"])')
        assert_error(client.get("/users/x/memberships"), 401, "general_unauthorized_scope")


def test_membership_changes_are_in_the_users_activity(http: httpx.Client) -> None:
    http.post("/teams", json={"teamId": "w", "name": "Wire"}).raise_for_status()
    http.post("/users", json={"userId": "x"}).raise_for_status()
    member = http.post("/teams/w/memberships", json={"userId": "x", "roles": []}).json()
    http.patch(f"/teams/w/memberships/{member['$id']}", json={"roles": ["a"]}).raise_for_status()
    http.delete(f"/teams/w/memberships/{member['$id']}").raise_for_status()
    made = http.post("/teams/w/memberships", json={"email": "y@example.com", "roles": []}).json()
    events = [log["event"] for log in http.get("/users/x/logs").json()["logs"]]
    assert events == ["membership.delete", "membership.update", "membership.create", "user.create"]
    events = [log["event"] for log in http.get(f"/users/{made['userId']}/logs").json()["logs"]]
    assert events == ["membership.create", "user.create"]


@pytest.fixture
def many_members(project: Project, http: httpx.Client) -> Iterator[list[str]]:
    http.post("/teams", json={"teamId": "big", "name": "Big"}).raise_for_status()
    created = []
    for index in range(12):
        body = {"email": f"member{index:02d}@example.com", "roles": ["r"]}
        created.append(http.post("/teams/big/memberships", json=body).json()["$id"])
    yield created


def test_cursor_pages_cover_every_member_once(http: httpx.Client, many_members: list[str]) -> None:
    seen: list[str] = []
    cursor: list[str] = []
    while True:
        page = queried(
            http, "/teams/big/memberships", json.dumps({"method": "limit", "values": [5]}), *cursor
        )
        members = page.json()["memberships"]
        assert page.json()["total"] == 12
        if not members:
            break
        seen += [member["$id"] for member in members]
        cursor = [json.dumps({"method": "cursorAfter", "values": [members[-1]["$id"]]})]
    assert seen == many_members
    before = queried(
        http,
        "/teams/big/memberships",
        json.dumps({"method": "cursorBefore", "values": [many_members[5]]}),
        json.dumps({"method": "limit", "values": [2]}),
    )
    assert [member["$id"] for member in before.json()["memberships"]] == many_members[3:5]


def test_concurrent_member_and_user_deletes_count_once(project: Project) -> None:
    """Deleting a membership and its user at once (and adding a member while the user is
    deleted) never counts a member twice, never deadlocks, never answers 5xx."""
    people = [f"c{index}" for index in range(16)]
    with project.http() as http:
        http.post("/teams", json={"teamId": "c", "name": "C"}).raise_for_status()
        for user_id in [*people, "anchor"]:
            http.post("/users", json={"userId": user_id}).raise_for_status()
        http.post("/teams/c/memberships", json={"userId": "anchor", "roles": []}).raise_for_status()
        ids = {}
        for user_id in people[:8]:
            body = {"userId": user_id, "roles": []}
            ids[user_id] = http.post("/teams/c/memberships", json=body).json()["$id"]

    def act(task: tuple[str, str]) -> int:
        action, user_id = task
        with project.http() as client:
            if action == "leave":
                return client.delete(f"/teams/c/memberships/{ids[user_id]}").status_code
            if action == "join":
                body = {"userId": user_id, "roles": []}
                return client.post("/teams/c/memberships", json=body).status_code
            return client.delete(f"/users/{user_id}").status_code

    tasks = [(action, user_id) for user_id in people[:8] for action in ("leave", "delete")]
    tasks += [(action, user_id) for user_id in people[8:] for action in ("join", "delete")]
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(act, tasks))
    assert all(status < 500 for status in statuses), statuses
    with project.http() as http:
        listed = http.get("/teams/c/memberships").json()
        assert [member["userId"] for member in listed["memberships"]] == ["anchor"]
        assert http.get("/teams/c").json()["total"] == 1
