"""GraphQL and REST agree on every Users operation.

The operations are read from the application's route table when this module is
collected: each SDK name of each `users` operation is one GraphQL field, and each field
has a case below, so a new Users route without one fails ("no GraphQL agreement case
for <field>"). A case sets up the same state in two fresh projects and runs the
operation over REST in one and over GraphQL in the other, selecting every field of its
type (found by introspection). The answers must agree field by field once generated ids,
secrets and times are normalised; so must an error answer, and what the operation left
behind (the user and their activity log, or the deleted resource being gone).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
from appwrite.enums.authentication_factor import AuthenticationFactor
from appwrite.enums.messaging_provider_type import MessagingProviderType
from appwrite.query import Query
from appwrite.services.teams import Teams
from appwrite.services.users import Users
from graphql import graphql_sync

from rosterd.app import create_app
from rosterd.http.routing import Operation, operations
from rosterd.identities.service import NewIdentity
from rosterd.settings import Settings
from tests.conftest import Project, new_project
from tests.test_identities import link
from tests.test_imports import BAD_IMPORTS, VECTORS
from tests.test_mfa import account, enrol
from tests.test_signin import PASSWORD
from tests.test_users_sdk import WIRE_TIME

Arguments = dict[str, Any]


def _users_operations() -> dict[str, Operation]:
    """Each GraphQL field of a `users` operation (one per SDK name), in route order."""
    app = create_app(Settings(database_url="sqlite://"))
    try:
        return {
            op.namespace + name[:1].upper() + name[1:]: op
            for op in operations(app.routes)
            if op.namespace == "users"
            for name in op.names
        }
    finally:
        app.state.services.database.dispose()


OPERATIONS = _users_operations()


# Introspection: the field, its arguments' types and a selection of every field -------------

INTROSPECTION = """
query Shapes { __schema {
  queryType { name } mutationType { name }
  types { kind name possibleTypes { name }
    fields { name type { ...Ref } args { name type { ...Ref } } } } } }
fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
"""

_SCHEMAS: dict[str, dict[str, Any]] = {}


def introspected(project: Project) -> dict[str, Any]:
    """The server's schema (`__schema`), read once per server. In-process: the full
    introspection query is deeper than the server's depth limit lets a client ask."""
    url = project.server.url
    if url not in _SCHEMAS:
        services = project.server.services
        schema = create_app(services.settings, services).state.graphql.schema
        answer = graphql_sync(schema, INTROSPECTION)
        assert answer.errors is None and answer.data is not None, answer.errors
        _SCHEMAS[url] = answer.data["__schema"]
    return _SCHEMAS[url]


def type_text(ref: dict[str, Any]) -> str:
    """A type reference as a variable declares it: `String!`, `[String!]!`."""
    if ref["kind"] == "NON_NULL":
        return type_text(ref["ofType"]) + "!"
    if ref["kind"] == "LIST":
        return "[" + type_text(ref["ofType"]) + "]"
    return str(ref["name"])


def named(ref: dict[str, Any]) -> str:
    while ref["name"] is None:
        ref = ref["ofType"]
    return str(ref["name"])


def selection(types: dict[str, Any], name: str) -> str:
    """Every field of an object type, nested types included; a union's every member."""
    described = types[name]
    if described["kind"] == "UNION":
        members = [member["name"] for member in described["possibleTypes"]]
        parts = [f"... on {member} {selection(types, member)}" for member in members]
    else:
        parts = [f["name"] + _nested(types, f["type"]) for f in described["fields"]]
    return "{ " + " ".join(parts) + " }"


