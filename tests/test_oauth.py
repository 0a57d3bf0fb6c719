"""OAuth2 / OpenID Connect sign-in against a real OpenID provider (oidc-provider, on
127.0.0.1), driven without a browser: redirect, login and consent, callback, session."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import httpx
import pytest
from appwrite.services.users import Users

from rosterd.audit import SYSTEM
from rosterd.oauth.settings import Change
from rosterd.users.service import NewUser
from tests.conftest import Project
from tests.oidc_provider import Provider, require_oidc_provider, run_provider, sign_in

APP = "http://app.example.test"
SUCCESS, FAILURE = f"{APP}/signed-in", f"{APP}/failed"
SECRET = "client-secret-for-tests"
ALICE = {"sub": "alice-1", "email": "alice@example.com", "email_verified": True, "name": "Alice"}
MALLORY = {"sub": "mallory-9", "email": "bob@example.com", "email_verified": False, "name": "M"}
BOB = {"sub": "bob-2", "email": "bob@example.com", "email_verified": True, "name": "Bob"}
LONG = {
    "sub": "long-3",
    "email": "x" * 300 + "@example.com",
    "email_verified": True,
    "name": "N" * 500,
}


@dataclass(frozen=True)
class Setup:
    project: Project
    provider: Provider

    @property
    def endpoint(self) -> str:
        return self.project.server.endpoint

    def start(self, browser: httpx.Client, flow: str = "sessions", **params: str) -> str:
        """Ask rosterd to start a sign-in; the provider's authorization URL it answers."""
        query = {"project": self.project.id, "success": SUCCESS, "failure": FAILURE, **params}
        answer = browser.get(f"{self.endpoint}/account/{flow}/oauth2/oidc", params=query)
        assert answer.status_code == 301, answer.text
        location = answer.headers["location"]
        assert location.startswith(self.provider.issuer)
        return location

    def callback(self, browser: httpx.Client, login: str, flow: str = "sessions") -> str:
        """Sign in at the provider as `login`; the callback URL the provider answers."""
        callback = sign_in(browser, self.start(browser, flow), login)
        assert callback.startswith(f"{self.endpoint}/account/sessions/oauth2/callback/oidc/")
        return callback


@pytest.fixture
def setup(project: Project) -> Iterator[Setup]:
    require_oidc_provider()
    with run_provider([_client(project)], [ALICE, MALLORY, BOB, LONG]) as provider:
        yield configured(project, provider)


def configured(project: Project, provider: Provider) -> Setup:
    """`project` signing in with `provider` (its `oidc` settings and the app's platform)."""
    settings = project.server.services.oauth.settings
    change = Change(
        enabled=True,
        client_id="rosterd",
        client_secret=SECRET,
        endpoints={"wellKnownEndpoint": provider.well_known},
    )
    settings.configure(project.id, "oidc", change)
    settings.add_platform(project.id, "app.example.test", "the app")
    return Setup(project, provider)


def _client(project: Project) -> dict[str, Any]:
    callback = f"{project.server.endpoint}/account/sessions/oauth2/callback/oidc/{project.id}"
    return {
        "client_id": "rosterd",
        "client_secret": SECRET,
        "redirect_uris": [callback],
        "token_endpoint_auth_method": "client_secret_post",
    }


def test_keys_rotated_at_the_same_address_are_fetched_again(project: Project) -> None:
    """A provider's new signing key (here: a new provider on the same port) is fetched
    when an ID token names a key the kept set lacks, not after the cache expires."""
    require_oidc_provider()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for _ in range(2):
        with run_provider([_client(project)], [ALICE], port=port) as provider:
            setup = configured(project, provider)
            with httpx.Client() as browser:
                done = browser.get(setup.callback(browser, "alice@example.com"))
            assert (done.status_code, done.headers["location"]) == (301, SUCCESS)


def _error(location: str) -> dict[str, Any]:
    parts = urlsplit(location)
    assert urlunsplit(parts._replace(query="")) == FAILURE
    error: dict[str, Any] = json.loads(parse_qs(parts.query)["error"][0])
    return error


