"""The 25 Users examples of the older product document (seed 002) run as written.

The document shows every Users operation twice: as GraphQL (`tests/seed_examples/graphql.txt`)
and as raw HTTP with `X-Appwrite-Response-Format: 1.0.0` (`tests/seed_examples/http.txt`),
both copied verbatim. Each GraphQL example runs in one project and its REST twin in another,
set up alike (for every example that is not a create: the same user, with verified email and
phone, prefs, a team membership and a session). The answers are compared field by field over
the GraphQL selection, with generated ids and timestamps normalized (timestamps must be ISO
8601 with an offset). Only placeholders are substituted: `[USER_ID]`/`{userId}` (a fresh id per
run), `[SESSION_ID]`/`{sessionId}` (a session made with `POST /v1/users/{id}/sessions`),
`[NAME]`, `[PASSWORD_SALT]`, `[PASSWORD_SALT_SEPARATOR]`, `[PASSWORD_SIGNER_KEY]` (valid base64),
`HOSTNAME`, and the document's project id and API key.

Where the twins differ as written:

* The REST twins of the create examples also send `name` (and `usersCreate`'s sends `email` and
  `phone`), which their GraphQL twins do not: those fields differ, as `Case.differs` states.
* `usersCreateSHAUser`'s REST twin asks for `passwordVersion: "sha1"`; the GraphQL one takes the
  default, sha256.
* Two REST twins are not JSON: `"password": ,` (create user) and `{ "password": }` (update
  password). Sent as written they are a 400 `general_argument_invalid` "The request body is not
  valid JSON." that changes nothing; they are compared with GraphQL with the blank filled as the
  GraphQL twin shows (no password; `""`).

Examples rosterd answers with an error as written: 400 `general_argument_invalid` with the same
message on GraphQL (`errors[0].message`) and REST, and nothing is created. Each is also run with
a real hash of its scheme (the hashes of tests/test_imports.py, or hashlib), compared, and then
signed in with.

* The literal hash "password" is not a hash of the scheme, and rosterd refuses malformed hashes
  (docs/compatibility.md, "malformed hashes"):
  - `usersCreateBcryptUser`: "Invalid `password` param: must be a bcrypt hash ($2a$, $2b$ or
    $2y$, cost, 53 characters)"
  - `usersCreateMD5User`: "Invalid `password` param: must be an MD5 digest of 32 hex characters"
  - `usersCreateArgon2User`: "Invalid `password` param: must be an Argon2 PHC string
    ($argon2i$, $argon2id$ or $argon2d$)"
  - `usersCreatePHPassUser`: "Invalid `password` param: must be a phpass hash ($P$ or $H$, 34
    characters) or bcrypt"
  - `usersCreateSHAUser`: GraphQL "Invalid `password` param: must be a sha256 digest of 64 hex
    characters", REST "... must be a sha1 digest of 40 hex characters" (their versions differ).
* `usersCreateScryptUser`: scrypt costs 0 are refused ("Invalid `passwordCpu` param: must be a
  power of two greater than 1"; docs/compatibility.md, "scrypt CPU cost"); its real-hash run
  also uses real costs.
* `usersCreateScryptModifiedUser` is not among them: "password" is valid base64, so rosterd
  accepts it as a hash as written.

The list examples (`usersList` with a dozen fields per user) run at the default complexity
limit of 250 (rosterd counts a list once per page of 25; docs/compatibility.md); they are also
compared with a `limit(10)` query added on the GraphQL side.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from rosterd import ids
from tests.conftest import Project, new_project
from tests.test_imports import SCRYPT_MODIFIED, VECTORS, sign_in
from tests.test_wire import assert_error

EXAMPLES_DIR = Path(__file__).parent / "seed_examples"
SEED_NAME = "002_87e6a94731e6f418.txt"
SEED_PLACES = (
    Path(__file__).resolve().parents[2] / "shared" / "seeds" / SEED_NAME,
    Path("/work/shared/seeds") / SEED_NAME,
)
GRAPHQL_STARTS = ("mutation {", "query {")
HTTP_STARTS = ("POST /v1", "GET /v1", "PATCH /v1", "DELETE /v1")


def extract(document: str) -> tuple[list[str], list[str]]:
    """The document's GraphQL and raw HTTP examples, one a line, in document order."""
    lines = document.splitlines()
    return (
        [line for line in lines if line.startswith(GRAPHQL_STARTS)],
        [line for line in lines if line.startswith(HTTP_STARTS)],
    )