def _nested(types: dict[str, Any], ref: dict[str, Any]) -> str:
    name = named(ref)
    return " " + selection(types, name) if types[name]["kind"] in ("OBJECT", "UNION") else ""


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # "query" or "mutation"
    arguments: dict[str, str]  # name: type as a variable declares it
    selection: str

    def document(self, arguments: Arguments) -> str:
        unknown = sorted(set(arguments) - set(self.arguments))
        assert not unknown, f"{self.name} has no GraphQL arguments {unknown}"
        declared = ", ".join(f"${name}: {self.arguments[name]}" for name in arguments)
        passed = ", ".join(f"{name}: ${name}" for name in arguments)
        head = f"{self.kind}({declared})" if arguments else self.kind
        call = f"{self.name}({passed})" if arguments else self.name
        return f"{head} {{ {call} {self.selection} }}"


def graphql_field(project: Project, name: str, op: Operation) -> Field:
    schema = introspected(project)
    kind = "query" if op.http_method == "GET" else "mutation"
    root = (schema[f"{kind}Type"] or {}).get("name")
    types = {described["name"]: described for described in schema["types"]}
    found = {f["name"]: f for f in (types[root]["fields"] if root else [])}
    if name not in found:
        pytest.fail(f"{name} ({op.http_method} {op.path}) is not a field of GraphQL {root}")
    arguments = {arg["name"]: type_text(arg["type"]) for arg in found[name]["args"]}
    return Field(name, kind, arguments, selection(types, named(found[name]["type"])))


# Calling both ways ---------------------------------------------------------------------------


def query_string(arguments: Arguments) -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in arguments.items():
        if isinstance(value, list):
            flat.update({f"{name}[{index}]": str(item) for index, item in enumerate(value)})
        elif isinstance(value, bool):
            flat[name] = "true" if value else "false"
        else:
            flat[name] = str(value)
    return flat


def call_rest(client: httpx.Client, op: Operation, arguments: Arguments) -> httpx.Response:
    """Path parameters in the path, the others in the query string (GET) or the body."""
    path, rest = op.path, dict(arguments)
    for name in re.findall(r"\{(\w+)\}", op.path):
        path = path.replace("{" + name + "}", str(rest.pop(name)))
    if op.http_method == "GET":
        return client.get(path, params=query_string(rest))
    return client.request(op.http_method, path, json=rest or None)


def call_graphql(client: httpx.Client, field: Field, arguments: Arguments) -> httpx.Response:
    body = {"query": field.document(arguments), "variables": arguments}
    return client.post("/graphql", json=body)


# Comparing -----------------------------------------------------------------------------------

GENERATED_ID = re.compile(r"[0-9a-f]{20}")
#: Values made afresh in each project (any non-empty one stands for all).
VOLATILE = frozenset({"secret", "password", "jwt", "code", "recoveryCodes", "ip"})


def rest_shape(value: Any) -> Any:
    """A GraphQL value as REST writes it: `_id` is `$id`, an "any" model is its object."""
    if isinstance(value, list):
        return [rest_shape(item) for item in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"data"} and isinstance(value["data"], str):
        return json.loads(value["data"])  # `prefs { data }`: the object as JSON text
    return {("$" + key[1:] if key[:1] == "_" else key): rest_shape(v) for key, v in value.items()}


def normal(value: Any, project: str, key: str = "") -> Any:
    """Generated ids, secrets, times and the project's id (in an actor's email) masked."""
    if isinstance(value, list):
        return [normal(item, project, key) for item in value]
    if isinstance(value, dict):
        return {inner: normal(item, project, inner) for inner, item in value.items()}
    if not isinstance(value, str) or not value:
        return value
    if key in VOLATILE:
        return f"<{key}>"
    if WIRE_TIME.match(value):
        return "<time>"
    return "<id>" if GENERATED_ID.fullmatch(value) else value.replace(project, "<project>")


def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", lambda match: "_" + match.group(1).lower(), name)


