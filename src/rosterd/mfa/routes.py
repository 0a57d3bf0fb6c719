"""HTTP handlers for MFA: `/v1/account/mfa/...` (the signed-in user) and
`/v1/users/{userId}/mfa/...` (API keys)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from starlette.routing import BaseRoute, Route

from rosterd.errors import UserSessionNotFound
from rosterd.http.endpoint import Call, Output, endpoint
from rosterd.http.params import Param
from rosterd.http.routing import operation
from rosterd.mfa import models
from rosterd.mfa.service import CHALLENGE_FACTORS, TOTP
from rosterd.sessions import models as session_models
from rosterd.store.users import UserRow
from rosterd.users import models as user_models
from rosterd.validators import UID, Boolean, Invalid, Kind, Text, WhiteList

ACCOUNT = ("account",)
READ = ("users.read",)
WRITE = ("users.write",)
USER_ID = Param("userId", UID())
TYPE = Param("type", WhiteList([TOTP]))
MFA = Param("mfa", Boolean())
_CANONICAL_FACTORS = {factor.lower(): factor for factor in CHALLENGE_FACTORS}


@dataclass(frozen=True)
class FactorName:
    """A challenge factor in any letter case, as Appwrite's WhiteList takes it (the 27.x
    SDK sends `recoverycode`); the canonical spelling is kept."""

    kind: ClassVar[Kind] = "string"
    description: str = "Value must be one of (" + ", ".join(CHALLENGE_FACTORS) + ")"

    def __call__(self, value: object) -> str:
        if isinstance(value, str) and value.lower() in _CANONICAL_FACTORS:
            return _CANONICAL_FACTORS[value.lower()]
        raise Invalid(self.description)


def _account(call: Call, row: UserRow) -> Output:
    impersonator = call.caller.impersonator
    targets = call.services.targets.of([row])[row.sequence]
    return Output(
        "account", user_models.account(row, targets, impersonator.id if impersonator else None)
    )


def _user(call: Call) -> UserRow:
    return call.services.users.get(call.project_id, call.params["userId"])


# The signed-in user's side.


@endpoint(scopes=ACCOUNT, params=(TYPE,))
def create_authenticator(call: Call) -> Output:
    issuer = call.services.projects.name(call.project_id)
    new = call.services.mfa.create_authenticator(call.user, issuer, actor=call.actor)
    return Output("mfaType", models.mfa_type(new))


@endpoint(scopes=ACCOUNT, params=(TYPE, Param("otp", Text(256))))
def verify_authenticator(call: Call) -> Output:
    mfa = call.services.mfa
    mfa.verify_authenticator(call.user, call.caller.session, call.params["otp"], actor=call.actor)
    return _account(call, call.user)


@endpoint(scopes=ACCOUNT, params=(TYPE,))
def delete_own_authenticator(call: Call) -> None:
    call.services.mfa.delete_authenticator(call.user, actor=call.actor)


@endpoint(scopes=ACCOUNT, params=(MFA,))
def update_own_mfa(call: Call) -> Output:
    mfa = call.services.mfa
    row = mfa.set_mfa(call.user, call.params["mfa"], call.caller.session, actor=call.actor)
    return _account(call, row)


@endpoint(scopes=ACCOUNT, mfa_exempt=True)
def list_own_factors(call: Call) -> Output:
    factors = call.services.mfa.factors(call.user, with_recovery_codes=True)
    return Output("mfaFactors", models.mfa_factors(factors))


@endpoint(scopes=ACCOUNT)
def create_own_recovery_codes(call: Call) -> Output:
    codes = call.services.mfa.create_recovery_codes(call.user, actor=call.actor)
    return Output("mfaRecoveryCodes", models.recovery_codes(codes), 201)


@endpoint(scopes=ACCOUNT)
def get_own_recovery_codes(call: Call) -> Output:
    codes = call.services.mfa.recovery_codes(call.user)
    return Output("mfaRecoveryCodes", models.recovery_codes(codes))


@endpoint(scopes=ACCOUNT)
def regenerate_own_recovery_codes(call: Call) -> Output:
    codes = call.services.mfa.regenerate_recovery_codes(call.user, actor=call.actor)
    return Output("mfaRecoveryCodes", models.recovery_codes(codes))


@endpoint(scopes=ACCOUNT, params=(Param("factor", FactorName()),), mfa_exempt=True)
def create_challenge(call: Call) -> Output:
    call.services.accounts.check_limit(f"mfa-challenge:{call.project_id}:{call.user.id}")
    challenge = call.services.mfa.create_challenge(
        call.user, call.params["factor"], actor=call.actor
    )
    return Output("mfaChallenge", models.challenge(challenge, call.user.id), 201)


@endpoint(
    scopes=ACCOUNT,
    params=(Param("challengeId", Text(256)), Param("otp", Text(256))),
    mfa_exempt=True,
)
def complete_challenge(call: Call) -> Output:
    session = call.caller.session
    if session is None:
        raise UserSessionNotFound()
    # Every attempt counts, so a second factor cannot be guessed by trying codes.
    call.services.accounts.check_limit(f"mfa-verify:{call.project_id}:{call.user.id}")
    updated = call.services.mfa.complete_challenge(
        call.user, session, call.params["challengeId"], call.params["otp"], actor=call.actor
    )
    return Output("session", session_models.session(updated, call.user.id, secret="", current=True))


# The Users API (API keys).


@endpoint(scopes=WRITE, params=(USER_ID, MFA))
def update_mfa(call: Call) -> Output:
    users = call.services.users
    row = users.update(
        call.project_id, call.params["userId"], actor=call.actor, mfa=call.params["mfa"]
    )
    targets = call.services.targets.of([row])[row.sequence]
    return Output("user", user_models.user(row, targets))


@endpoint(scopes=READ, params=(USER_ID,))
def list_factors(call: Call) -> Output:
    factors = call.services.mfa.factors(_user(call), with_recovery_codes=False)
    return Output("mfaFactors", models.mfa_factors(factors))


@endpoint(scopes=WRITE, params=(USER_ID, TYPE))
def delete_authenticator(call: Call) -> None:
    call.services.mfa.delete_authenticator(_user(call), actor=call.actor)


@endpoint(scopes=WRITE, params=(USER_ID,))
def create_recovery_codes(call: Call) -> Output:
    """Appwrite answers 200 here, not 201 (reference §11 item 9)."""
    codes = call.services.mfa.create_recovery_codes(_user(call), actor=call.actor)
    return Output("mfaRecoveryCodes", models.recovery_codes(codes))


@endpoint(scopes=READ, params=(USER_ID,))
def get_recovery_codes(call: Call) -> Output:
    codes = call.services.mfa.recovery_codes(_user(call))
    return Output("mfaRecoveryCodes", models.recovery_codes(codes))


@endpoint(scopes=WRITE, params=(USER_ID,))
def regenerate_recovery_codes(call: Call) -> Output:
    codes = call.services.mfa.regenerate_recovery_codes(_user(call), actor=call.actor)
    return Output("mfaRecoveryCodes", models.recovery_codes(codes))


@endpoint(scopes=READ, params=(USER_ID, Param("challengeId", Text(256))))
def get_challenge(call: Call) -> Output:
    user = _user(call)
    challenge, code = call.services.mfa.challenge_code(user, call.params["challengeId"])
    return Output("mfaChallengeSecret", models.challenge_secret(challenge, user.id, code))


ACCOUNT_CODES = "/account/mfa/recovery-codes"
USER_CODES = "/users/{userId}/mfa/recovery-codes"

ROUTES: list[BaseRoute] = [
    operation("PATCH", "/account/mfa", update_own_mfa, "account.updateMFA", "account"),
    operation(
        "POST",
        "/account/mfa/authenticators/{type}",
        create_authenticator,
        "account.createMfaAuthenticator|createMFAAuthenticator",
        "mfaType",
    ),
    operation(
        "PUT",
        "/account/mfa/authenticators/{type}",
        verify_authenticator,
        "account.updateMfaAuthenticator|updateMFAAuthenticator",
        "account",
    ),
    operation(
        "DELETE",
        "/account/mfa/authenticators/{type}",
        delete_own_authenticator,
        "account.deleteMfaAuthenticator|deleteMFAAuthenticator",
        "none",
    ),
    operation(
        "GET",
        "/account/mfa/factors",
        list_own_factors,
        "account.listMfaFactors|listMFAFactors",
        "mfaFactors",
    ),
    operation(
        "POST",
        ACCOUNT_CODES,
        create_own_recovery_codes,
        "account.createMfaRecoveryCodes|createMFARecoveryCodes",
        "mfaRecoveryCodes",
    ),
    operation(
        "GET",
        ACCOUNT_CODES,
        get_own_recovery_codes,
        "account.getMfaRecoveryCodes|getMFARecoveryCodes",
        "mfaRecoveryCodes",
    ),
    operation(
        "PATCH",
        ACCOUNT_CODES,
        regenerate_own_recovery_codes,
        "account.updateMfaRecoveryCodes|updateMFARecoveryCodes",
        "mfaRecoveryCodes",
    ),
    operation(
        "POST",
        "/account/mfa/challenges",
        create_challenge,
        "account.createMfaChallenge|createMFAChallenge",
        "mfaChallenge",
    ),
    Route("/account/mfa/challenge", create_challenge, methods=["POST"]),
    operation(
        "PUT",
        "/account/mfa/challenges",
        complete_challenge,
        "account.updateMfaChallenge|updateMFAChallenge",
        "session",
    ),
    Route("/account/mfa/challenge", complete_challenge, methods=["PUT"]),
    operation("PATCH", "/users/{userId}/mfa", update_mfa, "users.updateMfa|updateMFA", "user"),
    operation(
        "GET",
        "/users/{userId}/mfa/factors",
        list_factors,
        "users.listMfaFactors|listMFAFactors",
        "mfaFactors",
    ),
    operation(
        "DELETE",
        "/users/{userId}/mfa/authenticators/{type}",
        delete_authenticator,
        "users.deleteMfaAuthenticator|deleteMFAAuthenticator",
        "none",
    ),
    operation(
        "PATCH",
        USER_CODES,
        create_recovery_codes,
        "users.createMfaRecoveryCodes|createMFARecoveryCodes",
        "mfaRecoveryCodes",
    ),
    operation(
        "GET",
        USER_CODES,
        get_recovery_codes,
        "users.getMfaRecoveryCodes|getMFARecoveryCodes",
        "mfaRecoveryCodes",
    ),
    operation(
        "PUT",
        USER_CODES,
        regenerate_recovery_codes,
        "users.updateMfaRecoveryCodes|updateMFARecoveryCodes",
        "mfaRecoveryCodes",
    ),
    operation(
        "GET",
        "/users/{userId}/mfa/challenges/{challengeId}",
        get_challenge,
        "users.getMFAChallenge",
        "mfaChallengeSecret",
    ),
]