def read_examples(name: str) -> list[str]:
    comment, *lines = (EXAMPLES_DIR / name).read_text(encoding="utf-8").splitlines()
    assert comment.startswith("# ")
    return lines


@dataclass(frozen=True)
class Example:
    field: str
    graphql: str
    http: str


def _field_name(query: str) -> str:
    match = re.match(r"(?:mutation|query) \{ (\w+)", query)
    assert match, query
    return match[1]


EXAMPLES = [
    Example(_field_name(query), query, raw)
    for query, raw in zip(read_examples("graphql.txt"), read_examples("http.txt"), strict=True)
]
BY_FIELD = {example.field: example for example in EXAMPLES}

# ---------------------------------------------------------------- placeholders and raw HTTP

NAME = "Ada Lovelace"
EMAIL = "email@example.com"
PHONE = "+12065550100"
DOCUMENT_PROJECT = "5df5acd0d48c2"
DOCUMENT_KEY = "919c2d18fb5d4...a2ae413da83346ad2"
LEFTOVER = re.compile(r"\[[A-Z_]+\]|\{\w+Id\}|HOSTNAME|5df5acd0d48c2|919c2d18fb5d4")


def fill(text: str, slots: Mapping[str, str]) -> str:
    for placeholder, value in slots.items():
        text = text.replace(placeholder, value)
    assert not LEFTOVER.search(text), text
    return text


def swap(text: str, old: str, new: str) -> str:
    """`text` with its one `old` replaced."""
    assert text.count(old) == 1, (old, text)
    return text.replace(old, new)


REQUEST_LINE = re.compile(r"(?P<method>[A-Z]+) (?P<path>/v1\S*) HTTP/1\.1 (?P<rest>.*)")
HEADER = re.compile(r"(?P<name>[A-Za-z-]+): (?P<value>\S+) ?")


@dataclass(frozen=True)
class RawRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: str


def parse_raw(line: str) -> RawRequest:
    """`METHOD /path HTTP/1.1 Name: value ... {body}`, as the document writes requests."""
    match = REQUEST_LINE.fullmatch(line)
    assert match, line
    headers, rest = {}, match["rest"]
    while header := HEADER.match(rest):
        headers[header["name"]] = header["value"]
        rest = rest[header.end() :]
    return RawRequest(match["method"], match["path"], headers, rest)


# ------------------------------------------------------------------------------ two projects


def expect(response: httpx.Response, status: int) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@dataclass(frozen=True)
class Side:
    """One of the two projects, with its placeholder values."""

    project: Project
    http: httpx.Client
    slots: dict[str, str] = field(default_factory=dict)

    def graphql(self, query: str) -> httpx.Response:
        return self.http.post("/graphql", json={"query": fill(query, self.slots)})

    def raw(self, example: str) -> httpx.Response:
        request = parse_raw(fill(example, self.slots))
        url = self.project.server.url + request.path
        content = request.body.encode() or None
        return self.http.request(request.method, url, headers=request.headers, content=content)

    def users(self) -> Any:
        return expect(self.http.get("/users"), 200)


TEAM = "crew"
PREFS = {"theme": "dark", "path": "a/b", "greeting": "grüß"}
BEFORE = {
    "email": "before@example.com",
    "phone": "+16175551212",
    "password": "the old password",
    "name": "Before",
}


def arrange(side: Side, user_id: str) -> None:
    """The user the example works on: verified, with prefs, a membership and a session."""
    http, path = side.http, f"/users/{user_id}"
    expect(http.post("/users", json={"userId": user_id, **BEFORE}), 201)
    expect(http.patch(f"{path}/verification", json={"emailVerification": True}), 200)
    expect(http.patch(f"{path}/verification/phone", json={"phoneVerification": True}), 200)
    expect(http.patch(f"{path}/prefs", json={"prefs": PREFS}), 200)
    expect(http.post("/teams", json={"teamId": TEAM, "name": "Crew"}), 201)
    member = {"userId": user_id, "roles": ["owner"]}
    expect(http.post(f"/teams/{TEAM}/memberships", json=member), 201)
    session = expect(http.post(f"{path}/sessions"), 201)
    side.slots.update({"[SESSION_ID]": session["$id"], "{sessionId}": session["$id"]})


