"""OAuth2 providers: one code path (authorization code with PKCE), two ways to find out who
signed in: OpenID Connect (a verified ID token and the userinfo endpoint) and GitHub's API.

A provider is built from a project's settings for it. Every request to a provider goes
through one `httpx.Client` with short timeouts; any failure of the provider is raised
as `ProviderFailed`, which the sign-in turns into a redirect to the failure page.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlencode

from rosterd import clock

if TYPE_CHECKING:
    # httpx and PyJWT (which brings `cryptography`) are imported where a sign-in needs
    # them: about 16 MB a worker that never signs anyone in with OAuth2 does not carry.
    import httpx
    import jwt

#: Signature algorithms accepted on ID tokens (asymmetric only: `none` and HS* are not).
ID_TOKEN_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")


class ProviderFailed(Exception):
    """The provider refused, failed or answered something unusable."""


@dataclass(frozen=True)
class ProviderSettings:
    """A project's settings for one provider (the secret decrypted)."""

    provider: str
    enabled: bool
    client_id: str
    client_secret: str
    #: oidc: `wellKnownEndpoint`, or `authorizationEndpoint`, `tokenEndpoint`,
    #: `userinfoEndpoint` (and `issuer`, `jwksEndpoint` to check ID tokens without
    #: discovery), as Appwrite's `oidc` provider takes them.
    endpoints: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expiry: datetime | None
    id_token: str


@dataclass(frozen=True)
class Profile:
    """Who signed in, as the provider says."""

    uid: str
    email: str
    email_verified: bool
    name: str


def code_challenge(verifier: str) -> str:
    """PKCE S256 (RFC 7636): base64url of the SHA-256 of the verifier, unpadded."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


#: The most a provider's answer may be, and the longest a request to it may take in all.
MAX_ANSWER_BYTES = 1 << 20
DEADLINE_SECONDS = 15.0
#: Discovery documents and signing keys are kept this long (seconds), per URL.
CACHE_SECONDS = 600.0
_CACHE: dict[str, tuple[float, Any]] = {}


def fetch(http: httpx.Client, method: str, url: str, what: str, **kwargs: Any) -> Any:
    """The provider's JSON answer: at most `MAX_ANSWER_BYTES`, within `DEADLINE_SECONDS`
    in all (a provider that sends a byte at a time cannot hold a worker)."""
    import httpx

    deadline = time.monotonic() + DEADLINE_SECONDS
    body = bytearray()
    try:
        with http.stream(method, url, **kwargs) as response:
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > MAX_ANSWER_BYTES or time.monotonic() > deadline:
                    raise ProviderFailed(f"{what} answered too much or too slowly")
            status = response.status_code
    except httpx.HTTPError as error:
        raise ProviderFailed(f"{what} failed: {type(error).__name__}") from None
    if status >= 400:
        raise ProviderFailed(f"{what} answered {status}")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise ProviderFailed(f"{what} did not answer JSON") from None


def _object(document: Any, what: str) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise ProviderFailed(f"{what} did not answer an object")
    return document


def cached(http: httpx.Client, url: str, what: str, *, fresh: bool = False) -> dict[str, Any]:
    """A document that changes rarely (discovery, signing keys), kept for a while;
    `fresh` fetches it anew whatever is kept."""
    now = time.monotonic()
    found = _CACHE.get(url)
    if fresh or found is None or found[0] < now:
        found = (now + CACHE_SECONDS, _object(fetch(http, "GET", url, what), what))
        _CACHE[url] = found
    document: dict[str, Any] = found[1]
    return document


def _text(document: Mapping[str, Any], key: str) -> str:
    value = document.get(key)
    return value if isinstance(value, str) else ""


class OAuth2Provider:
    """The authorization code flow with PKCE; subclasses say where and who."""

    name: ClassVar[str]
    default_scopes: ClassVar[tuple[str, ...]]

    def __init__(self, settings: ProviderSettings, http: httpx.Client) -> None:
        self.settings = settings
        self.http = http

    def endpoint(self, name: str) -> str:
        raise NotImplementedError

    def authorization_url(
        self, *, redirect_uri: str, state: str, verifier: str, nonce: str, scopes: Sequence[str]
    ) -> str:
        query = {
            "response_type": "code",
            "client_id": self.settings.client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(dict.fromkeys([*self.default_scopes, *scopes])),
            "state": state,
            "code_challenge": code_challenge(verifier),
            "code_challenge_method": "S256",
            **self.extra_authorization(nonce),
        }
        endpoint = self.endpoint("authorization")
        return endpoint + ("&" if "?" in endpoint else "?") + urlencode(query)

    def extra_authorization(self, nonce: str) -> dict[str, str]:
        return {}

    def exchange(self, *, code: str, redirect_uri: str, verifier: str) -> Tokens:
        """Trade the authorization code for tokens (client secret in the body)."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
            "client_id": self.settings.client_id,
            "client_secret": self.settings.client_secret,
        }
        document = _object(
            fetch(
                self.http,
                "POST",
                self.endpoint("token"),
                "the token endpoint",
                data=form,
                headers={"accept": "application/json"},
            ),
            "the token endpoint",
        )
        access = _text(document, "access_token")
        if not access:
            raise ProviderFailed(_text(document, "error") or "no access token was issued")
        return Tokens(
            access,
            _text(document, "refresh_token"),
            _expiry(document.get("expires_in")),
            _text(document, "id_token"),
        )

    def profile(self, tokens: Tokens, nonce: str) -> Profile:
        raise NotImplementedError

    def get(self, url: str, tokens: Tokens, what: str) -> Any:
        headers = {"authorization": f"Bearer {tokens.access_token}", "accept": "application/json"}
        return fetch(self.http, "GET", url, what, headers=headers)