def hash_options_differences(ours: dict[str, Any], theirs: dict[str, Any], at: str) -> list[str]:
    """Each member field equals the REST option (which rosterd writes in snake_case for
    argon2: `memoryCost` is `memory_cost`); REST has no option the member lacks."""
    found, seen = [], set()
    for key, value in ours.items():
        rest_key = key if key in theirs else _snake(key)
        seen.add(rest_key)
        if theirs.get(rest_key, "<absent>") != value:
            found.append(
                f"{at}.{key}: GraphQL {value!r}, REST {theirs.get(rest_key, '<absent>')!r}"
            )
    unseen = sorted(set(theirs) - seen)
    return [*found, *([f"{at}: REST options {unseen} not in GraphQL"] if unseen else [])]


def differences(ours: Any, theirs: Any, at: str = "") -> list[str]:
    """Where a (REST-shaped) GraphQL value and the REST value differ."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        if at.endswith("hashOptions"):
            return hash_options_differences(ours, theirs, at)
        return [
            found
            for key in [*theirs, *(key for key in ours if key not in theirs)]
            for found in differences(
                ours.get(key, "<absent>"), theirs.get(key, "<absent>"), f"{at}.{key}"
            )
        ]
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        pairs = enumerate(zip(ours, theirs, strict=True))
        return [found for n, (a, b) in pairs for found in differences(a, b, f"{at}[{n}]")]
    return [] if ours == theirs else [f"{at or '.'}: GraphQL {ours!r}, REST {theirs!r}"]


@dataclass(frozen=True)
class Side:
    """One of the two projects: its id, a client with its key, the operation's arguments."""

    project: str
    client: httpx.Client
    arguments: Arguments

    def normal(self, value: Any) -> Any:
        return normal(value, self.project)


def assert_same_answer(
    field: Field, op: Operation, rest: tuple[Side, httpx.Response], gql: tuple[Side, httpx.Response]
) -> None:
    (rest_side, rest_answer), (gql_side, gql_answer) = rest, gql
    assert rest_answer.is_success, rest_answer.text
    if op.model == "none":
        assert (rest_answer.status_code, rest_answer.content) == (204, b"")
        assert (gql_answer.status_code, gql_answer.content) == (204, b""), gql_answer.text
        return
    assert gql_answer.status_code == 200, gql_answer.text
    body = gql_answer.json()
    assert "errors" not in body, body
    ours = gql_side.normal(rest_shape(body["data"][field.name]))
    found = differences(ours, rest_side.normal(rest_answer.json()))
    assert not found, "\n".join(found)


def assert_same_error(field: Field, rest: httpx.Response, gql: httpx.Response) -> None:
    assert rest.status_code >= 400, rest.text
    expected = rest.json()
    assert gql.status_code == 200, gql.text
    body = gql.json()
    assert body.get("data") == {field.name: None}, body
    first = body["errors"][0]
    extensions = first.get("extensions", {})
    assert (first["message"], extensions.get("type"), extensions.get("code")) == (
        expected["message"],
        expected["type"],
        expected["code"],
    ), body


def assert_same_state(rest: Side, gql: Side, user_id: str) -> None:
    """The user, and their activity log, as REST reads them after the operation."""
    for path in (f"/users/{user_id}", f"/users/{user_id}/logs"):
        ours, theirs = gql.client.get(path), rest.client.get(path)
        assert ours.status_code == theirs.status_code, (path, ours.text, theirs.text)
        found = differences(gql.normal(ours.json()), rest.normal(theirs.json()), path)
        assert not found, "\n".join(found)


# Cases ---------------------------------------------------------------------------------------

#: Sets up a project's state; answers the arguments that depend on it.
Setup = Callable[[Project, Users], Arguments]
Gone = Callable[[httpx.Client, Arguments], bool]


@dataclass(frozen=True)
class Case:
    """How to set up and call an operation; the arguments of a call that fails (made from
    the working call's); for a delete, whether its resource is gone."""

    setup: Setup
    failing: Callable[[Arguments], Arguments] | None = None
    gone: Gone | None = None


def setup(prepare: Setup, **fixed: Any) -> Setup:
    def run(project: Project, users: Users) -> Arguments:
        return {**fixed, **prepare(project, users)}

    return run