def base_slots(project: Project, user_id: str) -> dict[str, str]:
    return {
        "[USER_ID]": user_id,
        "{userId}": user_id,
        "[NAME]": NAME,
        "[PASSWORD_SALT]": SCRYPT_MODIFIED["password_salt"],
        "[PASSWORD_SALT_SEPARATOR]": SCRYPT_MODIFIED["password_salt_separator"],
        "[PASSWORD_SIGNER_KEY]": SCRYPT_MODIFIED["password_signer_key"],
        "HOSTNAME": urlsplit(project.server.url).netloc,
        DOCUMENT_PROJECT: project.id,
        DOCUMENT_KEY: project.key,
    }


@dataclass(frozen=True)
class Twins:
    """Two projects set up alike: the GraphQL example runs in one, its REST twin in the other."""

    graphql: Side
    rest: Side
    user_id: str

    @property
    def sides(self) -> tuple[Side, Side]:
        return self.graphql, self.rest

    def prepare(self, case: Case) -> None:
        for side in self.sides:
            side.slots.update(base_slots(side.project, self.user_id))
            if case.arranged:
                arrange(side, self.user_id)

    def run(self, example: Example) -> tuple[httpx.Response, httpx.Response]:
        return self.graphql.graphql(example.graphql), self.rest.raw(example.http)


@pytest.fixture
def twins(project: Project) -> Iterator[Twins]:
    other = new_project(project.server)
    with project.http() as left, other.http() as right:
        yield Twins(Side(project, left), Side(other, right), ids.unique())


# ------------------------------------------------------------------------ what each example is


def no_sessions(http: httpx.Client, user_id: str) -> None:
    assert expect(http.get(f"/users/{user_id}/sessions"), 200) == {"total": 0, "sessions": []}


def no_user(http: httpx.Client, user_id: str) -> None:
    assert_error(http.get(f"/users/{user_id}"), 404, "user_not_found")


@dataclass(frozen=True)
class Case:
    """An example's set-up and what rosterd answers it as written."""

    arranged: bool = True
    status: int = 200
    #: field -> (GraphQL value, REST value), where the twins send different arguments
    differs: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)
    #: the error message of both answers as written, and REST's where it differs
    error: str | None = None
    rest_error: str | None = None
    gone: Callable[[httpx.Client, str], None] | None = None


NAMED = {"name": ("", NAME)}


def imported(error: str | None, rest_error: str | None = None) -> Case:
    return Case(arranged=False, status=201, differs=NAMED, error=error, rest_error=rest_error)


def malformed(what: str) -> str:
    return f"Invalid `password` param: must be {what}"


CASES: dict[str, Case] = {
    "usersCreate": Case(
        arranged=False,
        status=201,
        differs={**NAMED, "email": ("", EMAIL), "phone": ("", PHONE)},
    ),
    "usersCreateBcryptUser": imported(
        malformed("a bcrypt hash ($2a$, $2b$ or $2y$, cost, 53 characters)")
    ),
    "usersCreateMD5User": imported(malformed("an MD5 digest of 32 hex characters")),
    "usersCreateArgon2User": imported(
        malformed("an Argon2 PHC string ($argon2i$, $argon2id$ or $argon2d$)")
    ),
    "usersCreateSHAUser": imported(
        malformed("a sha256 digest of 64 hex characters"),
        malformed("a sha1 digest of 40 hex characters"),
    ),
    "usersCreatePHPassUser": imported(
        malformed("a phpass hash ($P$ or $H$, 34 characters) or bcrypt")
    ),
    "usersCreateScryptUser": imported(
        "Invalid `passwordCpu` param: must be a power of two greater than 1"
    ),
    "usersCreateScryptModifiedUser": imported(None),
    "usersList": Case(),
    "usersGet": Case(),
    "usersGetPrefs": Case(),
    "usersListSessions": Case(),
    "usersListMemberships": Case(),
    "usersListLogs": Case(),
    "usersUpdateStatus": Case(),
    "usersUpdatePhoneVerification": Case(),
    "usersUpdateName": Case(),
    "usersUpdatePassword": Case(),
    "usersUpdateEmail": Case(),
    "usersUpdatePhone": Case(),
    "usersUpdateEmailVerification": Case(),
    "usersUpdatePrefs": Case(),
    "usersDeleteSession": Case(status=204, gone=no_sessions),
    "usersDeleteSessions": Case(status=204, gone=no_sessions),
    "usersDelete": Case(status=204, gone=no_user),
}

