"""Older clients: `X-Appwrite-Response-Format` shapes the models they get back and, below
1.5.0, the query syntax some list routes take (reference §4 and §5.2)."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Project

OLD, CLI, NEWER = "1.4.0", "1.8.0", "7.0.0"


def _format(version: str) -> dict[str, str]:
    return {"x-appwrite-response-format": version}


def _user(http: httpx.Client, user_id: str) -> None:
    created = http.post(
        "/users",
        json={"userId": user_id, "email": f"{user_id}@example.com", "password": "pw-123456"},
    )
    assert created.status_code == 201, created.text


@pytest.mark.parametrize(
    ("version", "removed"),
    [
        ("1.0.0", {"targets", "mfa", "impersonator", "impersonatorUserId"}),
        (OLD, {"targets", "mfa", "impersonator", "impersonatorUserId"}),
        (CLI, {"impersonator", "impersonatorUserId"}),
        ("1.9.0", set()),
    ],
)
def test_users_lose_what_their_version_did_not_have(
    http: httpx.Client, version: str, removed: set[str]
) -> None:
    _user(http, "u")
    full = set(http.get("/users/u").json())
    assert {"targets", "mfa", "impersonator", "impersonatorUserId"} <= full
    assert set(http.get("/users/u", headers=_format(version)).json()) == full - removed
    listed = http.get("/users", headers=_format(version)).json()["users"][0]
    assert set(listed) == full - removed


def test_sessions_and_tokens_below_1_5(http: httpx.Client) -> None:
    _user(http, "s")
    old = http.post("/users/s/sessions", headers=_format(OLD)).json()
    assert "factors" not in old and "secret" not in old and old["userId"] == "s"
    new = http.post("/users/s/sessions", headers=_format("1.5.0")).json()
    assert new["factors"] == ["server"] and len(new["secret"]) > 0
    items = http.get("/users/s/sessions", headers=_format(OLD)).json()["sessions"]
    assert len(items) == 2 and all("factors" not in item and "secret" not in item for item in items)
    token = http.post("/users/s/tokens", headers=_format(OLD)).json()
    assert "phrase" not in token and len(token["secret"]) == 6
    assert "phrase" in http.post("/users/s/tokens").json()


def test_the_account_model_below_1_9(project: Project, http: httpx.Client) -> None:
    _user(http, "a")
    secret = http.post("/users/a/sessions").json()["secret"]
    with httpx.Client(base_url=project.server.endpoint) as browser:
        headers = {"x-appwrite-project": project.id, "x-appwrite-session": secret}
        old = browser.get("/account", headers={**headers, **_format(CLI)}).json()
        new = browser.get("/account", headers=headers).json()
    assert old["$id"] == new["$id"] == "a"
    assert set(new) - set(old) == {"impersonator", "impersonatorUserId"}


def test_legacy_queries_on_the_routes_appwrite_converts(http: httpx.Client) -> None:
    _user(http, "l1")
    _user(http, "l2")
    logs = http.get("/users/l1/logs", params={"queries[]": "limit(1)"}, headers=_format(OLD))
    assert logs.status_code == 200 and len(logs.json()["logs"]) == 1
    team = http.post("/teams", json={"teamId": "t", "name": "Team T"})
    assert team.status_code == 201
    teams = http.get(
        "/teams", params={"queries[]": "equal('name', 'Team T')"}, headers=_format(OLD)
    )
    assert [found["$id"] for found in teams.json()["teams"]] == ["t"]
    users = http.get("/users", params={"queries[]": 'orderDesc("")'}, headers=_format(OLD))
    assert [found["$id"] for found in users.json()["users"]] == ["l2", "l1"]


def test_targets_keep_the_json_syntax_for_old_clients(http: httpx.Client) -> None:
    _user(http, "t")
    legacy = http.get("/users/t/targets", params={"queries[]": "limit(1)"}, headers=_format(OLD))
    assert legacy.status_code == 400
    assert legacy.json()["type"] == "general_argument_invalid"
    json_query = '{"method":"limit","values":[1]}'
    current = http.get("/users/t/targets", params={"queries[]": json_query}, headers=_format(OLD))
    assert current.status_code == 200 and current.json()["total"] == 1


def test_a_client_newer_than_the_server_is_warned(http: httpx.Client) -> None:
    _user(http, "w")
    warned = http.get("/users/w", headers=_format(NEWER))
    assert warned.status_code == 200
    assert "7.0.0" in warned.headers["x-appwrite-warning"]
    assert "2.5.0" in warned.headers["x-appwrite-warning"]
    # the Python SDK 27 asks for 2.5.0: no warning printed on its every call
    for headers in ({}, _format("2.5.0"), _format("1.9.6"), _format(OLD), _format("banana")):
        assert "x-appwrite-warning" not in http.get("/users/w", headers=headers).headers


def test_a_version_of_thousands_of_digits_is_not_an_error(http: httpx.Client) -> None:
    for header in ("9" * 4301, "1." + "9" * 4301, "1.9." + "9" * 10):
        answer = http.get("/users", headers=_format(header))
        assert answer.status_code == 200, answer.text