def _expiry(lifetime: Any) -> datetime | None:
    """When the access token expires: `expires_in` seconds from now (at most ten years)."""
    if isinstance(lifetime, bool) or not isinstance(lifetime, int | float):
        return None
    if not 0 < lifetime < MAX_TOKEN_LIFETIME:
        return None
    return clock.now() + timedelta(seconds=int(lifetime))


MAX_TOKEN_LIFETIME = 10 * 365 * 86400


class Oidc(OAuth2Provider):
    """Any OpenID Connect provider: endpoints from discovery (or given), the ID token's
    signature, issuer, audience, expiry and nonce checked, the email from userinfo."""

    name = "oidc"
    default_scopes = ("openid", "profile", "email")

    def _discovery(self) -> Mapping[str, Any]:
        well_known = self.settings.endpoints.get("wellKnownEndpoint", "")
        return cached(self.http, well_known, "the discovery document") if well_known else {}

    _DISCOVERY_KEYS: ClassVar[dict[str, tuple[str, str]]] = {
        "authorization": ("authorizationEndpoint", "authorization_endpoint"),
        "token": ("tokenEndpoint", "token_endpoint"),
        "userinfo": ("userinfoEndpoint", "userinfo_endpoint"),
        "jwks": ("jwksEndpoint", "jwks_uri"),
        "issuer": ("issuer", "issuer"),
    }

    def endpoint(self, name: str) -> str:
        given, discovered = self._DISCOVERY_KEYS[name]
        value = self.settings.endpoints.get(given) or _text(self._discovery(), discovered)
        if not value and name not in {"jwks", "issuer"}:
            raise ProviderFailed(f"the provider has no {name} endpoint")
        return value

    def extra_authorization(self, nonce: str) -> dict[str, str]:
        return {"nonce": nonce}

    def _id_claims(self, tokens: Tokens, nonce: str) -> dict[str, Any]:
        """The ID token's claims, once its signature, issuer, audience, expiry and nonce
        hold (the code flow always returns one when `openid` is asked for)."""
        jwks_url, issuer = self.endpoint("jwks"), self.endpoint("issuer")
        if not tokens.id_token or not jwks_url:
            raise ProviderFailed("the provider gave no ID token, or no keys to check it")
        import jwt

        try:
            header = jwt.get_unverified_header(tokens.id_token)
            key = self._signing_key(jwks_url, str(header.get("kid", "")))
            claims: dict[str, Any] = jwt.decode(
                tokens.id_token,
                key.key,
                algorithms=list(ID_TOKEN_ALGORITHMS),
                audience=self.settings.client_id,
                issuer=issuer or None,
                options={"require": ["sub", "exp", "iat"]},
            )
        except (jwt.PyJWTError, KeyError) as error:
            raise ProviderFailed(f"the ID token is not valid: {error}") from None
        if claims.get("nonce") != nonce:
            raise ProviderFailed("the ID token's nonce is not the one sent")
        return claims

    def _signing_key(self, jwks_url: str, kid: str) -> jwt.PyJWK:
        """The provider's key `kid`; when the kept key set lacks it, the set is fetched
        once more (the provider has rotated its keys since)."""
        import jwt

        try:
            return jwt.PyJWKSet.from_dict(cached(self.http, jwks_url, "the signing keys"))[kid]
        except KeyError:
            keys = cached(self.http, jwks_url, "the signing keys", fresh=True)
            return jwt.PyJWKSet.from_dict(keys)[kid]

    def profile(self, tokens: Tokens, nonce: str) -> Profile:
        claims = self._id_claims(tokens, nonce)
        info = self.get(self.endpoint("userinfo"), tokens, "the userinfo endpoint")
        if not isinstance(info, dict) or info.get("sub") != claims["sub"]:
            raise ProviderFailed("userinfo is not about the ID token's subject")
        merged = {**info, **claims}  # what the provider signed wins
        return Profile(
            uid=_text(merged, "sub"),
            email=_text(merged, "email").lower(),
            email_verified=merged.get("email_verified") is True,
            name=_text(merged, "name") or _text(merged, "preferred_username"),
        )


class GitHub(OAuth2Provider):
    """GitHub: fixed endpoints; the user from `/user`, the email from `/user/emails`
    (the primary one, and whether GitHub verified it)."""

    name = "github"
    default_scopes = ("user:email",)
    ENDPOINTS: ClassVar[dict[str, str]] = {
        "authorization": "https://github.com/login/oauth/authorize",
        "token": "https://github.com/login/oauth/access_token",
        "user": "https://api.github.com/user",
        "emails": "https://api.github.com/user/emails",
    }

    def endpoint(self, name: str) -> str:
        return self.ENDPOINTS[name]

    def profile(self, tokens: Tokens, nonce: str) -> Profile:
        user = self.get(self.endpoint("user"), tokens, "GitHub's user endpoint")
        emails = self.get(self.endpoint("emails"), tokens, "GitHub's emails endpoint")
        return github_profile(user, emails)


def github_profile(user: Any, emails: Any) -> Profile:
    """Map GitHub's `/user` and `/user/emails` answers to a profile."""
    if not isinstance(user, dict) or not isinstance(user.get("id"), int):
        raise ProviderFailed("GitHub's user has no id")
    listed = [item for item in emails if isinstance(item, dict)] if isinstance(emails, list) else []
    primary = next((item for item in listed if item.get("primary") is True), None)
    email, verified = _text(user, "email"), False
    if primary is not None:
        email, verified = _text(primary, "email"), primary.get("verified") is True
    return Profile(
        uid=str(user["id"]),
        email=email.lower(),
        email_verified=verified,
        name=_text(user, "name") or _text(user, "login"),
    )


PROVIDERS: dict[str, type[OAuth2Provider]] = {"oidc": Oidc, "github": GitHub}