#: The REST twins that are not JSON, and how their GraphQL twins fill the blank.
BLANKS = {
    "usersCreate": ('"password": , ', ""),
    "usersUpdatePassword": ('"password": }', '"password": "" }'),
}


def filled(example: Example) -> Example:
    blank = BLANKS.get(example.field)
    return replace(example, http=swap(example.http, *blank)) if blank else example


#: The list examples, also run with a `limit` query.
LISTS = ("usersList", "usersListMemberships", "usersListLogs")

# ------------------------------------------------------------------------------- comparing

Selection = dict[str, "Selection"]


def _selections(tokens: list[str], at: int) -> tuple[Selection, int]:
    found: Selection = {}
    while tokens[at] != "}":
        name, at = tokens[at], at + 1
        found[name] = {}
        if tokens[at] == "{":
            found[name], at = _selections(tokens, at + 1)
    return found, at + 1


def selection(query: str) -> Selection:
    """The fields an example selects under its one operation field."""
    tokens = re.findall(r"\w+|[{}]", re.sub(r"\([^)]*\)", " ", query))
    (selected,) = _selections(tokens, 2)[0].values()
    return selected


def _rest_key(name: str) -> str:
    return "$" + name[1:] if name.startswith("_") else name


PREFERENCES: Selection = {"data": {}}


def from_graphql(value: Any, selected: Selection) -> Any:
    """GraphQL data in REST's terms: `_id` as `$id`, `Preferences { data }` decoded."""
    if selected == PREFERENCES:
        return json.loads(value["data"])
    if not selected:
        return value
    if isinstance(value, list):
        return [from_graphql(item, selected) for item in value]
    assert list(value) == list(selected)
    return {_rest_key(name): from_graphql(value[name], inner) for name, inner in selected.items()}


def from_rest(value: Any, selected: Selection) -> Any:
    """A REST answer restricted to the fields the GraphQL twin selects."""
    if not selected or selected == PREFERENCES:
        return value
    if isinstance(value, list):
        return [from_rest(item, selected) for item in value]
    return {
        _rest_key(name): from_rest(value[_rest_key(name)], inner)
        for name, inner in selected.items()
    }


TIME_KEYS = frozenset(
    {
        "$createdAt",
        "$updatedAt",
        "registration",
        "passwordUpdate",
        "accessedAt",
        "expire",
        "providerAccessTokenExpiry",
        "invited",
        "joined",
        "userAccessedAt",
        "time",
    }
)
ID_KEYS = frozenset({"$id", "userId", "teamId"})
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d")


def assert_timestamp(value: str) -> None:
    assert STAMP.fullmatch(value), value
    assert datetime.fromisoformat(value).utcoffset() is not None


