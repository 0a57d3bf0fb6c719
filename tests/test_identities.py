"""OAuth2 identities through the Users API, and the passkey routes that answer 501."""

from __future__ import annotations

from datetime import datetime
from functools import partial

import httpx
import pytest
import sqlalchemy as sa
from appwrite.query import Query
from appwrite.services.users import Users

from rosterd.audit import SYSTEM
from rosterd.errors import UserAlreadyExists
from rosterd.identities.service import NewIdentity
from rosterd.store.identities import IdentityRow
from rosterd.store.tables import audit_logs, identities
from tests.conftest import Project
from tests.test_users_sdk import WIRE_TIME, raises
from tests.test_wire import assert_error

IDENTITY_KEYS = [
    "$id", "$createdAt", "$updatedAt", "userId", "provider", "providerUid", "providerEmail",
    "providerAccessToken", "providerAccessTokenExpiry", "providerRefreshToken",
]  # fmt: skip


def link(project: Project, user_id: str, new: NewIdentity) -> IdentityRow:
    """Give the user an identity, as the OAuth2 sign-in flow will."""
    services = project.server.services
    user = services.users.get(project.id, user_id)
    return services.identities.create(user, new, actor=SYSTEM)


def ids_of(users: Users, *queries: str, total: bool = True) -> list[str]:
    return [item.id for item in users.list_identities(list(queries), total=total).identities]


@pytest.fixture
def linked(project: Project, users: Users) -> None:
    """ann: github and google; bob: github (the only one whose token expires)."""
    users.create(user_id="ann", email="ann@example.com")
    users.create(user_id="bob")
    link(project, "ann", NewIdentity("github", "101", "ann@example.com", identity_id="ann-gh"))
    link(project, "ann", NewIdentity("google", "g-7", "ann@gmail.example", identity_id="ann-go"))
    expiry = datetime(2030, 1, 2, 3, 4, 5, 678000)
    bob = NewIdentity("github", "202", "bob@example.com", "tok", expiry, identity_id="bob-gh")
    link(project, "bob", bob)


def test_identity_has_every_field_and_tokens_only_for_keys(
    project: Project, users: Users, http: httpx.Client
) -> None:
    users.create(user_id="ada", email="ada@example.com")
    expiry = datetime(2030, 1, 2, 3, 4, 5, 678000)
    new = NewIdentity("github", "gh-1", "Ada@Work.Example", "access-1", expiry, "refresh-1")
    created = link(project, "ada", new)
    assert len(created.id) == 20 and created.provider_access_token == "access-1"
    listed = users.list_identities()
    assert listed.total == 1
    seen = listed.identities[0]
    assert (seen.id, seen.userid, seen.provider, seen.provideruid, seen.provideremail) == (
        created.id,
        "ada",
        "github",
        "gh-1",
        "ada@work.example",
    )
    assert (seen.provideraccesstoken, seen.providerrefreshtoken) == ("access-1", "refresh-1")
    assert seen.provideraccesstokenexpiry == "2030-01-02T03:04:05.678+00:00"
    assert WIRE_TIME.match(seen.createdat) and seen.updatedat == seen.createdat
    body = http.get("/users/identities").json()
    assert list(body) == ["total", "identities"] and list(body["identities"][0]) == IDENTITY_KEYS


def test_tokens_are_encrypted_at_rest(project: Project, users: Users) -> None:
    users.create(user_id="eve")
    link(project, "eve", NewIdentity("github", "e-1", "", "plain-access", None, "plain-refresh"))
    link(project, "eve", NewIdentity("google", "e-2"))
    query = (
        sa.select(identities.c.provider_access_token, identities.c.provider_refresh_token)
        .where(identities.c.project_id == project.id)
        .order_by(identities.c.sequence)
    )
    with project.server.services.database.read() as connection:
        stored = [tuple(row) for row in connection.execute(query).all()]
    (access, refresh), empty = stored
    assert access and refresh and "plain" not in access + refresh
    assert empty == ("", "")  # no token: nothing to encrypt
    tokens = [
        (i.provideraccesstoken, i.providerrefreshtoken) for i in users.list_identities().identities
    ]
    assert tokens == [("plain-access", "plain-refresh"), ("", "")]


