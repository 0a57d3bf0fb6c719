"""Wire details the SDK hides: headers, 204 bodies, error shapes, query-string arrays."""

from __future__ import annotations

import json
import secrets
import time
from datetime import timedelta

import httpx
import pytest

from rosterd import clock, ids
from rosterd.services import Services
from rosterd.store.projects import KeyRow, insert_key
from tests.conftest import Project, new_project

ERROR_KEYS = ["message", "code", "type", "version"]


def assert_error(response: httpx.Response, code: int, error_type: str) -> dict[str, object]:
    assert response.status_code == code, response.text
    assert response.headers["content-type"] == "application/json; charset=UTF-8"
    body = response.json()
    assert list(body) == ERROR_KEYS
    assert (body["code"], body["type"], body["version"]) == (code, error_type, "1.9.6")
    assert isinstance(body["message"], str) and body["message"]
    return body  # type: ignore[no-any-return]


def test_delete_answers_204_with_text_content_type(http: httpx.Client) -> None:
    http.post("/users", json={"userId": "a"}).raise_for_status()
    response = http.request(
        "DELETE", "/users/a", content=b"{}", headers={"content-type": "application/json"}
    )
    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["content-type"] == "text/html; charset=UTF-8"


def test_json_content_type_and_key_order(http: httpx.Client) -> None:
    response = http.post("/users", json={"userId": "k", "email": "k@example.com"})
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json; charset=UTF-8"
    assert list(response.json()) == [
        "$id", "$createdAt", "$updatedAt", "name", "password", "hash", "hashOptions",
        "registration", "status", "labels", "passwordUpdate", "email", "phone",
        "emailVerification", "emailCanonical", "emailIsFree", "emailIsDisposable",
        "emailIsCorporate", "emailIsCanonical", "phoneVerification", "mfa", "prefs",
        "targets", "accessedAt", "impersonator", "impersonatorUserId",
    ]  # fmt: skip
    body = response.json()
    assert body["prefs"] == {} and body["password"] is None and body["impersonatorUserId"] is None
    assert body["hashOptions"] == {
        "type": "argon2",
        "memory_cost": 1024,
        "time_cost": 1,
        "threads": 1,
    }
    listed = http.get("/users").json()
    assert list(listed) == ["total", "users"]


def test_get_with_empty_content_type(http: httpx.Client) -> None:
    http.post("/users", json={"userId": "ct"}).raise_for_status()
    response = http.get("/users/ct", headers={"content-type": ""})
    assert response.status_code == 200 and response.json()["$id"] == "ct"


def test_indexed_and_bracket_query_arrays(http: httpx.Client) -> None:
    for user_id, name in (("a1", "Ann"), ("b1", "Bob"), ("c1", "Cy")):
        http.post("/users", json={"userId": user_id, "name": name}).raise_for_status()
    equal = json.dumps({"method": "equal", "attribute": "name", "values": ["Ann", "Cy"]})
    order = json.dumps({"method": "orderDesc", "attribute": "name"})
    indexed = http.get("/users", params={"queries[1]": order, "queries[0]": equal}).json()
    assert [u["$id"] for u in indexed["users"]] == ["c1", "a1"]
    bracket = http.get("/users", params=[("queries[]", equal), ("queries[]", order)]).json()
    assert [u["$id"] for u in bracket["users"]] == ["c1", "a1"]
    repeated = http.get("/users", params=[("queries", equal), ("queries", order)]).json()
    assert [u["$id"] for u in repeated["users"]] == ["c1", "a1"]


@pytest.mark.parametrize(("value", "expected"), [("false", 0), ("0", 0), ("true", 1), ("1", 1)])
def test_loose_boolean_total(http: httpx.Client, value: str, expected: int) -> None:
    http.post("/users", json={"userId": "t"}).raise_for_status()
    assert http.get("/users", params={"total": value}).json()["total"] == expected


