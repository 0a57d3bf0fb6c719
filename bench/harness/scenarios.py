"""What is measured: each scenario as the Lua body of wrk's `request()` for rosterd's API
(the Appwrite Users API), for a population of `scale` users (`bench.harness.population`)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from bench.harness import population

LIMIT = 25
FAR_PAGE = 20_000
#: Scenarios judged against each other (a far page within 1.2x of page 1): measured in
#: turn, round by round, rather than one after the other (`load.measure_together`).
TOGETHER = ("page_first", "page_far_cursor", "page_far_offset")


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    #: The body of wrk's `request()`, in Lua.
    body: str
    #: Lua run once per wrk thread, before any request (tables the body picks from).
    setup: str = ""

    @property
    def lua(self) -> str:
        return f"{self.setup}\nrequest = function()\n{self.body}\nend\n"


def batches(chosen: list[Scenario]) -> list[list[Scenario]]:
    """`chosen` in order, as the groups measured together: the `TOGETHER` scenarios in
    one group where the first of them stands, every other scenario alone."""
    together = [scenario for scenario in chosen if scenario.key in TOGETHER]
    found: list[list[Scenario]] = []
    for scenario in chosen:
        if scenario.key not in TOGETHER:
            found.append([scenario])
        elif scenario is together[0]:
            found.append(together)
    return found


def far_page(scale: int) -> int:
    """Page 20,000 of 25 (the 500,001st user on), or the last full page of a smaller set."""
    return max(1, min(FAR_PAGE, scale // LIMIT - 1))


def lua_string(value: str) -> str:
    return json.dumps(value)


def lua_headers(headers: dict[str, str], *, body: bool = False) -> str:
    pairs = dict(headers, **({"Content-Type": "application/json"} if body else {}))
    return "{" + ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in pairs.items()) + "}"


def _list(headers: dict[str, str], queries: list[str], extra: str = '"total=false"') -> str:
    """A `GET /v1/users` whose queries are Lua expressions giving JSON strings; without
    the exact total unless `extra` asks for it (counting is a scenario of its own)."""
    parts = [f'"queries%5B{i}%5D=" .. urlencode({q})' for i, q in enumerate(queries)]
    query = ' .. "&" .. '.join([*parts, extra])
    return f'return wrk.format("GET", "/v1/users?" .. {query}, {lua_headers(headers)})'


def _json(method: str, attribute: str | None, values: str) -> str:
    """A Lua expression giving the JSON of a query; `values` is a Lua expression too."""
    head = f'{{"method":"{method}"' + (f',"attribute":"{attribute}"' if attribute else "")
    return f"'{head},\"values\":[' .. {values} .. ']}}'"


def _create(headers: dict[str, str], extra: str) -> str:
    """`POST /v1/users` of a new user with a unique id and email, and `extra` fields."""
    body = '\'{"userId":"\' .. id .. \'","email":"\' .. id .. \'@example.org",' + extra + "}'"
    return (
        'local id = unique("c")\n'
        f'return wrk.format("POST", "/v1/users", {lua_headers(headers, body=True)}, {body})'
    )


def _signin(scale: int, headers: dict[str, str]) -> Scenario:
    """`POST /v1/account/sessions/email` as a random seeded user who is not blocked."""
    first = "{" + ", ".join(lua_string(w) for w in population.FIRST) + "}"
    last = "{" + ", ".join(lua_string(w) for w in population.LAST) + "}"
    count = len(population.FIRST)
    body = f'\'{{"email":"\' .. email .. \'","password":"{population.PASSWORD}"}}\''
    body_lines = "\n".join(
        [
            f"local n = math.random(1, {scale - 2})",
            "if n % 50 == 0 then n = n + 1 end",
            f"local surname = last[math.floor(n / {count}) % {len(population.LAST)} + 1]",
            f"local name = first[n % {count} + 1] .. '.' .. surname",
            "local email = name .. '.' .. n .. '@example.com'",
            f'return wrk.format("POST", "/v1/account/sessions/email", '
            f"{lua_headers(headers, body=True)}, {body})",
        ]
    )
    return Scenario(
        "signin", "sign-in (email and password)", body_lines, f"local first, last = {first}, {last}"
    )


def rosterd(scale: int, headers: dict[str, str], project_header: dict[str, str]) -> list[Scenario]:
    limit = _json("limit", None, str(LIMIT))
    random_user = f"math.random(1, {scale - 1})"
    far = far_page(scale)
    first, last = population.FIRST, population.LAST
    words = "{" + ", ".join(lua_string(w) for w in first + last) + "}"
    emails = (
        "{"
        + ", ".join(
            lua_string(population.email_of(n)) for n in range(0, scale, max(1, scale // 1000))
        )
        + "}"
    )
    return [
        Scenario(
            "get",
            "get user by id",
            f'return wrk.format("GET", "/v1/users/" .. user_id({random_user}), '
            f"{lua_headers(headers)})",
        ),
        Scenario(
            "list_email",
            "list: equal on email, limit 25",
            setup=f"local emails = {emails}",
            body=_list(
                headers,
                [_json("equal", "email", "'\"' .. emails[math.random(#emails)] .. '\"'"), limit],
            ),
        ),
        Scenario(
            "list_labels",
            "list: contains on labels, limit 25",
            _list(headers, [_json("contains", "labels", "'\"vip\"'"), limit]),
        ),
        Scenario(
            "list_status",
            "list: equal on status, limit 25",
            _list(headers, [_json("equal", "status", "'false'"), limit]),
        ),
        Scenario(
            "search",
            "search for a name word, limit 25",
            setup=f"local words = {words}",
            body=_list(headers, [limit], '"total=false&search=" .. words[math.random(#words)]'),
        ),
        Scenario("page_first", "page 1 (limit 25)", _list(headers, [limit])),
        Scenario(
            "page_far_cursor",
            f"page {far:,} by cursorAfter",
            _list(
                headers,
                [
                    limit,
                    _json(
                        "cursorAfter", None, f"'\"{population.user_id((far - 1) * LIMIT - 1)}\"'"
                    ),
                ],
            ),
        ),
        Scenario(
            "page_far_offset",
            f"page {far:,} by offset",
            _list(headers, [limit, _json("offset", None, str((far - 1) * LIMIT))]),
        ),
        Scenario(
            "total",
            "exact total, equal on status",
            _list(
                headers,
                [_json("equal", "status", "'true'"), _json("limit", None, "1")],
                '"total=true"',
            ),
        ),
        Scenario("create_plain", "create without password", _create(headers, '"name":"New"')),
        Scenario(
            "create_password",
            "create with password",
            _create(headers, '"password":"correct horse 1"'),
        ),
        _signin(scale, project_header),
        Scenario(
            "update_prefs",
            "update prefs",
            f'return wrk.format("PATCH", "/v1/users/" .. user_id({random_user}) .. "/prefs", '
            f"{lua_headers(headers, body=True)}, "
            '\'{"prefs":{"plan":"pro","n":\' .. next_number() .. \'}}\')',
        ),
    ]