def test_sign_in_links_an_identity_the_sdk_lists_and_deletes(setup: Setup, users: Users) -> None:
    project = setup.project
    with httpx.Client() as browser:
        done = browser.get(setup.callback(browser, "alice@example.com"))
        assert (done.status_code, done.headers["location"]) == (301, SUCCESS)
        assert f"a_session_{project.id}" in done.cookies
        account = browser.get(
            f"{setup.endpoint}/account", headers={"x-appwrite-project": project.id}
        ).json()
    assert (account["email"], account["name"], account["emailVerification"]) == (
        "alice@example.com",
        "Alice",
        True,
    )
    sessions = users.list_sessions(account["$id"]).sessions
    assert [(s.provider, s.provideruid, s.factors) for s in sessions] == [
        ("oidc", "alice-1", ["email", "oauth2"])
    ]
    listed = users.list_identities()
    assert listed.total == 1
    identity = listed.identities[0]
    assert (identity.userid, identity.provider, identity.provideruid) == (
        account["$id"],
        "oidc",
        "alice-1",
    )
    assert identity.provideremail == "alice@example.com"
    assert identity.provideraccesstoken and identity.providerrefreshtoken
    users.delete_identity(identity.id)
    assert users.list_identities().total == 0
    with httpx.Client() as browser:
        again = browser.get(setup.callback(browser, "alice-1"))
    assert again.headers["location"] == SUCCESS
    relinked = users.list_identities().identities
    assert [(found.userid, found.provideruid) for found in relinked] == [
        (account["$id"], "alice-1")
    ]
    assert relinked[0].id != identity.id
    assert users.list().total == 1


def test_the_token_flow_hands_a_secret_to_exchange(setup: Setup, http: httpx.Client) -> None:
    with httpx.Client() as browser:
        done = browser.get(setup.callback(browser, "alice-1", flow="tokens"))
    location = urlsplit(done.headers["location"])
    assert urlunsplit(location._replace(query="")) == SUCCESS
    query = {key: values[0] for key, values in parse_qs(location.query).items()}
    assert set(query) == {"userId", "secret"}
    assert f"a_session_{setup.project.id}" not in done.cookies
    with httpx.Client(base_url=setup.endpoint) as server:
        session = server.post(
            "/account/sessions/token",
            headers={"x-appwrite-project": setup.project.id},
            json=query,
        )
        assert session.status_code == 201, session.text
        assert (session.json()["provider"], session.json()["factors"]) == (
            "oidc",
            ["email", "oauth2"],
        )
        server.cookies.clear()
        reused = server.post(
            "/account/sessions/token", headers={"x-appwrite-project": setup.project.id}, json=query
        )
    assert reused.json()["type"] == "user_invalid_token"


def test_a_tampered_or_replayed_state_is_refused(setup: Setup, users: Users) -> None:
    with httpx.Client() as browser:
        callback = setup.callback(browser, "alice-1")
        parts = urlsplit(callback)
        query = parse_qs(parts.query)
        query["state"] = [query["state"][0][:-2] + "xx"]
        forged = urlunsplit(parts._replace(query="&".join(f"{k}={v[0]}" for k, v in query.items())))
        refused = browser.get(forged)
        assert (refused.status_code, refused.json()["type"]) == (400, "user_oauth2_bad_request")
        assert browser.get(callback).headers["location"] == SUCCESS
        replayed = browser.get(callback)
    assert (replayed.status_code, replayed.json()["type"]) == (400, "user_oauth2_bad_request")
    assert users.list().total == 1


