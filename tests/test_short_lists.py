"""Lists short enough to run on the event loop (`rosterd.http.listing.short_list`): which
they are, and that they answer exactly as the same list in a worker thread does."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from rosterd.http.listing import short_list


def _query(method: str, values: list[Any], attribute: str | None = None) -> str:
    query: dict[str, Any] = {"method": method, "values": values}
    if attribute is not None:
        query["attribute"] = attribute
    return json.dumps(query)


LIMIT = _query("limit", [25])
STATUS = _query("equal", [True], "status")
AFTER = _query("cursorAfter", ["s07"])


@pytest.mark.parametrize(
    ("supplied", "short"),
    [
        ({"queries": [LIMIT], "total": "false"}, True),
        ({"queries": [LIMIT, STATUS, AFTER], "total": "0"}, True),
        ({"queries": [_query("cursorBefore", ["s07"])], "total": False}, True),
        ({"queries": LIMIT, "total": "FALSE"}, True),
        ({"queries": [], "total": "false"}, True),
        ({"queries": [LIMIT]}, False),  # counts the total
        ({"queries": [LIMIT], "total": "true"}, False),
        ({"queries": [LIMIT], "total": "false", "search": "ann"}, False),
        ({"queries": [_query("limit", [101])], "total": "false"}, False),
        ({"queries": [_query("limit", ["25"])], "total": "false"}, False),
        ({"queries": [_query("offset", [25])], "total": "false"}, False),
        ({"queries": [_query("orderAsc", [], "name")], "total": "false"}, False),
        ({"queries": [_query("equal", [True, False], "status")], "total": "false"}, False),
        ({"queries": [STATUS, _query("equal", ["a"], "name")], "total": "false"}, False),
        ({"queries": [_query("contains", ["vip"], "labels")], "total": "false"}, False),
        ({"queries": [_query("startsWith", ["a"], "name")], "total": "false"}, False),
        ({"queries": ["limit(25)"], "total": "false"}, False),  # the 1.4 syntax
        ({"queries": ["{not json"], "total": "false"}, False),
        ({"queries": ["[1]"], "total": "false"}, False),
    ],
)
def test_which_lists_are_short(supplied: dict[str, Any], short: bool) -> None:
    assert short_list(supplied) is short


ALL = [f"s{number:02d}" for number in range(12)]
ACTIVE = [user for number, user in enumerate(ALL) if number % 3]
LISTS = [
    ([LIMIT], ALL),
    ([_query("limit", [5]), STATUS], ACTIVE[:5]),
    ([_query("limit", [4]), AFTER], ALL[8:12]),
    ([_query("limit", [4]), _query("cursorBefore", ["s07"]), STATUS], ACTIVE[:4]),
    ([_query("equal", ["Name 3"], "name")], ["s03", "s07", "s11"]),
    ([_query("equal", [["x"]], "labels")], None),  # refused alike
    ([_query("cursorAfter", ["missing"])], None),  # refused alike
]


@pytest.mark.parametrize(("queries", "expected"), LISTS)
def test_a_short_list_answers_as_a_counted_one(
    http: httpx.Client, queries: list[str], expected: list[str] | None
) -> None:
    for number in range(12):
        body = {"userId": f"s{number:02d}", "name": f"Name {number % 4}"}
        http.post("/users", json=body).raise_for_status()
        if number % 3 == 0:
            http.patch(f"/users/s{number:02d}/status", json={"status": False}).raise_for_status()
    assert short_list({"queries": queries, "total": "false"})
    short = http.get("/users", params={"queries[]": queries, "total": "false"})
    counted = http.get("/users", params={"queries[]": queries, "total": "true"})
    assert short.status_code == counted.status_code
    if expected is None:
        assert counted.status_code == 400
        assert short.json() == counted.json()
        return
    assert [user["$id"] for user in short.json()["users"]] == expected
    assert short.json()["users"] == counted.json()["users"]
    assert short.json()["total"] == 0 and counted.json()["total"] >= len(short.json()["users"])