@dataclass
class Normalizer:
    """Timestamps checked and blanked; generated ids numbered by first appearance."""

    keep: frozenset[str]
    project_id: str
    seen: dict[str, str] = field(default_factory=dict)

    def __call__(self, value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {name: self(item, name) for name, item in value.items()}
        if isinstance(value, list):
            return [self(item, key) for item in value]
        return self._string(value, key) if isinstance(value, str) else value

    def _string(self, value: str, key: str) -> str:
        if key in TIME_KEYS and value:
            assert_timestamp(value)
            return "<time>"
        if key in ID_KEYS and value not in self.keep:
            return self.seen.setdefault(value, f"<id {len(self.seen)}>")
        return value.replace(self.project_id, "<project>")


def normalized(value: Any, twins: Twins, side: Side) -> Any:
    return Normalizer(frozenset({twins.user_id, TEAM}), side.project.id)(value)


#: Fields newer than format 1.0.0, on the model a marker field identifies (wire §4).
NOT_IN_1_0_0 = (
    ("registration", frozenset({"targets", "mfa", "impersonator", "impersonatorUserId"})),
    ("providerUid", frozenset({"factors", "secret"})),
    ("teamName", frozenset({"mfa", "userPhone"})),
)


def assert_1_0_0_shape(value: Any) -> int:
    """No user, session or membership in `value` has a newer field; how many were seen."""
    if isinstance(value, list):
        return sum(assert_1_0_0_shape(item) for item in value)
    if not isinstance(value, dict):
        return 0
    seen = 0
    for marker, newer in NOT_IN_1_0_0:
        if marker in value:
            assert not newer & value.keys(), value
            seen += 1
    return seen + sum(assert_1_0_0_shape(item) for item in value.values())


def names(selected: Selection) -> set[str]:
    return set(selected).union(*(names(inner) for inner in selected.values()))


class GraphqlErrors(AssertionError):
    """A GraphQL answer carried errors where its REST twin did not."""


def graphql_data(response: httpx.Response, name: str) -> Any:
    assert response.status_code == 200, response.text
    body = response.json()
    if "errors" not in body:
        assert list(body) == ["data"] and list(body["data"]) == [name]
        return body["data"][name]
    raise GraphqlErrors(json.dumps(body["errors"]))


Answers = tuple[httpx.Response, httpx.Response]


def assert_same_answer(twins: Twins, example: Example, answers: Answers) -> None:
    case, selected = CASES[example.field], selection(example.graphql)
    data = graphql_data(answers[0], example.field)
    rest = expect(answers[1], case.status)
    models = assert_1_0_0_shape(rest)
    assert models >= (1 if names(selected) & {m for m, _ in NOT_IN_1_0_0} else 0)
    ours, theirs = from_graphql(data, selected), from_rest(rest, selected)
    for key, expected in case.differs.items():
        assert (ours.pop(key), theirs.pop(key)) == expected
    assert normalized(ours, twins, twins.graphql) == normalized(theirs, twins, twins.rest)


def assert_same_error(twins: Twins, example: Example, answers: Answers) -> None:
    case = CASES[example.field]
    rest_message = assert_error(answers[1], 400, "general_argument_invalid")["message"]
    assert answers[0].status_code == 200, answers[0].text
    body = answers[0].json()
    assert body["data"] == {example.field: None}
    error = body["errors"][0]
    assert error["extensions"] == {"type": "general_argument_invalid", "code": 400}
    assert (error["message"], rest_message) == (case.error, case.rest_error or case.error)
    for side in twins.sides:
        assert side.users() == {"total": 0, "users": []}


def assert_deleted(twins: Twins, example: Example, answers: Answers) -> None:
    gone = CASES[example.field].gone
    assert gone is not None
    for response in answers:
        assert (response.status_code, response.content) == (204, b""), response.text
    for side in twins.sides:
        gone(side.http, twins.user_id)


# ----------------------------------------------------------------------------------- tests


def test_the_data_files_hold_the_25_example_pairs() -> None:
    assert [example.field for example in EXAMPLES] == list(CASES)
    for example in EXAMPLES:
        request = parse_raw(example.http)
        assert list(request.headers) == [
            "Host",
            "Content-Type",
            "X-Appwrite-Response-Format",
            "X-Appwrite-Project",
            "X-Appwrite-Key",
        ]
        assert request.headers["X-Appwrite-Response-Format"] == "1.0.0"


def test_the_data_files_match_the_seed_document() -> None:
    seed = next((place for place in SEED_PLACES if place.is_file()), None)
    if seed is None:
        pytest.skip(f"{SEED_NAME} is not beside this checkout")
    graphql, http = extract(seed.read_text(encoding="utf-8"))
    assert read_examples("graphql.txt") == graphql
    assert read_examples("http.txt") == http


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.field for example in EXAMPLES])
def test_graphql_example_answers_as_its_rest_twin(twins: Twins, example: Example) -> None:
    case = CASES[example.field]
    twins.prepare(case)
    answers = twins.run(filled(example))
    check = assert_same_error if case.error else assert_deleted if case.gone else assert_same_answer
    check(twins, example, answers)


@pytest.mark.parametrize("name", list(BLANKS))
def test_rest_example_that_is_not_json_is_a_clean_400(twins: Twins, name: str) -> None:
    example, side = BY_FIELD[name], twins.rest
    twins.prepare(CASES[name])
    with pytest.raises(ValueError):
        json.loads(parse_raw(fill(example.http, side.slots)).body)
    before = side.users()
    error = assert_error(side.raw(example.http), 400, "general_argument_invalid")
    assert error["message"] == "The request body is not valid JSON."
    assert side.users() == before