def test_a_code_with_another_sign_ins_state_fails_pkce(setup: Setup, users: Users) -> None:
    """A code stolen from one sign-in, brought with the state of another: rosterd sends
    the other sign-in's PKCE verifier, and the provider refuses the code."""
    with httpx.Client() as victim, httpx.Client() as attacker:
        stolen = parse_qs(urlsplit(setup.callback(victim, "alice-1")).query)["code"][0]
        own = urlsplit(setup.callback(attacker, "mallory-9"))
        query = {key: values[0] for key, values in parse_qs(own.query).items()}
        query["code"] = stolen
        swapped = attacker.get(urlunsplit(own._replace(query="")), params=query)
    assert swapped.status_code == 301
    error = _error(swapped.headers["location"])
    assert (error["type"], error["code"]) == ("user_oauth2_provider_error", 424)
    assert users.list().total == 0


def test_redirect_targets_must_be_the_projects(setup: Setup) -> None:
    query = {"project": setup.project.id}
    with httpx.Client(base_url=setup.endpoint) as browser:
        for name, error in (
            ("success", "project_invalid_success_url"),
            ("failure", "project_invalid_failure_url"),
        ):
            for url in ("https://evil.example/steal", "javascript:alert(1)", "//evil.example"):
                answer = browser.get("/account/sessions/oauth2/oidc", params={**query, name: url})
                assert (answer.status_code, answer.json()["type"]) == (400, error)
        sub = browser.get(
            "/account/sessions/oauth2/oidc",
            params={**query, "success": "https://app.example.test.evil.example/"},
        )
        assert sub.json()["type"] == "project_invalid_success_url"


def test_an_unverified_email_of_an_existing_user_is_not_taken(setup: Setup, users: Users) -> None:
    users.create(user_id="bob", email="bob@example.com")
    with httpx.Client() as browser:
        done = browser.get(setup.callback(browser, "mallory-9"))
    error = _error(done.headers["location"])
    assert (error["type"], error["code"]) == ("user_email_already_exists", 409)
    assert users.list_identities().total == 0


def test_a_verified_email_links_the_existing_user(setup: Setup, users: Users) -> None:
    users.create(user_id="alice", email="alice@example.com", password="password-1")
    with httpx.Client() as browser:
        assert browser.get(setup.callback(browser, "alice-1")).headers["location"] == SUCCESS
    assert [found.userid for found in users.list_identities().identities] == ["alice"]
    assert users.list().total == 1


def test_a_blocked_user_is_sent_to_the_failure_page(setup: Setup, users: Users) -> None:
    users.create(user_id="alice", email="alice@example.com")
    users.update_status("alice", False)
    with httpx.Client() as browser:
        done = browser.get(setup.callback(browser, "alice-1"))
    error = _error(done.headers["location"])
    assert (error["type"], error["code"]) == ("user_blocked", 403)
    assert f"a_session_{setup.project.id}" not in done.cookies


def test_a_signed_in_user_links_another_account_and_manages_it(setup: Setup) -> None:
    services = setup.project.server.services
    user, _ = services.users.create(
        setup.project.id, NewUser(user_id="carol", email="carol@example.com"), actor=SYSTEM
    )
    with httpx.Client() as browser:
        headers = {"x-appwrite-project": setup.project.id}
        with setup.project.http() as admin:
            secret = admin.post(f"/users/{user.id}/sessions").json()["secret"]
        browser.headers["x-appwrite-session"] = secret
        assert browser.get(setup.callback(browser, "alice-1")).headers["location"] == SUCCESS
        own = browser.get(f"{setup.endpoint}/account/identities", headers=headers).json()
        assert own["total"] == 1 and own["identities"][0]["userId"] == "carol"
        assert own["identities"][0]["providerAccessToken"] != ""
        identity_id = own["identities"][0]["$id"]
        gone = browser.delete(f"{setup.endpoint}/account/identities/{identity_id}", headers=headers)
        assert gone.status_code == 204
        again = browser.delete(
            f"{setup.endpoint}/account/identities/{identity_id}", headers=headers
        )
        assert again.json()["type"] == "user_identity_not_found"


