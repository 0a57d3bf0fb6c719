"""GraphQL transport, errors, limits and settings (reference §10), through the official
Python SDK's Graphql service and over raw HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from appwrite.exception import AppwriteException
from appwrite.services.graphql import Graphql
from appwrite.services.users import Users
from starlette.applications import Starlette
from starlette.routing import Mount

from rosterd.graphql.engine import Engine
from rosterd.graphql.routes import ROUTES as GRAPHQL_ROUTES
from rosterd.graphql.schema import build_schema
from rosterd.http.endpoint import Call, Output, endpoint
from rosterd.http.routing import operation, operations
from rosterd.services import Services
from tests.conftest import Project, Server, serve_in_thread

USER_FIELDS = "_id _createdAt _updatedAt name email status labels prefs { data }"


def _graphql(http: httpx.Client, query: str, **extra: Any) -> httpx.Response:
    return http.post("/graphql", json={"query": query, **extra})


def _create(http: httpx.Client, user_id: str, email: str) -> dict[str, Any]:
    query = f'mutation {{ usersCreate(userId: "{user_id}", email: "{email}") {{ {USER_FIELDS} }} }}'
    answer = _graphql(http, query)
    assert answer.status_code == 200, answer.text
    created: dict[str, Any] = answer.json()["data"]["usersCreate"]
    return created


def test_the_python_sdk_runs_queries_and_mutations(project: Project) -> None:
    graphql = Graphql(project.client())
    created = graphql.mutation(
        {
            "query": "mutation Make($id: String!, $prefs: Assoc!) {"
            ' usersCreate(userId: $id, email: "ada@example.com", name: "Ada") { _id name email }'
            " usersUpdatePrefs(userId: $id, prefs: $prefs) { data } }",
            "variables": {"id": "ada", "prefs": {"theme": "dark"}},
        }
    )
    assert created == {
        "data": {
            "usersCreate": {"_id": "ada", "name": "Ada", "email": "ada@example.com"},
            "usersUpdatePrefs": {"data": '{"theme":"dark"}'},
        }
    }
    listed = graphql.query({"query": "query { usersList { total users { _id prefs { data } } } }"})
    assert listed["data"]["usersList"] == {
        "total": 1,
        "users": [{"_id": "ada", "prefs": {"data": '{"theme":"dark"}'}}],
    }


def test_rest_errors_become_graphql_errors_with_the_rest_message(
    http: httpx.Client, users: Users
) -> None:
    with pytest.raises(AppwriteException) as rest:
        users.get("missing")
    answer = _graphql(http, 'query { usersGet(userId: "missing") { _id } }')
    assert answer.status_code == 200
    body = answer.json()
    assert body["data"] == {"usersGet": None}
    (error,) = body["errors"]
    assert error["message"] == rest.value.message
    assert error["path"] == ["usersGet"]
    assert error["extensions"] == {"type": "user_not_found", "code": 404}


def test_a_caller_without_the_scope_gets_the_rest_scope_error(project: Project) -> None:
    with project.http(key="") as anonymous:
        answer = _graphql(anonymous, "query { usersList { total } }")
    (error,) = answer.json()["errors"]
    assert error["extensions"]["type"] == "general_unauthorized_scope"
    assert "users.read" in error["message"]


def test_parameters_are_validated_as_rest_validates_them(http: httpx.Client) -> None:
    answer = _graphql(http, 'mutation { usersCreate(userId: "-bad", email: "x@y.io") { _id } }')
    (error,) = answer.json()["errors"]
    assert error["extensions"]["type"] == "general_argument_invalid"
    assert error["message"].startswith("Invalid `userId` param: ")
    assert http.get("/users").json()["total"] == 0


def test_deletes_answer_204_with_an_empty_body(http: httpx.Client) -> None:
    _create(http, "gone", "gone@example.com")
    answer = _graphql(http, 'mutation { usersDelete(userId: "gone") { status } }')
    assert answer.status_code == 204
    assert answer.content == b""
    assert http.get("/users/gone").status_code == 404


def test_prefs_take_a_json_string_or_an_object_literal(http: httpx.Client) -> None:
    _create(http, "p1", "p1@example.com")
    by_string = _graphql(http, 'mutation { usersUpdatePrefs(userId: "p1", prefs: "{}") { data } }')
    assert by_string.json() == {"data": {"usersUpdatePrefs": {"data": "{}"}}}
    literal = 'mutation { usersUpdatePrefs(userId: "p1", prefs: {url: "a/b", n: 1}) { data } }'
    by_object = _graphql(http, literal)
    assert json.loads(by_object.json()["data"]["usersUpdatePrefs"]["data"]) == {
        "url": "a/b",
        "n": 1,
    }
    assert http.get("/users/p1/prefs").json() == {"url": "a/b", "n": 1}
    refused = _graphql(http, 'mutation { usersUpdatePrefs(userId: "p1", prefs: "[1]") { data } }')
    assert "Assoc" in refused.json()["errors"][0]["message"]


def test_hash_options_resolve_to_the_algorithm_type(http: httpx.Client) -> None:
    digest = "5f4dcc3b5aa765d61d8327deb882cf99"  # md5("password")
    query = (
        f'mutation {{ usersCreateMD5User(userId: "m", email: "m@example.com", password: "{digest}")'
        " { hashOptions { __typename ... on AlgoMd5 { type } } } }"
    )
    answer = _graphql(http, query).json()
    assert answer["data"]["usersCreateMD5User"]["hashOptions"] == {
        "__typename": "AlgoMd5",
        "type": "md5",
    }
    argon = _graphql(
        http,
        'mutation { usersCreate(userId: "a", email: "a@example.com", password: "password1") {'
        " hashOptions { ... on AlgoArgon2 { type memoryCost timeCost threads } } } }",
    ).json()
    options = argon["data"]["usersCreate"]["hashOptions"]
    assert options["type"] == "argon2"
    assert options["memoryCost"] == 1024  # the tests' cheap Argon2 (conftest.FAST_ARGON2)
    assert (options["timeCost"], options["threads"]) == (1, 1)


# Transport ---------------------------------------------------------------------------


def test_get_serves_queries_with_variables_as_a_json_string(http: httpx.Client) -> None:
    _create(http, "g1", "g1@example.com")
    params = {
        "query": "query One($id: String!) { usersGet(userId: $id) { _id email } }",
        "variables": json.dumps({"id": "g1"}),
        "operationName": "One",
    }
    answer = http.get("/graphql", params=params)
    assert answer.status_code == 200
    assert answer.json() == {"data": {"usersGet": {"_id": "g1", "email": "g1@example.com"}}}


def test_get_refuses_mutations_with_405_and_allow_post(http: httpx.Client) -> None:
    params = {"query": 'mutation { usersCreate(userId: "no", email: "no@example.com") { _id } }'}
    answer = http.get("/graphql", params=params)
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"
    assert answer.json()["type"] == "graphql_method_unsupported"
    assert http.get("/users").json()["total"] == 0


def test_the_mutation_path_and_a_raw_graphql_body(http: httpx.Client) -> None:
    created = http.post(
        "/graphql/mutation",
        json={"query": 'mutation { usersCreate(userId: "r", email: "r@example.com") { _id } }'},
    )
    assert created.json() == {"data": {"usersCreate": {"_id": "r"}}}
    raw = http.post(
        "/graphql",
        content="query { usersList { total } }",
        headers={"content-type": "application/graphql"},
    )
    assert raw.json() == {"data": {"usersList": {"total": 1}}}


def test_a_batch_answers_each_operation_in_order(http: httpx.Client) -> None:
    batch = [
        {"query": 'mutation { usersCreate(userId: "b1", email: "b1@example.com") { _id } }'},
        {"query": "query { usersList { total } }"},
    ]
    answer = http.post("/graphql", json=batch)
    assert answer.json() == [
        {"data": {"usersCreate": {"_id": "b1"}}},
        {"data": {"usersList": {"total": 1}}},
    ]


def test_batches_over_the_limit_and_missing_queries_are_refused(http: httpx.Client) -> None:
    eleven = [{"query": "query { usersList { total } }"}] * 11
    too_many = http.post("/graphql", json=eleven)
    assert (too_many.status_code, too_many.json()["type"]) == (400, "graphql_too_many_queries")
    bodies: list[Any] = [{"query": ""}, {"operationName": "x"}, []]
    for body in bodies:
        empty = http.post("/graphql", json=body)
        assert (empty.status_code, empty.json()["type"]) == (400, "graphql_no_query")
    missing = http.get("/graphql")
    assert (missing.status_code, missing.json()["type"]) == (400, "graphql_no_query")
    broken = http.post("/graphql", content=b"{", headers={"content-type": "application/json"})
    assert (broken.status_code, broken.json()["type"]) == (400, "general_argument_invalid")


def test_syntax_and_schema_errors_are_graphql_errors(http: httpx.Client) -> None:
    syntax = _graphql(http, "query { usersList { total }")
    assert syntax.status_code == 200
    assert "Syntax Error" in syntax.json()["errors"][0]["message"]
    unknown = _graphql(http, "query { usersList { nothing } }")
    assert "nothing" in unknown.json()["errors"][0]["message"]
    assert "data" not in unknown.json()


def test_a_document_of_more_than_2000_tokens_is_not_parsed(http: httpx.Client) -> None:
    huge = "query { usersList { users { " + " ".join(["_id"] * 2000) + " } } }"
    answer = _graphql(http, huge)
    assert answer.status_code == 200
    (error,) = answer.json()["errors"]
    assert "more than 2000 tokens" in error["message"]


def test_a_session_created_through_graphql_sets_the_session_cookie(
    project: Project, http: httpx.Client
) -> None:
    http.post("/users", json={"userId": "c", "email": "c@example.com", "password": "password1"})
    with httpx.Client(base_url=project.server.endpoint) as guest:
        answer = guest.post(
            "/graphql",
            headers={"x-appwrite-project": project.id},
            json={
                "query": "mutation { accountCreateEmailPasswordSession("
                'email: "c@example.com", password: "password1") { userId secret } }'
            },
        )
    assert answer.json()["data"]["accountCreateEmailPasswordSession"] == {
        "userId": "c",
        "secret": "",
    }
    assert f"a_session_{project.id}" in answer.cookies


# Limits and settings ---------------------------------------------------------------------


def test_depth_counts_fields_with_selections_from_zero(http: httpx.Client) -> None:
    allowed = "query { usersList { users { targets { _id } prefs { data } } } }"  # depth 2
    assert "errors" not in _graphql(http, allowed).json()
    fragment = (
        "query { teamsList { teams { ...T } } } "
        "fragment T on Team { prefs { data } }"  # depth 2 through a fragment
    )
    assert "errors" not in _graphql(http, fragment).json()


def test_complexity_counts_pages_of_25(http: httpx.Client) -> None:
    def listing(limit: int) -> str:
        query = json.dumps(json.dumps({"method": "limit", "values": [limit]}))
        return f"query {{ usersList(queries: [{query}]) {{ users {{ _id email }} }} }}"

    assert "errors" not in _graphql(http, listing(1550)).json()  # (3 + 1) * 62 pages = 248
    refused = _graphql(http, listing(1551)).json()
    assert refused["errors"][0]["message"] == "Max query complexity should be 250 but got 252."
    wide = "query { usersList { users { " + " ".join(["_id"] * 249) + " } } }"  # 249 + 1 + 1
    assert "250 but got 251" in _graphql(http, wide).json()["errors"][0]["message"]


@pytest.fixture
def strict(server: Server) -> Iterator[str]:
    """A second server on the same database: depth 1, introspection off."""
    settings = server.services.settings.replace(graphql_max_depth=1, graphql_introspection=False)
    services = Services.build(settings)
    for address in serve_in_thread(services):
        yield address + "/v1"
    services.database.dispose()


def test_depth_and_introspection_follow_the_settings(project: Project, strict: str) -> None:
    with project.http() as http:
        http.base_url = httpx.URL(strict)
        deep = _graphql(http, "query { usersList { users { prefs { data } } } }").json()
        assert deep["errors"][0]["message"] == "Max query depth should be 1 but got 2."
        assert "errors" not in _graphql(http, "query { usersList { users { _id } } }").json()
        schema = _graphql(http, "query { __schema { queryType { name } } }").json()
        assert "introspection" in schema["errors"][0]["message"]


def test_introspection_lists_every_users_operation(http: httpx.Client) -> None:
    answer = _graphql(http, "query { __schema { queryType { name } mutationType { name } } }")
    assert answer.json()["data"]["__schema"] == {
        "queryType": {"name": "Query"},
        "mutationType": {"name": "Mutation"},
    }
    fields = _graphql(http, '{ __type(name: "Mutation") { fields { name } } }').json()
    names = {field["name"] for field in fields["data"]["__type"]["fields"]}
    assert {"usersCreateBcryptUser", "usersUpdateMfa", "usersUpdateMFA", "usersDelete"} <= names


@endpoint(scopes=("users.read",))
def _broken(call: Call) -> Output:
    raise RuntimeError(f"a detail of {call.project_id} nobody should see")


def test_an_unexpected_failure_is_a_server_error_without_details(project: Project) -> None:
    """A handler failing in a way REST would answer 500 to: logged, and the client sees
    Appwrite's generic error, not the exception's text."""
    routes = [Mount("/v1", routes=[*GRAPHQL_ROUTES, operation("GET", "/b", _broken, "t.b", "jwt")])]
    app = Starlette(routes=routes)
    app.state.services = project.server.services
    app.state.graphql = Engine(build_schema(operations(routes)), project.server.services.settings)

    async def ask() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test/v1") as client:
            headers = {"x-appwrite-project": project.id, "x-appwrite-key": project.key}
            return await client.post("/graphql", json={"query": "{ tB { jwt } }"}, headers=headers)

    body = asyncio.run(ask()).json()
    assert body["data"] == {"tB": None}
    (error,) = body["errors"]
    assert (error["message"], error["extensions"]) == (
        "Server Error",
        {"type": "general_unknown", "code": 500},
    )


# What a review found --------------------------------------------------------------------


def test_nested_fragments_are_measured_once_each(http: httpx.Client) -> None:
    """Each fragment spreads the next twice: 2**40 fields. Measured fragment by fragment,
    the count is immediate, and the operation is refused."""
    levels = 40
    fragments = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    query = " ".join(
        ["query { ...F0 }", *fragments, f"fragment F{levels} on Query {{ __typename }}"]
    )
    (error,) = _graphql(http, query).json()["errors"]
    assert error["message"] == f"Max query complexity should be 250 but got {2**levels}."


def test_introspection_counts_like_any_field(http: httpx.Client) -> None:
    wide = "{ " + " ".join(f"a{i}: __schema {{ types {{ name }} }}" for i in range(100)) + " }"
    (error,) = _graphql(http, wide).json()["errors"]
    assert error["message"] == "Max query complexity should be 250 but got 300."
    deep = "{ __schema { types { fields { type { ofType { name } } } } } }"
    (error,) = _graphql(http, deep).json()["errors"]
    assert error["message"] == "Max query depth should be 3 but got 4."


@pytest.mark.parametrize(
    ("declared", "passed", "variables", "headers"),
    [
        ("$q: [String]", "$q", {"q": ['{"method":"limit","values":["5000"]}']}, {}),
        ("$q: [String]", "$q", {"q": ['{"method":"limit","values":[5000.0]}']}, {}),
        ('$q: [String] = ["{\\"method\\":\\"limit\\",\\"values\\":[5000]}"]', "$q", {}, {}),
        ("$q: [String]", "$q", {"q": ["limit(5000)"]}, {"x-appwrite-response-format": "1.4.0"}),
        ("$q: [String]", "$q", {"q": ['{"method":"limit","values":[[5000]]}']}, {}),
    ],
)
def test_every_spelling_of_a_large_limit_counts(
    http: httpx.Client,
    declared: str,
    passed: str,
    variables: dict[str, Any],
    headers: dict[str, str],
) -> None:
    query = f"query Big({declared}) {{ usersList(queries: {passed}) {{ total users {{ _id }} }} }}"
    answer = http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    ).json()
    assert answer["errors"][0]["message"] == "Max query complexity should be 250 but got 800."


def test_sign_ins_cost_a_hundred_each(project: Project) -> None:
    def sign_ins(count: int) -> str:
        fields = [
            f'a{i}: accountCreateEmailPasswordSession(email: "n{i}@example.com",'
            ' password: "password-1") { _id }'
            for i in range(count)
        ]
        return "mutation { " + " ".join(fields) + " }"

    with httpx.Client(base_url=project.server.endpoint) as guest:
        headers = {"x-appwrite-project": project.id}
        two = guest.post("/graphql", json={"query": sign_ins(2)}, headers=headers).json()
        three = guest.post("/graphql", json={"query": sign_ins(3)}, headers=headers).json()
    assert [error["extensions"]["type"] for error in two["errors"]] == [
        "user_invalid_credentials",
        "user_invalid_credentials",
    ]
    assert three["errors"][0]["message"] == "Max query complexity should be 250 but got 303."


def test_hostile_bodies_and_variables_are_client_errors(http: httpx.Client) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    body = http.post("/graphql", content=deep, headers={"content-type": "application/json"})
    assert (body.status_code, body.json()["type"]) == (400, "general_argument_invalid")
    nested = {"query": "{ __typename }", "variables": "[" * 5000 + "]" * 5000}
    assert http.post("/graphql", json=nested).json()["type"] == "general_argument_invalid"
    _create(http, "ua", "ua@example.com")
    missing = (
        'mutation($x: Int) { usersUpdatePrefs(userId: "ua", prefs: {a: [1, {b: $x}]}) { data } }'
    )
    (error,) = _graphql(http, missing).json()["errors"]
    assert "extensions" not in error and "Assoc" in error["message"]
    assert http.get("/users/ua/prefs").json() == {}


def test_an_unknown_project_is_refused_before_anything_runs(project: Project) -> None:
    with httpx.Client(base_url=project.server.endpoint) as guest:
        answer = guest.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"x-appwrite-project": "nope"}
        )
    assert (answer.status_code, answer.json()["type"]) == (404, "project_not_found")


def test_fallback_cookies_are_flagged_as_in_rest(project: Project, http: httpx.Client) -> None:
    _create(http, "fb", "fb@example.com")
    secret = http.post("/users/fb/sessions").json()["secret"]
    fallback = json.dumps({f"a_session_{project.id}": secret})
    with httpx.Client(base_url=project.server.endpoint) as browser:
        headers = {"x-appwrite-project": project.id, "x-fallback-cookies": fallback}
        answer = browser.post("/graphql", json={"query": "{ accountGet { _id } }"}, headers=headers)
    assert answer.json() == {"data": {"accountGet": {"_id": "fb"}}}
    assert answer.headers["x-debug-fallback"] == "true"