def test_bad_total_boolean(http: httpx.Client) -> None:
    assert_error(http.get("/users", params={"total": "maybe"}), 400, "general_argument_invalid")


def test_legacy_queries_below_format_1_5(http: httpx.Client) -> None:
    http.post("/users", json={"userId": "old", "name": "Old"}).raise_for_status()
    http.post("/users", json={"userId": "new", "name": "New"}).raise_for_status()
    headers = {"x-appwrite-response-format": "1.4.0"}
    found = http.get("/users", params={"queries[0]": 'equal("name", ["Old"])'}, headers=headers)
    assert [u["$id"] for u in found.json()["users"]] == ["old"]
    user = found.json()["users"][0]
    assert "targets" not in user and "mfa" not in user and "impersonator" not in user
    broken = http.get("/users", params={"queries[0]": "users.equal(x)"}, headers=headers)
    assert_error(broken, 400, "general_query_invalid")


def test_response_format_filters(http: httpx.Client) -> None:
    http.post("/users", json={"userId": "f"}).raise_for_status()
    cli = http.get("/users/f", headers={"x-appwrite-response-format": "1.8.0"}).json()
    assert "impersonator" not in cli and "impersonatorUserId" not in cli and cli["mfa"] is False
    newest = http.get("/users/f", headers={"x-appwrite-response-format": "2.5.0"}).json()
    assert newest["impersonator"] is False
    odd = http.get("/users/f", headers={"x-appwrite-response-format": "banana"})
    assert odd.status_code == 200


def test_unknown_project(project: Project) -> None:
    with project.http() as client:
        response = client.get("/users", headers={"x-appwrite-project": "nope"})
    assert_error(response, 403, "project_id_missing")
    with httpx.Client(base_url=project.server.endpoint) as anonymous:
        missing = anonymous.get("/users", headers={"x-appwrite-project": "nope"})
    assert_error(missing, 404, "project_not_found")


def test_missing_or_unknown_key(project: Project) -> None:
    with project.http(key="standard_" + "0" * 256) as client:
        body = assert_error(client.get("/users"), 401, "general_unauthorized_scope")
    assert body["message"] == 'User (role: guests) missing scopes (["users.read"])'
    with httpx.Client(base_url=project.server.endpoint) as anonymous:
        no_project = anonymous.get("/users")
    assert_error(no_project, 401, "general_unauthorized_scope")


def test_expired_key(project: Project) -> None:
    from datetime import datetime

    services = project.server.services
    expired = services.projects.create_key(project.id, ["users.read"], "old", datetime(2000, 1, 1))
    with project.http(key=expired.secret) as client:
        assert_error(client.get("/users"), 401, "project_key_expired")


def test_key_created_elsewhere_works_at_once(project: Project) -> None:
    """A worker remembers the keys it found, never a secret it refused: once another
    process stores a key with that very secret, it works at once."""
    secret = "standard_" + secrets.token_hex(128)
    with project.http(key=secret) as client:
        assert_error(client.get("/users"), 401, "general_unauthorized_scope")
        elsewhere = Services.build(project.server.services.settings)
        key = KeyRow(ids.unique(), project.id, "later", ("users.read",), None)
        with elsewhere.database.write() as connection:
            insert_key(connection, key, ids.secret_hash(secret), clock.now())
        elsewhere.database.dispose()
        listed = client.get("/users")
    assert listed.status_code == 200, listed.text
    assert listed.json()["total"] == 0


def test_remembered_key_refused_once_expired(project: Project) -> None:
    services = project.server.services
    soon = clock.now() + timedelta(seconds=1.5)
    key = services.projects.create_key(project.id, ["users.read"], "brief", soon)
    with project.http(key=key.secret) as client:
        assert client.get("/users").status_code == 200
        assert services.projects.key(key.secret) == key.key  # remembered
        time.sleep(max(0.0, (soon - clock.now()).total_seconds()) + 0.1)
        assert_error(client.get("/users"), 401, "project_key_expired")


