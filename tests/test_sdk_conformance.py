"""One conformance case per method of the official SDK's `Users` service.

The methods are read from the installed `appwrite` package when this module is imported,
so a method that a new SDK release adds shows up here as a failing test ("no conformance
case for Users.<method>") instead of going unnoticed. Each case drives rosterd through
that method and checks the values it answers; the test also checks that the case really
called the method it stands for.
"""

from __future__ import annotations

import base64
import inspect
import json
import re
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

import jwt
import pytest
from appwrite.client import Client
from appwrite.enums.authentication_factor import AuthenticationFactor
from appwrite.enums.authenticator_type import AuthenticatorType
from appwrite.enums.messaging_provider_type import MessagingProviderType
from appwrite.query import Query
from appwrite.services.account import Account
from appwrite.services.messaging import Messaging
from appwrite.services.teams import Teams
from appwrite.services.users import Users

from tests.conftest import Project
from tests.test_imports import VECTORS, sign_in
from tests.test_mfa import account, enrol
from tests.test_sessions import account_with
from tests.test_signin import PASSWORD
from tests.test_targets import identifiers
from tests.test_users_sdk import WIRE_TIME, raises
from tests.test_wire import assert_error

#: Every public method of the installed SDK's Users service, in name order.
SDK_METHODS: list[str] = [
    name for name, _ in inspect.getmembers(Users, inspect.isfunction) if not name.startswith("_")
]

PUSH = MessagingProviderType.PUSH

Case = Callable[[Project, Users], None]

#: The case of each method, by method name.
CASES: dict[str, Case] = {}


def case(method: str) -> Callable[[Case], Case]:
    def register(function: Case) -> Case:
        CASES[method] = function
        return function

    return register


class RecordingUsers:
    """Stands in for a `Users` service and notes each SDK method a case calls on it."""

    def __init__(self, users: Users) -> None:
        self._users = users
        self.called: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._users, name)
        if name not in SDK_METHODS:
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            self.called.add(name)
            return attribute(*args, **kwargs)

        return call


@pytest.mark.parametrize("method", SDK_METHODS)
def test_users_method(method: str, project: Project, users: Users) -> None:
    conformance = CASES.get(method)
    if conformance is None:
        pytest.fail(f"no conformance case for Users.{method}")
    recording = RecordingUsers(users)
    conformance(project, recording)
    assert method in recording.called, f"the case for Users.{method} never called it"


def test_every_case_names_an_sdk_method() -> None:
    assert SDK_METHODS, "no public methods found on appwrite.services.users.Users"
    stale = sorted(set(CASES) - set(SDK_METHODS))
    assert not stale, f"cases for methods the installed SDK does not have: {stale}"


# Helpers -------------------------------------------------------------------------------------


def guest_client(project: Project) -> Client:
    """A client with no credentials at all: a guest of the project."""
    return Client().set_endpoint(project.server.endpoint).set_project(project.id)


def missing_user(call: Callable[[], Any]) -> None:
    raises(call, 404, "user_not_found")


def wire_hash_options(project: Project, user_id: str) -> Any:
    """`hashOptions` as sent: the SDK's union model fills in keys of other algorithms."""
    with project.http() as http:
        return http.get(f"/users/{user_id}").raise_for_status().json()["hashOptions"]


def seconds_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


# Users ---------------------------------------------------------------------------------------


@case("create")
def case_create(_project: Project, users: Users) -> None:
    user = users.create(
        user_id="dora", email="Dora@Example.com", phone="+14155550123", password=PASSWORD, name="D"
    )
    assert (user.id, user.name, user.email, user.phone, user.status) == (
        "dora", "D", "dora@example.com", "+14155550123", True,
    )  # fmt: skip
    assert (user.labels, user.prefs.data, user.mfa) == ([], {}, False)
    assert (user.emailverification, user.phoneverification) == (False, False)
    assert [(t.providertype, t.identifier) for t in user.targets] == [
        ("email", "dora@example.com"),
        ("sms", "+14155550123"),
    ]
    assert user.hash == "argon2" and str(user.password).startswith("$argon2id$")
    assert WIRE_TIME.match(user.registration) and WIRE_TIME.match(user.passwordupdate)
    generated = users.create(user_id="unique()")
    assert re.fullmatch(r"[0-9a-f]{20}", generated.id) and generated.password is None
    raises(lambda: users.create(user_id="dora"), 409, "user_already_exists")
    raises(lambda: users.create(user_id="x", email="DORA@example.com"), 409, "user_already_exists")
    raises(lambda: users.create(user_id="-bad"), 400, "general_argument_invalid")


