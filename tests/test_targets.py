"""Messaging targets: kept in step with email and phone, and managed directly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from appwrite.enums.messaging_provider_type import MessagingProviderType
from appwrite.exception import AppwriteException
from appwrite.query import Query
from appwrite.services.messaging import Messaging
from appwrite.services.users import Users

from tests.conftest import Project
from tests.test_wire import assert_error


def raises(call: Callable[[], Any], code: int, error_type: str) -> None:
    with pytest.raises(AppwriteException) as caught:
        call()
    assert (caught.value.code, caught.value.type) == (code, error_type), caught.value.response


def identifiers(users: Users, user_id: str) -> list[tuple[str, str]]:
    return [(t.providertype, t.identifier) for t in users.list_targets(user_id).targets]


def test_targets_follow_email_and_phone(users: Users) -> None:
    users.create(user_id="t1", email="one@example.com", phone="+16175550001")
    assert identifiers(users, "t1") == [("email", "one@example.com"), ("sms", "+16175550001")]
    first = users.list_targets("t1").targets[0]
    users.update_email("t1", "two@example.com")
    after = users.list_targets("t1").targets
    assert (after[0].id, after[0].identifier) == (first.id, "two@example.com")
    users.update_phone("t1", "")
    assert identifiers(users, "t1") == [("email", "two@example.com")]
    users.update_phone("t1", "+16175550002")
    assert identifiers(users, "t1") == [("email", "two@example.com"), ("sms", "+16175550002")]
    users.update_email("t1", "")
    assert identifiers(users, "t1") == [("sms", "+16175550002")]
    assert [t.identifier for t in users.get("t1").targets] == ["+16175550002"]


def test_create_get_update_delete(users: Users) -> None:
    users.create(user_id="t2")
    push = users.create_target(
        "t2", "push1", MessagingProviderType.PUSH, "device-token-1", name="Phone"
    )
    assert (push.id, push.providertype, push.identifier, push.name, push.providerid) == (
        "push1",
        "push",
        "device-token-1",
        "Phone",
        None,
    )
    mail = users.create_target("t2", "unique()", MessagingProviderType.EMAIL, "Mail@Example.com")
    assert mail.identifier == "mail@example.com" and len(mail.id) == 20
    assert users.get_target("t2", "push1").name == "Phone"
    renamed = users.update_target("t2", "push1", identifier="device-token-2", name="Tablet")
    assert (renamed.identifier, renamed.name, renamed.expired) == (
        "device-token-2",
        "Tablet",
        False,
    )
    assert users.delete_target("t2", "push1") == b""
    raises(lambda: users.get_target("t2", "push1"), 404, "user_target_not_found")
    assert [t.id for t in users.get("t2").targets] == [mail.id]


def test_target_validation_and_conflicts(users: Users) -> None:
    users.create(user_id="t3", email="three@example.com")
    users.create(user_id="t4")
    raises(
        lambda: users.create_target("t4", "x", MessagingProviderType.EMAIL, "nope"),
        400,
        "general_invalid_email",
    )
    raises(
        lambda: users.create_target("t4", "x", MessagingProviderType.SMS, "12345"),
        400,
        "general_invalid_phone",
    )
    raises(
        lambda: users.create_target("t4", "x", MessagingProviderType.EMAIL, "three@example.com"),
        409,
        "user_target_already_exists",
    )
    users.create_target("t4", "mine", MessagingProviderType.PUSH, "token")
    raises(
        lambda: users.create_target("t4", "mine", MessagingProviderType.PUSH, "other"),
        409,
        "user_target_already_exists",
    )
    raises(lambda: users.get_target("t3", "mine"), 404, "user_target_not_found")
    raises(lambda: users.delete_target("t3", "mine"), 404, "user_target_not_found")
    raises(
        lambda: users.update_target("t4", "mine", provider_id="ghost"), 404, "provider_not_found"
    )
    users.create_target("t4", "spare", MessagingProviderType.EMAIL, "spare@example.com")
    raises(lambda: users.update_email("t3", "spare@example.com"), 409, "user_target_already_exists")
    raises(
        lambda: users.update_target("t4", "spare", identifier="not an email"),
        400,
        "general_invalid_email",
    )


def test_providers_and_provider_checks(project: Project, users: Users) -> None:
    messaging = Messaging(project.client())
    mailer = messaging.create_sendgrid_provider("mailer", "Mailer", api_key="secret")
    assert (mailer.id, mailer.provider, mailer.type, mailer.enabled) == (
        "mailer",
        "sendgrid",
        "email",
        True,
    )
    messaging.create_twilio_provider("texter", "Texter", enabled=False)
    assert [p.id for p in messaging.list_providers().providers] == ["mailer", "texter"]
    users.create(user_id="t5", email="five@example.com")
    target = users.list_targets("t5").targets[0]
    linked = users.update_target("t5", target.id, provider_id="mailer")
    assert linked.providerid == "mailer"
    raises(
        lambda: users.update_target("t5", target.id, provider_id="texter"),
        400,
        "provider_incorrect_type",
    )
    created = users.create_target("t5", "p", MessagingProviderType.PUSH, "tok", provider_id="ghost")
    assert created.providerid is None
    assert messaging.delete_provider("texter") == b""
    raises(lambda: messaging.get_provider("texter"), 404, "provider_not_found")
    raises(
        lambda: messaging.create_sendgrid_provider("mailer", "Again"),
        409,
        "provider_already_exists",
    )


def test_list_queries_total_and_cursor(users: Users, http: httpx.Client) -> None:
    users.create(user_id="t6", email="six@example.com", phone="+16175550006")
    for number in range(3):
        users.create_target("t6", f"push{number}", MessagingProviderType.PUSH, f"token{number}")
    pushes = users.list_targets("t6", queries=[Query.equal("providerType", ["push"])])
    assert pushes.total == 3 and [t.id for t in pushes.targets] == ["push0", "push1", "push2"]
    after = users.list_targets("t6", queries=[Query.cursor_after("push0"), Query.limit(1)])
    assert [t.id for t in after.targets] == ["push1"] and after.total == 5
    assert users.list_targets("t6", total=False).total == 0
    missing = http.get(
        "/users/t6/targets", params={"queries[0]": '{"method":"cursorAfter","values":["nope"]}'}
    )
    body = assert_error(missing, 400, "general_cursor_not_found")
    assert body["message"] == "Target 'nope' for the 'cursor' value not found."
    bad = http.get(
        "/users/t6/targets",
        params={"queries[0]": '{"method":"equal","attribute":"name","values":["x"]}'},
    )
    assert_error(bad, 400, "general_argument_invalid")


def test_only_keys_manage_providers(project: Project) -> None:
    with httpx.Client(base_url=project.server.endpoint) as client:
        response = client.get("/messaging/providers", headers={"x-appwrite-project": project.id})
    assert_error(response, 401, "general_unauthorized_scope")


def test_invited_users_get_targets(project: Project, users: Users) -> None:
    from appwrite.services.teams import Teams

    teams = Teams(project.client())
    teams.create("crew", "Crew")
    membership = teams.create_membership("crew", ["member"], email="invitee@example.com")
    created = users.get(membership.userid)
    assert [(t.providertype, t.identifier) for t in created.targets] == [
        ("email", "invitee@example.com")
    ]
    assert created.passwordupdate == ""