def replaced(**changes: Any) -> Callable[[Arguments], Arguments]:
    return lambda arguments: {**arguments, **changes}


UNKNOWN_USER = replaced(userId="nobody")
PREFS = {"theme": "dark", "path": "a/b", "accent": "ü", "sizes": [1, 2.5], "deep": {"on": True}}
PUSH = MessagingProviderType.PUSH


def nothing(_project: Project, _users: Users) -> Arguments:
    return {}


def ann(_project: Project, users: Users) -> Arguments:
    """A user with every kind of detail: email, phone, password, labels, prefs, targets."""
    users.create(
        user_id="ann", email="Ann@Example.com", phone="+16175551212", password=PASSWORD, name="Ann"
    )
    users.update_labels("ann", ["vip", "beta"])
    users.update_prefs("ann", PREFS)
    users.create_target("ann", "push1", PUSH, "device-token", name="Phone")
    return {"userId": "ann"}


def crowd(project: Project, users: Users) -> Arguments:
    ann(project, users)
    users.create(user_id="bob", email="bob@example.com", name="Bob")
    users.update_status("bob", False)
    users.create(user_id="cy", phone="+16175550103")
    return {}


def enrolled(project: Project, users: Users) -> Arguments:
    enrol(project, users, "ann")
    return {"userId": "ann"}


def with_codes(project: Project, users: Users) -> Arguments:
    ann(project, users)
    users.create_mfa_recovery_codes("ann")
    return {"userId": "ann"}


def challenged(project: Project, users: Users) -> Arguments:
    ann(project, users)
    mine = account(project, users.create_session("ann").secret)
    challenge = mine.create_mfa_challenge(AuthenticationFactor.CUSTOM)
    return {"userId": "ann", "challengeId": challenge.id}


def with_sessions(project: Project, users: Users) -> Arguments:
    ann(project, users)
    users.create_session("ann")
    return {"userId": "ann", "sessionId": users.create_session("ann").id}


def sessions_only(project: Project, users: Users) -> Arguments:
    return {"userId": with_sessions(project, users)["userId"]}


def linked(project: Project, users: Users) -> Arguments:
    ann(project, users)
    expiry = datetime(2030, 1, 2, 3, 4, 5, 678000)
    github = NewIdentity("github", "101", "Ann@Example.com", "tok", expiry, "ref", "ann-gh")
    link(project, "ann", github)
    link(project, "ann", NewIdentity("google", "g-7", "ann@gmail.example", identity_id="ann-go"))
    return {}


def member(project: Project, users: Users) -> Arguments:
    ann(project, users)
    teams = Teams(project.client())
    for team_id, roles in (("red", ["owner"]), ("blue", ["dev", "qa"])):
        teams.create(team_id=team_id, name=team_id.title())
        teams.create_membership(team_id, roles=roles, user_id="ann")
    return {"userId": "ann"}


def missing(template: str) -> Gone:
    return lambda client, arguments: client.get(template.format(**arguments)).status_code == 404


def not_listed(template: str, key: str, id_argument: str) -> Gone:
    def gone(client: httpx.Client, arguments: Arguments) -> bool:
        listed = client.get(template.format(**arguments)).raise_for_status().json()[key]
        return arguments[id_argument] not in [item["$id"] for item in listed]

    return gone


def no_sessions(client: httpx.Client, arguments: Arguments) -> bool:
    total: int = client.get(f"/users/{arguments['userId']}/sessions").json()["total"]
    return total == 0


def no_totp(client: httpx.Client, arguments: Arguments) -> bool:
    return client.get(f"/users/{arguments['userId']}/mfa/factors").json()["totp"] is False