def test_missing_scope_message(project: Project) -> None:
    writer = new_project(project.server, ["users.write"])
    with writer.http() as client:
        body = assert_error(client.get("/users"), 401, "general_unauthorized_scope")
    assert body["message"] == (
        f'app.{writer.id}@service.127.0.0.1 (role: applications) missing scopes (["users.read"])'
    )


def test_unknown_route_and_method(http: httpx.Client) -> None:
    assert_error(http.get("/nothing/here"), 404, "general_route_not_found")
    assert_error(http.put("/users"), 404, "general_route_not_found")
    assert_error(http.post("/users/someone"), 404, "general_route_not_found")


def test_health_version(project: Project) -> None:
    with httpx.Client(base_url=project.server.endpoint) as anonymous:
        response = anonymous.get("/health/version", headers={"x-appwrite-project": "console"})
    assert response.json() == {"version": "1.9.6"}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'"text"', "application/json"),
        (b"\xff\xfe", "application/json"),
    ],
)
def test_malformed_bodies(http: httpx.Client, body: bytes, content_type: str) -> None:
    response = http.post("/users", content=body, headers={"content-type": content_type})
    assert_error(response, 400, "general_argument_invalid")


@pytest.mark.parametrize(
    ("path", "method", "body"),
    [
        ("/users", "POST", {"userId": 5}),
        ("/users", "POST", {"userId": "ok", "email": ["a@b.co"]}),
        ("/users", "POST", {"userId": "ok", "name": 7}),
        ("/users", "POST", {"userId": "ok", "password": True}),
        ("/users", "POST", {"userId": "ok", "phone": 16175551212}),
        ("/users/w/status", "PATCH", {"status": "yes"}),
        ("/users/w/status", "PATCH", {}),
        ("/users/w/labels", "PUT", {"labels": "vip"}),
        ("/users/w/labels", "PUT", {"labels": [["nested"]]}),
        ("/users/w/labels", "PUT", {"labels": ["sym!bol"]}),
        ("/users/w/labels", "PUT", {}),
        ("/users/w/name", "PATCH", {"name": None}),
        ("/users/w/name", "PATCH", {"name": 1}),
        ("/users/w/verification", "PATCH", {"emailVerification": "true"}),
        ("/users/w/verification/phone", "PATCH", {"phoneVerification": 1}),
        ("/users/w/prefs", "PATCH", {"prefs": ["a", "list"]}),
        ("/users/w/prefs", "PATCH", {"prefs": "text"}),
        ("/users/w/prefs", "PATCH", {}),
        ("/users/w/impersonator", "PATCH", {"impersonator": [True]}),
        ("/users/w/email", "PATCH", {"email": 3}),
        ("/users/w/phone", "PATCH", {"number": "+1"}),
        ("/users/w/password", "PATCH", {"password": 12345678}),
    ],
)
def test_wrong_types_are_400(
    http: httpx.Client, path: str, method: str, body: dict[str, object]
) -> None:
    http.post("/users", json={"userId": "w", "name": "Before"}).raise_for_status()
    response = http.request(method, path, json=body)
    assert_error(response, 400, "general_argument_invalid")
    assert http.get("/users/w").json()["name"] == "Before"


def test_required_param_message(http: httpx.Client) -> None:
    http.post("/users", json={"userId": "r"}).raise_for_status()
    body = assert_error(http.put("/users/r/labels", json={}), 400, "general_argument_invalid")
    assert body["message"] == 'Param "labels" is not optional.'


