"""Every Users endpoint of issue 2 through the official `appwrite` Python SDK."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from appwrite.exception import AppwriteException
from appwrite.id import ID
from appwrite.query import Query
from appwrite.services.users import Users

from tests.conftest import Project

WIRE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$")


def raises(call: Callable[[], Any], code: int, error_type: str) -> AppwriteException:
    with pytest.raises(AppwriteException) as caught:
        call()
    assert (caught.value.code, caught.value.type) == (code, error_type), caught.value.response
    return caught.value


def test_create_returns_every_field(users: Users) -> None:
    user = users.create(
        user_id="ann",
        email="Ann@Example.com",
        phone="+16175551212",
        password="correct horse",
        name="Ann",
    )
    assert (user.id, user.name, user.email, user.phone) == (
        "ann",
        "Ann",
        "ann@example.com",
        "+16175551212",
    )
    assert user.status is True
    assert user.labels == []
    assert (user.emailverification, user.phoneverification, user.mfa) == (False, False, False)
    assert user.prefs.data == {}
    assert [(t.providertype, t.identifier, t.userid) for t in user.targets] == [
        ("email", "ann@example.com", "ann"),
        ("sms", "+16175551212", "ann"),
    ]
    assert all(t.providerid is None and t.expired is False and t.name == "" for t in user.targets)
    assert user.accessedat == ""
    assert user.impersonator is False
    assert user.hash == "argon2"
    assert user.password is not None and user.password.startswith("$argon2id$")
    for moment in (user.createdat, user.updatedat, user.registration, user.passwordupdate):
        assert WIRE_TIME.match(moment), moment
    assert user.emailcanonical == "ann@example.com"
    assert (user.emailisfree, user.emailisdisposable, user.emailiscorporate) == (
        False,
        False,
        True,
    )


def test_create_with_unique_id_and_no_credentials(users: Users) -> None:
    user = users.create(user_id=ID.unique())
    assert re.fullmatch(r"[0-9a-f]{20}", user.id)
    assert (user.email, user.phone, user.name, user.password) == ("", "", "", None)
    assert user.passwordupdate == ""
    assert user.emailcanonical is None
    assert users.create(user_id="unique()").id != user.id


def test_duplicates_conflict_on_create(users: Users) -> None:
    users.create(user_id="dup", email="dup@example.com", phone="+16175550001")
    raises(lambda: users.create(user_id="dup"), 409, "user_already_exists")
    raises(lambda: users.create(user_id="x1", email="DUP@example.com"), 409, "user_already_exists")
    raises(lambda: users.create(user_id="x2", phone="+16175550001"), 409, "user_already_exists")
    assert users.list().total == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"user_id": "-bad"}, "Invalid `userId` param"),
        ({"user_id": "a" * 37}, "Invalid `userId` param"),
        ({"user_id": "ok", "email": "not-an-email"}, "Invalid `email` param"),
        ({"user_id": "ok", "phone": "6175551212"}, "Invalid `phone` param"),
        ({"user_id": "ok", "phone": "+1234567890123456"}, "Invalid `phone` param"),
        ({"user_id": "ok", "password": "short"}, "Invalid `password` param"),
        ({"user_id": "ok", "password": "x" * 257}, "Invalid `password` param"),
        ({"user_id": "ok", "name": "n" * 129}, "Invalid `name` param"),
        ({"user_id": "ok", "name": ""}, "Invalid `name` param"),
    ],
)
def test_create_rejects_bad_input(users: Users, arguments: dict[str, Any], message: str) -> None:
    error = raises(lambda: users.create(**arguments), 400, "general_argument_invalid")
    assert error.message.startswith(message)
    assert users.list().total == 0


def test_get_and_missing_user(users: Users) -> None:
    users.create(user_id="bob", name="Bob")
    assert users.get("bob").name == "Bob"
    error = raises(lambda: users.get("nobody"), 404, "user_not_found")
    assert error.message == "User with the requested ID could not be found."


def test_delete(users: Users) -> None:
    users.create(user_id="gone", email="gone@example.com")
    assert users.delete("gone") == b""
    raises(lambda: users.get("gone"), 404, "user_not_found")
    raises(lambda: users.delete("gone"), 404, "user_not_found")
    assert users.create(user_id="gone", email="gone@example.com").id == "gone"


def test_status(users: Users) -> None:
    users.create(user_id="s")
    assert users.update_status("s", False).status is False
    assert users.get("s").status is False
    assert users.update_status("s", True).status is True


def test_labels_replace_and_deduplicate(users: Users) -> None:
    users.create(user_id="l")
    assert users.update_labels("l", ["vip", "beta", "vip"]).labels == ["vip", "beta"]
    assert users.update_labels("l", ["gold"]).labels == ["gold"]
    assert users.update_labels("l", []).labels == []
    raises(lambda: users.update_labels("l", ["no-dash"]), 400, "general_argument_invalid")
    raises(lambda: users.update_labels("l", ["x" * 37]), 400, "general_argument_invalid")
    raises(lambda: users.update_labels("l", ["ok"] * 1001), 400, "general_argument_invalid")
    raises(lambda: users.update_labels("missing", ["a"]), 404, "user_not_found")


def test_impersonator(users: Users) -> None:
    users.create(user_id="i")
    assert users.update_impersonator("i", True).impersonator is True
    assert users.get("i").impersonator is True


def test_name(users: Users) -> None:
    users.create(user_id="n", name="Old")
    assert users.update_name("n", "New").name == "New"
    assert users.update_name("n", "").name == ""
    raises(lambda: users.update_name("n", "x" * 129), 400, "general_argument_invalid")


def test_password(users: Users) -> None:
    users.create(user_id="p")
    user = users.update_password("p", "a new password")
    assert user.password is not None and user.password.startswith("$argon2id$")
    assert WIRE_TIME.match(user.passwordupdate)
    cleared = users.update_password("p", "")
    assert cleared.password == ""
    raises(lambda: users.update_password("p", "short"), 400, "general_argument_invalid")


def test_email(users: Users) -> None:
    users.create(user_id="e", email="old@example.com")
    users.update_email_verification("e", True)
    user = users.update_email("e", "New@Gmail.com")
    assert (user.email, user.emailverification) == ("new@gmail.com", False)
    assert (user.emailisfree, user.emailiscorporate) == (True, False)
    raises(lambda: users.update_email("e", "new@gmail.com"), 409, "user_target_already_exists")
    users.create(user_id="other", email="taken@example.com")
    raises(lambda: users.update_email("e", "taken@example.com"), 409, "user_email_already_exists")
    raises(lambda: users.update_email("e", "nope"), 400, "general_argument_invalid")
    cleared = users.update_email("e", "")
    assert (cleared.email, cleared.emailcanonical) == ("", None)
    users.update_email("other", "")  # a second empty email does not collide


def test_phone(users: Users) -> None:
    users.create(user_id="ph", phone="+16175550100")
    users.update_phone_verification("ph", True)
    user = users.update_phone("ph", "+16175550101")
    assert (user.phone, user.phoneverification) == ("+16175550101", False)
    users.create(user_id="other", phone="+16175550102")
    raises(lambda: users.update_phone("ph", "+16175550102"), 409, "user_phone_already_exists")
    raises(lambda: users.update_phone("ph", "+16175550101"), 409, "user_target_already_exists")
    assert users.update_phone("ph", "").phone == ""
    assert users.update_phone("other", "").phone == ""


def test_verification_flags(users: Users) -> None:
    users.create(user_id="v")
    assert users.update_email_verification("v", True).emailverification is True
    assert users.update_phone_verification("v", True).phoneverification is True
    assert users.update_email_verification("v", False).emailverification is False


def test_prefs_replace(users: Users) -> None:
    users.create(user_id="pr")
    assert users.get_prefs("pr").data == {}
    prefs = {"theme": "dark", "n": 1, "nested": {"a": [1, 2]}}
    assert users.update_prefs("pr", prefs).data == prefs
    assert users.update_prefs("pr", {"only": True}).data == {"only": True}
    assert users.get("pr").prefs.data == {"only": True}
    assert users.update_prefs("pr", {}).data == {}
    big = {"blob": "x" * 65536}
    raises(lambda: users.update_prefs("pr", big), 400, "general_argument_invalid")
    raises(lambda: users.get_prefs("missing"), 404, "user_not_found")


def test_list_filters_and_search(users: Users) -> None:
    users.create(user_id="cr7", email="cristiano.ronaldo@manchester.united.co.uk", name="Ronaldo")
    users.create(user_id="lm10", email="lionel@example.com", name="Lionel Messi")
    users.create(user_id="nj", email="neymar@example.com", name="Neymar", phone="+910000000000")
    users.update_labels("lm10", ["vip", "goat"])
    users.update_status("nj", False)

    def ids_of(queries: list[str] | None = None, search: str | None = None) -> list[str]:
        return [user.id for user in users.list(queries=queries, search=search).users]

    assert ids_of() == ["cr7", "lm10", "nj"]
    assert ids_of([Query.equal("name", ["Ronaldo", "Neymar"])]) == ["cr7", "nj"]
    assert ids_of([Query.equal("status", [False])]) == ["nj"]
    assert ids_of([Query.contains("labels", ["goat"])]) == ["lm10"]
    assert ids_of([Query.starts_with("email", "lio")]) == ["lm10"]
    assert ids_of([Query.ends_with("email", "example.com")]) == ["lm10", "nj"]
    assert ids_of([Query.is_null("phone")]) == ["cr7", "lm10"]
    assert ids_of([Query.order_desc("name")]) == ["cr7", "nj", "lm10"]
    assert ids_of([Query.limit(1), Query.offset(1)]) == ["lm10"]
    assert ids_of(
        [Query.or_queries([Query.equal("name", ["Neymar"]), Query.contains("labels", ["vip"])])]
    ) == ["lm10", "nj"]
    assert ids_of(search="Ronaldo") == ["cr7"]
    assert ids_of(search="manchester") == ["cr7"]
    assert ids_of(search="lm10") == ["lm10"]
    assert ids_of(search="+910000000000") == ["nj"]
    assert ids_of(search="Ron") == ["cr7"]
    assert ids_of(search="label:goat") == ["lm10"]
    assert ids_of(search='"lionel@example.com"') == ["lm10"]
    assert ids_of(search=">") == []
    assert users.list(queries=[Query.limit(1)]).total == 3
    assert users.list(total=False).total == 0


def test_list_rejects_bad_queries(users: Users) -> None:
    cases = [
        Query.select(["name"]),
        Query.equal("password", ["x"]),
        Query.equal("status", ["yes"]),
        "not json",
    ]
    for query in cases:
        raises(lambda q=query: users.list(queries=[q]), 400, "general_argument_invalid")  # type: ignore[misc]
    raises(
        lambda: users.list(queries=[Query.cursor_after("ghost")]), 400, "general_cursor_not_found"
    )
    raises(lambda: users.list(search="s" * 257), 400, "general_argument_invalid")


def test_missing_scope(project: Project) -> None:
    from tests.conftest import new_project

    reader = new_project(project.server, ["users.read"])
    users = Users(reader.client())
    error = raises(lambda: users.create(user_id="nope"), 401, "general_unauthorized_scope")
    assert 'missing scopes (["users.write"])' in error.message
    assert users.list().total == 0


def test_search_pages_in_every_order(users: Users) -> None:
    """A search pages, filters and orders as a list does (on SQLite it is led by the
    full-text index): forward, backward, descending, by name, with a filter."""
    for number in range(30):
        name = f"{'Maria' if number % 3 else 'Mario'} N{number % 4}"
        users.create(user_id=f"m{number:02d}", name=name)
        if number % 5 == 0:
            users.update_status(f"m{number:02d}", False)
    users.create(user_id="other", name="Someone Else")
    matched = [f"m{number:02d}" for number in range(30) if number % 3]

    def ids(queries: list[str]) -> list[str]:
        found = users.list(queries=queries, search="maria").users
        return [user.id for user in found]

    assert ids([Query.limit(100)]) == matched
    assert ids([Query.limit(4), Query.cursor_after(matched[5])]) == matched[6:10]
    assert ids([Query.limit(4), Query.cursor_before(matched[5])]) == matched[1:5]
    assert ids([Query.order_desc("$sequence"), Query.limit(3)]) == matched[::-1][:3]
    assert ids([Query.order_desc(""), Query.limit(3)]) == matched[::-1][:3]
    by_name = sorted(matched, key=lambda user_id: (int(user_id[1:]) % 4, user_id))
    assert ids([Query.order_asc("name"), Query.limit(100)]) == by_name
    active = [user_id for user_id in matched if int(user_id[1:]) % 5]
    assert ids([Query.equal("status", True), Query.limit(100)]) == active
    assert users.list(queries=[Query.limit(2)], search="mari").total == 30
    missing = [Query.limit(100), Query.cursor_after("nobody")]
    raises(lambda: users.list(queries=missing, search="maria"), 400, "general_cursor_not_found")
