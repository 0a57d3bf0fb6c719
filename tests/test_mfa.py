"""MFA: TOTP enrolment, enforcement, challenges, recovery codes, custom codes, storage."""

from __future__ import annotations

import re
import time

import httpx
import pyotp
import pytest
import sqlalchemy as sa
from appwrite.client import Client
from appwrite.enums.authentication_factor import AuthenticationFactor
from appwrite.enums.authenticator_type import AuthenticatorType
from appwrite.exception import AppwriteException
from appwrite.services.account import Account
from appwrite.services.users import Users

from rosterd.store.tables import authenticators, challenges, recovery_codes
from tests.conftest import Project
from tests.test_signin import PASSWORD
from tests.test_wire import assert_error

TOTP = AuthenticatorType.TOTP


def session_secret(users: Users, user_id: str) -> str:
    """A new server session of the user (factors `["server"]`)."""
    return str(users.create_session(user_id).secret)


def account(project: Project, secret: str) -> Account:
    client = Client()
    client.set_endpoint(project.server.endpoint)
    client.set_project(project.id)
    client.set_session(secret)
    return Account(client)


def as_user(project: Project, secret: str) -> httpx.Client:
    headers = {"x-appwrite-project": project.id, "x-appwrite-session": secret}
    return httpx.Client(base_url=project.server.endpoint, headers=headers, timeout=30)


def enrol(project: Project, users: Users, user_id: str) -> tuple[str, str]:
    """A user with a verified TOTP authenticator: (session secret, TOTP secret)."""
    users.create(user_id=user_id, email=f"{user_id}@example.com", password=PASSWORD)
    secret = session_secret(users, user_id)
    created = account(project, secret).create_mfa_authenticator(TOTP)
    account(project, secret).update_mfa_authenticator(TOTP, pyotp.TOTP(created.secret).now())
    return secret, created.secret


def test_enrol_enable_and_challenge(project: Project, users: Users) -> None:
    users.create(user_id="m1", email="m1@example.com", password=PASSWORD)
    first = session_secret(users, "m1")
    mine = account(project, first)
    created = mine.create_mfa_authenticator(TOTP)
    assert re.fullmatch(r"[A-Z2-7]{32}", created.secret)
    assert created.uri == (
        "otpauth://totp/Test%20project:m1%40example.com"
        f"?issuer=Test%20project&secret={created.secret}"
    )
    with as_user(project, first) as client:
        wrong = client.put("/account/mfa/authenticators/totp", json={"otp": "000000x"})
        assert_error(wrong, 401, "user_invalid_token")
    verified = mine.update_mfa_authenticator(TOTP, pyotp.TOTP(created.secret).now())
    assert (verified.id, verified.mfa) == ("m1", False)
    with pytest.raises(AppwriteException) as again:
        mine.create_mfa_authenticator(TOTP)
    assert again.value.type == "user_authenticator_already_verified"
    factors = users.list_mfa_factors("m1")
    assert (factors.totp, factors.email, factors.phone) == (True, False, False)
    assert (factors.recoverycode, factors.custom) == (False, False)
    assert mine.update_mfa(mfa=True).mfa is True
    assert mine.get().id == "m1"  # the session that enabled MFA gained `totp`
    blocked = session_secret(users, "m1")
    with as_user(project, blocked) as client:
        assert_error(client.get("/account"), 401, "user_more_factors_required")
        assert client.get("/account/mfa/factors").json()["totp"] is True
    other = account(project, blocked)
    challenge = other.create_mfa_challenge(AuthenticationFactor.TOTP)
    assert challenge.userid == "m1"
    session = other.update_mfa_challenge(challenge.id, pyotp.TOTP(created.secret).now())
    assert session.factors == ["server", "totp"] and session.current is True
    assert session.mfaupdatedat != ""
    assert other.get().id == "m1"


def test_challenge_answer_hides_the_code(project: Project, users: Users) -> None:
    users.create(user_id="m2", email="m2@example.com")
    with as_user(project, session_secret(users, "m2")) as client:
        response = client.post("/account/mfa/challenges", json={"factor": "totp"})
        assert response.status_code == 201
        assert list(response.json()) == ["$id", "$createdAt", "userId", "expire"]
        email = client.post("/account/mfa/challenges", json={"factor": "email"})
        assert_error(email, 503, "general_smtp_disabled")
        phone = client.post("/account/mfa/challenges", json={"factor": "phone"})
        assert_error(phone, 503, "general_phone_disabled")
        unknown = client.post("/account/mfa/challenges", json={"factor": "sms"})
        assert_error(unknown, 400, "general_argument_invalid")


