"""OAuth2 sign-in: send the browser to the provider, and take it back.

`begin` keeps what the callback will need (where to go after, the PKCE verifier, the
nonce, the signed-in user who is linking an account) under the SHA-256 of a random
`state`, for ten minutes, and returns the provider's authorization URL. `finish` takes
that record once, trades the code for tokens, asks the provider who signed in, finds or
makes the user and their identity, and opens a session (or, for the token flow, makes a
token to exchange at `POST /v1/account/sessions/token`).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from rosterd import clock, ids
from rosterd.audit import Actor
from rosterd.errors import (
    AppwriteError,
    ProjectProviderDisabled,
    UserBlocked,
    UserEmailAlreadyExists,
    UserOAuth2BadRequest,
    UserOAuth2ProviderError,
)
from rosterd.identities.service import Identities, NewIdentity
from rosterd.mfa.service import SecretBox
from rosterd.oauth.providers import PROVIDERS, OAuth2Provider, Profile, ProviderFailed, Tokens
from rosterd.oauth.settings import OAuthSettings
from rosterd.projects.service import Projects
from rosterd.sessions.service import Client, NewSession, SessionKind, Sessions
from rosterd.store import oauth as store
from rosterd.store.database import Database
from rosterd.store.identities import IdentityRow
from rosterd.store.oauth import StateRow
from rosterd.store.users import UserRow
from rosterd.tokens.service import NewToken
from rosterd.tokens.service import Tokens as TokenService
from rosterd.users.service import NewUser, Users
from rosterd.validators import Email, Invalid

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("rosterd")

STATE_LIFETIME = timedelta(minutes=10)
#: How long the token of the token flow may wait to be exchanged (Appwrite: 60 seconds).
TOKEN_LIFETIME = 60

HttpFactory = Callable[[], "httpx.Client"]


def default_http() -> httpx.Client:
    import httpx  # on the first sign-in, not in every worker (see `providers`)

    return httpx.Client(timeout=httpx.Timeout(10.0), follow_redirects=False)


@dataclass(frozen=True)
class Start:
    """A sign-in asked for: by whom (a signed-in user links an account) and where to."""

    project_id: str
    provider: str
    success: str
    failure: str
    scopes: Sequence[str]
    token: bool
    user: UserRow | None


@dataclass(frozen=True)
class Callback:
    project_id: str
    provider: str
    state: str
    code: str
    error: str
    #: The value of the cookie `begin` gave the browser that started the sign-in.
    browser: str


@dataclass(frozen=True)
class Finished:
    """Where the browser goes next, and with what."""

    user: UserRow
    success: str
    session: NewSession | None = None
    token: NewToken | None = None


class CallbackFailed(Exception):
    """The sign-in failed after its record was found: the browser goes to `failure`."""

    def __init__(self, failure: str, error: AppwriteError) -> None:
        super().__init__(error.message)
        self.failure = failure
        self.error = error


class OAuth:
    def __init__(
        self,
        database: Database,
        configured_secret: str,
        *,
        settings: OAuthSettings,
        projects: Projects,
        users: Users,
        identities: Identities,
        sessions: Sessions,
        tokens: TokenService,
        http: HttpFactory = default_http,
    ) -> None:
        self._database = database
        self._box = SecretBox(database, configured_secret, purpose="oauth-state")
        self.settings = settings
        self._projects = projects
        self._users = users
        self._identities = identities
        self._sessions = sessions
        self._tokens = tokens
        self._http = http

    def _provider(self, project_id: str, name: str, http: httpx.Client) -> OAuth2Provider:
        found = self.settings.provider(project_id, name)
        if found is None or not found.enabled or name not in PROVIDERS:
            raise ProjectProviderDisabled()
        return PROVIDERS[name](found, http)

    def delete_expired(self) -> int:
        """Drop sign-ins whose browser never came back."""
        now = clock.now()
        return self._database.delete_in_batches(
            lambda connection, batch: store.delete_expired_states(connection, now, batch)
        )

    def begin(self, start: Start, redirect_uri: str) -> tuple[str, str]:
        """The provider's authorization URL for a new sign-in, and the value of the cookie
        the browser must bring back to the callback (the sign-in is bound to it)."""
        state, verifier, nonce, browser = (secrets.token_urlsafe(32) for _ in range(4))
        with self._http() as http:
            provider = self._provider(start.project_id, start.provider, http)
            url = provider.authorization_url(
                redirect_uri=redirect_uri,
                state=state,
                verifier=verifier,
                nonce=nonce,
                scopes=start.scopes,
            )
        values = {
            "state_hash": ids.secret_hash(state),
            "project_id": start.project_id,
            "provider": start.provider,
            "success": start.success,
            "failure": start.failure,
            "token": start.token,
            "scopes": list(start.scopes),
            "code_verifier": self._box.seal(verifier),
            "nonce": nonce,
            "redirect_uri": redirect_uri,
            "browser_hash": ids.secret_hash(browser),
            "user_sequence": start.user.sequence if start.user else None,
            "expire": clock.now() + STATE_LIFETIME,
        }
        with self._database.write() as connection:
            store.insert_state(connection, values)
        return url, browser

    def finish(self, callback: Callback, client: Client, actor: Actor) -> Finished:
        """Complete a sign-in. An unknown, used or expired state, or a callback from
        another browser than the one that started it, is `UserOAuth2BadRequest` (there is
        no page to trust yet); later failures are `CallbackFailed`."""
        with self._database.write() as connection:
            record = store.take_state(
                connection, ids.secret_hash(callback.state), callback.project_id, clock.now()
            )
        if record is None or record.provider != callback.provider:
            raise UserOAuth2BadRequest("The OAuth2 state is unknown, used or expired.")
        if not secrets.compare_digest(record.browser_hash, ids.secret_hash(callback.browser)):
            raise UserOAuth2BadRequest("The sign-in was started in another browser.")
        try:
            return self._complete(record, callback, client, actor)
        except AppwriteError as error:
            raise CallbackFailed(record.failure, error) from None
        except Exception as error:  # the state is used up: the browser must be told
            log.error("OAuth2 sign-in failed unexpectedly", exc_info=error)
            raise CallbackFailed(record.failure, AppwriteError()) from None

    def _complete(
        self, record: StateRow, callback: Callback, client: Client, actor: Actor
    ) -> Finished:
        if callback.error or not callback.code:
            raise UserOAuth2ProviderError(
                f"The provider refused the sign-in: {callback.error or 'no code was given'}."
            )
        profile, tokens = self._ask_provider(record, callback.code)
        user, identity = self._user_for(record, profile, tokens, actor)
        signed_in = actor.as_user(user.id, user.email or "", user.name)
        if record.token:
            token = self._tokens.create(
                user, 64, TOKEN_LIFETIME, client, actor=signed_in, provider=record.provider
            )
            return Finished(user, record.success, token=token)
        kind = SessionKind(record.provider, identity.provider_uid, ("email", "oauth2"))
        settings = self._projects.auth_settings(record.project_id)
        session = self._sessions.create(user, kind, client, settings, actor=signed_in)
        return Finished(user, record.success, session=session)

    def _ask_provider(self, record: StateRow, code: str) -> tuple[Profile, Tokens]:
        verifier = self._box.open(record.code_verifier)
        with self._http() as http:
            provider = self._provider(record.project_id, record.provider, http)
            try:
                tokens = provider.exchange(
                    code=code, redirect_uri=record.redirect_uri, verifier=verifier
                )
                profile = provider.profile(tokens, record.nonce)
            except ProviderFailed as failure:
                raise UserOAuth2ProviderError(f"The OAuth2 provider failed: {failure}") from None
        if not profile.uid or len(profile.uid) > MAX_UID:
            raise UserOAuth2ProviderError("The OAuth2 provider did not say who signed in.")
        return _sane(profile), tokens

    def _user_for(
        self, record: StateRow, profile: Profile, tokens: Tokens, actor: Actor
    ) -> tuple[UserRow, IdentityRow]:
        """The identity's user; else the signed-in user linking it, the user with that
        verified email, or a new user; the identity is made or refreshed."""
        found = self._identities.find(record.project_id, record.provider, profile.uid)
        if found is not None:
            identity, user = found
            if record.user_sequence not in (None, user.sequence):
                raise UserEmailAlreadyExists(
                    "This provider account is linked to another user already."
                )
            _active(user)
            return user, self._identities.refresh(identity, _new(record, profile, tokens))
        user = _active(self._owner(record, profile, actor))
        return user, self._identities.create(user, _new(record, profile, tokens), actor=actor)

    def _owner(self, record: StateRow, profile: Profile, actor: Actor) -> UserRow:
        if record.user_sequence is not None:
            linking = self._users.find(record.project_id, "sequence", record.user_sequence)
            if linking is not None:
                return linking
        if profile.email:
            existing = self._users.find(record.project_id, "email", profile.email)
            if existing is not None:
                if not profile.email_verified:
                    raise UserEmailAlreadyExists()
                return existing
        # An address the provider has not verified is not given to the new user: it would
        # hold the address for whoever claimed it, and a later verified sign-in with it
        # would join their account.
        email = profile.email if profile.email_verified else None
        new = NewUser(user_id=ids.UNIQUE, email=email, name=profile.name)
        user, _ = self._users.insert(record.project_id, new, None, actor=actor)
        if email:
            user = self._users.update(
                record.project_id, user.id, actor=actor, email_verification=True
            )
        return user


def _active(user: UserRow) -> UserRow:
    if not user.status:
        raise UserBlocked()
    return user


#: Longest provider user id kept (identities' `provider_uid` column).
MAX_UID = 2048


def _sane(profile: Profile) -> Profile:
    """What the provider said, as users may hold it: a name of at most 128 characters, an
    email only if it is a valid address."""
    try:
        email = Email()(profile.email) if profile.email else ""
    except Invalid:
        email = ""
    verified = profile.email_verified and bool(email)
    return Profile(profile.uid, email, verified, profile.name[:128])


def _new(record: StateRow, profile: Profile, tokens: Tokens) -> NewIdentity:
    return NewIdentity(
        provider=record.provider,
        provider_uid=profile.uid,
        provider_email=profile.email,
        provider_access_token=tokens.access_token,
        provider_access_token_expiry=tokens.expiry,
        provider_refresh_token=tokens.refresh_token,
    )