def test_an_impersonator_sees_identities_without_tokens(project: Project, users: Users) -> None:
    users.create(user_id="boss")
    users.update_impersonator("boss", True)
    link(project, "boss", NewIdentity("github", "b-1", "", "secret-access", None, "secret-ref"))
    headers = {"x-appwrite-project": project.id, "x-appwrite-session": _session(users, "boss")}
    with httpx.Client(base_url=project.server.endpoint, headers=headers) as caller:
        response = caller.get("/users/identities")
    assert response.status_code == 200, response.text
    seen = response.json()["identities"][0]
    assert (seen["providerUid"], seen["providerAccessToken"], seen["providerRefreshToken"]) == (
        "b-1",
        "",
        "",
    )


def _session(users: Users, user_id: str) -> str:
    return str(users.create_session(user_id).secret)


@pytest.mark.usefixtures("linked")
def test_filters_orders_and_totals(users: Users) -> None:
    assert ids_of(users) == ["ann-gh", "ann-go", "bob-gh"]
    assert ids_of(users, Query.equal("provider", ["github"])) == ["ann-gh", "bob-gh"]
    assert ids_of(users, Query.equal("userId", ["bob"])) == ["bob-gh"]
    assert ids_of(users, Query.equal("providerUid", ["g-7"])) == ["ann-go"]
    assert ids_of(users, Query.ends_with("providerEmail", "@example.com")) == ["ann-gh", "bob-gh"]
    after_2029 = Query.greater_than("providerAccessTokenExpiry", "2029-12-31T00:00:00.000+00:00")
    assert ids_of(users, after_2029) == ["bob-gh"]
    assert ids_of(users, Query.is_null("providerAccessTokenExpiry")) == ["ann-gh", "ann-go"]
    assert ids_of(users, Query.order_desc("provider")) == ["ann-go", "ann-gh", "bob-gh"]
    assert ids_of(users, Query.order_desc("userId")) == ["bob-gh", "ann-gh", "ann-go"]
    assert ids_of(users, Query.order_desc("$createdAt"))[0] == "bob-gh"
    page = users.list_identities([Query.equal("provider", ["github"]), Query.limit(1)])
    assert (page.total, [item.id for item in page.identities]) == (2, ["ann-gh"])
    unfiltered = users.list_identities(total=False)
    assert (unfiltered.total, len(unfiltered.identities)) == (0, 3)


@pytest.mark.usefixtures("linked")
def test_cursors(users: Users, http: httpx.Client) -> None:
    assert ids_of(users, Query.cursor_after("ann-gh"), Query.limit(1)) == ["ann-go"]
    assert ids_of(users, Query.cursor_before("bob-gh"), Query.limit(2)) == ["ann-gh", "ann-go"]
    by_provider = Query.order_desc("provider")
    assert ids_of(users, by_provider, Query.cursor_after("ann-go")) == ["ann-gh", "bob-gh"]
    missing = http.get("/users/identities", params={"queries[0]": Query.cursor_after("nope")})
    body = assert_error(missing, 400, "general_cursor_not_found")
    assert body["message"] == "User 'nope' for the 'cursor' value not found."
    null_order = Query.order_asc("providerAccessTokenExpiry")
    raises(
        lambda: users.list_identities([null_order, Query.cursor_after("ann-gh")]),
        400,
        "database_query_order_null",
    )


@pytest.mark.usefixtures("linked")
def test_query_validation_and_search(users: Users) -> None:
    for refused in (
        Query.equal("providerAccessToken", ["tok"]),  # secrets are not filterable
        Query.equal("email", ["ann@example.com"]),
        Query.equal("providerAccessTokenExpiry", ["not a date"]),
        Query.select(["provider"]),
    ):
        raises(partial(users.list_identities, [refused]), 400, "general_argument_invalid")
    error = raises(lambda: users.list_identities(search="ann"), 400, "general_query_invalid")
    assert "fulltext" in error.message
    raises(
        lambda: users.list_identities([Query.search("provider", "git")]),
        400,
        "general_query_invalid",
    )


@pytest.mark.usefixtures("linked")
def test_legacy_query_syntax_below_1_5(http: httpx.Client) -> None:
    old = {"x-appwrite-response-format": "1.4.0"}
    params = {"queries[0]": 'equal("provider", ["google"])', "queries[1]": "limit(5)"}
    response = http.get("/users/identities", params=params, headers=old)
    assert response.status_code == 200, response.text
    assert [item["$id"] for item in response.json()["identities"]] == ["ann-go"]
    dotted = http.get(
        "/users/identities", params={"queries[0]": "provider.equal('x')"}, headers=old
    )
    assert_error(dotted, 400, "general_query_invalid")
    assert_error(http.get("/users/identities", params=params), 400, "general_argument_invalid")