@case("get")
def case_get(_project: Project, users: Users) -> None:
    users.create(user_id="bob", email="bob@example.com", name="Bob")
    user = users.get("bob")
    assert (user.id, user.name, user.email, user.phone) == ("bob", "Bob", "bob@example.com", "")
    assert [t.identifier for t in user.targets] == ["bob@example.com"]
    assert (user.accessedat, user.impersonator, user.impersonatoruserid) == ("", False, None)
    error = raises(lambda: users.get("nobody"), 404, "user_not_found")
    assert error.message == "User with the requested ID could not be found."


@case("delete")
def case_delete(_project: Project, users: Users) -> None:
    users.create(user_id="gone", email="gone@example.com")
    users.create(user_id="kept")
    assert users.delete("gone") == b""
    missing_user(lambda: users.get("gone"))
    missing_user(lambda: users.delete("gone"))
    assert [user.id for user in users.list().users] == ["kept"]
    assert users.create(user_id="gone", email="gone@example.com").email == "gone@example.com"


@case("list")
def case_list(_project: Project, users: Users) -> None:
    users.create(user_id="u1", email="ann@example.com", name="Ann")
    users.create(user_id="u2", email="bob@example.com", name="Bob")
    users.create(user_id="u3", email="cy@example.org", name="Cy")
    users.update_labels("u2", ["vip"])
    users.update_status("u3", False)

    def ids(*queries: str, search: str | None = None) -> list[str]:
        return [user.id for user in users.list(list(queries), search=search).users]

    listed = users.list()
    assert (listed.total, [user.id for user in listed.users]) == (3, ["u1", "u2", "u3"])
    assert ids(Query.equal("name", ["Ann", "Cy"])) == ["u1", "u3"]
    assert ids(Query.contains("labels", ["vip"])) == ["u2"]
    assert ids(Query.equal("status", [False])) == ["u3"]
    assert ids(Query.ends_with("email", "example.com"), Query.order_desc("name")) == ["u2", "u1"]
    assert ids(Query.cursor_after("u1"), Query.limit(1)) == ["u2"]
    assert ids(search="Bob") == ["u2"]
    assert users.list([Query.limit(1)]).total == 3
    assert users.list(total=False).total == 0
    raises(lambda: users.list([Query.equal("password", ["x"])]), 400, "general_argument_invalid")
    raises(lambda: users.list([Query.cursor_after("ghost")]), 400, "general_cursor_not_found")


# Imports with hashes from elsewhere: one case per importer, from tests/test_imports.py vectors.


def import_case(method: str) -> Case:
    vector = next(vector for vector in VECTORS if vector.importer == method)

    def run(project: Project, users: Users) -> None:
        create: Callable[..., Any] = getattr(users, method)
        user = create(
            user_id="imported",
            email="Imported@Example.com",
            password=vector.stored,
            name="Imported",
            **vector.arguments,
        )
        assert (user.id, user.email, user.name) == ("imported", "imported@example.com", "Imported")
        assert (user.hash, user.password) == (vector.scheme, vector.stored)
        assert user.hashoptions is not None and user.hashoptions.type == vector.options["type"]
        assert wire_hash_options(project, "imported") == vector.options
        assert WIRE_TIME.match(user.passwordupdate)
        assert [t.identifier for t in user.targets] == ["imported@example.com"]
        again = partial(create, "imported", "other@example.com", vector.stored, **vector.arguments)
        raises(again, 409, "user_already_exists")
        wrong = sign_in(project, "imported@example.com", "not the password")
        assert_error(wrong, 401, "user_invalid_credentials")
        signed_in = sign_in(project, "imported@example.com", vector.password)
        assert signed_in.status_code == 201, signed_in.text
        assert signed_in.json()["userId"] == "imported"

    return run