def test_mfa_without_verified_factors_does_not_block(project: Project, users: Users) -> None:
    users.create(user_id="m3", email="m3@example.com")
    assert users.update_mfa("m3", True).mfa is True
    assert account(project, session_secret(users, "m3")).get().mfa is True
    users.update_email_verification("m3", True)
    with as_user(project, session_secret(users, "m3")) as client:
        assert_error(client.get("/account"), 401, "user_more_factors_required")


def test_recovery_codes_are_single_use(project: Project, users: Users, http: httpx.Client) -> None:
    users.create(user_id="m4")
    assert_error(http.get("/users/m4/mfa/recovery-codes"), 404, "user_recovery_codes_not_found")
    assert_error(http.put("/users/m4/mfa/recovery-codes"), 404, "user_recovery_codes_not_found")
    created = http.patch("/users/m4/mfa/recovery-codes")
    assert created.status_code == 200
    codes = created.json()["recoveryCodes"]
    assert len(codes) == 6 and all(re.fullmatch(r"[0-9a-f]{10}", code) for code in codes)
    conflict = http.patch("/users/m4/mfa/recovery-codes")
    assert_error(conflict, 409, "user_recovery_codes_already_exists")
    assert users.get_mfa_recovery_codes("m4").recoverycodes == codes
    mine = account(project, session_secret(users, "m4"))
    assert mine.list_mfa_factors().recoverycode is True
    challenge = mine.create_mfa_challenge(AuthenticationFactor.RECOVERYCODE)
    assert mine.update_mfa_challenge(challenge.id, codes[0]).factors == ["server", "recoveryCode"]
    reused = mine.create_mfa_challenge(AuthenticationFactor.RECOVERYCODE)
    with pytest.raises(AppwriteException) as used:
        mine.update_mfa_challenge(reused.id, codes[0])
    assert (used.value.code, used.value.type) == (401, "user_invalid_token")
    assert users.get_mfa_recovery_codes("m4").recoverycodes == codes[1:]
    fresh = users.update_mfa_recovery_codes("m4").recoverycodes
    assert len(fresh) == 6 and set(fresh).isdisjoint(codes)


def test_account_recovery_codes(project: Project, users: Users) -> None:
    users.create(user_id="m5")
    mine = account(project, session_secret(users, "m5"))
    with pytest.raises(AppwriteException) as missing:
        mine.get_mfa_recovery_codes()
    assert missing.value.type == "user_recovery_codes_not_found"
    codes = mine.create_mfa_recovery_codes().recoverycodes
    assert mine.get_mfa_recovery_codes().recoverycodes == codes
    assert mine.update_mfa_recovery_codes().recoverycodes != codes
    with pytest.raises(AppwriteException) as again:
        mine.create_mfa_recovery_codes()
    assert (again.value.code, again.value.type) == (409, "user_recovery_codes_already_exists")


def test_custom_code_is_read_through_the_users_api(
    project: Project, users: Users, http: httpx.Client
) -> None:
    users.create(user_id="m6")
    users.create(user_id="m7")
    mine = account(project, session_secret(users, "m6"))
    challenge = mine.create_mfa_challenge(AuthenticationFactor.CUSTOM)
    secret = users.get_mfa_challenge("m6", challenge.id)
    assert (secret.id, secret.userid) == (challenge.id, "m6")
    assert re.fullmatch(r"[0-9]{6}", secret.code)
    assert_error(http.get(f"/users/m7/mfa/challenges/{challenge.id}"), 401, "user_invalid_token")
    totp = mine.create_mfa_challenge(AuthenticationFactor.TOTP)
    assert_error(http.get(f"/users/m6/mfa/challenges/{totp.id}"), 401, "user_invalid_token")
    assert_error(http.get("/users/m6/mfa/challenges/nothing"), 401, "user_invalid_token")
    wrong = "000000" if secret.code != "000000" else "111111"
    with pytest.raises(AppwriteException) as failed:
        mine.update_mfa_challenge(challenge.id, wrong)
    assert failed.value.type == "user_invalid_token"
    assert mine.update_mfa_challenge(challenge.id, secret.code).factors == ["server", "custom"]
    assert_error(http.get(f"/users/m6/mfa/challenges/{challenge.id}"), 401, "user_invalid_token")


