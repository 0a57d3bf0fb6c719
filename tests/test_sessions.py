"""Administrators manage users' sessions: create, list, use, delete; project settings."""

from __future__ import annotations

import base64
import json
from datetime import datetime

import httpx
import pytest
from appwrite.services.users import Users

from rosterd.http.clients import TrustedProxies
from tests.conftest import Project
from tests.test_signin import PASSWORD, sign_in
from tests.test_wire import assert_error


def account_with(project: Project, secret: str) -> httpx.Response:
    with httpx.Client(base_url=project.server.endpoint) as client:
        headers = {"x-appwrite-project": project.id, "x-appwrite-session": secret}
        return client.get("/account", headers=headers)


def test_server_session_is_usable_at_once(project: Project, users: Users) -> None:
    users.create(user_id="s1", email="s1@example.com")
    session = users.create_session("s1")
    assert (session.userid, session.provider, session.provideruid) == ("s1", "server", "")
    assert session.factors == ["server"] and session.current is False
    assert json.loads(base64.b64decode(session.secret))["id"] == "s1"
    assert account_with(project, session.secret).json()["$id"] == "s1"
    created = datetime.fromisoformat(session.createdat)
    assert (datetime.fromisoformat(session.expire) - created).days == 365


def test_list_hides_secrets_and_counts(users: Users) -> None:
    users.create(user_id="s2")
    first = users.create_session("s2")
    users.create_session("s2")
    listed = users.list_sessions("s2")
    assert listed.total == 2
    assert listed.sessions[0].id == first.id
    assert all(s.secret == "" and s.current is False for s in listed.sessions)
    assert users.list_sessions("s2", total=False).total == 0


def test_delete_one_and_all(project: Project, users: Users, http: httpx.Client) -> None:
    users.create(user_id="s3")
    users.create(user_id="other")
    mine = users.create_session("s3")
    theirs = users.create_session("other")
    assert_error(http.delete(f"/users/s3/sessions/{theirs.id}"), 404, "user_session_not_found")
    assert_error(http.delete("/users/s3/sessions/nothing"), 404, "user_session_not_found")
    assert users.delete_session("s3", mine.id) == b""
    assert_error(account_with(project, mine.secret), 401, "general_unauthorized_scope")
    again = users.create_session("s3")
    users.create_session("s3")
    assert users.delete_sessions("s3") == b""
    assert users.list_sessions("s3").total == 0
    assert_error(account_with(project, again.secret), 401, "general_unauthorized_scope")
    assert users.list_sessions("other").total == 1


def test_missing_user(http: httpx.Client) -> None:
    assert_error(http.post("/users/unique()/sessions"), 404, "user_not_found")
    assert_error(http.get("/users/ghost/sessions"), 404, "user_not_found")
    assert_error(http.delete("/users/ghost/sessions"), 404, "user_not_found")


def test_blocked_user_session_is_refused(project: Project, users: Users) -> None:
    users.create(user_id="s4")
    session = users.create_session("s4")
    users.update_status("s4", False)
    assert_error(account_with(project, session.secret), 403, "user_blocked")
    users.update_status("s4", True)
    assert account_with(project, session.secret).status_code == 200


@pytest.mark.parametrize("invalidate", [True, False])
def test_password_change_and_invalidate_sessions(
    project: Project, users: Users, invalidate: bool
) -> None:
    project.server.services.projects.update_auth_settings(
        project.id, invalidate_sessions=invalidate
    )
    users.create(user_id="s5", password=PASSWORD)
    users.create_session("s5")
    users.update_password("s5", "another long password")
    assert users.list_sessions("s5").total == (0 if invalidate else 1)


def test_project_session_duration_and_cap(project: Project, users: Users) -> None:
    services = project.server.services.projects
    services.update_auth_settings(project.id, session_duration=120, max_sessions=2)
    users.create(user_id="s6", email="s6@example.com", password=PASSWORD)
    session = users.create_session("s6")
    lifetime = datetime.fromisoformat(session.expire) - datetime.fromisoformat(session.createdat)
    assert lifetime.total_seconds() == 120
    with httpx.Client(base_url=project.server.endpoint) as client:
        client.headers["x-appwrite-project"] = project.id
        for _ in range(3):
            client.cookies.clear()
            assert sign_in(client, "s6@example.com").status_code == 201
    remaining = users.list_sessions("s6").sessions
    assert len(remaining) == 2 and all(s.provider == "email" for s in remaining)


def test_forwarded_user_agent_for_key_callers(http: httpx.Client) -> None:
    http.post("/users", json={"userId": "s7"}).raise_for_status()
    iphone = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
    )
    session = http.post("/users/s7/sessions", headers={"x-forwarded-user-agent": iphone}).json()
    assert (session["osCode"], session["osName"], session["deviceName"]) == (
        "IOS",
        "iOS",
        "smartphone",
    )
    assert session["ip"] == "127.0.0.1"


def test_forwarded_for_only_from_trusted_proxies(http: httpx.Client) -> None:
    http.post("/users", json={"userId": "s8"}).raise_for_status()
    spoofed = http.post("/users/s8/sessions", headers={"x-forwarded-for": "203.0.113.9"}).json()
    assert spoofed["ip"] == "127.0.0.1"


@pytest.mark.parametrize(
    ("trusted", "peer", "chain", "client"),
    [
        ("", "127.0.0.1", "203.0.113.9", "127.0.0.1"),
        ("127.0.0.1", "127.0.0.1", "203.0.113.9", "203.0.113.9"),
        ("127.0.0.1,10.0.0.0/8", "127.0.0.1", "198.51.100.7, 203.0.113.9, 10.1.2.3", "203.0.113.9"),
        ("127.0.0.1", "127.0.0.1", "not-an-ip", "127.0.0.1"),
        ("::1", "::1", "2001:db8::5", "2001:db8::5"),
        ("127.0.0.1,10.0.0.0/8", "127.0.0.1", "10.0.0.2", "10.0.0.2"),
    ],
)
def test_client_address_rules(trusted: str, peer: str, chain: str, client: str) -> None:
    assert TrustedProxies.parse(trusted).client_ip(peer, chain) == client