@pytest.mark.usefixtures("linked")
def test_delete_then_404_and_audited(project: Project, users: Users, http: httpx.Client) -> None:
    assert users.delete_identity("ann-go") == b""
    assert ids_of(users) == ["ann-gh", "bob-gh"]
    raises(lambda: users.delete_identity("ann-go"), 404, "user_identity_not_found")
    response = http.delete("/users/identities/bob-gh")
    assert (response.status_code, response.content) == (204, b"")
    assert_error(http.delete("/users/identities/bob-gh"), 404, "user_identity_not_found")
    assert_error(http.delete("/users/identities/bad$id"), 400, "general_argument_invalid")
    query = (
        sa.select(audit_logs.c.user_id, audit_logs.c.actor_type, audit_logs.c.data)
        .where(audit_logs.c.project_id == project.id, audit_logs.c.event == "identity.delete")
        .order_by(audit_logs.c.sequence)
    )
    with project.server.services.database.read() as connection:
        recorded = [tuple(row) for row in connection.execute(query).all()]
    assert recorded == [
        ("ann", "keyProject", {"identityId": "ann-go", "provider": "google"}),
        ("bob", "keyProject", {"identityId": "bob-gh", "provider": "github"}),
    ]
    events = [entry["event"] for entry in http.get("/users/ann/logs").json()["logs"]]
    assert events[0] == "identity.delete"


@pytest.mark.usefixtures("linked")
def test_deleting_a_user_deletes_their_identities(users: Users) -> None:
    assert users.delete("ann") == b""
    assert ids_of(users) == ["bob-gh"]
    raises(lambda: users.delete_identity("ann-gh"), 404, "user_identity_not_found")


@pytest.mark.usefixtures("linked")
def test_an_identity_email_is_taken(users: Users) -> None:
    raises(
        lambda: users.create(user_id="new", email="Ann@Gmail.example"),
        409,
        "user_email_already_exists",
    )
    md5 = "5f4dcc3b5aa765d61d8327deb882cf99"
    raises(
        lambda: users.create_md5_user("new", "bob@example.com", md5),
        409,
        "user_email_already_exists",
    )
    raises(lambda: users.update_email("bob", "ann@gmail.example"), 409, "user_email_already_exists")
    assert users.update_email("ann", "ann@gmail.example").email == "ann@gmail.example"
    assert users.update_email("bob", "bob@example.com").email == "bob@example.com"
    assert users.create(user_id="carl", email="carl@example.com").email == "carl@example.com"


def test_one_account_at_a_provider_links_once(project: Project, users: Users) -> None:
    users.create(user_id="dan")
    users.create(user_id="dee")
    link(project, "dan", NewIdentity("github", "same", identity_id="first"))
    with pytest.raises(UserAlreadyExists):
        link(project, "dee", NewIdentity("github", "same"))
    with pytest.raises(UserAlreadyExists):
        link(project, "dee", NewIdentity("gitlab", "other", identity_id="first"))
    assert link(project, "dee", NewIdentity("gitlab", "same")).user_id == "dee"


def test_passkeys_answer_501(users: Users) -> None:
    users.create(user_id="pk")
    for call in (
        lambda: users.list_passkeys("pk"),
        lambda: users.get_passkey("pk", "key1"),
        lambda: users.update_passkey("pk", "key1", "Laptop"),
        lambda: users.delete_passkey("pk", "key1"),
    ):
        error = raises(call, 501, "general_not_implemented")
        assert error.message == "Passkeys are not supported by this server yet."


def test_passkey_scopes_are_checked_first(project: Project) -> None:
    services = project.server.services
    unscoped = services.projects.create_key(project.id, [], "no scopes").secret
    reader = services.projects.create_key(project.id, ["users.read"], "reader").secret
    with project.http(unscoped) as client:
        assert_error(client.get("/users/pk/passkeys"), 401, "general_unauthorized_scope")
        assert_error(client.get("/users/identities"), 401, "general_unauthorized_scope")
    with project.http(reader) as client:
        assert_error(client.get("/users/pk/passkeys/k"), 501, "general_not_implemented")
        assert_error(client.delete("/users/pk/passkeys/k"), 401, "general_unauthorized_scope")
        assert_error(client.delete("/users/identities/x"), 401, "general_unauthorized_scope")
    with httpx.Client(base_url=project.server.endpoint) as guest:
        headers = {"x-appwrite-project": project.id}
        response = guest.get("/users/pk/passkeys", headers=headers)
    assert_error(response, 401, "general_unauthorized_scope")
