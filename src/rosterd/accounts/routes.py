"""HTTP handlers for `/v1/account`: sign in with email and password, read the account, sign out."""

from __future__ import annotations

import json

from starlette.routing import BaseRoute, Route

from rosterd.accounts.service import SignedIn
from rosterd.errors import UserSessionAlreadyExists, UserSessionNotFound
from rosterd.http.auth import session_cookie
from rosterd.http.endpoint import Call, Cookie, Output, endpoint
from rosterd.http.params import Param
from rosterd.http.routing import operation
from rosterd.sessions import models as session_models
from rosterd.sessions.service import NewSession
from rosterd.store.sessions import SessionRow
from rosterd.users import models as user_models
from rosterd.validators import UID, CustomId, Email, Password, Text

CURRENT = "current"
#: A sign-in costs a password hash check (about 0.2 s of CPU and 64 MiB at Appwrite's
#: Argon2 costs): in GraphQL it counts this much, so one operation holds two at most.
PASSWORD_CHECK_COST = 100


def is_current_id(current: SessionRow | None, session_id: str) -> bool:
    return current is not None and current.id == session_id


def session_cookies(
    project_id: str, user_id: str, session: NewSession | None
) -> tuple[Cookie, ...]:
    """The session cookie and its legacy twin (SameSite unset); deleted without a session."""
    name = session_cookie(project_id)
    if session is None:
        return (Cookie(name, None), Cookie(name + "_legacy", None))
    value = session.credentials(user_id)
    expires = session.session.expire
    return (Cookie(name, value, expires, "none"), Cookie(name + "_legacy", value, expires))


def _session_cookies(call: Call, signed_in: SignedIn | None) -> tuple[Cookie, ...]:
    if signed_in is None:
        return session_cookies(call.project_id, "", None)
    return session_cookies(call.project_id, signed_in.user.id, signed_in.session)


@endpoint(
    scopes=("sessions.write",),
    params=(Param("email", Email()), Param("password", Password())),
)
def create_email_session(call: Call) -> Output:
    if call.caller.user is not None:
        raise UserSessionAlreadyExists()
    signed_in = call.services.accounts.sign_in(
        call.project_id,
        call.params["email"],
        call.params["password"],
        call.client,
        actor=call.actor,
    )
    return _session_output(call, signed_in)


def _session_output(call: Call, signed_in: SignedIn) -> Output:
    """201 Session (secret for key callers only), with cookies and, cross-site, fallback."""
    secret = signed_in.session.credentials(signed_in.user.id) if call.caller.is_key else ""
    document = session_models.session(
        signed_in.session.session, signed_in.user.id, secret=secret, current=True
    )
    cookies = _session_cookies(call, signed_in)
    headers = {}
    if call.site.cross_site:
        value = signed_in.session.credentials(signed_in.user.id)
        fallback = {session_cookie(call.project_id): value}
        headers["x-fallback-cookies"] = json.dumps(fallback, separators=(",", ":"))
    return Output("session", document, 201, cookies, headers)


@endpoint(
    scopes=("sessions.write",),
    params=(Param("userId", CustomId()), Param("secret", Text(256))),
)
def create_token_session(call: Call) -> Output:
    """Exchange a token (from `POST /v1/users/{userId}/tokens`) for a session."""
    if call.caller.user is not None:
        raise UserSessionAlreadyExists()
    signed_in = call.services.accounts.exchange_token(
        call.project_id,
        call.params["userId"],
        call.params["secret"],
        call.client,
        actor=call.actor,
    )
    return _session_output(call, signed_in)


@endpoint(scopes=("account",))
def get_account(call: Call) -> Output:
    impersonator = call.caller.impersonator
    targets = call.services.targets.of([call.user])[call.user.sequence]
    document = user_models.account(call.user, targets, impersonator.id if impersonator else None)
    return Output("account", document)


@endpoint(scopes=("account",), params=(Param("sessionId", UID()),))
def delete_session(call: Call) -> Output:
    current = call.caller.session
    session_id = call.params["sessionId"]
    if session_id == CURRENT and current is not None:
        session_id = current.id
    # An impersonator's `current` session is their own; other ids are the acting user's.
    owner = call.caller.session_owner if is_current_id(current, session_id) else call.user
    if owner is None or not call.services.sessions.delete(owner, session_id, actor=call.actor):
        raise UserSessionNotFound()
    is_current = current is not None and current.id == session_id
    return Output("none", None, 204, _session_cookies(call, None) if is_current else ())


ROUTES: list[BaseRoute] = [
    operation("GET", "/account", get_account, "account.get", "account"),
    operation(
        "POST",
        "/account/sessions/email",
        create_email_session,
        "account.createEmailPasswordSession",
        "session",
        cost=PASSWORD_CHECK_COST,
    ),
    Route("/account/sessions", create_email_session, methods=["POST"]),
    operation(
        "POST", "/account/sessions/token", create_token_session, "account.createSession", "session"
    ),
    Route("/account/sessions/token", create_token_session, methods=["PUT"]),
    operation(
        "PUT",
        "/account/sessions/magic-url",
        create_token_session,
        "account.updateMagicURLSession",
        "session",
    ),
    operation(
        "PUT",
        "/account/sessions/phone",
        create_token_session,
        "account.updatePhoneSession",
        "session",
    ),
    operation(
        "DELETE", "/account/sessions/{sessionId}", delete_session, "account.deleteSession", "none"
    ),
]
