"""rosterd's scenarios (`bench.harness.scenarios`) as the closest call of each peer's API.

Same keys and titles, the same random users, the same Lua helpers; where a peer's call is
not the same work, the difference is one of the `*_NOTES`, shown under the tables.
rosterd's lists do not count unless asked (`total=true`): PocketBase's lists are given
`skipTotal=1` to match, while better-auth's list-users always counts and cannot be told not to.
"""

from __future__ import annotations

from bench.harness import population, scenarios
from bench.harness.scenarios import LIMIT, Scenario, far_page, lua_headers, lua_string

NEW_PASSWORD = "correct horse 1"
#: Lua: a new user's id and email (`unique`, as rosterd's create scenarios do).
NEW_ID = 'local id = unique("c")\n'
NEW_EMAIL = '\'{"email":"\' .. id .. \'@example.org",'
PREFS = '{"plan":"pro","n":\' .. next_number() .. \'}'

POCKETBASE_NOTES = [
    "PocketBase: lists are given `skipTotal=1` (rosterd's lists do not count either); "
    "labels, blocked and prefs are fields the bench adds to the `users` collection "
    "(json, bool with an index, json); request logs are off (`logs.maxDays=0`).",
    "PocketBase: create without password is not the same work: an auth record needs a "
    "password, so each one gets a random one, bcrypt-hashed like any other.",
    "PocketBase: labels contains is `labels~'vip'`, a LIKE on the JSON text; search is "
    "`name~'word'`, a LIKE '%word%' (no full-text index); page 20,000 by cursor is a "
    "filter `id>'…'` sorted by id (PocketBase has no cursor); created users get "
    "PocketBase's own ids.",
]
BETTER_AUTH_NOTES = [
    "better-auth: admin calls go through its admin plugin with an admin's session cookie "
    "(one admin user more, seeded last); list-users always counts the total (it has no "
    "way not to); labels and prefs are additional user fields (string[] and json); status "
    "is the admin plugin's `banned` (the bench indexes it, as it does PocketBase's).",
    "better-auth: labels contains is a LIKE on the JSON text; search is searchField=name "
    "with contains, a LIKE '%word%' (no full-text index); page 20,000 by cursor is a "
    "filter id > '…' sorted by id (no cursor); created users get better-auth's own ids.",
]


def _titled(scale: int, chosen: list[Scenario]) -> list[Scenario]:
    """Each scenario under rosterd's title for its key (some titles depend on the scale)."""
    titles = {s.key: s.title for s in scenarios.rosterd(scale, {}, {})}
    return [Scenario(s.key, titles[s.key], s.body, s.setup) for s in chosen]


def _get(path: str, headers: dict[str, str]) -> str:
    """A GET; `path` is a Lua expression."""
    return f'return wrk.format("GET", {path}, {lua_headers(headers)})'


def _send(method: str, path: str, headers: dict[str, str], body: str, prelude: str = "") -> str:
    """A request with a JSON body; `path` and `body` are Lua expressions."""
    request = f"return wrk.format({lua_string(method)}, {path}, "
    return prelude + request + f"{lua_headers(headers, body=True)}, {body})"


def _random_user(scale: int) -> str:
    return f"user_id(math.random(1, {scale - 1}))"