for _importer in sorted({vector.importer for vector in VECTORS}):
    CASES[_importer] = import_case(_importer)


# Account details ----------------------------------------------------------------------------


@case("update_status")
def case_update_status(project: Project, users: Users) -> None:
    users.create(user_id="st")
    secret = users.create_session("st").secret
    assert users.update_status("st", False).status is False
    assert users.get("st").status is False
    assert_error(account_with(project, secret), 403, "user_blocked")
    assert users.update_status("st", True).status is True
    assert account_with(project, secret).json()["$id"] == "st"
    missing_user(lambda: users.update_status("nobody", False))


@case("update_labels")
def case_update_labels(_project: Project, users: Users) -> None:
    users.create(user_id="lb")
    assert users.update_labels("lb", ["vip", "beta", "vip"]).labels == ["vip", "beta"]
    assert users.get("lb").labels == ["vip", "beta"]
    assert users.update_labels("lb", ["gold"]).labels == ["gold"]
    assert [user.id for user in users.list(search="label:gold").users] == ["lb"]
    assert users.update_labels("lb", []).labels == []
    raises(lambda: users.update_labels("lb", ["no-dash"]), 400, "general_argument_invalid")
    missing_user(lambda: users.update_labels("nobody", ["a"]))


@case("update_impersonator")
def case_update_impersonator(project: Project, users: Users) -> None:
    users.create(user_id="boss")
    users.create(user_id="staff", name="Staff")
    assert users.update_impersonator("boss", True).impersonator is True
    assert users.get("boss").impersonator is True
    secret = users.create_session("boss").secret
    acting = account(project, secret)
    acting.client.set_impersonate_user_id("staff")
    seen = acting.get()
    assert (seen.id, seen.name, seen.impersonatoruserid) == ("staff", "Staff", "boss")
    assert users.update_impersonator("boss", False).impersonator is False
    missing_user(lambda: users.update_impersonator("nobody", True))


@case("update_name")
def case_update_name(_project: Project, users: Users) -> None:
    users.create(user_id="nm", name="Old")
    assert users.update_name("nm", "Zebedee").name == "Zebedee"
    assert users.get("nm").name == "Zebedee"
    assert [user.id for user in users.list(search="Zebedee").users] == ["nm"]
    assert users.update_name("nm", "").name == ""
    raises(lambda: users.update_name("nm", "x" * 129), 400, "general_argument_invalid")
    missing_user(lambda: users.update_name("nobody", "x"))


@case("update_password")
def case_update_password(project: Project, users: Users) -> None:
    users.create(user_id="pw", email="pw@example.com")
    assert users.get("pw").passwordupdate == ""
    user = users.update_password("pw", "a brand new password")
    assert user.hash == "argon2" and str(user.password).startswith("$argon2id$")
    assert WIRE_TIME.match(user.passwordupdate)
    assert sign_in(project, "pw@example.com", "a brand new password").status_code == 201
    assert users.update_password("pw", "").password == ""
    assert_error(
        sign_in(project, "pw@example.com", "a brand new password"), 401, "user_invalid_credentials"
    )
    raises(lambda: users.update_password("pw", "short"), 400, "general_argument_invalid")
    missing_user(lambda: users.update_password("nobody", "long enough"))


