"""HTTP handlers for `/v1/users`: declare params and scope, call the service, shape the model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.routing import BaseRoute

from rosterd.http.endpoint import Call, Endpoint, Output, endpoint
from rosterd.http.listing import LIST_PARAMS, list_query, short_list
from rosterd.http.params import Param
from rosterd.http.routing import operation
from rosterd.passwords import StoredPassword, schemes
from rosterd.store.targets import TargetRow
from rosterd.store.users import USER_SCHEMA, UserRow
from rosterd.users import models
from rosterd.users.service import NewUser
from rosterd.validators import (
    UID,
    Assoc,
    Boolean,
    CustomId,
    Email,
    Labels,
    Number,
    Password,
    Phone,
    Text,
)

READ = ("users.read",)
WRITE = ("users.write",)
USER_ID = Param("userId", UID())


def _user(call: Call, row: UserRow, status: int = 200) -> Output:
    targets = call.services.targets.of([row])[row.sequence]
    return Output("user", models.user(row, targets), status)


def _created(created: tuple[UserRow, list[TargetRow]]) -> Output:
    return Output("user", models.user(*created), 201)


@endpoint(
    scopes=WRITE,
    params=(
        Param("userId", CustomId()),
        Param("email", Email(), optional=True),
        Param("phone", Phone(), optional=True),
        Param("password", Password(), optional=True),
        Param("name", Text(128), optional=True, default=""),
    ),
)
def create_user(call: Call) -> Output:
    new = NewUser(
        user_id=call.params["userId"],
        email=call.params["email"],
        phone=call.params["phone"],
        password=call.params["password"],
        name=call.params["name"],
    )
    users = call.services.users
    return _created(users.create(call.project_id, new, actor=call.actor))


IMPORT_PARAMS = (
    Param("userId", CustomId()),
    Param("email", Email()),
    Param("password", Password()),
)
NAME = Param("name", Text(128), optional=True, default="")
ImportHash = Callable[[dict[str, Any]], StoredPassword]


def _importer(extra: tuple[Param, ...], stored: ImportHash) -> Endpoint:
    """`POST /users/<scheme>`: create a user whose password is a hash from elsewhere."""

    def create(call: Call) -> Output:
        new = NewUser(
            user_id=call.params["userId"], email=call.params["email"], name=call.params["name"]
        )
        users = call.services.users
        return _created(users.insert(call.project_id, new, stored(call.params), actor=call.actor))

    return endpoint(scopes=WRITE, params=(*IMPORT_PARAMS, *extra, NAME))(create)


SALT = Param("passwordSalt", Text(128))
IMPORTERS: dict[str, Endpoint] = {
    "argon2": _importer((), lambda p: schemes.import_argon2(p["password"])),
    "bcrypt": _importer((), lambda p: schemes.import_bcrypt(p["password"])),
    "md5": _importer((), lambda p: schemes.import_md5(p["password"])),
    "phpass": _importer((), lambda p: schemes.import_phpass(p["password"])),
    "sha": _importer(
        (Param("passwordVersion", Text(32), optional=True, default=""),),
        lambda p: schemes.import_sha(p["password"], p["passwordVersion"]),
    ),
    "scrypt": _importer(
        (
            SALT,
            Param("passwordCpu", Number()),
            Param("passwordMemory", Number()),
            Param("passwordParallel", Number()),
            Param("passwordLength", Number()),
        ),
        lambda p: schemes.import_scrypt(
            p["password"],
            p["passwordSalt"],
            p["passwordCpu"],
            p["passwordMemory"],
            p["passwordParallel"],
            p["passwordLength"],
        ),
    ),
    "scrypt-modified": _importer(
        (SALT, Param("passwordSaltSeparator", Text(128)), Param("passwordSignerKey", Text(128))),
        lambda p: schemes.import_scrypt_modified(
            p["password"], p["passwordSalt"], p["passwordSaltSeparator"], p["passwordSignerKey"]
        ),
    ),
}


@endpoint(scopes=READ, params=LIST_PARAMS, short_read=short_list)
def list_users(call: Call) -> Output:
    query = list_query(call, USER_SCHEMA)
    page = call.services.users.list(
        call.project_id, query, call.params["search"], call.params["total"]
    )
    targets = call.services.targets.of(page.users)
    return Output("userList", models.user_list(page.users, targets, page.total))


@endpoint(scopes=READ, params=(USER_ID,), point_read=True)
def get_user(call: Call) -> Output:
    row, held = call.services.users.get_with_targets(call.project_id, call.params["userId"])
    return Output("user", models.user(row, held))


@endpoint(scopes=WRITE, params=(USER_ID,))
def delete_user(call: Call) -> None:
    call.services.users.delete(call.project_id, call.params["userId"], actor=call.actor)


def _setter(field: str, param: Param) -> Endpoint:
    """An endpoint that sets one stored field from one parameter and returns the user."""

    def update(call: Call) -> Output:
        value = call.params[param.name]
        users = call.services.users
        row = users.update(
            call.project_id, call.params["userId"], actor=call.actor, **{field: value}
        )
        return _user(call, row)

    update.__name__ = f"update_{field}"
    return endpoint(scopes=WRITE, params=(USER_ID, param))(update)


@endpoint(scopes=WRITE, params=(USER_ID, Param("password", Password(allow_empty=True))))
def update_password(call: Call) -> Output:
    settings = call.services.projects.auth_settings(call.project_id)
    row = call.services.users.update_password(
        call.project_id,
        call.params["userId"],
        call.params["password"],
        actor=call.actor,
        end_sessions=settings.invalidate_sessions,
    )
    return _user(call, row)


@endpoint(scopes=WRITE, params=(USER_ID, Param("email", Email(allow_empty=True))))
def update_email(call: Call) -> Output:
    users = call.services.users
    return _user(
        call,
        users.update_email(
            call.project_id, call.params["userId"], call.params["email"], actor=call.actor
        ),
    )


@endpoint(scopes=WRITE, params=(USER_ID, Param("number", Phone(allow_empty=True))))
def update_phone(call: Call) -> Output:
    users = call.services.users
    return _user(
        call,
        users.update_phone(
            call.project_id, call.params["userId"], call.params["number"], actor=call.actor
        ),
    )


@endpoint(scopes=READ, params=(USER_ID,), point_read=True)
def get_prefs(call: Call) -> Output:
    row = call.services.users.get(call.project_id, call.params["userId"])
    return Output("preferences", dict(row.prefs))


@endpoint(scopes=WRITE, params=(USER_ID, Param("prefs", Assoc())))
def update_prefs(call: Call) -> Output:
    users = call.services.users
    row = users.update(
        call.project_id, call.params["userId"], actor=call.actor, prefs=call.params["prefs"]
    )
    return Output("preferences", dict(row.prefs))


#: The SDK method of each import route.
IMPORT_METHODS = {
    "argon2": "createArgon2User",
    "bcrypt": "createBcryptUser",
    "md5": "createMD5User",
    "phpass": "createPHPassUser",
    "sha": "createSHAUser",
    "scrypt": "createScryptUser",
    "scrypt-modified": "createScryptModifiedUser",
}

ROUTES: list[BaseRoute] = [
    operation("POST", "/users", create_user, "users.create", "user"),
    operation("GET", "/users", list_users, "users.list", "userList"),
    *(
        operation("POST", f"/users/{scheme}", create, f"users.{IMPORT_METHODS[scheme]}", "user")
        for scheme, create in IMPORTERS.items()
    ),
    operation("GET", "/users/{userId}", get_user, "users.get", "user"),
    operation("DELETE", "/users/{userId}", delete_user, "users.delete", "none"),
    operation(
        "PATCH",
        "/users/{userId}/status",
        _setter("status", Param("status", Boolean(loose=True))),
        "users.updateStatus",
        "user",
    ),
    operation(
        "PUT",
        "/users/{userId}/labels",
        _setter("labels", Param("labels", Labels())),
        "users.updateLabels",
        "user",
    ),
    operation(
        "PATCH",
        "/users/{userId}/impersonator",
        _setter("impersonator", Param("impersonator", Boolean(loose=True))),
        "users.updateImpersonator",
        "user",
    ),
    operation(
        "PATCH",
        "/users/{userId}/name",
        _setter("name", Param("name", Text(128, minimum=0))),
        "users.updateName",
        "user",
    ),
    operation("PATCH", "/users/{userId}/password", update_password, "users.updatePassword", "user"),
    operation("PATCH", "/users/{userId}/email", update_email, "users.updateEmail", "user"),
    operation("PATCH", "/users/{userId}/phone", update_phone, "users.updatePhone", "user"),
    operation(
        "PATCH",
        "/users/{userId}/verification",
        _setter("email_verification", Param("emailVerification", Boolean())),
        "users.updateEmailVerification",
        "user",
    ),
    operation(
        "PATCH",
        "/users/{userId}/verification/phone",
        _setter("phone_verification", Param("phoneVerification", Boolean())),
        "users.updatePhoneVerification",
        "user",
    ),
    operation("GET", "/users/{userId}/prefs", get_prefs, "users.getPrefs", "preferences"),
    operation("PATCH", "/users/{userId}/prefs", update_prefs, "users.updatePrefs", "preferences"),
]