def _tables(scale: int) -> tuple[str, str]:
    """Lua setup of the emails rosterd's `list_email` picks from, and of the name words."""
    step = max(1, scale // 1000)
    emails = ", ".join(lua_string(population.email_of(n)) for n in range(0, scale, step))
    words = ", ".join(lua_string(w) for w in population.FIRST + population.LAST)
    return f"local emails = {{{emails}}}", f"local words = {{{words}}}"


def _signin(scale: int, path: str, headers: dict[str, str], body: str) -> Scenario:
    """Sign-in as a random seeded user who is not blocked, picked as rosterd's is;
    `body` is a Lua expression of the JSON, over `email`."""
    first = ", ".join(lua_string(w) for w in population.FIRST)
    last = ", ".join(lua_string(w) for w in population.LAST)
    count = len(population.FIRST)
    pick = "\n".join(
        [
            f"local n = math.random(1, {scale - 2})",
            "if n % 50 == 0 then n = n + 1 end",
            f"local surname = last[math.floor(n / {count}) % {len(population.LAST)} + 1]",
            f"local name = first[n % {count} + 1] .. '.' .. surname",
            "local email = name .. '.' .. n .. '@example.com'",
            "",
        ]
    )
    body = _send("POST", lua_string(path), headers, body, pick)
    return Scenario("signin", "", body, f"local first, last = {{{first}}}, {{{last}}}")


def pocketbase(scale: int, headers: dict[str, str]) -> list[Scenario]:
    """PocketBase's records API on its `users` auth collection, as a superuser."""
    records = "/api/collections/users/records"
    far = far_page(scale)
    cursor = population.user_id((far - 1) * LIMIT - 1)
    emails, words = _tables(scale)

    def listed(query: str = "", where: str = "", count: bool = False) -> str:
        """A list's path (Lua); `where` is a Lua expression of the filter."""
        path = f"{records}?perPage={1 if count else LIMIT}" + ("" if count else "&skipTotal=1")
        path = lua_string(path + (f"&{query}" if query else ""))
        return path + (f' .. "&filter=" .. urlencode({where})' if where else "")

    def passwords(password: str) -> str:
        return f'"password":"{password}","passwordConfirm":"{password}"}}\''

    one = f'"{records}/" .. {_random_user(scale)}'
    email = '"email=\'" .. emails[math.random(#emails)] .. "\'"'
    word = '"name~\'" .. words[math.random(#words)] .. "\'"'
    return _titled(
        scale,
        [
            Scenario("get", "", _get(one, headers)),
            Scenario("list_email", "", _get(listed(where=email), headers), emails),
            Scenario("list_labels", "", _get(listed(where="\"labels~'vip'\""), headers)),
            Scenario("list_status", "", _get(listed(where='"blocked=true"'), headers)),
            Scenario("search", "", _get(listed(where=word), headers), words),
            Scenario("page_first", "", _get(listed("page=1"), headers)),
            Scenario("page_far_cursor", "", _get(listed("sort=id", f"\"id>'{cursor}'\""), headers)),
            Scenario("page_far_offset", "", _get(listed(f"page={far}"), headers)),
            Scenario("total", "", _get(listed(where='"blocked=false"', count=True), headers)),
            Scenario(
                "create_plain",
                "",
                _send(
                    "POST",
                    lua_string(records),
                    headers,
                    NEW_EMAIL + '"name":"New",' + passwords("' .. pw .. '"),
                    NEW_ID + 'local pw = unique("p")\n',
                ),
            ),
            Scenario(
                "create_password",
                "",
                _send(
                    "POST",
                    lua_string(records),
                    headers,
                    NEW_EMAIL + passwords(NEW_PASSWORD),
                    NEW_ID,
                ),
            ),
            _signin(
                scale,
                "/api/collections/users/auth-with-password",
                {},
                f'\'{{"identity":"\' .. email .. \'","password":"{population.PASSWORD}"}}\'',
            ),
            Scenario("update_prefs", "", _send("PATCH", one, headers, f"'{{\"prefs\":{PREFS}}}'")),
        ],
    )


def better_auth(scale: int, headers: dict[str, str]) -> list[Scenario]:
    """better-auth's admin plugin endpoints (and its email sign-in), as an admin."""
    admin = "/api/auth/admin"
    far = far_page(scale)
    cursor = population.user_id((far - 1) * LIMIT - 1)
    emails, words = _tables(scale)

    def listed(query: str, value: str = "", limit: int = LIMIT) -> str:
        """A list-users path (Lua); `value` is a Lua expression of the filter's value."""
        path = lua_string(f"{admin}/list-users?limit={limit}" + (f"&{query}" if query else ""))
        return path + (f" .. urlencode({value})" if value else "")

    def created(extra: str) -> str:
        return _send("POST", f'"{admin}/create-user"', headers, NEW_EMAIL + extra, NEW_ID)

    by_email = "filterField=email&filterOperator=eq&filterValue="
    by_label = "filterField=labels&filterOperator=contains&filterValue=vip"
    by_name = "searchField=name&searchOperator=contains&searchValue="
    after = f"filterField=id&filterOperator=gt&filterValue={cursor}&sortBy=id"
    email = "emails[math.random(#emails)]"
    word = "words[math.random(#words)]"
    update = f'\'{{"userId":"\' .. {_random_user(scale)} .. \'","data":{{"prefs":{PREFS}}}}}\''
    return _titled(
        scale,
        [
            Scenario("get", "", _get(f'"{admin}/get-user?id=" .. {_random_user(scale)}', headers)),
            Scenario("list_email", "", _get(listed(by_email, email), headers), emails),
            Scenario("list_labels", "", _get(listed(by_label), headers)),
            Scenario(
                "list_status", "", _get(listed("filterField=banned&filterValue=true"), headers)
            ),
            Scenario("search", "", _get(listed(by_name, word), headers), words),
            Scenario("page_first", "", _get(listed(""), headers)),
            Scenario("page_far_cursor", "", _get(listed(after), headers)),
            Scenario("page_far_offset", "", _get(listed(f"offset={(far - 1) * LIMIT}"), headers)),
            Scenario(
                "total", "", _get(listed("filterField=banned&filterValue=false", limit=1), headers)
            ),
            Scenario("create_plain", "", created('"name":"New"}\'')),
            Scenario(
                "create_password", "", created(f'"name":"New","password":"{NEW_PASSWORD}"}}\'')
            ),
            _signin(
                scale,
                "/api/auth/sign-in/email",
                {"Origin": headers["Origin"]},
                f'\'{{"email":"\' .. email .. \'","password":"{population.PASSWORD}"}}\'',
            ),
            Scenario("update_prefs", "", _send("POST", f'"{admin}/update-user"', headers, update)),
        ],
    )