@case("update_email")
def case_update_email(_project: Project, users: Users) -> None:
    users.create(user_id="em", email="old@example.com")
    users.update_email_verification("em", True)
    user = users.update_email("em", "New@Gmail.com")
    assert (user.email, user.emailverification, user.emailisfree) == ("new@gmail.com", False, True)
    assert identifiers(users, "em") == [("email", "new@gmail.com")]
    raises(lambda: users.update_email("em", "new@gmail.com"), 409, "user_target_already_exists")
    users.create(user_id="other", email="taken@example.com")
    # rosterd's documented difference (docs/compatibility.md): the more specific type.
    raises(lambda: users.update_email("em", "taken@example.com"), 409, "user_email_already_exists")
    raises(lambda: users.update_email("em", "not an email"), 400, "general_argument_invalid")
    cleared = users.update_email("em", "")
    assert (cleared.email, cleared.emailcanonical, cleared.targets) == ("", None, [])
    missing_user(lambda: users.update_email("nobody", "x@example.com"))


@case("update_phone")
def case_update_phone(_project: Project, users: Users) -> None:
    users.create(user_id="tel", phone="+14155550130")
    users.update_phone_verification("tel", True)
    changed = users.update_phone("tel", "+14155550131")
    assert (changed.phone, changed.phoneverification) == ("+14155550131", False)
    assert identifiers(users, "tel") == [("sms", "+14155550131")]
    raises(lambda: users.update_phone("tel", "+14155550131"), 409, "user_target_already_exists")
    users.create(user_id="other", phone="+14155550132")
    # rosterd's documented difference (docs/compatibility.md): the more specific type.
    raises(lambda: users.update_phone("tel", "+14155550132"), 409, "user_phone_already_exists")
    raises(lambda: users.update_phone("tel", "4155550133"), 400, "general_argument_invalid")
    cleared = users.update_phone("tel", "")
    assert (cleared.phone, cleared.targets) == ("", [])
    missing_user(lambda: users.update_phone("nobody", "+14155550134"))


@case("update_email_verification")
def case_update_email_verification(_project: Project, users: Users) -> None:
    users.create(user_id="ev", email="ev@example.com")
    assert users.update_email_verification("ev", True).emailverification is True
    assert users.get("ev").emailverification is True
    assert users.list_mfa_factors("ev").email is True
    assert users.update_email_verification("ev", False).emailverification is False
    missing_user(lambda: users.update_email_verification("nobody", True))


@case("update_phone_verification")
def case_update_phone_verification(_project: Project, users: Users) -> None:
    users.create(user_id="pv", phone="+16175550110")
    assert users.update_phone_verification("pv", True).phoneverification is True
    assert users.get("pv").phoneverification is True
    assert users.list_mfa_factors("pv").phone is True
    assert users.update_phone_verification("pv", False).phoneverification is False
    missing_user(lambda: users.update_phone_verification("nobody", True))


@case("get_prefs")
def case_get_prefs(_project: Project, users: Users) -> None:
    users.create(user_id="gp")
    assert users.get_prefs("gp").data == {}
    users.update_prefs("gp", {"theme": "dark", "sizes": [1, 2]})
    assert users.get_prefs("gp").data == {"theme": "dark", "sizes": [1, 2]}
    missing_user(lambda: users.get_prefs("nobody"))


@case("update_prefs")
def case_update_prefs(_project: Project, users: Users) -> None:
    users.create(user_id="up")
    prefs = {"theme": "dark", "n": 1, "nested": {"a": [1, 2]}, "on": True}
    assert users.update_prefs("up", prefs).data == prefs
    assert users.update_prefs("up", {"only": "this"}).data == {"only": "this"}
    assert users.get("up").prefs.data == {"only": "this"}
    assert users.update_prefs("up", {}).data == {}
    big = {"blob": "x" * 65536}
    raises(lambda: users.update_prefs("up", big), 400, "general_argument_invalid")
    missing_user(lambda: users.update_prefs("nobody", {}))


# Sessions, tokens and JWTs -------------------------------------------------------------------


@case("create_session")
def case_create_session(project: Project, users: Users) -> None:
    users.create(user_id="cs")
    session = users.create_session("cs")
    assert (session.userid, session.provider, session.provideruid) == ("cs", "server", "")
    assert (session.factors, session.current) == (["server"], False)
    credentials = json.loads(base64.b64decode(session.secret))
    assert credentials["id"] == "cs" and re.fullmatch(r"[0-9a-f]{256}", credentials["secret"])
    assert seconds_between(session.createdat, session.expire) == 365 * 24 * 3600
    assert account(project, session.secret).get().id == "cs"
    missing_user(lambda: users.create_session("nobody"))