def test_drift_window_is_one_step(project: Project, users: Users) -> None:
    users.create(user_id="m8", email="m8@example.com")
    secret = session_secret(users, "m8")
    created = account(project, secret).create_mfa_authenticator(TOTP)
    while time.time() % 30 > 20:  # start early in a step, so the server checks in the same one
        time.sleep(0.2)
    totp, now = pyotp.TOTP(created.secret), time.time()
    with as_user(project, secret) as client:
        too_old = client.put("/account/mfa/authenticators/totp", json={"otp": totp.at(now - 90)})
        assert_error(too_old, 401, "user_invalid_token")
        previous = client.put("/account/mfa/authenticators/totp", json={"otp": totp.at(now - 30)})
        assert previous.status_code == 200, previous.text


def test_users_api_toggles_and_deletes(project: Project, users: Users, http: httpx.Client) -> None:
    enrol(project, users, "m9")
    assert_error(http.patch("/users/m9/mfa", json={"mfa": "true"}), 400, "general_argument_invalid")
    assert users.update_mfa("m9", True).mfa is True
    assert_error(http.delete("/users/m9/mfa/authenticators/email"), 400, "general_argument_invalid")
    assert users.delete_mfa_authenticator("m9", TOTP) == b""
    assert users.get("m9").mfa is True
    assert users.list_mfa_factors("m9").totp is False
    missing = http.delete("/users/m9/mfa/authenticators/totp")
    assert_error(missing, 404, "user_authenticator_not_found")
    assert_error(http.get("/users/nobody/mfa/factors"), 404, "user_not_found")


def test_account_delete_authenticator(project: Project, users: Users) -> None:
    secret, _ = enrol(project, users, "m10")
    mine = account(project, secret)
    mine.delete_mfa_authenticator(TOTP)
    with pytest.raises(AppwriteException) as missing:
        mine.update_mfa_authenticator(TOTP, "123456")
    assert missing.value.type == "user_authenticator_not_found"


def test_secrets_are_not_stored_in_plain_text(project: Project, users: Users) -> None:
    session, totp_secret = enrol(project, users, "m11")
    codes = users.create_mfa_recovery_codes("m11").recoverycodes
    challenge = account(project, session).create_mfa_challenge(AuthenticationFactor.CUSTOM)
    code = users.get_mfa_challenge("m11", challenge.id).code
    with project.server.services.database.read() as connection:
        stored = [
            *connection.execute(sa.select(authenticators.c.secret)).scalars(),
            *connection.execute(sa.select(challenges.c.code)).scalars(),
            *connection.execute(sa.select(recovery_codes.c.codes)).scalars(),
        ]
    assert stored
    for plain in (totp_secret, code, *codes):
        assert not any(plain in value for value in stored)


def test_second_factor_guesses_are_limited(project: Project, users: Users) -> None:
    """Ten wrong codes an hour, then 429: a 6-digit code cannot be brute-forced."""
    users.create(user_id="guess", email="guess@example.com", password="a long password")
    secret = users.create_session("guess").secret
    headers = {"x-appwrite-project": project.id, "x-appwrite-session": secret}
    with httpx.Client(base_url=project.server.endpoint, headers=headers) as client:
        challenge = client.post("/account/mfa/challenges", json={"factor": "custom"}).json()
        statuses = [
            client.put(
                "/account/mfa/challenges",
                json={"challengeId": challenge["$id"], "otp": f"{number:06d}"},
            ).status_code
            for number in range(11)
        ]
    assert statuses[:10] == [401] * 10 and statuses[10] == 429


def test_membership_mfa_counts_a_verified_totp(project: Project, users: Users) -> None:
    from appwrite.services.teams import Teams

    enrol(project, users, "member")  # a verified TOTP; email and phone unverified
    teams = Teams(project.client())
    teams.create("squad", "Squad")
    teams.create_membership("squad", ["member"], user_id="member")
    assert users.list_memberships("member").memberships[0].mfa is False  # MFA still off
    users.update_mfa("member", True)
    assert users.list_memberships("member").memberships[0].mfa is True
