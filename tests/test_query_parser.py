"""The `queries[]` parser: exact ASTs, exact errors, the legacy syntax, and properties."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rosterd.errors import ArgumentInvalid, QueryInvalid
from rosterd.queries.ast import (
    DEFAULT_LIMIT,
    AttributeType,
    Condition,
    Cursor,
    Filter,
    ListQuery,
    Logical,
    Order,
    Schema,
    Value,
)
from rosterd.queries.legacy import parse_legacy_query as legacy_from_module
from rosterd.queries.parser import (
    FILTER_METHODS,
    LARGEST_INTEGER,
    MAX_LIMIT,
    UNSUPPORTED_METHODS,
    parse_legacy_query,
    parse_queries,
)

STRING = AttributeType.STRING
BOOLEAN = AttributeType.BOOLEAN
DATETIME = AttributeType.DATETIME
INTEGER = AttributeType.INTEGER
STRING_ARRAY = AttributeType.STRING_ARRAY

SCHEMA: Schema = {
    "name": STRING,
    "email": STRING,
    "phone": STRING,
    "status": BOOLEAN,
    "emailVerification": BOOLEAN,
    "registration": DATETIME,
    "accessedAt": DATETIME,
    "labels": STRING_ARRAY,
    "$id": STRING,
    "$createdAt": DATETIME,
    "$updatedAt": DATETIME,
    "$sequence": INTEGER,
}

PREFIX = "Invalid `queries` param: Invalid query: "
CURSOR_RULE = (
    "Invalid cursor: Value must be a document ID of at most 36 characters from a-z, A-Z, 0-9,"
    " period, hyphen and underscore, not starting with a special character"
)
LIMIT_RULE = f"Invalid limit: Value must be an integer between 1 and {MAX_LIMIT}"
OFFSET_RULE = f"Invalid offset: Value must be an integer between 0 and {LARGEST_INTEGER}"

ANY_COUNT_METHODS = frozenset({"isNull", "isNotNull"})
ARRAY_METHODS = frozenset({"contains", "containsAny", "containsAll", "notContains"})
TEXT_METHODS = frozenset(
    {"search", "notSearch", "startsWith", "notStartsWith", "endsWith", "notEndsWith"}
)


def sdk(method: str, attribute: str | None = None, values: list[object] | None = None) -> str:
    """A query serialised the way the SDKs do: compact JSON, absent keys omitted."""
    query: dict[str, object] = {"method": method}
    if attribute is not None:
        query["attribute"] = attribute
    if values is not None:
        query["values"] = values
    return json.dumps(query, separators=(",", ":"))


def parse(*queries: object, legacy: bool = False) -> ListQuery:
    return parse_queries(list(queries), SCHEMA, legacy=legacy)


def assert_invalid(queries: list[object], detail: str, *, legacy: bool = False) -> None:
    with pytest.raises(ArgumentInvalid) as caught:
        parse_queries(queries, SCHEMA, legacy=legacy)
    assert type(caught.value) is ArgumentInvalid
    assert caught.value.message == PREFIX + detail


def only_condition(*queries: object) -> Condition:
    parsed = parse(*queries)
    assert len(parsed.conditions) == 1
    return parsed.conditions[0]


# The SDK's own serialisations ----------------------------------------------------------------

SDK_CASES: list[tuple[str, ListQuery]] = [
    (
        '{"method":"equal","attribute":"name","values":["x"]}',
        ListQuery(conditions=(Filter("equal", "name", ("x",)),)),
    ),
    (
        '{"method":"equal","attribute":"status","values":[true]}',
        ListQuery(conditions=(Filter("equal", "status", (True,)),)),
    ),
    (
        '{"method":"notEqual","attribute":"email","values":["a@b.c"]}',
        ListQuery(conditions=(Filter("notEqual", "email", ("a@b.c",)),)),
    ),
    ('{"method":"limit","values":[5]}', ListQuery(limit=5)),
    ('{"method":"offset","values":[10]}', ListQuery(offset=10)),
    ('{"method":"cursorAfter","values":["id"]}', ListQuery(cursor=Cursor("id", "after"))),
    ('{"method":"cursorBefore","values":["id"]}', ListQuery(cursor=Cursor("id", "before"))),
    ('{"method":"orderDesc","attribute":""}', ListQuery(orders=(Order("$sequence", "desc"),))),
    ('{"method":"orderAsc","attribute":"name"}', ListQuery(orders=(Order("name", "asc"),))),
    ('{"method":"orderRandom"}', ListQuery(orders=(Order("", "random"),))),
    (
        '{"method":"search","attribute":"name","values":["x"]}',
        ListQuery(conditions=(Filter("search", "name", ("x",)),)),
    ),
    (
        '{"method":"startsWith","attribute":"email","values":["a"]}',
        ListQuery(conditions=(Filter("startsWith", "email", ("a",)),)),
    ),
    (
        '{"method":"endsWith","attribute":"email","values":[".com"]}',
        ListQuery(conditions=(Filter("endsWith", "email", (".com",)),)),
    ),
    (
        '{"method":"contains","attribute":"labels","values":["vip"]}',
        ListQuery(conditions=(Filter("contains", "labels", ("vip",)),)),
    ),
    (
        '{"method":"isNull","attribute":"phone"}',
        ListQuery(conditions=(Filter("isNull", "phone"),)),
    ),
    (
        '{"method":"isNotNull","attribute":"phone"}',
        ListQuery(conditions=(Filter("isNotNull", "phone"),)),
    ),
    (
        '{"method":"between","attribute":"registration","values":["2024-01-01","2025-01-01"]}',
        ListQuery(
            conditions=(
                Filter("between", "registration", (datetime(2024, 1, 1), datetime(2025, 1, 1))),
            )
        ),
    ),
    (
        '{"method":"greaterThan","attribute":"$createdAt","values":["2024-01-01"]}',
        ListQuery(conditions=(Filter("greaterThan", "$createdAt", (datetime(2024, 1, 1),)),)),
    ),
    (
        '{"method":"lessThanEqual","attribute":"accessedAt","values":["2024"]}',
        ListQuery(conditions=(Filter("lessThanEqual", "accessedAt", (datetime(2024, 1, 1),)),)),
    ),
    (
        '{"method":"or","values":[{"method":"equal","attribute":"name","values":["a"]},'
        '{"method":"equal","attribute":"email","values":["b"]}]}',
        ListQuery(
            conditions=(
                Logical("or", (Filter("equal", "name", ("a",)), Filter("equal", "email", ("b",)))),
            )
        ),
    ),
]


@pytest.mark.parametrize(("query", "expected"), SDK_CASES)
def test_sdk_serialisations_parse_to_the_expected_ast(query: str, expected: ListQuery) -> None:
    assert parse(query) == expected


def test_no_queries_is_the_default_page() -> None:
    assert parse() == ListQuery((), (), DEFAULT_LIMIT, 0, None)
    assert parse().limit == 25


def test_a_full_page_request_keeps_every_part() -> None:
    parsed = parse(
        sdk("equal", "name", ["a", "b"]),
        sdk("orderDesc", "$createdAt"),
        sdk("isNull", "phone"),
        sdk("orderAsc", "name"),
        sdk("limit", None, [10]),
        sdk("offset", None, [20]),
        sdk("cursorAfter", None, ["user1"]),
    )
    assert parsed == ListQuery(
        conditions=(Filter("equal", "name", ("a", "b")), Filter("isNull", "phone")),
        orders=(Order("$createdAt", "desc"), Order("name", "asc")),
        limit=10,
        offset=20,
        cursor=Cursor("user1", "after"),
    )


def test_null_attribute_and_values_count_as_absent() -> None:
    query = '{"method":"isNull","attribute":"phone","values":null}'
    assert only_condition(query) == Filter("isNull", "phone")
    assert parse('{"method":"orderAsc","attribute":null}').orders == (Order("$sequence", "asc"),)


def test_unknown_keys_are_ignored() -> None:
    query = '{"method":"equal","attribute":"name","values":["x"],"extra":1}'
    assert only_condition(query) == Filter("equal", "name", ("x",))


# Request-level limits ------------------------------------------------------------------------


def test_at_most_100_queries() -> None:
    assert parse(*[sdk("limit", None, [1])] * 100).limit == 1
    assert_invalid([sdk("limit", None, [1])] * 101, "At most 100 queries are allowed, got 101")


def test_at_most_4096_characters_per_query() -> None:
    padding = 4096 - len(sdk("equal", "name", [""]))
    assert only_condition(sdk("equal", "name", ["x" * padding])) == Filter(
        "equal", "name", ("x" * padding,)
    )
    too_long = sdk("equal", "name", ["x" * (padding + 1)])
    assert_invalid([too_long], "Query must be at most 4096 characters long")
    assert_invalid(
        [f'equal("name", "{"x" * 4100}")'],
        "Query must be at most 4096 characters long",
        legacy=True,
    )


@pytest.mark.parametrize(
    ("element", "kind"),
    [
        (5, "number"),
        (1.5, "number"),
        (True, "boolean"),
        (None, "null"),
        ([], "array"),
        ({}, "object"),
    ],
)
def test_elements_must_be_strings(element: object, kind: str) -> None:
    assert_invalid([element], f"Query must be a string, got {kind}")


def test_a_bare_string_is_not_a_query_list() -> None:
    with pytest.raises(ArgumentInvalid) as caught:
        parse_queries('{"method":"limit","values":[1]}', SCHEMA)
    assert caught.value.message == PREFIX + "Queries must be an array of strings"


# JSON shape ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "{",
        '{"method":"equal",}',
        "[]",
        '["equal","name"]',
        "5",
        '"equal"',
        "null",
        '{"method":"limit","values":[NaN]}',
        '{"method":"limit","values":[Infinity]}',
        '{"method":"equal","attribute":"name","values":["\\ud800"]}',
        "[" * 2000 + "]" * 2000,
    ],
)
def test_syntax_errors(text: str) -> None:
    assert_invalid([text], "Syntax error")


def test_syntax_error_message_reads_like_appwrite() -> None:
    with pytest.raises(ArgumentInvalid) as caught:
        parse("{")
    assert caught.value.message == "Invalid `queries` param: Invalid query: Syntax error"
    assert caught.value.code == 400
    assert caught.value.type == "general_argument_invalid"


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ('{"attribute":"name"}', "Query method is missing"),
        ('{"method":null}', "Query method is missing"),
        ('{"method":5}', "Invalid query method. Must be a string, got number"),
        ('{"method":["equal"]}', "Invalid query method. Must be a string, got array"),
        (
            '{"method":"equal","attribute":5,"values":["x"]}',
            "Invalid query attribute. Must be a string, got number",
        ),
        (
            '{"method":"equal","attribute":{"a":1},"values":["x"]}',
            "Invalid query attribute. Must be a string, got object",
        ),
        (
            '{"method":"equal","attribute":"name","values":"x"}',
            "Invalid query values. Must be an array, got string",
        ),
        (
            '{"method":"equal","attribute":"name","values":{"0":"x"}}',
            "Invalid query values. Must be an array, got object",
        ),
    ],
)
def test_key_shapes(query: str, detail: str) -> None:
    assert_invalid([query], detail)


@pytest.mark.parametrize("method", ["select", "unknown", "", "EQUAL", "count"])
def test_unknown_methods(method: str) -> None:
    assert_invalid([sdk(method, None, ["name"])], f"Invalid query method: {method}")


def test_select_is_rejected_like_appwrite() -> None:
    with pytest.raises(ArgumentInvalid) as caught:
        parse('{"method":"select","values":["name","email"]}')
    assert caught.value.message == PREFIX + "Invalid query method: select"


@pytest.mark.parametrize("method", sorted(UNSUPPORTED_METHODS))
def test_unsupported_methods(method: str) -> None:
    assert_invalid([sdk(method, "name", ["^a"])], f'Query method "{method}" is not supported')


def test_unsupported_method_list_covers_regex_exists_elem_match_spatial_vector() -> None:
    for method in ("regex", "exists", "notExists", "elemMatch", "crosses", "vectorDot"):
        assert method in UNSUPPORTED_METHODS


# Attributes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("attribute", ["password", "search", "", "Name", "$permissions"])
def test_attribute_not_in_schema(attribute: str) -> None:
    assert_invalid([sdk("equal", attribute, ["x"])], f"Attribute not found in schema: {attribute}")


def test_dotted_attributes() -> None:
    assert_invalid([sdk("equal", "name.first", ["x"])], "Cannot query nested attribute on: name")
    assert_invalid([sdk("orderAsc", "labels.0")], "Cannot query nested attribute on: labels")
    assert_invalid(
        [sdk("equal", "prefs.theme", ["x"])], "Attribute not found in schema: prefs.theme"
    )


# Value counts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method", ["equal", "contains", "containsAny", "containsAll", "notContains"]
)
def test_methods_needing_at_least_one_value(method: str) -> None:
    title = method[0].upper() + method[1:]
    assert_invalid([sdk(method, "name", [])], f"{title} queries require at least one value")
    assert_invalid([sdk(method, "name")], f"{title} queries require at least one value")
    assert only_condition(sdk(method, "name", ["a", "b", "c"])) == Filter(
        method, "name", ("a", "b", "c")
    )


@pytest.mark.parametrize(
    "method",
    [
        "notEqual",
        "lessThan",
        "lessThanEqual",
        "greaterThan",
        "greaterThanEqual",
        "search",
        "notSearch",
        "startsWith",
        "notStartsWith",
        "endsWith",
        "notEndsWith",
    ],
)
def test_methods_needing_exactly_one_value(method: str) -> None:
    title = method[0].upper() + method[1:]
    assert_invalid([sdk(method, "name", [])], f"{title} queries require exactly one value, got 0")
    assert_invalid(
        [sdk(method, "name", ["a", "b"])], f"{title} queries require exactly one value, got 2"
    )
    assert only_condition(sdk(method, "name", ["a"])) == Filter(method, "name", ("a",))


@pytest.mark.parametrize("method", ["between", "notBetween"])
def test_methods_needing_exactly_two_values(method: str) -> None:
    title = method[0].upper() + method[1:]
    assert_invalid(
        [sdk(method, "$sequence", [1])], f"{title} queries require exactly two values, got 1"
    )
    assert_invalid(
        [sdk(method, "$sequence", [1, 2, 3])], f"{title} queries require exactly two values, got 3"
    )
    assert only_condition(sdk(method, "$sequence", [1, 2])) == Filter(method, "$sequence", (1, 2))


@pytest.mark.parametrize("method", ["isNull", "isNotNull"])
def test_null_checks_ignore_any_values(method: str) -> None:
    assert only_condition(sdk(method, "phone")) == Filter(method, "phone")
    assert only_condition(sdk(method, "phone", [])) == Filter(method, "phone")
    assert only_condition(sdk(method, "phone", [1, None, "x"])) == Filter(method, "phone")
    assert only_condition(sdk(method, "labels")) == Filter(method, "labels")


def test_at_most_500_values() -> None:
    names = [f"v{number}" for number in range(500)]
    values: list[object] = list(names)
    assert only_condition(sdk("equal", "name", values)) == Filter("equal", "name", tuple(names))
    assert_invalid(
        [sdk("equal", "name", [*values, "one more"])], "Equal query has more than 500 values"
    )
    assert_invalid([sdk("isNull", "phone", [0] * 501)], "IsNull query has more than 500 values")


# Value types ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attribute", "value"),
    [
        ("name", 5),
        ("name", True),
        ("name", None),
        ("name", ["x"]),
        ("name", {"x": 1}),
        ("status", "true"),
        ("status", 1),
        ("status", 0),
        ("status", None),
        ("$sequence", True),
        ("$sequence", "5"),
        ("$sequence", 5.0),
        ("$sequence", 2**63),
        ("$sequence", -(2**63) - 1),
        ("registration", "not a date"),
        ("registration", "0000-01-01"),
        ("registration", "0000"),
        ("registration", "10000-01-01"),
        ("registration", "0001-01-01T00:00:00+05:00"),
        ("registration", "9999-12-31T23:00:00-05:00"),
        ("registration", "2024-13-01"),
        ("registration", 2024),
        ("registration", ""),
        ("labels", 5),
        ("labels", ["vip"]),
    ],
)
def test_values_of_the_wrong_type(attribute: str, value: object) -> None:
    method = "contains" if attribute == "labels" else "equal"
    assert_invalid(
        [sdk(method, attribute, [value])], f'Query value is invalid for attribute "{attribute}"'
    )


def test_one_bad_value_among_good_ones_fails() -> None:
    assert_invalid(
        [sdk("equal", "status", [True, "x"])], 'Query value is invalid for attribute "status"'
    )


@pytest.mark.parametrize(
    ("attribute", "value", "expected"),
    [
        ("name", "", ""),
        ("name", "Lionel Messi", "Lionel Messi"),
        ("status", True, True),
        ("status", False, False),
        ("$sequence", 0, 0),
        ("$sequence", -5, -5),
        ("$sequence", LARGEST_INTEGER, LARGEST_INTEGER),
        ("registration", "2024", datetime(2024, 1, 1)),
        ("registration", "2024-03", datetime(2024, 3, 1)),
        ("registration", "2024-03-04", datetime(2024, 3, 4)),
        ("registration", "2024-03-04T05:06:07.123+00:00", datetime(2024, 3, 4, 5, 6, 7, 123000)),
        ("registration", "2024-03-04T05:06:07Z", datetime(2024, 3, 4, 5, 6, 7)),
        ("registration", "2024-03-04T05:06:07+02:00", datetime(2024, 3, 4, 3, 6, 7)),
        ("registration", "0001-01-01", datetime(1, 1, 1)),
        ("registration", "9999-12-31T23:59:59", datetime(9999, 12, 31, 23, 59, 59)),
        ("$createdAt", "2024-01-01 10:00:00", datetime(2024, 1, 1, 10)),
    ],
)
def test_values_of_the_right_type(attribute: str, value: object, expected: Value) -> None:
    assert only_condition(sdk("equal", attribute, [value])) == Filter(
        "equal", attribute, (expected,)
    )


@pytest.mark.parametrize("method", sorted(FILTER_METHODS - ARRAY_METHODS - ANY_COUNT_METHODS))
def test_arrays_refuse_non_array_methods(method: str) -> None:
    count = 2 if method in {"between", "notBetween"} else 1
    assert_invalid(
        [sdk(method, "labels", ["vip"] * count)],
        f'Cannot query {method} on attribute "labels" because it is an array.',
    )


@pytest.mark.parametrize("method", sorted(ARRAY_METHODS))
def test_arrays_accept_contains_methods(method: str) -> None:
    assert only_condition(sdk(method, "labels", ["vip", "admin"])) == Filter(
        method, "labels", ("vip", "admin")
    )


@pytest.mark.parametrize("attribute", ["status", "registration", "$sequence"])
@pytest.mark.parametrize("method", sorted(ARRAY_METHODS))
def test_contains_needs_an_array_or_string(attribute: str, method: str) -> None:
    assert_invalid(
        [sdk(method, attribute, ["x"])],
        f'Cannot query {method} on attribute "{attribute}" because it is not an array or string.',
    )


@pytest.mark.parametrize("attribute", ["status", "registration", "$sequence"])
@pytest.mark.parametrize("method", sorted(TEXT_METHODS))
def test_text_methods_need_a_string(attribute: str, method: str) -> None:
    assert_invalid(
        [sdk(method, attribute, ["x"])],
        f'Cannot query {method} on attribute "{attribute}" because it is not a string.',
    )


def test_comparisons_work_on_every_scalar_type() -> None:
    parsed = parse(
        sdk("lessThan", "status", [True]),
        sdk("greaterThanEqual", "$sequence", [3]),
        sdk("notBetween", "accessedAt", ["2024-01-01", "2024-02-01"]),
        sdk("lessThanEqual", "name", ["m"]),
    )
    assert parsed.conditions == (
        Filter("lessThan", "status", (True,)),
        Filter("greaterThanEqual", "$sequence", (3,)),
        Filter("notBetween", "accessedAt", (datetime(2024, 1, 1), datetime(2024, 2, 1))),
        Filter("lessThanEqual", "name", ("m",)),
    )


# and / or ------------------------------------------------------------------------------------


def test_logical_members_may_be_objects_or_json_strings() -> None:
    member = {"method": "equal", "attribute": "name", "values": ["a"]}
    as_string = sdk("isNull", "phone")
    query = json.dumps({"method": "and", "values": [member, as_string]})
    assert only_condition(query) == Logical(
        "and", (Filter("equal", "name", ("a",)), Filter("isNull", "phone"))
    )


def test_logical_queries_nest() -> None:
    inner = {
        "method": "and",
        "values": [
            json.loads(sdk("equal", "status", [True])),
            json.loads(sdk("contains", "labels", ["vip"])),
        ],
    }
    outer = {"method": "or", "values": [inner, json.loads(sdk("equal", "$id", ["u1"]))]}
    assert only_condition(json.dumps(outer)) == Logical(
        "or",
        (
            Logical(
                "and", (Filter("equal", "status", (True,)), Filter("contains", "labels", ("vip",)))
            ),
            Filter("equal", "$id", ("u1",)),
        ),
    )


@pytest.mark.parametrize("method", ["and", "or"])
def test_logical_needs_two_conditions(method: str) -> None:
    title = method.capitalize()
    one = json.loads(sdk("equal", "name", ["a"]))
    assert_invalid([sdk(method, None, [])], f"{title} queries require at least two queries")
    assert_invalid([sdk(method)], f"{title} queries require at least two queries")
    assert_invalid([sdk(method, None, [one])], f"{title} queries require at least two queries")


@pytest.mark.parametrize("method", ["and", "or"])
@pytest.mark.parametrize(
    "intruder",
    [
        {"method": "limit", "values": [1]},
        {"method": "offset", "values": [1]},
        {"method": "cursorAfter", "values": ["u1"]},
        {"method": "orderAsc", "attribute": "name"},
        {"method": "orderRandom"},
    ],
)
def test_logical_members_must_be_filters(method: str, intruder: dict[str, object]) -> None:
    one = json.loads(sdk("equal", "name", ["a"]))
    two = json.loads(sdk("equal", "email", ["b"]))
    assert_invalid(
        [sdk(method, None, [one, two, intruder])],
        f"{method.capitalize()} queries can only contain filter queries",
    )


@pytest.mark.parametrize("member", [5, None, True, ["x"], "not json", "[1]"])
def test_logical_members_must_be_query_objects(member: object) -> None:
    one = json.loads(sdk("equal", "name", ["a"]))
    assert_invalid([sdk("or", None, [one, member])], "Syntax error")


def test_logical_members_are_validated() -> None:
    one = json.loads(sdk("equal", "name", ["a"]))
    assert_invalid(
        [sdk("or", None, [one, {"method": "equal", "attribute": "nope", "values": ["x"]}])],
        "Attribute not found in schema: nope",
    )
    assert_invalid([sdk("and", None, [one, {"method": "limit", "values": [0]}])], LIMIT_RULE)


def test_logical_nesting_depth_is_bounded() -> None:
    leaf = json.loads(sdk("isNull", "phone"))

    def nested(depth: int) -> dict[str, object]:
        query: dict[str, object] = {"method": "or", "values": [leaf, leaf]}
        for _ in range(depth):
            query = {"method": "or", "values": [query, leaf]}
        return query

    assert isinstance(only_condition(json.dumps(nested(19))), Logical)
    assert_invalid([json.dumps(nested(20))], "Queries can be nested at most 20 levels deep")


# Orders --------------------------------------------------------------------------------------


def test_orders_keep_their_sequence_without_tie_breakers() -> None:
    parsed = parse(
        sdk("orderDesc", "registration"),
        sdk("orderRandom"),
        sdk("orderAsc"),
        sdk("orderAsc", "$id"),
        sdk("orderDesc", "$sequence"),
    )
    assert parsed.orders == (
        Order("registration", "desc"),
        Order("", "random"),
        Order("$sequence", "asc"),
        Order("$id", "asc"),
        Order("$sequence", "desc"),
    )


def test_order_values_and_random_attribute_are_ignored() -> None:
    assert parse(sdk("orderAsc", "name", ["x"])).orders == (Order("name", "asc"),)
    assert parse(sdk("orderRandom", "name", [1])).orders == (Order("", "random"),)


def test_order_attribute_must_be_known_and_not_an_array() -> None:
    assert_invalid([sdk("orderAsc", "password")], "Attribute not found in schema: password")
    assert_invalid(
        [sdk("orderDesc", "labels")], 'Cannot order by attribute "labels" because it is an array.'
    )


# Limit, offset, cursor -----------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [(1, 1), (10.0, 10), (5000, 5000), ("12", 12)])
def test_limit_values(value: object, expected: int) -> None:
    assert parse(sdk("limit", None, [value])).limit == expected


@pytest.mark.parametrize(
    "value", [0, -1, 1.5, 0.0, True, "ten", "0", "1.5", None, [5], 5001, 2**63, 1e300, 2**70]
)
def test_bad_limits(value: object) -> None:
    assert_invalid([sdk("limit", None, [value])], LIMIT_RULE)


@pytest.mark.parametrize(
    ("value", "expected"), [(0, 0), (0.0, 0), (7, 7), (250.0, 250), ("12", 12)]
)
def test_offset_values(value: object, expected: int) -> None:
    assert parse(sdk("offset", None, [value])).offset == expected


@pytest.mark.parametrize("value", [-1, 2.5, False, "-1", "x", None, 2**63])
def test_bad_offsets(value: object) -> None:
    assert_invalid([sdk("offset", None, [value])], OFFSET_RULE)


@pytest.mark.parametrize("method", ["limit", "offset", "cursorAfter", "cursorBefore"])
def test_paging_needs_exactly_one_value(method: str) -> None:
    title = method[0].upper() + method[1:]
    assert_invalid([sdk(method)], f"{title} queries require exactly one value, got 0")
    assert_invalid([sdk(method, None, [1, 2])], f"{title} queries require exactly one value, got 2")


@pytest.mark.parametrize("document_id", ["a", "user1", "A.b-c_d", "0" * 36, "65f1c2e3a4b5c6d7e8f9"])
def test_cursor_values(document_id: str) -> None:
    assert parse(sdk("cursorBefore", None, [document_id])).cursor == Cursor(document_id, "before")


@pytest.mark.parametrize(
    "document_id",
    ["", "_a", ".a", "-a", "a" * 37, "a b", "a$", "ü", "a/b", 5, None, True, {"$id": "a"}],
)
def test_bad_cursors(document_id: object) -> None:
    assert_invalid([sdk("cursorAfter", None, [document_id])], CURSOR_RULE)


def test_only_the_first_limit_offset_and_cursor_count() -> None:
    parsed = parse(
        sdk("cursorBefore", None, ["first"]),
        sdk("limit", None, [3]),
        sdk("offset", None, [4]),
        sdk("limit", None, [9]),
        sdk("cursorAfter", None, ["second"]),
        sdk("offset", None, [8]),
        sdk("cursorBefore", None, ["third"]),
    )
    assert (parsed.limit, parsed.offset, parsed.cursor) == (3, 4, Cursor("first", "before"))


def test_later_paging_queries_are_still_validated() -> None:
    assert_invalid([sdk("limit", None, [3]), sdk("limit", None, [0])], LIMIT_RULE)
    assert_invalid([sdk("offset", None, [3]), sdk("offset", None, [-3])], OFFSET_RULE)
    assert_invalid([sdk("cursorAfter", None, ["a"]), sdk("cursorBefore", None, ["_"])], CURSOR_RULE)


# The legacy 1.4 syntax -----------------------------------------------------------------------


def test_legacy_converter_is_exported_from_both_modules() -> None:
    assert parse_legacy_query is legacy_from_module


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('equal("name", ["x"])', {"method": "equal", "attribute": "name", "values": ["x"]}),
        ('equal("name", "x")', {"method": "equal", "attribute": "name", "values": ["x"]}),
        (
            "equal('name', ['x', 'y'])",
            {"method": "equal", "attribute": "name", "values": ["x", "y"]},
        ),
        ('equal("status", true)', {"method": "equal", "attribute": "status", "values": [True]}),
        ('equal("status", [false])', {"method": "equal", "attribute": "status", "values": [False]}),
        ('equal("phone", null)', {"method": "equal", "attribute": "phone", "values": [None]}),
        ('between("a", 1, 2)', {"method": "between", "attribute": "a", "values": [1, 2]}),
        (
            'between("a", -1.5, 2e3)',
            {"method": "between", "attribute": "a", "values": [-1.5, 2000.0]},
        ),
        ('isNull("phone")', {"method": "isNull", "attribute": "phone", "values": []}),
        ('orderAsc("")', {"method": "orderAsc", "attribute": "", "values": []}),
        ('orderDesc("name")', {"method": "orderDesc", "attribute": "name", "values": []}),
        ("orderAsc()", {"method": "orderAsc"}),
        ('select(["a","b"])', {"method": "select", "values": ["a", "b"]}),
        ("limit(5)", {"method": "limit", "values": [5]}),
        ("offset( 0 )", {"method": "offset", "values": [0]}),
        ('cursorAfter("id")', {"method": "cursorAfter", "values": ["id"]}),
        ("cursorBefore('id')", {"method": "cursorBefore", "values": ["id"]}),
        ("orderRandom()", {"method": "orderRandom", "values": []}),
        (
            '  search ( "name" , "a b" )  ',
            {"method": "search", "attribute": "name", "values": ["a b"]},
        ),
        (
            r'equal("name", ["a\"b", "c\\d", "e\,f", "g\]h", "i\'j", "k\nl"])',
            {
                "method": "equal",
                "attribute": "name",
                "values": ['a"b', "c\\d", "e,f", "g]h", "i'j", "k\\nl"],
            },
        ),
        ('equal("name", "(x)")', {"method": "equal", "attribute": "name", "values": ["(x)"]}),
        ('equal("name", [])', {"method": "equal", "attribute": "name", "values": []}),
        ('custom("a", 1)', {"method": "custom", "attribute": "a", "values": [1]}),
    ],
)
def test_legacy_conversion(text: str, expected: dict[str, object]) -> None:
    assert parse_legacy_query(text) == expected


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ('users.equal("name", "x")', 'method "users.equal" uses the removed dotted syntax'),
        ('name.equal("x")', 'method "name.equal" uses the removed dotted syntax'),
        ("equal.name", 'a legacy query must look like method(parameters), "(" is missing'),
        ("limit", 'a legacy query must look like method(parameters), "(" is missing'),
        ("", 'a legacy query must look like method(parameters), "(" is missing'),
        ('equal("name", "x"', 'the parameters of "equal" must end with ")"'),
        (
            'equal("name", x)',
            "cannot parse the parameters of \"equal\": unexpected 'x' (strings must be quoted)"
            " at character 9 of the parameters",
        ),
        (
            'equal("name", "x)',
            'cannot parse the parameters of "equal": a quoted string is not closed at the end',
        ),
        ('equal("name",)', 'cannot parse the parameters of "equal": a value is missing at the end'),
        (
            'equal("name" "x")',
            'cannot parse the parameters of "equal": expected "," at character 8 of the parameters',
        ),
        (
            'equal("name", [["x"]])',
            'cannot parse the parameters of "equal": nested arrays are not supported'
            " at character 10 of the parameters",
        ),
        (
            'equal("name", ["x" "y"])',
            'cannot parse the parameters of "equal": expected ","'
            " at character 14 of the parameters",
        ),
        (
            'equal("name", ["x",)',
            'cannot parse the parameters of "equal": a value is missing at the end',
        ),
        ('equal("\ud800")', "the query contains characters that are not valid Unicode"),
    ],
)
def test_legacy_syntax_errors(text: str, detail: str) -> None:
    with pytest.raises(QueryInvalid) as caught:
        parse_legacy_query(text)
    assert caught.value.message == f"Invalid query: {detail}"
    assert caught.value.type == "general_query_invalid"
    with pytest.raises(QueryInvalid) as again:
        parse(text, legacy=True)
    assert again.value.message == f"Invalid query: {detail}"


def test_legacy_queries_build_the_same_list_query() -> None:
    parsed = parse(
        'equal("name", ["x", "y"])',
        'between("$sequence", 1, 2)',
        'orderAsc("")',
        'orderDesc("$createdAt")',
        "limit(5)",
        "offset(10)",
        'cursorAfter("user1")',
        'isNotNull("phone")',
        legacy=True,
    )
    assert parsed == ListQuery(
        conditions=(
            Filter("equal", "name", ("x", "y")),
            Filter("between", "$sequence", (1, 2)),
            Filter("isNotNull", "phone"),
        ),
        orders=(Order("$sequence", "asc"), Order("$createdAt", "desc")),
        limit=5,
        offset=10,
        cursor=Cursor("user1", "after"),
    )


def test_legacy_meaning_errors_are_argument_errors() -> None:
    assert_invalid(['select(["name"])'], "Invalid query method: select", legacy=True)
    assert_invalid(['equal("nope", "x")'], "Attribute not found in schema: nope", legacy=True)
    assert_invalid(["limit(0)"], LIMIT_RULE, legacy=True)
    assert_invalid(
        ["equal(5, 1)"], "Invalid query attribute. Must be a string, got number", legacy=True
    )
    assert_invalid(['equal("name")'], "Equal queries require at least one value", legacy=True)


def test_legacy_mode_does_not_read_json() -> None:
    with pytest.raises(QueryInvalid):
        parse(sdk("limit", None, [1]), legacy=True)


# Properties ----------------------------------------------------------------------------------

FIRST_DATETIME = datetime(1, 1, 1)
LAST_DATETIME = datetime(9999, 12, 31, 23, 59, 59, 999999)


def methods_for(attribute_type: AttributeType) -> list[str]:
    if attribute_type is STRING_ARRAY:
        return sorted(ARRAY_METHODS | ANY_COUNT_METHODS)
    if attribute_type is STRING:
        return sorted(FILTER_METHODS)
    return sorted(FILTER_METHODS - ARRAY_METHODS - TEXT_METHODS)


def value_count(method: str) -> st.SearchStrategy[int]:
    if method in ANY_COUNT_METHODS:
        return st.integers(0, 3)
    if method in {"between", "notBetween"}:
        return st.just(2)
    if method in {"equal", *ARRAY_METHODS}:
        return st.integers(1, 4)
    return st.just(1)


def wire_and_typed(attribute_type: AttributeType) -> st.SearchStrategy[tuple[object, Value]]:
    """A value as the SDK sends it, paired with the value the AST holds."""
    if attribute_type is BOOLEAN:
        return st.booleans().map(lambda flag: (flag, flag))
    if attribute_type is INTEGER:
        return st.integers(-(2**63), 2**63 - 1).map(lambda number: (number, number))
    if attribute_type is DATETIME:
        moments = st.datetimes(min_value=FIRST_DATETIME, max_value=LAST_DATETIME)
        return moments.map(lambda moment: (moment.isoformat(), moment))
    # NUL cannot be stored (PostgreSQL refuses it), so it is never a valid value.
    return (
        st.text(max_size=20).filter(lambda text: "\x00" not in text).map(lambda text: (text, text))
    )


@st.composite
def filters(draw: st.DrawFn) -> tuple[dict[str, object], Filter]:
    """A valid filter as a query object, paired with the Filter it must parse to."""
    attribute = draw(st.sampled_from(sorted(SCHEMA)))
    attribute_type = SCHEMA[attribute]
    method = draw(st.sampled_from(methods_for(attribute_type)))
    count = draw(value_count(method))
    pairs = draw(st.lists(wire_and_typed(attribute_type), min_size=count, max_size=count))
    query: dict[str, object] = {"method": method, "attribute": attribute}
    if pairs or method not in ANY_COUNT_METHODS:
        query["values"] = [wire for wire, _ in pairs]
    typed = () if method in ANY_COUNT_METHODS else tuple(value for _, value in pairs)
    return query, Filter(method, attribute, typed)


def legacy_literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    assert isinstance(value, str)
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def legacy_text(query: dict[str, object], *, as_array: bool) -> str:
    attribute = query["attribute"]
    values = query.get("values", [])
    assert isinstance(values, list)
    parameters = [legacy_literal(attribute)]
    literals = [legacy_literal(value) for value in values]
    if as_array:
        parameters.append("[" + ", ".join(literals) + "]")
    else:
        parameters.extend(literals)
    return f"{query['method']}({', '.join(parameters)})"


def dumps(query: object, *, ascii_only: bool) -> str:
    return json.dumps(query, separators=(",", ":"), ensure_ascii=ascii_only)


@settings(max_examples=300, deadline=None)
@given(filters(), st.booleans())
def test_sdk_serialised_filters_round_trip(
    case: tuple[dict[str, object], Filter], ascii_only: bool
) -> None:
    query, expected = case
    assert parse(dumps(query, ascii_only=ascii_only)).conditions == (expected,)


@settings(max_examples=100, deadline=None)
@given(st.lists(filters(), min_size=2, max_size=4), st.sampled_from(["and", "or"]))
def test_logical_filters_round_trip(
    cases: list[tuple[dict[str, object], Filter]], method: str
) -> None:
    query = {"method": method, "values": [member for member, _ in cases]}
    expected = Logical("and" if method == "and" else "or", tuple(case for _, case in cases))
    assert only_condition(dumps(query, ascii_only=True)) == expected


@settings(max_examples=300, deadline=None)
@given(filters(), st.booleans())
def test_legacy_filters_match_the_json_form(
    case: tuple[dict[str, object], Filter], as_array: bool
) -> None:
    query, expected = case
    from_legacy = parse(legacy_text(query, as_array=as_array), legacy=True)
    assert from_legacy == parse(dumps(query, ascii_only=True))
    assert from_legacy.conditions == (expected,)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, MAX_LIMIT),
    st.integers(0, LARGEST_INTEGER),
    st.booleans(),
)
def test_paging_round_trips(limit: int, offset: int, legacy: bool) -> None:
    if legacy:
        parsed = parse(f"limit({limit})", f"offset({offset})", legacy=True)
    else:
        parsed = parse(sdk("limit", None, [limit]), sdk("offset", None, [offset]))
    assert (parsed.limit, parsed.offset) == (limit, offset)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
known_methods = [
    *sorted(FILTER_METHODS | UNSUPPORTED_METHODS),
    "and",
    "or",
    "select",
    "orderAsc",
    "orderDesc",
    "orderRandom",
    "limit",
    "offset",
    "cursorAfter",
    "cursorBefore",
]
query_like_objects = st.fixed_dictionaries(
    {},
    optional={
        "method": st.sampled_from(known_methods) | json_values,
        "attribute": st.sampled_from(sorted(SCHEMA)) | json_values,
        "values": st.lists(json_values, max_size=4) | json_values,
    },
)


def parses_or_refuses(queries: list[object], *, legacy: bool) -> None:
    try:
        parse_queries(queries, SCHEMA, legacy=legacy)
    except (ArgumentInvalid, QueryInvalid) as error:
        assert error.message


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=60), max_size=3), st.booleans())
def test_arbitrary_text_only_raises_query_errors(texts: list[str], legacy: bool) -> None:
    parses_or_refuses(list(texts), legacy=legacy)


@settings(max_examples=200, deadline=None)
@given(st.lists(query_like_objects, min_size=1, max_size=3))
def test_arbitrary_query_objects_only_raise_query_errors(queries: list[dict[str, object]]) -> None:
    parses_or_refuses([json.dumps(query) for query in queries], legacy=False)


legacy_parameter_text = st.text(alphabet="\"'[],\\ .-+eE0123456789truefalsnl", max_size=30)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(known_methods), legacy_parameter_text)
def test_arbitrary_legacy_parameters_only_raise_query_errors(method: str, parameters: str) -> None:
    parses_or_refuses([f"{method}({parameters})"], legacy=True)


@settings(max_examples=100, deadline=None)
@given(st.lists(json_values, max_size=4))
def test_arbitrary_elements_only_raise_query_errors(elements: list[object]) -> None:
    parses_or_refuses(elements, legacy=False)
