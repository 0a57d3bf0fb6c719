"""Keyset pagination over thousands of users: nothing skipped, nothing repeated."""

from __future__ import annotations

import pytest
from appwrite.query import Query
from appwrite.services.users import Users

from rosterd.audit import SYSTEM
from rosterd.users.service import NewUser
from tests.conftest import Project

COUNT = 3000
PAGE = 250


@pytest.fixture
def many(project: Project) -> list[str]:
    service = project.server.services.users
    created = []
    for number in range(COUNT):
        # Names repeat every 7 users, so ordering by name relies on the tie-breaker.
        new = NewUser(user_id=f"u{number:05d}", name=f"n{number % 7}")
        row, _ = service.create(project.id, new, actor=SYSTEM)
        created.append(row.id)
    return created


def walk(users: Users, order: list[str]) -> list[str]:
    """Page forward with cursorAfter until an empty page."""
    seen: list[str] = []
    cursor: list[str] = []
    while page := users.list(queries=[*order, Query.limit(PAGE), *cursor], total=False).users:
        seen.extend(user.id for user in page)
        cursor = [Query.cursor_after(page[-1].id)]
    return seen


def walk_back(users: Users, order: list[str], start: str) -> list[str]:
    """Page backward with cursorBefore from `start` until an empty page."""
    seen: list[str] = [start]
    cursor = [Query.cursor_before(start)]
    while page := users.list(queries=[*order, Query.limit(PAGE), *cursor], total=False).users:
        seen[:0] = [user.id for user in page]
        cursor = [Query.cursor_before(page[0].id)]
    return seen


@pytest.mark.slow
def test_cursor_pages_cover_everything_once(project: Project, many: list[str]) -> None:
    users = Users(project.client())
    assert users.list(queries=[Query.limit(1)]).total == COUNT

    assert walk(users, []) == many
    assert walk(users, [Query.order_desc("")]) == many[::-1]
    assert walk_back(users, [], many[-1]) == many

    by_name = sorted(many, key=lambda user_id: (int(user_id[1:]) % 7, user_id))
    assert walk(users, [Query.order_asc("name")]) == by_name
    assert walk_back(users, [Query.order_asc("name")], by_name[-1]) == by_name

    by_name_desc = sorted(many, key=lambda user_id: (-(int(user_id[1:]) % 7), user_id))
    assert walk(users, [Query.order_desc("name")]) == by_name_desc
    assert walk(users, [Query.order_desc("$createdAt")]) == many[::-1]

    last = many[-1]
    before = users.list(queries=[Query.cursor_before(last), Query.limit(3)]).users
    assert [user.id for user in before] == many[-4:-1]