@case("list_sessions")
def case_list_sessions(_project: Project, users: Users) -> None:
    users.create(user_id="ls")
    users.create(user_id="other")
    first = users.create_session("ls")
    second = users.create_session("ls")
    users.create_session("other")
    listed = users.list_sessions("ls")
    assert (listed.total, [s.id for s in listed.sessions]) == (2, [first.id, second.id])
    assert all(s.userid == "ls" and s.provider == "server" for s in listed.sessions)
    assert all(s.secret == "" and s.factors == ["server"] for s in listed.sessions)
    assert users.list_sessions("ls", total=False).total == 0
    missing_user(lambda: users.list_sessions("nobody"))


@case("delete_session")
def case_delete_session(project: Project, users: Users) -> None:
    users.create(user_id="ds")
    users.create(user_id="other")
    gone = users.create_session("ds")
    kept = users.create_session("ds")
    theirs = users.create_session("other")
    assert users.delete_session("ds", gone.id) == b""
    assert [s.id for s in users.list_sessions("ds").sessions] == [kept.id]
    assert_error(account_with(project, gone.secret), 401, "general_unauthorized_scope")
    raises(lambda: users.delete_session("ds", gone.id), 404, "user_session_not_found")
    raises(lambda: users.delete_session("ds", theirs.id), 404, "user_session_not_found")
    missing_user(lambda: users.delete_session("nobody", kept.id))


@case("delete_sessions")
def case_delete_sessions(project: Project, users: Users) -> None:
    users.create(user_id="dss")
    users.create(user_id="other")
    secrets = [users.create_session("dss").secret for _ in range(2)]
    theirs = users.create_session("other")
    assert users.delete_sessions("dss") == b""
    assert users.list_sessions("dss").total == 0
    for secret in secrets:
        assert_error(account_with(project, secret), 401, "general_unauthorized_scope")
    assert [s.id for s in users.list_sessions("other").sessions] == [theirs.id]
    missing_user(lambda: users.delete_sessions("nobody"))


@case("create_token")
def case_create_token(project: Project, users: Users) -> None:
    users.create(user_id="tk")
    token = users.create_token("tk", length=8, expire=120)
    assert (token.userid, token.phrase) == ("tk", "")
    assert re.fullmatch(r"[0-9a-f]{8}", token.secret)
    assert seconds_between(token.createdat, token.expire) == 120
    session = Account(guest_client(project)).create_session("tk", token.secret)
    assert (session.userid, session.provider, session.factors) == ("tk", "token", ["token"])
    raises(
        partial(Account(guest_client(project)).create_session, "tk", token.secret),
        401,
        "user_invalid_token",
    )
    default = users.create_token("tk")
    assert len(default.secret) == 6 and seconds_between(default.createdat, default.expire) == 900
    raises(lambda: users.create_token("tk", length=1), 400, "general_argument_invalid")
    missing_user(lambda: users.create_token("nobody"))


@case("create_jwt")
def case_create_jwt(project: Project, users: Users) -> None:
    users.create(user_id="jw")
    older = users.create_session("jw")
    newest = users.create_session("jw")
    token = users.create_jwt("jw", session_id=older.id, duration=60).jwt
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["userId"], claims["sessionId"]) == ("jw", older.id)
    assert 0 < claims["exp"] - time.time() <= 60
    assert Account(guest_client(project).set_jwt(token)).get().id == "jw"
    recent = jwt.decode(users.create_jwt("jw").jwt, options={"verify_signature": False})
    assert recent["sessionId"] == newest.id  # the default is the most recent session
    raises(lambda: users.create_jwt("jw", duration=3601), 400, "general_argument_invalid")
    missing_user(lambda: users.create_jwt("nobody"))


# Memberships ---------------------------------------------------------------------------------


