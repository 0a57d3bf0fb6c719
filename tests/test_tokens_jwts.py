"""Tokens exchanged for sessions, JWTs acting as a user, impersonation, hostile credentials."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest
from appwrite.client import Client
from appwrite.services.account import Account
from appwrite.services.users import Users

from rosterd.jwts.service import InvalidToken
from rosterd.settings import Settings
from tests.conftest import Project
from tests.test_wire import assert_error


def anonymous(project: Project, **headers: str) -> httpx.Client:
    return httpx.Client(
        base_url=project.server.endpoint,
        headers={"x-appwrite-project": project.id, **headers},
        timeout=30,
    )


def exchange(project: Project, user_id: str, secret: str, method: str = "POST") -> httpx.Response:
    with anonymous(project) as client:
        body = {"userId": user_id, "secret": secret}
        return client.request(method, "/account/sessions/token", json=body)


def test_token_defaults_and_single_use(project: Project, users: Users) -> None:
    users.create(user_id="t1")
    token = users.create_token("t1")
    assert len(token.secret) == 6 and int(token.secret, 16) >= 0
    assert token.userid == "t1" and token.phrase == ""
    from datetime import datetime

    lifetime = datetime.fromisoformat(token.expire) - datetime.fromisoformat(token.createdat)
    assert lifetime.total_seconds() == 900
    assert_error(
        exchange(project, "t1", "000000" if token.secret != "000000" else "111111"),
        401,
        "user_invalid_token",
    )
    session = exchange(project, "t1", token.secret)
    assert session.status_code == 201
    assert (session.json()["provider"], session.json()["factors"]) == ("token", ["token"])
    assert_error(exchange(project, "t1", token.secret), 401, "user_invalid_token")
    assert_error(exchange(project, "nobody", token.secret), 401, "user_invalid_token")


def test_token_length_and_expire_bounds(http: httpx.Client, project: Project) -> None:
    http.post("/users", json={"userId": "t2"}).raise_for_status()
    long = http.post("/users/t2/tokens", json={"length": 128, "expire": 60}).json()
    assert len(long["secret"]) == 128
    assert exchange(project, "t2", long["secret"], "PUT").status_code == 201
    for body in (
        {"length": 1},
        {"length": 129},
        {"expire": 1},
        {"expire": 999999999999999},
        {"length": "x"},
    ):
        response = http.post("/users/t2/tokens", json=body)
        payload = assert_error(response, 400, "general_argument_invalid")
        assert "userId" not in payload and "secret" not in payload
    assert http.post("/users/t2/tokens", json={"length": "8"}).status_code == 201
    assert_error(http.post("/users/ghost/tokens", json={}), 404, "user_not_found")


def test_blocked_user_cannot_exchange(project: Project, users: Users) -> None:
    users.create(user_id="t3")
    secret = users.create_token("t3").secret
    users.update_status("t3", False)
    assert_error(exchange(project, "t3", secret), 403, "user_blocked")


def test_user_jwt_bound_to_session(project: Project, users: Users) -> None:
    users.create(user_id="j1", email="j1@example.com")
    session = users.create_session("j1")
    token = users.create_jwt("j1").jwt
    header, payload, _ = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    assert json.loads(base64.urlsafe_b64decode(header + "==")) == {"alg": "HS256", "typ": "JWT"}
    assert (claims["userId"], claims["sessionId"]) == ("j1", session.id)
    client = Client().set_endpoint(project.server.endpoint).set_project(project.id).set_jwt(token)
    assert Account(client).get().id == "j1"
    users.delete_session("j1", session.id)
    with anonymous(project, **{"x-appwrite-jwt": token}) as caller:
        assert_error(caller.get("/account"), 401, "general_unauthorized_scope")


def test_user_jwt_without_sessions_and_unknown_session(project: Project, users: Users) -> None:
    users.create(user_id="j2")
    unbound = users.create_jwt("j2", session_id="nothing", duration=60).jwt
    claims = json.loads(base64.urlsafe_b64decode(unbound.split(".")[1] + "=="))
    assert claims["sessionId"] == "" and claims["exp"] - time.time() <= 60
    with anonymous(project, **{"x-appwrite-jwt": unbound}) as caller:
        assert caller.get("/account").json()["$id"] == "j2"


def test_expired_and_forged_jwts(project: Project, users: Users) -> None:
    users.create(user_id="j3")
    expired = users.create_jwt("j3", duration=0).jwt
    with anonymous(project, **{"x-appwrite-jwt": expired}) as caller:
        assert_error(caller.get("/account"), 401, "user_jwt_invalid")
    with anonymous(project, **{"x-appwrite-jwt": expired[:-4] + "AAAA"}) as caller:
        assert_error(caller.get("/account"), 401, "user_jwt_invalid")
    with anonymous(project, **{"x-appwrite-jwt": "not.a.jwt"}) as caller:
        assert_error(caller.get("/account"), 401, "user_jwt_invalid")
    with project.http() as http:
        assert_error(
            http.post("/users/j3/jwts", json={"duration": 3601}), 400, "general_argument_invalid"
        )


def test_account_jwt_rules(project: Project, users: Users) -> None:
    users.create(user_id="j4")
    secret = users.create_session("j4").secret
    with anonymous(project, **{"x-appwrite-session": secret}) as caller:
        token = caller.post("/account/jwts", json={}).json()["jwt"]
        assert caller.post("/account/jwt", json={"duration": 60}).status_code == 201
    with anonymous(project, **{"x-appwrite-jwt": token}) as caller:
        assert caller.get("/account").json()["$id"] == "j4"
        assert_error(caller.post("/account/jwts", json={}), 403, "user_jwt_creation_denied")
    with anonymous(project, **{"x-appwrite-jwt": token, "x-appwrite-session": secret}) as caller:
        assert_error(caller.get("/account"), 403, "user_jwt_and_cookie_set")


def test_jwt_key_is_shared_through_the_database(project: Project, users: Users) -> None:
    from rosterd.services import Services

    users.create(user_id="j5")
    token = users.create_jwt("j5").jwt
    other_process = Services.build(project.server.services.settings)
    assert other_process.jwts.check(project.id, token).user_id == "j5"
    with pytest.raises(InvalidToken):
        other_process.jwts.check("another-project", token)
    other_process.database.dispose()
    configured = Services.build(Settings(database_url="sqlite://", jwt_secret="s" * 32))
    assert configured.jwts.check("p", configured.jwts.issue("p", "x", "", 60)).user_id == "x"


def test_impersonation(project: Project, users: Users) -> None:
    users.create(user_id="admin", email="admin@example.com")
    users.create(user_id="target", email="target@example.com", phone="+16175550123")
    secret = users.create_session("admin").secret
    with anonymous(project, **{"x-appwrite-session": secret}) as caller:
        assert_error(caller.get("/users"), 401, "general_unauthorized_scope")
        plain = caller.get("/account", headers={"x-appwrite-impersonate-user-id": "target"}).json()
        assert plain["$id"] == "admin"  # not an impersonator yet
        users.update_impersonator("admin", True)
        for header, value in (
            ("x-appwrite-impersonate-user-id", "target"),
            ("x-appwrite-impersonate-email", "TARGET@example.com"),
            ("x-appwrite-impersonate-phone", "+16175550123"),
        ):
            acting = caller.get("/account", headers={header: value}).json()
            assert (acting["$id"], acting["impersonatorUserId"]) == ("target", "admin")
        by_query = caller.get("/account", params={"impersonateUserId": "target"}).json()
        assert by_query["$id"] == "target"
        assert caller.get("/account").json()["impersonatorUserId"] is None
        assert caller.get("/users").json()["total"] == 2


@pytest.mark.parametrize(
    "credentials",
    [
        base64.b64encode(b'{"id":"x","secret":"\\ud800"}').decode(),
        base64.b64encode(b'{"id":"\\ud800","secret":"ab"}').decode(),
        base64.b64encode(b'{"id":"a\\u0000b","secret":"ab"}').decode(),
        base64.b64encode(b'{"id":"x","secret":"nothex"}').decode(),
        base64.b64encode(b"[1,2]").decode(),
        "%%%not base64",
        "x" * 10000,
    ],
)
def test_hostile_session_credentials_make_a_guest(project: Project, credentials: str) -> None:
    with anonymous(project, **{"x-appwrite-session": credentials}) as caller:
        assert_error(caller.get("/account"), 401, "general_unauthorized_scope")
    fallback = json.dumps({f"a_session_{project.id}": credentials})
    with anonymous(project, **{"x-fallback-cookies": fallback}) as caller:
        assert_error(caller.get("/account"), 401, "general_unauthorized_scope")


def test_deep_fallback_header(project: Project) -> None:
    with anonymous(project, **{"x-fallback-cookies": "[" * 5000 + "]" * 5000}) as caller:
        assert_error(caller.get("/account"), 401, "general_unauthorized_scope")


def test_debug_fallback_header_and_accessed_at(project: Project, users: Users) -> None:
    users.create(user_id="f1")
    assert users.get("f1").accessedat == ""
    secret = users.create_session("f1").secret
    fallback = json.dumps({f"a_session_{project.id}": secret})
    with anonymous(project, **{"x-fallback-cookies": fallback}) as caller:
        response = caller.get("/account")
    assert response.headers["x-debug-fallback"] == "true"
    assert response.json()["accessedAt"] != ""
    assert users.get("f1").accessedat == response.json()["accessedAt"]


def test_session_id_must_be_a_uid(project: Project, users: Users) -> None:
    users.create(user_id="u1")
    secret = users.create_session("u1").secret
    with anonymous(project, **{"x-appwrite-session": secret}) as caller:
        assert_error(caller.delete("/account/sessions/a$b"), 400, "general_argument_invalid")


def test_no_project_is_refused(project: Project) -> None:
    with httpx.Client(base_url=project.server.endpoint) as client:
        body = {"email": "a@example.com", "password": "long enough"}
        assert_error(
            client.post("/account/sessions/email", json=body), 401, "general_unauthorized_scope"
        )


def test_settings_are_range_checked() -> None:
    with pytest.raises(ValueError, match="ROSTERD_SIGNIN_PERIOD must be at least 1"):
        Settings.from_environ({"ROSTERD_SIGNIN_PERIOD": "0"})
    with pytest.raises(ValueError, match="ROSTERD_PORT is not a valid value"):
        Settings.from_environ({"ROSTERD_PORT": "eighty"})


def test_only_keys_manage_sessions_through_the_users_api(project: Project, users: Users) -> None:
    users.create(user_id="v1")
    users.create(user_id="v2")
    kept = users.create_session("v1")
    member = users.create_session("v2").secret
    for headers in ({}, {"x-appwrite-session": member}):
        with anonymous(project, **headers) as caller:
            assert_error(caller.post("/users/v1/sessions"), 401, "general_unauthorized_scope")
            assert_error(caller.delete("/users/v1/sessions"), 401, "general_unauthorized_scope")
            denied = caller.delete(f"/users/v1/sessions/{kept.id}")
            assert_error(denied, 401, "general_unauthorized_scope")
    assert users.list_sessions("v1").total == 1


def test_a_jwt_is_void_in_another_project(project: Project, users: Users) -> None:
    from tests.conftest import new_project

    other = new_project(project.server)
    users.create(user_id="same")
    Users(other.client()).create(user_id="same")
    token = users.create_jwt("same").jwt
    with httpx.Client(base_url=project.server.endpoint) as client:
        headers = {"x-appwrite-project": other.id, "x-appwrite-jwt": token}
        assert_error(client.get("/account", headers=headers), 401, "user_jwt_invalid")


def test_a_blocked_impersonator_is_refused(project: Project, users: Users) -> None:
    users.create(user_id="imp")
    users.create(user_id="bob")
    users.update_impersonator("imp", True)
    secret = users.create_session("imp").secret
    users.update_status("imp", False)
    with anonymous(project, **{"x-appwrite-session": secret}) as caller:
        acting = caller.get("/account", headers={"x-appwrite-impersonate-user-id": "bob"})
        assert_error(acting, 403, "user_blocked")
        assert_error(caller.get("/users", params={"impersonateUserId": "bob"}), 403, "user_blocked")


def test_impersonator_jwt_and_sign_out(project: Project, users: Users) -> None:
    users.create(user_id="imp2")
    users.create(user_id="bob2")
    users.update_impersonator("imp2", True)
    secret = users.create_session("imp2").secret
    acting = {"x-appwrite-session": secret, "x-appwrite-impersonate-user-id": "bob2"}
    with anonymous(project, **acting) as caller:
        token = caller.post("/account/jwts", json={}).json()["jwt"]
        with anonymous(project, **{"x-appwrite-jwt": token}) as holder:
            assert holder.get("/account").json()["$id"] == "imp2"
        assert caller.delete("/account/sessions/current").status_code == 204
    assert users.list_sessions("imp2").total == 0


@pytest.mark.parametrize(
    "params",
    [{"project": "\x00"}, {"impersonateUserId": "\x00"}, {"impersonateEmail": "a\x00b"}],
)
def test_nul_in_query_parameters(project: Project, users: Users, params: dict[str, str]) -> None:
    users.create(user_id="nul")
    users.update_impersonator("nul", True)
    secret = users.create_session("nul").secret
    with httpx.Client(base_url=project.server.endpoint) as client:
        headers = {"x-appwrite-session": secret}
        if "project" not in params:
            headers["x-appwrite-project"] = project.id
        response = client.get("/account", params=params, headers=headers)
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert response.json()["$id"] == "nul"


def test_server_sessions_are_not_capped_and_tokens_survive_a_block(
    project: Project, users: Users
) -> None:
    users.create(user_id="many")
    for _ in range(12):
        users.create_session("many")
    assert users.list_sessions("many").total == 12
    users.create(user_id="frozen")
    secret = users.create_token("frozen").secret
    users.update_status("frozen", False)
    assert_error(exchange(project, "frozen", secret), 403, "user_blocked")
    users.update_status("frozen", True)
    assert exchange(project, "frozen", secret).status_code == 201


def test_password_change_signs_out_by_default(users: Users) -> None:
    users.create(user_id="pw", password="a long password")
    users.create_session("pw")
    users.update_password("pw", "another long password")
    assert users.list_sessions("pw").total == 0


def test_trusted_hops_are_normalised() -> None:
    from rosterd.http.clients import TrustedProxies

    proxies = TrustedProxies.parse("127.0.0.1, ::/0")
    assert proxies.client_ip("127.0.0.1", "[2001:db8::1]") == "2001:db8::1"
    long_form = "[0000:0000:0000:0000:0000:ffff:127.100.100.100]"
    assert len(proxies.client_ip("127.0.0.1", long_form)) <= 45