def test_a_disabled_provider_is_refused(setup: Setup) -> None:
    settings = setup.project.server.services.oauth.settings
    settings.configure(setup.project.id, "oidc", Change(enabled=False))
    with httpx.Client(base_url=setup.endpoint) as browser:
        answer = browser.get("/account/sessions/oauth2/oidc", params={"project": setup.project.id})
        other = browser.get("/account/sessions/oauth2/google", params={"project": setup.project.id})
        unknown = browser.get("/account/sessions/oauth2/nope", params={"project": setup.project.id})
    assert (answer.status_code, answer.json()["type"]) == (412, "project_provider_disabled")
    assert other.json()["type"] == "project_provider_disabled"
    assert (unknown.status_code, unknown.json()["type"]) == (400, "general_argument_invalid")


# What a security review found -------------------------------------------------------------


def test_a_forged_host_does_not_make_a_foreign_page_acceptable(setup: Setup) -> None:
    query = {"project": setup.project.id, "success": "http://evil.example/steal"}
    with httpx.Client(base_url=setup.endpoint, headers={"host": "evil.example"}) as attacker:
        answer = attacker.get("/account/tokens/oauth2/oidc", params=query)
    assert (answer.status_code, answer.json()["type"]) == (400, "project_invalid_success_url")
    for odd in ("http://[", "http://app.example.test\uff03@evil.example/"):
        with httpx.Client(base_url=setup.endpoint) as browser:
            refused = browser.get(
                "/account/sessions/oauth2/oidc",
                params={"project": setup.project.id, "success": odd},
            )
        assert (refused.status_code, refused.json()["type"]) == (400, "project_invalid_success_url")


def test_a_sign_in_started_in_another_browser_is_refused(setup: Setup, users: Users) -> None:
    """The attacker, signed in, starts a sign-in and sends its link to the victim: the
    victim's browser lacks the cookie of the start, so nothing is linked or opened."""
    users.create(user_id="attacker", email="attacker@example.com")
    with setup.project.http() as admin:
        secret = admin.post("/users/attacker/sessions").json()["secret"]
    with httpx.Client(headers={"x-appwrite-session": secret}) as attacker:
        link = setup.start(attacker)
    with httpx.Client() as victim:
        callback = sign_in(victim, link, "alice-1")
        answer = victim.get(callback)
    assert (answer.status_code, answer.json()["type"]) == (400, "user_oauth2_bad_request")
    assert f"a_session_{setup.project.id}" not in answer.cookies
    assert users.list_identities().total == 0


def test_an_unverified_email_is_not_given_to_a_new_user(setup: Setup, users: Users) -> None:
    with httpx.Client() as browser:
        assert browser.get(setup.callback(browser, "mallory-9")).headers["location"] == SUCCESS
    (made,) = users.list().users
    assert (made.email, made.emailverification) == ("", False)
    with httpx.Client() as browser:
        done = browser.get(setup.callback(browser, "bob-2"))
    error = _error(done.headers["location"])  # bob@ is mallory's identity's email (409)
    assert error["type"] == "user_email_already_exists"
    owners = {found.provideruid: found.userid for found in users.list_identities().identities}
    assert owners == {"mallory-9": made.id}


def test_a_blocked_user_gets_no_identity(setup: Setup, users: Users) -> None:
    users.create(user_id="alice", email="alice@example.com")
    users.update_status("alice", False)
    with httpx.Client() as browser:
        done = browser.get(setup.callback(browser, "alice-1"))
    assert _error(done.headers["location"])["type"] == "user_blocked"
    assert users.list_identities().total == 0


def test_what_the_provider_says_is_made_to_fit(setup: Setup, users: Users) -> None:
    with httpx.Client() as browser:
        assert browser.get(setup.callback(browser, "long-3")).headers["location"] == SUCCESS
    (made,) = users.list().users
    assert (made.name, made.email) == ("N" * 128, "")


def test_head_does_not_use_up_a_sign_in(setup: Setup) -> None:
    with httpx.Client() as browser:
        callback = setup.callback(browser, "alice-1")
        assert browser.head(callback).status_code == 404
        assert browser.get(callback).headers["location"] == SUCCESS