@pytest.mark.parametrize(
    "query",
    [
        '{"method":"equal","attribute":"nope","values":["x"]}',
        '{"method":"frobnicate","attribute":"name","values":["x"]}',
        '{"method":"select","values":["name"]}',
        '{"method":"equal","attribute":"name","values":[1]}',
        '{"method":"equal","attribute":"labels","values":["x"]}',
        '{"method":"limit","values":[-1]}',
        '{"method":"cursorAfter","values":["' + "x" * 40 + '"]}',
        "{oops",
        "[]",
        '{"method": 5}',
    ],
)
def test_bad_queries_are_400(http: httpx.Client, query: str) -> None:
    response = http.get("/users", params={"queries[0]": query})
    body = assert_error(response, 400, "general_argument_invalid")
    assert str(body["message"]).startswith("Invalid `queries` param: ")


def test_query_messages(http: httpx.Client) -> None:
    select = http.get("/users", params={"queries[0]": '{"method":"select","values":["name"]}'})
    assert select.json()["message"] == (
        "Invalid `queries` param: Invalid query: Invalid query method: select"
    )
    syntax = http.get("/users", params={"queries[0]": "{oops"})
    assert syntax.json()["message"] == "Invalid `queries` param: Invalid query: Syntax error"


def test_search_on_attribute_is_query_invalid(http: httpx.Client) -> None:
    query = '{"method":"search","attribute":"name","values":["x"]}'
    assert_error(http.get("/users", params={"queries[0]": query}), 400, "general_query_invalid")


def test_cursor_not_found_message(http: httpx.Client) -> None:
    query = '{"method":"cursorAfter","values":["ghost"]}'
    body = assert_error(
        http.get("/users", params={"queries[0]": query}), 400, "general_cursor_not_found"
    )
    assert body["message"] == "User 'ghost' for the 'cursor' value not found."


def test_cursor_on_null_order_value(http: httpx.Client) -> None:
    http.post("/users", json={"userId": "np"}).raise_for_status()
    queries = {
        "queries[0]": '{"method":"orderAsc","attribute":"phone"}',
        "queries[1]": '{"method":"cursorAfter","values":["np"]}',
    }
    assert_error(http.get("/users", params=queries), 400, "database_query_order_null")


def test_oversized_body_is_413(http: httpx.Client) -> None:
    response = http.post(
        "/users",
        content=b"{" + b" " * 2_000_000 + b"}",
        headers={"content-type": "application/json"},
    )
    assert_error(response, 413, "general_argument_invalid")


def test_form_encoded_body(http: httpx.Client) -> None:
    response = http.post("/users", data={"userId": "form", "name": "Form"})
    assert response.status_code == 201 and response.json()["name"] == "Form"


def test_no_secret_in_key_table(project: Project) -> None:
    import sqlalchemy as sa

    from rosterd.store.tables import api_keys

    with project.server.services.database.read() as connection:
        stored = connection.execute(sa.select(api_keys.c.secret_hash)).scalars().all()
    assert project.key not in stored and all(len(value) == 64 for value in stored)


RAW_BAD_BODIES = [
    ("POST", "/users", '{"userId":"z1","name":"x\\u0000"}'),
    ("POST", "/users", '{"userId":"z1","email":"a\\u0000@example.com"}'),
    ("POST", "/users", '{"userId":"z1","name":"\\ud800"}'),
    ("POST", "/users", '{"userId":"z1","password":"\\ud800aaaaaaaa"}'),
    ("POST", "/users", '{"userId":"z1\\n"}'),
    ("POST", "/users", '{"userId":"z1","phone":"+14155550177\\n"}'),
    ("PATCH", "/users/w/name", '{"name":"a\\u0000b"}'),
    ("PATCH", "/users/w/name", '{"name":"\\udfff"}'),
    ("PATCH", "/users/w/password", '{"password":"\\ud800aaaaaaaa"}'),
    ("PATCH", "/users/w/prefs", '{"prefs":{"a":NaN}}'),
    ("PATCH", "/users/w/prefs", '{"prefs":{"b":1e999}}'),
    ("PATCH", "/users/w/prefs", '{"prefs":{"b":Infinity}}'),
    ("PATCH", "/users/w/prefs", '{"prefs":{"\\ud800":1}}'),
    ("PATCH", "/users/w/prefs", '{"prefs":{"a":' + "[" * 3000 + "]" * 3000 + "}}"),
    ("PATCH", "/users/w/prefs", '{"prefs":{"a":' + "[" * 100 + "]" * 100 + "}}"),
    ("PATCH", "/users/w/prefs", '{"prefs":{"a":"' + "/" * 40000 + '"}}'),
    ("PATCH", "/users/w/prefs", '{"prefs":{"a":"' + "\\u00e9" * 20000 + '"}}'),
    ("PUT", "/users/w/labels", '{"labels":["vip\\n","vip"]}'),
]