#: field: (SDK importer of tests/test_imports.py, REST path's last segment)
IMPORTERS = {
    "usersCreateArgon2User": ("create_argon2_user", "argon2"),
    "usersCreateBcryptUser": ("create_bcrypt_user", "bcrypt"),
    "usersCreateMD5User": ("create_md5_user", "md5"),
    "usersCreatePHPassUser": ("create_ph_pass_user", "phpass"),
    "usersCreateSHAUser": ("create_sha_user", "sha"),
    "usersCreateScryptUser": ("create_scrypt_user", "scrypt"),
    "usersCreateScryptModifiedUser": ("create_scrypt_modified_user", "scrypt-modified"),
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def import_case(importer: str, scheme: str) -> Case:
    vector = next(vector for vector in VECTORS if vector.importer == importer)
    extra = {_camel(k): getattr(v, "value", v) for k, v in vector.arguments.items()}
    bad = next(
        dict(body) for name, body, _ in BAD_IMPORTS if name == scheme and isinstance(body, dict)
    )
    imported = setup(
        nothing, userId="imp", email="Imp@Example.com", password=vector.stored, name="Imp", **extra
    )
    return Case(imported, failing=lambda _arguments: bad)


def _limit(count: int) -> list[str]:
    return [Query.limit(count)]


CASES: dict[str, Case] = {
    "usersCreate": Case(
        setup(nothing, userId="ann", email="A@x.io", phone="+16175550100", password=PASSWORD),
        failing=replaced(userId="-bad"),
    ),
    "usersList": Case(
        setup(crowd, queries=_limit(3)),
        failing=replaced(queries=[Query.cursor_after("ghost"), Query.limit(3)]),
    ),
    "usersGet": Case(setup(ann), UNKNOWN_USER),
    "usersDelete": Case(setup(ann), UNKNOWN_USER, missing("/users/{userId}")),
    "usersUpdateStatus": Case(setup(ann, status=False), UNKNOWN_USER),
    "usersUpdateLabels": Case(setup(ann, labels=["gold", "vip", "gold"]), UNKNOWN_USER),
    "usersUpdateImpersonator": Case(setup(ann, impersonator=True), UNKNOWN_USER),
    "usersUpdateName": Case(setup(ann, name="Zebedee"), UNKNOWN_USER),
    "usersUpdatePassword": Case(setup(ann, password="a brand new password"), UNKNOWN_USER),
    "usersUpdateEmail": Case(setup(ann, email="New@Gmail.com"), UNKNOWN_USER),
    "usersUpdatePhone": Case(setup(ann, number="+16175550101"), UNKNOWN_USER),
    "usersUpdateEmailVerification": Case(setup(ann, emailVerification=True), UNKNOWN_USER),
    "usersUpdatePhoneVerification": Case(setup(ann, phoneVerification=True), UNKNOWN_USER),
    "usersGetPrefs": Case(setup(ann), UNKNOWN_USER),
    "usersUpdatePrefs": Case(setup(ann, prefs={"only": "this", "url": "x/y"}), UNKNOWN_USER),
    "usersCreateSession": Case(setup(ann), UNKNOWN_USER),
    "usersListSessions": Case(setup(sessions_only), UNKNOWN_USER),
    "usersDeleteSessions": Case(setup(sessions_only), UNKNOWN_USER, no_sessions),
    "usersDeleteSession": Case(
        setup(with_sessions),
        UNKNOWN_USER,
        not_listed("/users/{userId}/sessions", "sessions", "sessionId"),
    ),
    "usersCreateToken": Case(setup(ann, length=8, expire=120), UNKNOWN_USER),
    "usersCreateJWT": Case(setup(with_sessions, duration=60), UNKNOWN_USER),
    "usersListLogs": Case(setup(sessions_only, queries=_limit(5)), UNKNOWN_USER),
    "usersListMemberships": Case(setup(member, queries=_limit(5)), UNKNOWN_USER),
    "usersCreateTarget": Case(
        setup(ann, targetId="push2", providerType="push", identifier="token-2", name="Tab"),
        UNKNOWN_USER,
    ),
    "usersListTargets": Case(setup(ann, queries=_limit(5)), UNKNOWN_USER),
    "usersGetTarget": Case(setup(ann, targetId="push1"), UNKNOWN_USER),
    "usersUpdateTarget": Case(
        setup(ann, targetId="push1", identifier="token-9", name="Tablet"), UNKNOWN_USER
    ),
    "usersDeleteTarget": Case(
        setup(ann, targetId="push1"), UNKNOWN_USER, missing("/users/{userId}/targets/{targetId}")
    ),
    "usersListIdentities": Case(
        setup(linked, queries=_limit(5)),
        replaced(queries=[Query.cursor_after("ghost"), Query.limit(3)]),
    ),
    "usersDeleteIdentity": Case(
        setup(linked, identityId="ann-gh"),
        replaced(identityId="nothing"),
        not_listed("/users/identities", "identities", "identityId"),
    ),
    "usersUpdateMfa": Case(setup(enrolled, mfa=True), UNKNOWN_USER),
    "usersListMfaFactors": Case(setup(enrolled), UNKNOWN_USER),
    "usersDeleteMfaAuthenticator": Case(setup(enrolled, type="totp"), UNKNOWN_USER, no_totp),
    "usersCreateMfaRecoveryCodes": Case(setup(ann), UNKNOWN_USER),
    "usersGetMfaRecoveryCodes": Case(setup(with_codes), UNKNOWN_USER),
    "usersUpdateMfaRecoveryCodes": Case(setup(with_codes), UNKNOWN_USER),
    "usersGetMFAChallenge": Case(setup(challenged), UNKNOWN_USER),
    **{field: import_case(*importer) for field, importer in IMPORTERS.items()},
}

#: The deprecated spellings the SDKs still have: the same operation, the same case.
for _name in (
    "UpdateMfa",
    "ListMfaFactors",
    "DeleteMfaAuthenticator",
    "CreateMfaRecoveryCodes",
    "GetMfaRecoveryCodes",
    "UpdateMfaRecoveryCodes",
):
    CASES["users" + _name.replace("Mfa", "MFA")] = CASES["users" + _name]


# The tests -----------------------------------------------------------------------------------


def check_failure(case: Case, field: Field, op: Operation, rest: Side, gql: Side) -> None:
    if case.failing is not None:
        failed = call_rest(rest.client, op, case.failing(rest.arguments))
        answered = call_graphql(gql.client, field, case.failing(gql.arguments))
        assert_same_error(field, failed, answered)


def check_after(case: Case, op: Operation, rest: Side, gql: Side) -> None:
    if case.gone is not None:
        assert case.gone(rest.client, rest.arguments), f"REST {op.path} left it behind"
        assert case.gone(gql.client, gql.arguments), f"GraphQL {op.path} left it behind"
    if op.http_method != "GET" and "userId" in rest.arguments:
        assert_same_state(rest, gql, rest.arguments["userId"])


@pytest.mark.parametrize("name", list(OPERATIONS))
def test_graphql_agrees_with_rest(name: str, project: Project) -> None:
    case = CASES.get(name)
    if case is None:
        pytest.fail(f"no GraphQL agreement case for {name}")
    op = OPERATIONS[name]
    other = new_project(project.server)
    field = graphql_field(other, name, op)
    rest_arguments = case.setup(project, Users(project.client()))
    gql_arguments = case.setup(other, Users(other.client()))
    with project.http() as rest_client, other.http() as gql_client:
        rest = Side(project.id, rest_client, rest_arguments)
        gql = Side(other.id, gql_client, gql_arguments)
        answered = call_rest(rest.client, op, rest.arguments)
        assert_same_answer(
            field, op, (rest, answered), (gql, call_graphql(gql.client, field, gql.arguments))
        )
        check_after(case, op, rest, gql)
        check_failure(case, field, op, rest, gql)


def test_every_case_names_a_users_operation() -> None:
    assert OPERATIONS, "no users operations in the route table"
    stale = sorted(set(CASES) - set(OPERATIONS))
    assert not stale, f"cases for fields no users route has: {stale}"
