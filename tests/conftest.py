"""The real server on a real database, driven over loopback HTTP.

One server per test session (per xdist worker); every test gets a project of its
own, so tests never see each other's users.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from appwrite.client import Client
from appwrite.services.users import Users

from rosterd import ids
from rosterd.app import create_app
from rosterd.projects.service import SCOPES
from rosterd.services import Services
from rosterd.sessions import devices
from rosterd.settings import Settings
from tests.databases import ENGINES, drop_postgres, fresh_url
from tests.databases import database_name as unique_database_name

#: Cheap Argon2 for speed; tests of the defaults build their own hasher.
FAST_ARGON2: dict[str, int] = {
    "argon2_memory_cost": 1024,
    "argon2_time_cost": 1,
    "argon2_threads": 1,
}


@dataclass(frozen=True)
class Server:
    url: str
    services: Services

    @property
    def endpoint(self) -> str:
        return self.url + "/v1"


@dataclass(frozen=True)
class Project:
    server: Server
    id: str
    key: str

    def client(self, key: str | None = None) -> Client:
        client = Client()
        client.set_endpoint(self.server.endpoint)
        client.set_project(self.id)
        client.set_key(self.key if key is None else key)
        return client

    def http(self, key: str | None = None) -> httpx.Client:
        headers = {
            "x-appwrite-project": self.id,
            "x-appwrite-key": self.key if key is None else key,
        }
        return httpx.Client(base_url=self.server.endpoint, headers=headers, timeout=30)


def serve_in_thread(services: Services) -> Iterator[str]:
    app = create_app(services.settings, services)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="off", proxy_headers=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def database_name(request: pytest.FixtureRequest, purpose: str) -> str:
    worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
    return unique_database_name(f"{purpose}_{worker}")


@pytest.fixture(scope="session", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Every test that uses the server runs once on SQLite and once on PostgreSQL."""
    return str(request.param)


@pytest.fixture(scope="session")
def server(
    engine: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    name = database_name(request, "server")
    url = fresh_url(engine, name, tmp_path_factory.mktemp("db"))
    settings = Settings(database_url=url).replace(**FAST_ARGON2)
    services = Services.build(settings)
    devices.warm_up()
    services.database.migrate()
    for address in serve_in_thread(services):
        yield Server(address, services)
    services.database.dispose()
    if engine == "postgresql":
        drop_postgres(name)


def new_project(server: Server, scopes: list[str] | None = None) -> Project:
    project_id = "p" + ids.unique()
    server.services.projects.create(project_id, "Test project")
    new = server.services.projects.create_key(project_id, scopes or list(SCOPES), "test key")
    return Project(server, project_id, new.secret)


@pytest.fixture
def project(server: Server) -> Project:
    return new_project(server)


@pytest.fixture
def users(project: Project) -> Users:
    return Users(project.client())


@pytest.fixture
def http(project: Project) -> Iterator[httpx.Client]:
    with project.http() as client:
        yield client
