"""The lean reads and inserts (`rosterd.store.lean`) give and store exactly what
SQLAlchemy Core does."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa
from appwrite.services.users import Users

from rosterd import clock, ids
from rosterd.audit import SYSTEM, Entry
from rosterd.passwords import StoredPassword
from rosterd.queries.ast import ListQuery
from rosterd.store import audit as audit_store
from rosterd.store import projects as project_store
from rosterd.store import targets as target_store
from rosterd.store import users as user_store
from rosterd.store.tables import api_keys, audit_logs, targets
from rosterd.store.tables import users as users_table
from rosterd.targets.service import contact_target_values
from rosterd.users.service import NewUser
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


def _stored(
    connection: sa.Connection, table: str, column: str, value: object
) -> list[dict[str, object]]:
    """Rows as the database holds them: a textual query applies no type's conversion,
    so these are the driver's own values."""
    query = sa.text(f"SELECT * FROM {table} WHERE {column} = :value ORDER BY sequence")
    return [dict(row) for row in connection.execute(query, {"value": value}).mappings()]


def test_a_lean_insert_stores_what_a_core_insert_stores(project: Project) -> None:
    """Datetimes, JSON (None included), booleans: the same stored values either way."""
    services = project.server.services
    now = clock.now()
    values = services.users.new_values(
        project.id,
        NewUser(user_id="lean", email="lean@example.com", phone="+16175550123"),
        StoredPassword("$argon2id$x", "argon2", {"type": "argon2", "memory_cost": 7}),
        now,
    )
    values.update(hash_options=None, labels=["a"], prefs={"k": [1, None]}, status=False)
    with services.database.write() as connection:
        lean = user_store.insert_user(connection, values)
        core_values = {**dataclasses.asdict(lean), "id": "core", "email": None, "phone": None}
        del core_values["sequence"]
        connection.execute(users_table.insert(), core_values)
        rows = [_stored(connection, "users", "id", user_id)[0] for user_id in ("lean", "core")]
        entry = Entry(SYSTEM, "user.create", "lean", {"n": 1})
        audit_store.record(connection, project.id, entry, now)
        connection.execute(audit_logs.insert(), audit_store.entry_values(project.id, entry, now))
        logs = _stored(connection, "audit_logs", "resource", "user/lean")
    different = {"sequence", "id", "email", "phone", "search"}
    assert [{k: v for k, v in row.items() if k not in different} for row in rows] == [
        {k: v for k, v in rows[1].items() if k not in different}
    ] * 2
    assert rows[0]["search"] == "lean lean@example.com +16175550123 label:a"
    assert len(logs) == 2
    assert {k: v for k, v in logs[0].items() if k != "sequence"} == {
        k: v for k, v in logs[1].items() if k != "sequence"
    }


def test_a_lean_insert_breaking_a_constraint_raises_as_core_does(project: Project) -> None:
    services = project.server.services
    values = services.users.new_values(
        project.id, NewUser(user_id="taken", email="taken@example.com"), None, clock.now()
    )
    with services.database.write() as connection:
        user_store.insert_user(connection, values)
    for changed, field in ({"id": "other"}, "email"), ({"email": "x@example.com"}, "id"):
        with pytest.raises(user_store.Duplicate) as raised, services.database.write() as c:
            user_store.insert_user(c, {**values, **changed})
        assert raised.value.field == field
    with services.database.read() as connection:
        count = connection.execute(
            sa.select(sa.func.count()).where(users_table.c.project_id == project.id)
        ).scalar_one()
    assert count == 1


def test_a_create_answers_with_the_targets_a_get_reads(project: Project, users: Users) -> None:
    """Including when the phone is already another user's target: it gets none for it."""
    users.create(user_id="first", email="first@example.com")
    users.create_target("first", "taken", "sms", "+16175550177")
    created = users.create(user_id="second", email="second@example.com", phone="+16175550177")
    fetched = users.get("second")
    assert created.targets == fetched.targets
    assert [(t.providertype, t.identifier) for t in created.targets] == [
        ("email", "second@example.com")
    ]
    with project.server.services.database.write() as connection:
        row = user_store.get_user(connection, project.id, "second")
        assert row is not None
        again = target_store.insert_target_if_free(
            connection, contact_target_values(row, "email", "second@example.com")
        )
        fresh = target_store.insert_target_if_free(
            connection, contact_target_values(row, "sms", "+16175550178")
        )
    assert again is None
    assert fresh is not None and fresh.identifier == "+16175550178"
    assert [t.id for t in users.get("second").targets][-1] == fresh.id
