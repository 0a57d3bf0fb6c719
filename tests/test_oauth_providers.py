"""The named providers that cannot be reached from here (GitHub), with recorded answers
played back by an httpx transport in place of the network; and the `rosterd oauth` and
`rosterd platforms` commands."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from rosterd.oauth.providers import (
    GitHub,
    ProviderFailed,
    ProviderSettings,
    Tokens,
    code_challenge,
    github_profile,
)
from tests.test_cli import run

SETTINGS = ProviderSettings("github", True, "Iv1.8a61f9b3a7aba766", "github-secret")

# Answers as GitHub gives them (documented examples, trimmed to the fields used).
TOKEN = {"access_token": "gho_16C7e42F292c6912E7710c838347Ae178B4a", "scope": "user:email",
         "token_type": "bearer"}  # fmt: skip
EXPIRING_TOKEN = {**TOKEN, "expires_in": 28800, "refresh_token": "ghr_1B4a2e77838347a7E420ce"}
USER = {"login": "octocat", "id": 583231, "name": "The Octocat", "email": None, "type": "User"}
EMAILS = [
    {"email": "octocat@users.noreply.github.com", "verified": True, "primary": False,
     "visibility": None},
    {"email": "Octocat@GitHub.com", "verified": True, "primary": True, "visibility": "public"},
]  # fmt: skip


def _replay(answers: dict[str, httpx.Response], seen: list[httpx.Request]) -> httpx.Client:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers[f"{request.method} {request.url.copy_with(query=None)}"]

    return httpx.Client(transport=httpx.MockTransport(answer))


def test_github_authorization_url() -> None:
    with httpx.Client() as http:
        url = GitHub(SETTINGS, http).authorization_url(
            redirect_uri="https://auth.example.com/v1/account/sessions/oauth2/callback/github/p1",
            state="the-state",
            verifier="v" * 64,
            nonce="unused",
            scopes=["read:org", "user:email"],
        )
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "github.com",
        "/login/oauth/authorize",
    )
    assert parse_qs(parts.query) == {
        "response_type": ["code"],
        "client_id": ["Iv1.8a61f9b3a7aba766"],
        "redirect_uri": ["https://auth.example.com/v1/account/sessions/oauth2/callback/github/p1"],
        "scope": ["user:email read:org"],
        "state": ["the-state"],
        "code_challenge": [code_challenge("v" * 64)],
        "code_challenge_method": ["S256"],
    }


def test_github_exchange_and_profile_from_recorded_answers() -> None:
    seen: list[httpx.Request] = []
    answers = {
        "POST https://github.com/login/oauth/access_token": httpx.Response(
            200, json=EXPIRING_TOKEN
        ),
        "GET https://api.github.com/user": httpx.Response(200, json=USER),
        "GET https://api.github.com/user/emails": httpx.Response(200, json=EMAILS),
    }
    with _replay(answers, seen) as http:
        github = GitHub(SETTINGS, http)
        tokens = github.exchange(code="c0de", redirect_uri="https://r/cb", verifier="v" * 64)
        profile = github.profile(tokens, "")
    assert (tokens.access_token, tokens.refresh_token) == (
        EXPIRING_TOKEN["access_token"],
        EXPIRING_TOKEN["refresh_token"],
    )
    assert tokens.expiry is not None
    assert (profile.uid, profile.email, profile.email_verified, profile.name) == (
        "583231",
        "octocat@github.com",
        True,
        "The Octocat",
    )
    form = parse_qs(seen[0].content.decode())
    assert form["code"] == ["c0de"] and form["client_secret"] == ["github-secret"]
    assert form["code_verifier"] == ["v" * 64]
    assert seen[1].headers["authorization"] == f"Bearer {EXPIRING_TOKEN['access_token']}"


def test_github_errors_are_provider_failures() -> None:
    """GitHub answers a bad code with 200 and an `error` field."""
    bad_code = {"error": "bad_verification_code", "error_description": "The code is wrong."}
    answers = {
        "POST https://github.com/login/oauth/access_token": httpx.Response(200, json=bad_code)
    }
    with _replay(answers, []) as http, pytest.raises(ProviderFailed, match="bad_verification"):
        GitHub(SETTINGS, http).exchange(code="x", redirect_uri="https://r/cb", verifier="v" * 64)
    tokens = Tokens("t", "", None, "")
    for status in (401, 500):
        failing = {"GET https://api.github.com/user": httpx.Response(status, json={})}
        with _replay(failing, []) as http, pytest.raises(ProviderFailed):
            GitHub(SETTINGS, http).profile(tokens, "")


def test_github_profile_mapping() -> None:
    assert github_profile(USER, []).email == ""  # no email the user made public or verified
    unverified = [{"email": "x@example.com", "verified": False, "primary": True}]
    assert github_profile({**USER, "name": None}, unverified) == github_profile(
        {**USER, "name": ""}, unverified
    )
    mapped = github_profile({**USER, "name": None}, unverified)
    assert (mapped.name, mapped.email_verified) == ("octocat", False)
    with pytest.raises(ProviderFailed):
        github_profile({"login": "no-id"}, EMAILS)


def test_the_oauth_and_platforms_commands(tmp_path: Path) -> None:
    database = tmp_path / "oauth.db"
    assert run(database, "projects", "create", "--id", "shop").returncode == 0
    configured = subprocess_json(
        run(
            database, "oauth", "set", "--project", "shop", "--provider", "oidc", "--enable",
            "--client-id", "shop-app", "--client-secret", "s3cret",
            "--well-known", "https://id.example.com/.well-known/openid-configuration",
        )
    )  # fmt: skip
    assert configured == {
        "provider": "oidc",
        "enabled": True,
        "clientId": "shop-app",
        "clientSecret": "(set)",
        "endpoints": {
            "wellKnownEndpoint": "https://id.example.com/.well-known/openid-configuration"
        },
    }
    listed = run(database, "oauth", "list", "--project", "shop")
    assert "s3cret" not in listed.stdout and json.loads(listed.stdout)["clientId"] == "shop-app"
    wrong = run(database, "oauth", "set", "--project", "shop", "--provider", "github",
                "--well-known", "https://x")  # fmt: skip
    assert wrong.returncode == 1 and "not a setting of github" in wrong.stderr
    assert (
        run(
            database, "platforms", "add", "--project", "shop", "--hostname", "App.Example.com"
        ).returncode
        == 0
    )
    assert run(database, "platforms", "list", "--project", "shop").stdout == "app.example.com\n"
    again = run(database, "platforms", "add", "--project", "shop", "--hostname", "app.example.com")
    assert again.returncode == 1 and "already" in again.stderr
    url = run(database, "platforms", "add", "--project", "shop", "--hostname", "https://x.com/")
    assert url.returncode == 2
    removed = run(
        database, "platforms", "remove", "--project", "shop", "--hostname", "app.example.com"
    )
    assert removed.returncode == 0
    assert run(database, "platforms", "list", "--project", "shop").stdout == ""
    missing = run(database, "oauth", "list", "--project", "nope")
    assert missing.returncode == 1 and "no project" in missing.stderr


def subprocess_json(done: subprocess.CompletedProcess[str]) -> object:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
