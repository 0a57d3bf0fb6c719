"""Worker processes on sockets of their own (`rosterd.cli.workers`)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from rosterd.cli import workers
from tests.processes import answer_on, first_start_values, free_port, output_until_ready, serving

pytestmark = pytest.mark.skipif(
    not workers.spreads_connections(), reason="the kernel spreads connections only on Linux"
)


@contextmanager
def pid_app(port: int, count: int) -> Iterator[subprocess.Popen[str]]:
    """`tests.pid_app` served by `workers.serve` in a process of its own."""
    code = (
        "import sys; from rosterd.cli import workers; "
        "workers.serve(sys.argv[1], int(sys.argv[2]), port=int(sys.argv[3]), log_level='warning')"
    )
    command = [sys.executable, "-c", code, "tests.pid_app:app", str(count), str(port)]
    process = subprocess.Popen(command, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def _pid(port: int) -> int:
    return int(httpx.get(f"http://127.0.0.1:{port}/", timeout=10).text)


def _served_by(port: int, connections: int) -> list[int]:
    """Open `connections` connections together, then send one request on each: the pid
    of the worker that answered each."""
    opened = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(connections)]
    answers = []
    try:
        for connection in opened:
            connection.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        for connection in opened:
            received = b""
            while not received.count(b"\r\n\r\n") or not received.split(b"\r\n\r\n", 1)[1]:
                received += connection.recv(4096)
            answers.append(int(received.split(b"\r\n\r\n", 1)[1]))
    finally:
        for connection in opened:
            connection.close()
    return answers


def _until_answers(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            _pid(port)
        except httpx.HTTPError:
            time.sleep(0.05)
        else:
            return
    raise TimeoutError(f"nothing answers on port {port}")


def _listening_on(port: int) -> int:
    """How many sockets listen on this IPv4 port (`/proc/net/tcp`, state 0A)."""
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    fields = [line.split() for line in lines]
    return sum(1 for f in fields if f[1].endswith(f":{port:04X}") and f[3] == "0A")


def test_each_worker_listens_on_a_socket_of_its_own() -> None:
    """uvicorn's workers share one socket (and gave 11 to 13 of 16 connections opened
    together to one of two workers); here the kernel sees one socket a worker. With a
    socket each, all 16 on one worker has odds of 2 in 65,536."""
    port = free_port()
    with pid_app(port, 2):
        _until_answers(port)
        assert _listening_on(port) == 2
        time.sleep(1)  # every worker up
        served = _served_by(port, 16)
    assert len(served) == 16
    assert len(set(served)) == 2, served


def test_a_port_in_use_is_refused() -> None:
    """Even by a socket that would share it: a second server must not take half the
    connections of the first."""
    for shared in (False, True):
        holder = socket.socket()
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if shared:
            holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        try:
            with pytest.raises(OSError):
                workers.listeners("127.0.0.1", holder.getsockname()[1], 2)
        finally:
            holder.close()


def test_port_zero_gives_every_worker_one_port() -> None:
    found = workers.listeners("127.0.0.1", 0, 3)
    try:
        ports = {listener.getsockname()[1] for listener in found}
    finally:
        for listener in found:
            listener.close()
    assert len(ports) == 1 and ports != {0}


def test_an_app_that_cannot_load_stops_the_supervisor() -> None:
    code = (
        "from rosterd.cli import workers; "
        "workers.serve('tests.no_such_module:app', 2, port=0, log_level='warning')"
    )
    failed = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, timeout=60
    )
    assert failed.returncode == workers.STARTUP_FAILURE, failed.stderr
    assert b"could not start" in failed.stderr


def _workers_of(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.add(int(child))
    return found


def test_a_worker_that_dies_is_replaced_on_its_socket(tmp_path: Path) -> None:
    port = free_port()
    with serving(f"sqlite:///{tmp_path / 'workers.db'}", port, workers=2) as process:
        endpoint, project, key = first_start_values(output_until_ready(process, port, 2))
        before = _workers_of(process.pid)
        assert len(before) == 2
        victim = min(before)
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while len(_workers_of(process.pid) - {victim}) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        after = _workers_of(process.pid)
        assert victim not in after and len(after) == 2
        answer_on(port, deadline)
        # A new connection each, so both sockets are used.
        headers = {"x-appwrite-project": project, "x-appwrite-key": key, "connection": "close"}
        with httpx.Client(base_url=endpoint, headers=headers, timeout=30) as http:
            for number in range(16):
                response = http.post("/users", json={"userId": f"after{number}"})
                assert response.status_code == 201, response.text
            assert http.get("/users").json()["total"] == 16
