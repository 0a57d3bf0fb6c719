"""Concurrency: several workers on one PostgreSQL, parallel writes, an outage."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import sqlalchemy as sa
from psycopg import sql

from rosterd.services import Services
from rosterd.settings import Settings
from rosterd.store.tables import user_labels, users
from tests.conftest import FAST_ARGON2, Project, Server, new_project, serve_in_thread
from tests.databases import admin_execute, database_name, drop_postgres, postgres_url
from tests.processes import first_start_values, free_port, output_until_ready, serving

GROUPS = 100


def attempts() -> list[dict[str, str]]:
    """Three creates per group; any two of a group collide on id, email or phone."""
    bodies = []
    for group in range(GROUPS):
        email, phone, user_id = f"g{group}@example.com", f"+1617555{group:04d}", f"g{group}"
        bodies += [
            {"userId": user_id, "email": email},
            {"userId": user_id, "phone": phone},
            {"userId": f"h{group}", "email": email, "phone": phone},
        ]
    random.Random(7).shuffle(bodies)
    return bodies


@pytest.fixture
def four_workers(request: pytest.FixtureRequest) -> Iterator[tuple[str, str, str]]:
    name = database_name("workers")
    url, port = postgres_url(name), free_port()
    with serving(url, port, workers=4) as process:
        yield first_start_values(output_until_ready(process, port, workers=4))
    drop_postgres(name)


def test_colliding_creates_across_workers(four_workers: tuple[str, str, str]) -> None:
    endpoint, project, key = four_workers
    headers = {"x-appwrite-project": project, "x-appwrite-key": key}
    with httpx.Client(base_url=endpoint, headers=headers, timeout=60) as client:

        def create(body: dict[str, str]) -> tuple[str, int]:
            group = body["userId"][1:]
            return group, client.post("/users", json=body).status_code

        with ThreadPoolExecutor(max_workers=32) as pool:
            results = list(pool.map(create, attempts()))
        statuses = Counter(status for _, status in results)
        assert statuses == {201: GROUPS, 409: 2 * GROUPS}, statuses
        created = Counter(group for group, status in results if status == 201)
        assert set(created.values()) == {1} and len(created) == GROUPS
        assert (
            client.get("/users", params={"queries[0]": '{"method":"limit","values":[1]}'}).json()[
                "total"
            ]
            == GROUPS
        )


def test_concurrent_label_and_prefs_updates_never_mix(server: Server) -> None:
    project = new_project(server)
    label_sets = [[f"a{n}", f"b{n}", f"c{n}"] for n in range(40)]
    with project.http() as client:
        client.post("/users", json={"userId": "busy"}).raise_for_status()

        def update(number: int) -> int:
            labels = client.put("/users/busy/labels", json={"labels": label_sets[number]})
            prefs = client.patch("/users/busy/prefs", json={"prefs": {"n": number, "k": [number]}})
            return max(labels.status_code, prefs.status_code)

        with ThreadPoolExecutor(max_workers=16) as pool:
            assert set(pool.map(update, range(len(label_sets)))) == {200}
        final = client.get("/users/busy").json()
    assert final["labels"] in label_sets
    assert final["prefs"]["k"] == [final["prefs"]["n"]]
    assert stored_labels(server.services, "busy", project.id) == sorted(final["labels"])


def stored_labels(services: Services, user_id: str, project_id: str) -> list[str]:
    query = (
        sa.select(user_labels.c.label)
        .join(users, users.c.sequence == user_labels.c.user_sequence)
        .where(users.c.id == user_id, users.c.project_id == project_id)
        .order_by(user_labels.c.label)
    )
    with services.database.read() as connection:
        return list(connection.execute(query).scalars())


def test_delete_while_updating_leaves_no_orphans(server: Server) -> None:
    project: Project = new_project(server)
    with project.http() as client:
        client.post("/users", json={"userId": "doomed"}).raise_for_status()

        def act(number: int) -> int:
            if number == 20:
                return client.delete("/users/doomed").status_code
            return client.put("/users/doomed/labels", json={"labels": [f"l{number}"]}).status_code

        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = set(pool.map(act, range(40)))
        assert statuses <= {200, 204, 404} and 204 in statuses
        assert client.get("/users/doomed").status_code == 404
    with server.services.database.read() as connection:
        orphans = connection.execute(
            sa.select(sa.func.count())
            .select_from(user_labels)
            .outerjoin(users, users.c.sequence == user_labels.c.user_sequence)
            .where(users.c.sequence.is_(None))
        ).scalar_one()
    assert orphans == 0


def test_outage_answers_503_then_recovers() -> None:
    name = database_name("outage")
    url = postgres_url(name)
    services = Services.build(Settings(database_url=url).replace(**FAST_ARGON2))
    services.database.migrate()
    for address in serve_in_thread(services):
        project = new_project(Server(address, services))
        with project.http() as client:
            assert client.post("/users", json={"userId": "before"}).status_code == 201
            block = sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}")
            admin_execute(block.format(sql.Identifier(name), sql.SQL("false")))
            admin_execute(
                sql.SQL(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = {}"
                ).format(sql.Literal(name))
            )
            during = client.get("/users/before")
            assert during.status_code == 503, during.text
            assert during.json()["type"] == "general_server_error"
            admin_execute(block.format(sql.Identifier(name), sql.SQL("true")))
            assert client.get("/users/before").json()["$id"] == "before"
    services.database.dispose()
    drop_postgres(name)