@dataclass(frozen=True)
class RealHash:
    """A real hash of `plain` for each twin, and real scrypt costs where 0 is written."""

    graphql: str
    rest: str
    plain: str
    costs: tuple[int, int, int, int] | None = None

    def apply(self, example: Example) -> Example:
        graphql = swap(
            example.graphql, 'password: "password"', f"password: {json.dumps(self.graphql)}"
        )
        http = swap(example.http, '"password": "password"', f'"password": {json.dumps(self.rest)}')
        for name, cost in zip(SCRYPT_COSTS, self.costs or (), strict=False):
            graphql = swap(graphql, f"{name}: 0", f"{name}: {cost}")
            http = swap(http, f'"{name}": 0', f'"{name}": {cost}')
        return replace(example, graphql=graphql, http=http)


SCRYPT_COSTS = ("passwordCpu", "passwordMemory", "passwordParallel", "passwordLength")
PLAIN = "correct horse battery staple"


def _vector_hash(scheme: str) -> RealHash:
    vector = next(vector for vector in VECTORS if vector.scheme == scheme)
    return RealHash(vector.stored, vector.stored, vector.password)


def _scrypt_hash(cpu: int, memory: int, parallel: int, length: int) -> RealHash:
    salt = SCRYPT_MODIFIED["password_salt"].encode()
    key = hashlib.scrypt(PLAIN.encode(), salt=salt, n=cpu, r=memory, p=parallel, dklen=length)
    return RealHash(key.hex(), key.hex(), PLAIN, (cpu, memory, parallel, length))


REAL_HASHES = {
    "usersCreateBcryptUser": _vector_hash("bcrypt"),
    "usersCreateMD5User": _vector_hash("md5"),
    "usersCreateArgon2User": _vector_hash("argon2"),
    "usersCreateSHAUser": RealHash(
        hashlib.sha256(PLAIN.encode()).hexdigest(), hashlib.sha1(PLAIN.encode()).hexdigest(), PLAIN
    ),
    "usersCreatePHPassUser": _vector_hash("phpass"),
    "usersCreateScryptUser": _scrypt_hash(1024, 8, 1, 32),
}


@pytest.mark.parametrize("name", list(REAL_HASHES))
def test_import_example_with_a_real_hash(twins: Twins, name: str) -> None:
    real = REAL_HASHES[name]
    example = real.apply(BY_FIELD[name])
    twins.prepare(CASES[name])
    assert_same_answer(twins, example, twins.run(example))
    for side in twins.sides:
        assert sign_in(side.project, EMAIL, real.plain).status_code == 201


LIMIT_10 = json.dumps(json.dumps({"method": "limit", "values": [10]}))


def with_limit(example: Example) -> Example:
    """The GraphQL example with a `limit(10)` query."""
    name, argument = example.field, f"queries: [{LIMIT_10}]"
    if f"{name}( " in example.graphql:
        graphql = swap(example.graphql, f"{name}( ", f"{name}( {argument}, ")
    else:
        graphql = swap(example.graphql, f"{name} {{", f"{name}({argument}) {{")
    return replace(example, graphql=graphql)


@pytest.mark.parametrize("name", LISTS)
def test_list_example_with_a_limit_answers_as_its_rest_twin(twins: Twins, name: str) -> None:
    example = with_limit(BY_FIELD[name])
    twins.prepare(CASES[name])
    answers = twins.run(example)
    assert_same_answer(twins, example, answers)
    assert 0 < answers[1].json()["total"] < 10


def test_fields_newer_than_1_0_0_are_there_without_the_header(twins: Twins) -> None:
    """The 1.0.0 shape checks above are not vacuous: the newest format has those fields."""
    side, path = twins.rest, f"/users/{twins.user_id}"
    twins.prepare(Case())
    user = expect(side.http.get(path), 200)
    session = expect(side.http.get(f"{path}/sessions"), 200)["sessions"][0]
    membership = expect(side.http.get(f"{path}/memberships"), 200)["memberships"][0]
    for found, (_, newer) in zip((user, session, membership), NOT_IN_1_0_0, strict=True):
        assert newer <= found.keys()
