"""The OpenID provider harness itself: discovery, code + PKCE, tokens, userinfo, refresh."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import pytest

from tests.oidc_provider import Provider, require_oidc_provider, run_provider, sign_in

REDIRECT_URI = "http://127.0.0.1:9/callback"
POST_CLIENT: dict[str, Any] = {
    "client_id": "rosterd-post",
    "client_secret": "post-secret",
    "redirect_uris": [REDIRECT_URI],
    "token_endpoint_auth_method": "client_secret_post",
}
BASIC_CLIENT: dict[str, Any] = {
    "client_id": "rosterd-basic",
    "client_secret": "basic-secret",
    "redirect_uris": [REDIRECT_URI],
    "token_endpoint_auth_method": "client_secret_basic",
}
ALICE = {"sub": "alice-1", "email": "alice@example.com", "email_verified": True, "name": "Alice"}
BOB = {"sub": "bob-2", "email": "bob@example.com", "email_verified": False, "name": "Bob B"}


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    require_oidc_provider()
    with run_provider([POST_CLIENT, BASIC_CLIENT], [ALICE, BOB]) as running:
        yield running


@pytest.fixture(scope="module")
def discovery(provider: Provider) -> dict[str, Any]:
    response = httpx.get(provider.well_known)
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


@dataclass(frozen=True)
class Request:
    """One authorization request: its URL and what the client keeps to finish it."""

    url: str
    state: str
    nonce: str
    verifier: str


def authorization(discovery: dict[str, Any], client_id: str, **extra: str) -> Request:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid email profile",
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }
    url = f"{discovery['authorization_endpoint']}?{urlencode(params)}"
    return Request(url, state, nonce, verifier)


def callback_params(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == REDIRECT_URI
    return {name: values[0] for name, values in parse_qs(parts.query).items()}


def code_for(browser: httpx.Client, request: Request, login: str) -> str:
    params = callback_params(sign_in(browser, request.url, login))
    assert params["state"] == request.state, params
    return params["code"]


def exchange(
    discovery: dict[str, Any], code: str, verifier: str, client: dict[str, Any] = POST_CLIENT
) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
    }
    return token_request(discovery, form, client)


def token_request(
    discovery: dict[str, Any], form: dict[str, str], client: dict[str, Any]
) -> httpx.Response:
    if client["token_endpoint_auth_method"] == "client_secret_post":
        secrets_in_form = {
            "client_id": client["client_id"],
            "client_secret": client["client_secret"],
        }
        return httpx.post(discovery["token_endpoint"], data={**form, **secrets_in_form})
    basic = (client["client_id"], client["client_secret"])
    return httpx.post(discovery["token_endpoint"], data=form, auth=basic)


def verified_id_token(
    discovery: dict[str, Any], provider: Provider, token: str, audience: str
) -> dict[str, Any]:
    key = jwt.PyJWKClient(discovery["jwks_uri"]).get_signing_key_from_jwt(token)
    claims: dict[str, Any] = jwt.decode(
        token, key.key, algorithms=["RS256"], audience=audience, issuer=provider.issuer
    )
    return claims


def test_discovery_document(provider: Provider, discovery: dict[str, Any]) -> None:
    assert provider.issuer == f"http://127.0.0.1:{provider.port}"
    assert provider.well_known == f"{provider.issuer}/.well-known/openid-configuration"
    assert discovery["issuer"] == provider.issuer
    for endpoint in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        assert discovery[endpoint].startswith(f"{provider.issuer}/"), endpoint
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert discovery["response_types_supported"] == ["code"]
    assert {"openid", "email", "profile", "offline_access"} <= set(discovery["scopes_supported"])
    assert {"sub", "email", "email_verified", "name"} <= set(discovery["claims_supported"])
    assert set(discovery["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
    }
    assert {"authorization_code", "refresh_token"} <= set(discovery["grant_types_supported"])
    assert discovery["id_token_signing_alg_values_supported"] == ["RS256"]


def test_code_flow_with_pkce(
    provider: Provider, discovery: dict[str, Any], browser: httpx.Client
) -> None:
    request = authorization(discovery, POST_CLIENT["client_id"])
    callback = sign_in(browser, request.url, "alice@example.com")
    params = callback_params(callback)
    assert params["state"] == request.state
    assert params["iss"] == provider.issuer
    response = exchange(discovery, params["code"], request.verifier)
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["token_type"] == "Bearer"
    assert set(tokens["scope"].split()) == {"openid", "email", "profile"}
    claims = verified_id_token(discovery, provider, tokens["id_token"], POST_CLIENT["client_id"])
    assert (claims["sub"], claims["email"], claims["email_verified"]) == (
        "alice-1",
        "alice@example.com",
        True,
    )
    assert (claims["nonce"], claims["name"]) == (request.nonce, "Alice")
    userinfo = httpx.get(
        discovery["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert userinfo.status_code == 200, userinfo.text
    assert userinfo.json() == {
        "sub": "alice-1",
        "email": "alice@example.com",
        "email_verified": True,
        "name": "Alice",
    }
    assert exchange(discovery, params["code"], request.verifier).json()["error"] == "invalid_grant"


def test_refresh_tokens_rotate(discovery: dict[str, Any], browser: httpx.Client) -> None:
    request = authorization(discovery, BASIC_CLIENT["client_id"])
    code = code_for(browser, request, "bob-2")
    tokens = exchange(discovery, code, request.verifier, BASIC_CLIENT).json()
    refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    renewed = token_request(discovery, refresh, BASIC_CLIENT)
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["access_token"] != tokens["access_token"]
    assert renewed.json()["refresh_token"] != tokens["refresh_token"]
    replayed = token_request(discovery, refresh, BASIC_CLIENT)
    assert (replayed.status_code, replayed.json()["error"]) == (400, "invalid_grant")


def test_wrong_code_verifier_is_refused(discovery: dict[str, Any], browser: httpx.Client) -> None:
    request = authorization(discovery, POST_CLIENT["client_id"])
    code = code_for(browser, request, "alice-1")
    refused = exchange(discovery, code, secrets.token_urlsafe(48))
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"


def test_pkce_is_required(discovery: dict[str, Any], browser: httpx.Client) -> None:
    request = authorization(discovery, POST_CLIENT["client_id"])
    without_pkce = request.url.split("&code_challenge=")[0]
    params = callback_params(sign_in(browser, without_pkce, "alice-1"))
    assert params["error"] == "invalid_request"
    assert "PKCE" in params["error_description"]


def test_wrong_secret_is_refused(discovery: dict[str, Any], browser: httpx.Client) -> None:
    request = authorization(discovery, BASIC_CLIENT["client_id"])
    code = code_for(browser, request, "bob@example.com")
    wrong = {**BASIC_CLIENT, "client_secret": "nope"}
    refused = exchange(discovery, code, request.verifier, wrong)
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")


def test_session_skips_the_forms(discovery: dict[str, Any], browser: httpx.Client) -> None:
    code_for(browser, authorization(discovery, POST_CLIENT["client_id"]), "alice-1")
    again = authorization(discovery, POST_CLIENT["client_id"])
    direct = browser.get(again.url, follow_redirects=False)  # no interaction at all
    assert direct.status_code == 303
    assert callback_params(direct.headers["location"])["state"] == again.state
    once_more = authorization(discovery, POST_CLIENT["client_id"])
    assert callback_params(sign_in(browser, once_more.url, "ignored"))["state"] == once_more.state


def test_unknown_login_and_denied_consent(discovery: dict[str, Any], browser: httpx.Client) -> None:
    request = authorization(discovery, POST_CLIENT["client_id"])
    with pytest.raises(RuntimeError, match="refused login 'nobody'"):
        sign_in(browser, request.url, "nobody")
    denied = authorization(discovery, POST_CLIENT["client_id"])
    params = callback_params(sign_in(browser, denied.url, "alice-1", consent=False))
    assert (params["error"], params["state"]) == ("access_denied", denied.state)


def test_offline_access_mode_and_stop() -> None:
    require_oidc_provider()
    with run_provider([POST_CLIENT], [ALICE], refresh_tokens="offline_access") as provider:
        discovery = httpx.get(provider.well_known).json()
        with httpx.Client() as browser:
            plain = authorization(discovery, POST_CLIENT["client_id"])
            tokens = exchange(discovery, code_for(browser, plain, "alice-1"), plain.verifier).json()
            assert "refresh_token" not in tokens
            offline = authorization(
                discovery,
                POST_CLIENT["client_id"],
                scope="openid email offline_access",
                prompt="consent",
            )
            code = code_for(browser, offline, "alice-1")
            tokens = exchange(discovery, code, offline.verifier).json()
            assert tokens["refresh_token"]
    assert provider.process.returncode == 0
