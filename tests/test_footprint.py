"""What a worker carries: Alembic, OAuth2, JWT, MFA and Redis machinery only once used, and
the User-Agent rules in one parser process that every worker of `rosterd serve` asks."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from alembic.script import ScriptDirectory

from rosterd.sessions import devices, matomo, parser_process
from rosterd.settings import Settings
from rosterd.store.database import HEAD, Database, alembic_config, schema_revision
from tests.processes import first_start_values, free_port, output_until_ready, serving

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
USER_AGENTS = [
    CHROME,
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "AppwriteCLI/6.2.0 (Linux 6.1; x64)",
    "okhttp/4.12.0",
    "",
    'line\nbreak "quoted" \\ ünïcode',
]
#: Modules a worker imports only when a feature needs them.
OPTIONAL = ["alembic", "cryptography", "device_detector", "httpx", "jwt", "redis", "regex"]


def test_head_is_alembics_own() -> None:
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD


def test_an_app_over_a_current_schema_imports_no_optional_machinery(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'current.db'}"
    database = Database(url)
    database.migrate()
    with database.engine.connect() as connection:
        assert schema_revision(connection) == HEAD
    database.dispose()
    program = (
        "import json, sys\n"
        "from rosterd.app import create_app\n"
        "from rosterd.settings import Settings\n"
        f"app = create_app(Settings(database_url={url!r}))\n"
        "app.state.services.database.migrate()\n"
        f"print(json.dumps(sorted(m for m in {OPTIONAL!r} if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout) == []


@pytest.mark.parametrize(("setting", "expected"), [(None, -256), ("64", -64)])
def test_each_sqlite_connection_keeps_the_page_cache_it_is_given(
    tmp_path: Path, setting: str | None, expected: int
) -> None:
    environ = {"ROSTERD_DATABASE_URL": f"sqlite:///{tmp_path / 'cache.db'}"}
    if setting is not None:
        environ["ROSTERD_SQLITE_CACHE_KIB"] = setting
    settings = Settings.from_environ(environ)
    database = Database(settings.database_url, settings.sqlite_cache_kib)
    try:
        with database.read() as first, database.write() as second:
            for connection in (first, second):
                assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == expected
    finally:
        database.dispose()


def test_a_page_cache_under_16_kib_is_refused() -> None:
    with pytest.raises(ValueError, match="ROSTERD_SQLITE_CACHE_KIB must be at least 16"):
        Settings.from_environ({"ROSTERD_SQLITE_CACHE_KIB": "8"})


@pytest.fixture
def parser() -> Iterator[parser_process.ParserProcess]:
    started = parser_process.start()
    assert started is not None
    yield started
    started.stop()


def test_the_parser_process_answers_as_this_process_parses(
    parser: parser_process.ParserProcess,
) -> None:
    assert os.environ[parser_process.SOCKET_VARIABLE] == parser.socket
    client = parser_process.client_from_environ()
    assert client is not None
    for user_agent in USER_AGENTS:
        assert client(user_agent) == matomo.parse(user_agent)
    assert client(CHROME)["clientName"] == "Chrome"


def test_nonsense_to_the_parser_process_gets_empty_fields(
    parser: parser_process.ParserProcess,
) -> None:
    with socket.socket(socket.AF_UNIX) as connection:
        connection.connect(parser.socket)
        connection.sendall(b"not json\n42\n")
        answers = connection.makefile("rb")
        first, second = json.loads(answers.readline()), json.loads(answers.readline())
    assert first == second == dict.fromkeys(devices.FIELDS, "")


def test_stop_ends_the_process_and_removes_its_socket() -> None:
    started = parser_process.start()
    assert started is not None
    started.stop()
    assert started.process.poll() is not None
    assert not started.folder.exists()
    assert parser_process.SOCKET_VARIABLE not in os.environ


def test_the_parser_process_ends_with_its_parent() -> None:
    program = (
        "import sys, time\n"
        "from rosterd.sessions import parser_process\n"
        "started = parser_process.start()\n"
        "print(started.process.pid, started.folder, flush=True)\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    pid, folder = parent.stdout.readline().split()
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=10)
    assert _gone_soon(int(pid))
    assert not Path(folder).exists()


def test_a_worker_parses_itself_once_the_parser_process_is_gone(
    parser: parser_process.ParserProcess, caplog: pytest.LogCaptureFixture
) -> None:
    devices.parse_elsewhere(parser_process.Client(parser.socket))
    try:
        assert devices.describe(CHROME)["clientName"] == "Chrome"
        parser.process.kill()
        parser.process.wait(timeout=10)
        with caplog.at_level(logging.WARNING, logger="rosterd"):
            assert devices.describe(USER_AGENTS[1]) == matomo.parse(USER_AGENTS[1])
            assert devices.describe(USER_AGENTS[3]) == matomo.parse(USER_AGENTS[3])
        warnings = [r.message for r in caplog.records if "parser process" in r.message]
        assert len(warnings) == 1 and "parses User-Agents itself" in warnings[0]
    finally:
        devices.parse_elsewhere(None)


def _gone_soon(pid: int, seconds: float = 10) -> bool:
    """Whether process `pid` ends within `seconds`."""
    deadline = time.monotonic() + seconds
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return not Path(f"/proc/{pid}").exists()


def _loads_the_rules(pid: int) -> bool:
    """Whether a process has the User-Agent rules' regex engine mapped."""
    return "_regex." in Path(f"/proc/{pid}/maps").read_text()


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    found = []
    for task in tasks.iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _spawned(pid: int) -> bool:
    """Whether a process is one of uvicorn's workers (not its resource tracker)."""
    return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_workers_ask_one_parser_process(tmp_path: Path, workers: int) -> None:
    database, port = f"sqlite:///{tmp_path / 'serve.db'}", free_port()
    with serving(database, port, workers) as process:
        endpoint, project, key = first_start_values(output_until_ready(process, port, workers))
        headers = {"x-appwrite-project": project, "x-appwrite-key": key, "user-agent": CHROME}
        with httpx.Client(base_url=endpoint, headers=headers, timeout=30) as http:
            assert http.post("/users", json={"userId": "ua"}).status_code == 201
            session = http.post("/users/ua/sessions").json()
        assert (session["clientName"], session["osName"]) == ("Chrome", "Windows")
        children = _children(process.pid)
        parsers = [pid for pid in children if _loads_the_rules(pid)]
        worker_pids = [process.pid] if workers == 1 else [p for p in children if _spawned(p)]
        assert len(parsers) == 1 and len(worker_pids) == workers
        assert not any(_loads_the_rules(pid) for pid in worker_pids)
    assert _gone_soon(parsers[0])