@case("list_memberships")
def case_list_memberships(project: Project, users: Users) -> None:
    users.create(user_id="lm", email="lm@example.com", name="Lee")
    teams = Teams(project.client())
    for team_id, roles in (("red", ["owner"]), ("blue", ["dev", "qa"])):
        teams.create(team_id=team_id, name=team_id.title())
        teams.create_membership(team_id, roles=roles, user_id="lm")
    listed = users.list_memberships("lm")
    assert listed.total == 2
    assert [(m.teamid, m.teamname, m.roles) for m in listed.memberships] == [
        ("red", "Red", ["owner"]),
        ("blue", "Blue", ["dev", "qa"]),
    ]
    first = listed.memberships[0]
    assert (first.userid, first.username, first.useremail, first.confirm) == (
        "lm",
        "Lee",
        "lm@example.com",
        True,
    )
    devs = users.list_memberships("lm", [Query.contains("roles", ["dev"])])
    assert [m.teamid for m in devs.memberships] == ["blue"]
    assert users.list_memberships("lm", total=False).total == 0
    missing_user(lambda: users.list_memberships("nobody"))


# Identities (no API creates one yet) ---------------------------------------------------------


@case("list_identities")
def case_list_identities(_project: Project, users: Users) -> None:
    users.create(user_id="id1", email="id1@example.com")
    listed = users.list_identities([Query.equal("userId", ["id1"])])
    assert (listed.total, listed.identities) == (0, [])
    assert users.list_identities(total=False).total == 0


@case("delete_identity")
def case_delete_identity(_project: Project, users: Users) -> None:
    users.create(user_id="id2")
    raises(lambda: users.delete_identity("nothing"), 404, "user_identity_not_found")
    assert users.get("id2").id == "id2"


# MFA -----------------------------------------------------------------------------------------


@case("update_mfa")
def case_update_mfa(project: Project, users: Users) -> None:
    secret, _ = enrol(project, users, "mf")
    assert users.get("mf").mfa is False
    assert users.update_mfa("mf", True).mfa is True
    assert users.get("mf").mfa is True
    assert account_with(project, secret).json()["$id"] == "mf"  # it verified the TOTP
    fresh = users.create_session("mf").secret
    assert_error(account_with(project, fresh), 401, "user_more_factors_required")
    assert users.update_mfa("mf", False).mfa is False
    assert account_with(project, fresh).json()["$id"] == "mf"
    missing_user(lambda: users.update_mfa("nobody", True))


@case("list_mfa_factors")
def case_list_mfa_factors(project: Project, users: Users) -> None:
    users.create(user_id="plain", email="plain@example.com")
    factors = users.list_mfa_factors("plain")
    assert (factors.totp, factors.email, factors.phone) == (False, False, False)
    assert (factors.recoverycode, factors.custom) == (False, False)
    enrol(project, users, "otp")
    users.create_mfa_recovery_codes("otp")
    enrolled = users.list_mfa_factors("otp")
    assert (enrolled.totp, enrolled.email, enrolled.recoverycode) == (True, False, False)
    missing_user(lambda: users.list_mfa_factors("nobody"))


@case("delete_mfa_authenticator")
def case_delete_mfa_authenticator(project: Project, users: Users) -> None:
    enrol(project, users, "da")
    users.update_mfa("da", True)
    assert users.delete_mfa_authenticator("da", AuthenticatorType.TOTP) == b""
    assert users.list_mfa_factors("da").totp is False
    assert users.get("da").mfa is True  # the flag is left as it was
    raises(
        lambda: users.delete_mfa_authenticator("da", AuthenticatorType.TOTP),
        404,
        "user_authenticator_not_found",
    )
    missing_user(lambda: users.delete_mfa_authenticator("nobody", AuthenticatorType.TOTP))


