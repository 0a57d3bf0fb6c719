"""The lean reads (`rosterd.store.lean`) give exactly what SQLAlchemy Core gives."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa
from appwrite.services.users import Users

from rosterd import ids
from rosterd.queries.ast import ListQuery
from rosterd.store import projects as project_store
from rosterd.store import targets as target_store
from rosterd.store import users as user_store
from rosterd.store.tables import api_keys, targets
from rosterd.store.tables import users as users_table
from tests.conftest import Project


def _store_user(api: Users) -> None:
    api.create(user_id="lean1", email="Lean.One@example.com", phone="+16175550101", name="Lean")
    api.update_labels("lean1", ["vip", "beta"])
    api.update_prefs("lean1", {"plan": "pro", "seats": 3, "nested": {"a": [1, None]}})
    api.update_email_verification("lean1", True)
    api.update_status("lean1", False)


def test_a_user_reads_as_core_reads_it(project: Project, users: Users) -> None:
    _store_user(users)
    query = sa.select(users_table).where(
        users_table.c.project_id == project.id, users_table.c.id == "lean1"
    )
    with project.server.services.database.read() as connection:
        row = user_store.get_user(connection, project.id, "lean1")
        core = user_store.row_from_mapping(connection.execute(query).mappings().one())
        by_email = user_store.get_user_by(connection, project.id, "email", "lean.one@example.com")
        missing = user_store.get_user(connection, project.id, "missing")
    assert row == core == by_email
    assert row is not None and missing is None
    assert (row.status, row.email_verification, row.labels) == (False, True, ["vip", "beta"])
    assert row.prefs == {"plan": "pro", "seats": 3, "nested": {"a": [1, None]}}
    assert row.created_at.year >= 2026 and row.password_update is None


@pytest.mark.parametrize(
    ("table", "row"), [(users_table, user_store.UserRow), (targets, target_store.TargetRow)]
)
def test_tables_have_their_rows_fields_in_order(table: sa.Table, row: type) -> None:
    """Users and targets are built from `select(table)` by position."""
    assert [column.name for column in table.columns] == [
        field.name for field in dataclasses.fields(row)
    ]


def test_a_page_of_users_reads_as_core_reads_it(project: Project, users: Users) -> None:
    _store_user(users)
    users.create(user_id="lean2", name="Second")
    query = sa.select(users_table).where(users_table.c.project_id == project.id)
    with project.server.services.database.read() as connection:
        page = user_store.list_users(connection, project.id, ListQuery(), "")
        core = connection.execute(query.order_by(users_table.c.sequence)).mappings().all()
    assert page == [user_store.row_from_mapping(mapping) for mapping in core]
    assert [row.id for row in page] == ["lean1", "lean2"]
    assert page[0].prefs == {"plan": "pro", "seats": 3, "nested": {"a": [1, None]}}


def test_targets_read_as_core_reads_them(project: Project, users: Users) -> None:
    _store_user(users)
    with project.server.services.database.read() as connection:
        row = user_store.get_user(connection, project.id, "lean1")
        assert row is not None
        lean = target_store.targets_of(connection, [row.sequence])[row.sequence]
        query = sa.select(targets).where(targets.c.user_sequence == row.sequence)
        core = connection.execute(query.order_by(targets.c.sequence)).mappings().all()
    assert [(t.provider_type, t.identifier) for t in lean] == [
        ("email", "lean.one@example.com"),
        ("sms", "+16175550101"),
    ]
    assert lean == [target_store._row(mapping) for mapping in core]


def test_a_user_with_targets_reads_as_the_two_reads_do(project: Project, users: Users) -> None:
    """The get's one joined read gives the user and targets that reading each gives."""
    _store_user(users)
    users.create(user_id="lean3", name="No contacts")
    with project.server.services.database.read() as connection:
        joined = target_store.user_with_targets(connection, project.id, "lean1")
        bare = target_store.user_with_targets(connection, project.id, "lean3")
        missing = target_store.user_with_targets(connection, project.id, "missing")
        row = user_store.get_user(connection, project.id, "lean1")
        assert row is not None
        held = target_store.targets_of(connection, [row.sequence])[row.sequence]
    assert joined == (row, held)
    assert [(t.provider_type, t.identifier) for t in joined[1]] == [
        ("email", "lean.one@example.com"),
        ("sms", "+16175550101"),
    ]
    assert bare is not None and bare[0].name == "No contacts" and bare[1] == []
    assert missing is None


def test_a_lone_statement_leaves_no_transaction_open(project: Project, users: Users) -> None:
    """On SQLite `statement()` lends the kept reader outside a transaction; one that Core
    begins inside is not left open (it would hold an old snapshot of the database)."""
    _store_user(users)
    database = project.server.services.database
    with database.statement() as connection:
        found = target_store.user_with_targets(connection, project.id, "lean1")
        assert connection.execute(sa.select(sa.literal(1))).scalar_one() == 1
    assert found is not None and found[0].id == "lean1"
    kept = database._kept_reader  # SQLite's kept reader; PostgreSQL keeps none
    assert kept is None or not kept.in_transaction()
    users.update_name("lean1", "Renamed")
    with database.statement() as connection:
        again = target_store.user_with_targets(connection, project.id, "lean1")
    assert again is not None and again[0].name == "Renamed"


def test_a_key_reads_as_core_reads_it(project: Project) -> None:
    secret_hash = ids.secret_hash(project.key)
    with project.server.services.database.read() as connection:
        key = project_store.key_by_hash(connection, secret_hash)
        core = connection.execute(
            sa.select(api_keys.c.scopes, api_keys.c.expire).where(
                api_keys.c.secret_hash == secret_hash
            )
        ).one()
        unknown = project_store.key_by_hash(connection, "0" * 64)
    assert key is not None and unknown is None
    assert (key.project_id, list(key.scopes), key.expire) == (project.id, core[0], core[1])
    assert "users.read" in key.scopes