@pytest.mark.parametrize(("method", "path", "body"), RAW_BAD_BODIES)
def test_hostile_bodies_are_400(http: httpx.Client, method: str, path: str, body: str) -> None:
    http.post("/users", json={"userId": "w", "name": "Before"}).raise_for_status()
    response = http.request(
        method, path, content=body, headers={"content-type": "application/json"}
    )
    assert_error(response, 400, "general_argument_invalid")
    after = http.get("/users/w").json()
    assert (after["name"], after["prefs"], after["labels"]) == ("Before", {}, [])
    assert http.get("/users").json()["total"] == 1


@pytest.mark.parametrize("values", ['["\\u0000"]', '["\\ud800"]'], ids=["nul", "surrogate"])
def test_hostile_query_values_are_400(http: httpx.Client, values: str) -> None:
    for method in ("equal", "startsWith"):
        query = '{"method":"' + method + '","attribute":"name","values":' + values + "}"
        response = http.get("/users", params={"queries[0]": query})
        assert_error(response, 400, "general_argument_invalid")


def test_bare_single_query_and_numeric_string_limit(http: httpx.Client) -> None:
    for user_id in ("q1", "q2"):
        http.post("/users", json={"userId": user_id}).raise_for_status()
    single = http.get("/users", params={"queries": '{"method":"limit","values":[1]}'}).json()
    assert [user["$id"] for user in single["users"]] == ["q1"]
    text = http.get("/users", params={"queries[0]": '{"method":"limit","values":["1"]}'}).json()
    assert [user["$id"] for user in text["users"]] == ["q1"]


def test_prefs_at_the_php_size_limit(http: httpx.Client) -> None:
    http.post("/users", json={"userId": "big"}).raise_for_status()
    # {"a":"..."} is 8 bytes around the value: 65527 ASCII characters make 65535 bytes.
    fits = {"a": "x" * 65527}
    assert http.patch("/users/big/prefs", json={"prefs": fits}).json() == fits
    over = {"a": "x" * 65528}
    assert_error(
        http.patch("/users/big/prefs", json={"prefs": over}), 400, "general_argument_invalid"
    )


def test_prefs_come_back_exactly_as_sent(http: httpx.Client) -> None:
    """Integers past 64 bits, non-ASCII text, nesting and floats, byte for byte."""
    http.post("/users", json={"userId": "exact"}).raise_for_status()
    body = b'{"big":1180591620717411303424,"text":"\xc3\xbcn\xc3\xafc\xc3\xb6de \xe2\x82\xac",'
    body += b'"nested":{"list":[1,-0.5,true,null,"a\\u0001b"]},"float":1e+16}'
    sent = http.patch(
        "/users/exact/prefs",
        content=b'{"prefs":' + body + b"}",
        headers={"content-type": "application/json"},
    )
    assert sent.status_code == 200, sent.text
    assert sent.content == body
    got = http.get("/users/exact").content
    assert b',"prefs":' + body + b',"targets":' in got
    assert json.loads(got)["prefs"]["big"] == 2**70


def test_database_errors_hide_parameters(project: Project) -> None:
    assert project.server.services.database.engine.hide_parameters is True