@case("get_mfa_challenge")
def case_get_mfa_challenge(project: Project, users: Users) -> None:
    users.create(user_id="ch")
    users.create(user_id="other")
    mine = account(project, users.create_session("ch").secret)
    challenge = mine.create_mfa_challenge(AuthenticationFactor.CUSTOM)
    secret = users.get_mfa_challenge("ch", challenge.id)
    assert (secret.id, secret.userid, secret.expire) == (challenge.id, "ch", challenge.expire)
    assert re.fullmatch(r"[0-9]{6}", secret.code)
    raises(lambda: users.get_mfa_challenge("other", challenge.id), 401, "user_invalid_token")
    raises(lambda: users.get_mfa_challenge("ch", "nothing"), 401, "user_invalid_token")
    completed = mine.update_mfa_challenge(challenge.id, secret.code)
    assert completed.factors == ["server", "custom"]
    raises(lambda: users.get_mfa_challenge("ch", challenge.id), 401, "user_invalid_token")
    missing_user(lambda: users.get_mfa_challenge("nobody", challenge.id))


@case("create_mfa_recovery_codes")
def case_create_mfa_recovery_codes(project: Project, users: Users) -> None:
    users.create(user_id="rc")
    codes = users.create_mfa_recovery_codes("rc").recoverycodes
    assert len(codes) == 6 and all(re.fullmatch(r"[0-9a-f]{10}", code) for code in codes)
    assert len(set(codes)) == 6
    raises(lambda: users.create_mfa_recovery_codes("rc"), 409, "user_recovery_codes_already_exists")
    mine = account(project, users.create_session("rc").secret)
    challenge = mine.create_mfa_challenge(AuthenticationFactor.RECOVERYCODE)
    assert mine.update_mfa_challenge(challenge.id, codes[0]).factors == ["server", "recoveryCode"]
    missing_user(lambda: users.create_mfa_recovery_codes("nobody"))


@case("get_mfa_recovery_codes")
def case_get_mfa_recovery_codes(_project: Project, users: Users) -> None:
    users.create(user_id="gr")
    raises(lambda: users.get_mfa_recovery_codes("gr"), 404, "user_recovery_codes_not_found")
    codes = users.create_mfa_recovery_codes("gr").recoverycodes
    assert users.get_mfa_recovery_codes("gr").recoverycodes == codes
    missing_user(lambda: users.get_mfa_recovery_codes("nobody"))


@case("update_mfa_recovery_codes")
def case_update_mfa_recovery_codes(_project: Project, users: Users) -> None:
    users.create(user_id="ur")
    raises(lambda: users.update_mfa_recovery_codes("ur"), 404, "user_recovery_codes_not_found")
    old = users.create_mfa_recovery_codes("ur").recoverycodes
    new = users.update_mfa_recovery_codes("ur").recoverycodes
    assert len(new) == 6 and all(re.fullmatch(r"[0-9a-f]{10}", code) for code in new)
    assert set(new).isdisjoint(old)
    assert users.get_mfa_recovery_codes("ur").recoverycodes == new
    missing_user(lambda: users.update_mfa_recovery_codes("nobody"))


# Passkeys -------------------------------------------------------------------------------------
# rosterd does not serve passkeys yet: every passkey method answers 501 for now.

PASSKEY_CALLS: dict[str, Callable[[Users], Any]] = {
    "list_passkeys": lambda users: users.list_passkeys("pk"),
    "get_passkey": lambda users: users.get_passkey("pk", "key1"),
    "update_passkey": lambda users: users.update_passkey("pk", "key1", "Laptop"),
    "delete_passkey": lambda users: users.delete_passkey("pk", "key1"),
}


def passkey_case(method: str) -> Case:
    def run(_project: Project, users: Users) -> None:
        users.create(user_id="pk")
        raises(lambda: PASSKEY_CALLS[method](users), 501, "general_not_implemented")

    return run


for _method in PASSKEY_CALLS:
    CASES[_method] = passkey_case(_method)


# Targets -------------------------------------------------------------------------------------


