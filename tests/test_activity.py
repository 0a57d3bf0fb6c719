"""The activity log: what happened to a user, by whom, from where; and the clean-up."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from appwrite.services.users import Users

from rosterd import clock, maintenance
from rosterd.oauth.service import Start
from rosterd.oauth.settings import Change
from rosterd.ratelimit import DatabaseCounters
from rosterd.services import Services
from rosterd.store.tables import audit_logs, oauth_states, sessions, tokens
from tests.conftest import Project, Server, serve_in_thread
from tests.test_signin import BROWSER, PASSWORD, sign_in
from tests.test_users_sdk import WIRE_TIME
from tests.test_wire import assert_error

LOG_KEYS = [
    "event", "userId", "userEmail", "userName", "mode", "userType", "ip", "time", "osCode",
    "osName", "osVersion", "clientType", "clientCode", "clientName", "clientVersion",
    "clientEngine", "clientEngineVersion", "deviceName", "deviceBrand", "deviceModel",
    "countryCode", "countryName",
]  # fmt: skip


def logs(http: httpx.Client, user_id: str, **params: str) -> dict[str, Any]:
    response = http.get(f"/users/{user_id}/logs", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_changes_by_a_key_are_logged(project: Project, users: Users, http: httpx.Client) -> None:
    users.create(user_id="a1", email="a1@example.com", password=PASSWORD)
    users.update_name("a1", "Renamed")
    users.update_email_verification("a1", True)
    users.update_labels("a1", ["vip"])
    users.create_token("a1")
    session = users.create_session("a1")
    users.delete_session("a1", session.id)
    history = logs(http, "a1")
    events = [entry["event"] for entry in history["logs"]]
    assert events == [
        "session.delete",
        "session.create",
        "tokens.create",
        "user.update",
        "verification.update",
        "user.update",
        "user.create",
    ]
    assert history["total"] == 7
    first = history["logs"][-1]
    assert list(first) == LOG_KEYS
    key_id = project.server.services.projects.key(project.key)
    assert key_id is not None
    assert (first["userId"], first["userType"], first["userName"]) == (
        key_id.id,
        "keyProject",
        "test key",
    )
    assert first["userEmail"] == f"app.{project.id}@service.127.0.0.1"
    assert (first["mode"], first["ip"], first["countryCode"], first["countryName"]) == (
        "default",
        "127.0.0.1",
        "--",
        "Unknown",
    )
    assert WIRE_TIME.match(first["time"])


def test_sign_in_is_the_users_own_act(project: Project, users: Users, http: httpx.Client) -> None:
    users.create(user_id="a2", email="a2@example.com", password=PASSWORD, name="Ann")
    with httpx.Client(base_url=project.server.endpoint, headers={"user-agent": BROWSER}) as browser:
        browser.headers["x-appwrite-project"] = project.id
        assert sign_in(browser, "a2@example.com").status_code == 201
        assert browser.delete("/account/sessions/current").status_code == 204
    newest, signed_in = logs(http, "a2")["logs"][:2]
    assert (signed_in["event"], signed_in["userType"], signed_in["userId"]) == (
        "session.create",
        "user",
        "a2",
    )
    assert (signed_in["userName"], signed_in["userEmail"]) == ("Ann", "a2@example.com")
    assert (signed_in["osName"], signed_in["clientName"], signed_in["deviceName"]) == (
        "Windows",
        "Chrome",
        "desktop",
    )
    assert (newest["event"], newest["userId"]) == ("session.delete", "a2")


def test_impersonator_is_named(project: Project, users: Users, http: httpx.Client) -> None:
    users.create(user_id="boss", email="boss@example.com")
    users.update_impersonator("boss", True)
    users.create(user_id="victim")
    victim_session = users.create_session("victim")
    boss = users.create_session("boss").secret
    headers = {
        "x-appwrite-project": project.id,
        "x-appwrite-session": boss,
        "x-appwrite-impersonate-user-id": "victim",
    }
    with httpx.Client(base_url=project.server.endpoint, headers=headers) as caller:
        assert caller.delete(f"/account/sessions/{victim_session.id}").status_code == 204
    entry = logs(http, "victim")["logs"][0]
    assert (entry["event"], entry["userId"], entry["userType"]) == (
        "session.delete",
        "boss",
        "user",
    )
    assert logs(http, "boss")["logs"][0]["event"] == "session.delete"
    with project.server.services.database.read() as connection:
        data = (
            connection.execute(
                sa.select(audit_logs.c.data)
                .where(audit_logs.c.event == "session.delete")
                .order_by(audit_logs.c.sequence.desc())
            )
            .scalars()
            .first()
        )
    assert data == {"sessionId": victim_session.id, "impersonatedUserId": "victim"}


def test_queries_limit_offset_and_total(users: Users, http: httpx.Client) -> None:
    users.create(user_id="a3")
    for number in range(5):
        users.update_name("a3", f"name {number}")
    page = logs(http, "a3", **{"queries[0]": '{"method":"limit","values":[2]}',
                               "queries[1]": '{"method":"offset","values":[1]}'})  # fmt: skip
    assert page["total"] == 6 and len(page["logs"]) == 2
    assert logs(http, "a3", total="false")["total"] == 0
    for query in (
        '{"method":"equal","attribute":"event","values":["user.update"]}',
        '{"method":"orderAsc","attribute":""}',
        '{"method":"cursorAfter","values":["x"]}',
        '{"method":"limit","values":[-1]}',
        '{"method":"offset","values":[-1]}',
        '{"method":"cursorAsc","values":["x"]}',
    ):
        response = http.get("/users/a3/logs", params={"queries[0]": query})
        assert_error(response, 400, "general_argument_invalid")
    assert_error(http.get("/users/ghost/logs"), 404, "user_not_found")


def test_history_outlives_the_user(users: Users, http: httpx.Client) -> None:
    users.create(user_id="a4")
    users.delete("a4")
    users.create(user_id="a4")
    assert [entry["event"] for entry in logs(http, "a4")["logs"]] == [
        "user.create",
        "user.delete",
        "user.create",
    ]


def test_countries_from_a_geoip_database(server: Server, tmp_path: Path) -> None:
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet  # type: ignore[import-untyped]

    writer = MMDBWriter(ip_version=6, database_type="DBIP-Country-Lite", ipv4_compatible=True)
    writer.insert_network(IPSet(["81.2.69.0/24"]), {"country": {"iso_code": "GB"}})
    path = tmp_path / "country.mmdb"
    writer.to_db_file(str(path))
    settings = server.services.settings.replace(geoip_db=str(path), trusted_proxies="127.0.0.1")
    geo = Services.build(settings)
    for address in serve_in_thread(geo):
        from tests.conftest import new_project

        project = new_project(Server(address, geo))
        with project.http() as http:
            http.post("/users", json={"userId": "uk"}).raise_for_status()
            forwarded = {"x-forwarded-for": "81.2.69.142"}
            session = http.post("/users/uk/sessions", headers=forwarded).json()
            assert (session["ip"], session["countryCode"], session["countryName"]) == (
                "81.2.69.142",
                "gb",
                "United Kingdom",
            )
            assert logs(http, "uk")["logs"][0]["countryCode"] == "gb"
    geo.database.dispose()


def test_maintenance_removes_what_expired(project: Project, users: Users) -> None:
    services = project.server.services
    users.create(user_id="old")
    users.create_session("old")
    users.create_token("old")
    change = Change(
        enabled=True, client_id="c", endpoints={"authorizationEndpoint": "https://id/a"}
    )
    services.oauth.settings.configure(project.id, "oidc", change)
    start = Start(project.id, "oidc", "https://a/ok", "https://a/no", [], False, None)
    services.oauth.begin(start, "https://rosterd/callback")
    past = clock.now() - timedelta(days=400)
    with services.database.write() as connection:
        connection.execute(sa.update(oauth_states).values(expire=past))
        connection.execute(sa.update(sessions).values(expire=past))
        connection.execute(sa.update(tokens).values(expire=past))
        connection.execute(
            sa.update(audit_logs).where(audit_logs.c.user_id == "old").values(time=past)
        )
    removed = maintenance.run_once(services)
    assert removed["sessions"] >= 1 and removed["tokens"] >= 1 and removed["logs"] >= 3
    assert removed["sign-ins"] >= 1
    assert set(removed) == {"sessions", "tokens", "challenges", "sign-ins", "logs", "counters"}
    assert users.list_sessions("old").total == 0
    with services.database.read() as connection:
        left = connection.execute(
            sa.select(sa.func.count()).select_from(audit_logs).where(audit_logs.c.user_id == "old")
        ).scalar_one()
    assert left == 0


def test_maintenance_prunes_past_counters(server: Server) -> None:
    counters = DatabaseCounters(server.services.database)
    counters.hit("prune-me", 1)
    time.sleep(1.1)
    assert counters.prune(1) >= 1


NODE_DIRECTORY = Path(__file__).parent / "node"


@pytest.fixture
def node_sdk() -> None:
    """node-appwrite is installed by scripts/test; without it, skip (in CI: fail)."""
    if shutil.which("node") and (NODE_DIRECTORY / "node_modules" / "node-appwrite").is_dir():
        return
    reason = "node, or node-appwrite in tests/node (npm ci --prefix tests/node), is missing"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.mark.usefixtures("node_sdk")
def test_list_logs_through_node_appwrite(project: Project, users: Users) -> None:
    users.create(user_id="n1")
    users.update_name("n1", "Node")
    command = ["node", "list_logs.mjs", project.server.endpoint, project.id, project.key]
    result = subprocess.run(
        [*command, "n1", "1"], cwd=NODE_DIRECTORY, capture_output=True, text=True, timeout=60,
        check=True,
    )  # fmt: skip
    listed = json.loads(result.stdout)
    assert listed["total"] == 2
    assert [entry["event"] for entry in listed["logs"]] == ["user.update"]
    assert listed["logs"][0]["userType"] == "keyProject"
    missing = subprocess.run(
        [*command, "ghost"], cwd=NODE_DIRECTORY, capture_output=True, text=True, timeout=60,
        check=True,
    )  # fmt: skip
    assert json.loads(missing.stdout)["error"] == {
        "code": 404,
        "type": "user_not_found",
        "message": "User with the requested ID could not be found.",
    }


def test_clean_up_deletes_in_short_batches(server: Server) -> None:
    database = server.services.database
    calls: list[int] = []

    def delete(_connection: object, batch: int) -> int:
        calls.append(batch)
        return batch if len(calls) < 3 else 7

    assert database.delete_in_batches(delete, batch=100) == 207
    assert calls == [100, 100, 100]


def test_log_time_has_second_precision(users: Users, http: httpx.Client) -> None:
    users.create(user_id="sec")
    assert logs(http, "sec")["logs"][0]["time"].endswith(".000+00:00")
