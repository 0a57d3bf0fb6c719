"""Email/password sign-in, the account it opens, and signing out."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import httpx
import pytest
from appwrite.client import Client
from appwrite.services.account import Account
from appwrite.services.users import Users

from rosterd.ratelimit import DatabaseCounters, RedisCounters
from rosterd.services import Services
from tests.conftest import Project, Server, serve_in_thread
from tests.test_wire import assert_error

PASSWORD = "correct horse battery"
BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)


@pytest.fixture
def member(users: Users) -> str:
    users.create(user_id="m", email="member@example.com", password=PASSWORD, name="Member")
    return "member@example.com"


@pytest.fixture
def browser(project: Project) -> Iterator[httpx.Client]:
    """A client with no API key, as a browser would call."""
    headers = {"x-appwrite-project": project.id, "user-agent": BROWSER}
    with httpx.Client(base_url=project.server.endpoint, headers=headers, timeout=30) as client:
        yield client


def sign_in(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/account/sessions/email", json={"email": email, "password": password})


def test_browser_sign_in_sets_cookies_and_hides_the_secret(
    browser: httpx.Client, member: str, project: Project
) -> None:
    response = sign_in(browser, member.upper())
    assert response.status_code == 201, response.text
    session = response.json()
    assert session["secret"] == ""
    assert (session["userId"], session["provider"], session["providerUid"]) == (
        "m",
        "email",
        "member@example.com",
    )
    assert session["factors"] == ["password"] and session["current"] is True
    assert (session["osCode"], session["osName"], session["clientName"]) == (
        "WIN",
        "Windows",
        "Chrome",
    )
    assert (session["clientType"], session["clientEngine"], session["deviceName"]) == (
        "browser",
        "Blink",
        "desktop",
    )
    assert (session["countryCode"], session["countryName"]) == ("--", "Unknown")
    cookies = response.headers.get_list("set-cookie")
    main = next(c for c in cookies if c.startswith(f"a_session_{project.id}="))
    legacy = next(c for c in cookies if c.startswith(f"a_session_{project.id}_legacy="))
    assert "HttpOnly" in main and "SameSite=none" in main and "Path=/" in main
    assert "SameSite" not in legacy
    account = browser.get("/account").json()
    assert account["$id"] == "m" and account["email"] == "member@example.com"
    assert "password" not in account and "hash" not in account and "hashOptions" not in account
    assert account["impersonatorUserId"] is None


def test_key_caller_gets_the_secret_for_server_side_rendering(
    project: Project, member: str
) -> None:
    session = Account(project.client()).create_email_password_session(member, PASSWORD)
    decoded = json.loads(base64.b64decode(session.secret))
    assert decoded["id"] == "m" and len(decoded["secret"]) == 256
    client = Client().set_endpoint(project.server.endpoint).set_project(project.id)
    client.set_session(session.secret)
    account = Account(client).get()
    assert (account.id, account.email) == ("m", "member@example.com")


def test_fallback_cookies_header(project: Project, member: str) -> None:
    with project.http() as keyed:
        secret = sign_in(keyed, member).json()["secret"]
    fallback = json.dumps({f"a_session_{project.id}": secret})
    with httpx.Client(base_url=project.server.endpoint) as client:
        headers = {"x-appwrite-project": project.id, "x-fallback-cookies": fallback}
        assert client.get("/account", headers=headers).json()["$id"] == "m"


def test_bad_credentials(browser: httpx.Client, member: str, users: Users) -> None:
    assert_error(sign_in(browser, member, "wrong password"), 401, "user_invalid_credentials")
    assert_error(sign_in(browser, "nobody@example.com"), 401, "user_invalid_credentials")
    users.create(user_id="nopass", email="nopass@example.com")
    assert_error(sign_in(browser, "nopass@example.com"), 401, "user_invalid_credentials")
    users.update_password("m", "")
    assert_error(sign_in(browser, member, ""), 400, "general_argument_invalid")
    assert_error(sign_in(browser, member, "short"), 400, "general_argument_invalid")
    assert_error(browser.get("/account"), 401, "general_unauthorized_scope")


def test_blocked_user(browser: httpx.Client, member: str, users: Users) -> None:
    assert sign_in(browser, member).status_code == 201
    users.update_status("m", False)
    assert_error(browser.get("/account"), 403, "user_blocked")
    browser.cookies.clear()
    assert_error(sign_in(browser, member, "wrong password"), 401, "user_invalid_credentials")
    assert_error(sign_in(browser, member), 403, "user_blocked")
    users.update_status("m", True)
    assert sign_in(browser, member).status_code == 201


def test_already_signed_in(browser: httpx.Client, member: str) -> None:
    assert sign_in(browser, member).status_code == 201
    assert_error(sign_in(browser, member), 401, "user_session_already_exists")


def test_sign_out(browser: httpx.Client, member: str) -> None:
    first = sign_in(browser, member).json()
    response = browser.delete("/account/sessions/current")
    assert response.status_code == 204 and response.content == b""
    assert any(
        "a_session_" in c and "Max-Age=0" in c for c in response.headers.get_list("set-cookie")
    )
    browser.cookies.clear()
    assert_error(browser.get("/account"), 401, "general_unauthorized_scope")
    sign_in(browser, member)
    assert_error(browser.delete(f"/account/sessions/{first['$id']}"), 404, "user_session_not_found")
    assert_error(browser.delete("/account/sessions/nothing"), 404, "user_session_not_found")
    assert browser.get("/account").status_code == 200


def test_alias_route(browser: httpx.Client, member: str) -> None:
    response = browser.post("/account/sessions", json={"email": member, "password": PASSWORD})
    assert response.status_code == 201


def test_sign_in_limit_is_shared_between_processes(
    server: Server, member: str, project: Project
) -> None:
    twin = Services.build(server.services.settings)
    for twin_address in serve_in_thread(twin):
        addresses = [server.endpoint, twin_address + "/v1"]
        statuses = []
        for attempt in range(11):
            with httpx.Client(base_url=addresses[attempt % 2]) as client:
                client.headers["x-appwrite-project"] = project.id
                statuses.append(sign_in(client, member, "wrong password").status_code)
        assert statuses == [401] * 10 + [429]
        with httpx.Client(
            base_url=addresses[0], headers={"x-appwrite-project": project.id}
        ) as client:
            assert_error(sign_in(client, member), 429, "general_rate_limit_exceeded")
    twin.database.dispose()


def test_success_resets_the_limit(browser: httpx.Client, member: str) -> None:
    for _ in range(9):
        assert sign_in(browser, member, "wrong password").status_code == 401
    assert sign_in(browser, member).status_code == 201
    browser.cookies.clear()
    for _ in range(10):
        assert sign_in(browser, member, "wrong password").status_code == 401


def test_database_and_redis_counters(server: Server) -> None:
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0").ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    for counters in (
        DatabaseCounters(server.services.database),
        RedisCounters("redis://127.0.0.1:6379/0"),
    ):
        key = f"test:{id(counters)}:{server.services.database.url}"
        assert [counters.hit(key, 3600) for _ in range(3)] == [1, 2, 3]
        counters.clear(key, 3600)
        assert counters.hit(key, 3600) == 1
        counters.clear(key, 3600)


def test_cookie_domain_and_fallback_header(
    browser: httpx.Client, member: str, project: Project
) -> None:
    headers = {"host": "api.example.com", "origin": "https://shop.example.org"}
    body = {"email": member, "password": PASSWORD}
    response = browser.post("/account/sessions/email", json=body, headers=headers)
    assert response.status_code == 201
    cookie = next(c for c in response.headers.get_list("set-cookie") if "_legacy" not in c)
    assert "Domain=.api.example.com" in cookie
    fallback = json.loads(response.headers["x-fallback-cookies"])
    assert list(fallback) == [f"a_session_{project.id}"]
    browser.cookies.clear()
    same_site = browser.post(
        "/account/sessions/email", json=body, headers={"origin": "http://127.0.0.1:3000"}
    )
    assert "x-fallback-cookies" not in same_site.headers
    assert all("Domain=" not in c for c in same_site.headers.get_list("set-cookie"))


def test_limit_can_be_switched_off(server: Server, member: str, project: Project) -> None:
    unlimited = Services.build(server.services.settings.replace(signin_limit=0))
    for address in serve_in_thread(unlimited):
        with httpx.Client(
            base_url=address + "/v1", headers={"x-appwrite-project": project.id}
        ) as client:
            statuses = {sign_in(client, member, "wrong password").status_code for _ in range(12)}
            assert statuses == {401}
            assert sign_in(client, member).status_code == 201
    unlimited.database.dispose()