@case("create_target")
def case_create_target(_project: Project, users: Users) -> None:
    users.create(user_id="ct")
    push = users.create_target("ct", "push1", PUSH, "token-1", name="Phone")
    assert (push.id, push.userid, push.providertype, push.identifier) == (
        "push1",
        "ct",
        "push",
        "token-1",
    )
    assert (push.name, push.providerid, push.expired) == ("Phone", None, False)
    mail = users.create_target("ct", "unique()", MessagingProviderType.EMAIL, "Mail@Example.com")
    assert re.fullmatch(r"[0-9a-f]{20}", mail.id) and mail.identifier == "mail@example.com"
    assert [t.id for t in users.get("ct").targets] == ["push1", mail.id]
    create = partial(users.create_target, "ct")
    raises(partial(create, "push1", PUSH, "x"), 409, "user_target_already_exists")
    raises(partial(create, "x", MessagingProviderType.SMS, "123"), 400, "general_invalid_phone")
    missing_user(lambda: users.create_target("nobody", "t", PUSH, "y"))


@case("list_targets")
def case_list_targets(_project: Project, users: Users) -> None:
    users.create(user_id="lt", email="lt@example.com", phone="+16175550120")
    users.create_target("lt", "push1", PUSH, "token-1")
    listed = users.list_targets("lt")
    assert listed.total == 3
    assert [(t.providertype, t.identifier) for t in listed.targets] == [
        ("email", "lt@example.com"),
        ("sms", "+16175550120"),
        ("push", "token-1"),
    ]
    pushes = users.list_targets("lt", [Query.equal("providerType", ["push"])])
    assert (pushes.total, [t.id for t in pushes.targets]) == (1, ["push1"])
    assert users.list_targets("lt", total=False).total == 0
    missing_user(lambda: users.list_targets("nobody"))


@case("get_target")
def case_get_target(_project: Project, users: Users) -> None:
    users.create(user_id="gt", email="gt@example.com")
    users.create(user_id="other")
    created = users.create_target("gt", "push1", PUSH, "token", name="Tab")
    target = users.get_target("gt", "push1")
    assert (target.id, target.userid, target.identifier, target.name) == (
        "push1",
        "gt",
        "token",
        "Tab",
    )
    assert target.createdat == created.createdat
    raises(lambda: users.get_target("other", "push1"), 404, "user_target_not_found")
    raises(lambda: users.get_target("gt", "nothing"), 404, "user_target_not_found")
    missing_user(lambda: users.get_target("nobody", "push1"))


@case("update_target")
def case_update_target(project: Project, users: Users) -> None:
    users.create(user_id="ut", email="ut@example.com")
    Messaging(project.client()).create_sendgrid_provider("mailer", "Mailer")
    email = users.list_targets("ut").targets[0]
    linked = users.update_target("ut", email.id, provider_id="mailer", name="Work")
    assert (linked.id, linked.providerid, linked.name) == (email.id, "mailer", "Work")
    users.create_target("ut", "push1", PUSH, "token-1")
    moved = users.update_target("ut", "push1", identifier="token-2")
    assert (moved.identifier, moved.expired, moved.name) == ("token-2", False, "")
    assert users.get_target("ut", "push1").identifier == "token-2"
    update = partial(users.update_target, "ut", "push1")
    raises(partial(update, provider_id="mailer"), 400, "provider_incorrect_type")
    raises(partial(update, provider_id="ghost"), 404, "provider_not_found")
    raises(lambda: users.update_target("ut", "nothing", name="x"), 404, "user_target_not_found")
    missing_user(lambda: users.update_target("nobody", "push1", name="x"))


@case("delete_target")
def case_delete_target(_project: Project, users: Users) -> None:
    users.create(user_id="dt", email="dt@example.com")
    users.create_target("dt", "push1", PUSH, "token-1")
    assert users.delete_target("dt", "push1") == b""
    raises(lambda: users.get_target("dt", "push1"), 404, "user_target_not_found")
    raises(lambda: users.delete_target("dt", "push1"), 404, "user_target_not_found")
    assert identifiers(users, "dt") == [("email", "dt@example.com")]
    missing_user(lambda: users.delete_target("nobody", "push1"))
