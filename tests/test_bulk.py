"""`rosterd users import` and `rosterd users export`, run as a user runs them, against the
test server's database: every format imported, signed in with the old password over HTTP,
exported, re-imported elsewhere and compared; dry runs, conflicts, a kill and a resume."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import Project, new_project
from tests.processes import ROSTERD, environment
from tests.test_bulk_formats import (
    FIREBASE_OPTIONS,
    FIREBASE_PLAIN,
    appwrite_user,
    bcrypt_hash,
    firebase_users,
    supabase_csv,
    supabase_rows,
)


def rosterd(
    project: Project, *arguments: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    url = project.server.services.settings.database_url
    return subprocess.run(
        [*ROSTERD, *arguments],
        env=environment(url),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def import_file(project: Project, path: Path, fmt: str, *extra: str) -> dict[str, Any]:
    done = rosterd(
        project, "users", "import", str(path), "--project", project.id, "--format", fmt, *extra
    )
    assert done.returncode == 0, done.stderr
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary


def export(project: Project, fmt: str, path: Path) -> Path:
    done = rosterd(
        project, "users", "export", "--project", project.id, "--format", fmt, "--output", str(path)
    )
    assert done.returncode == 0, done.stderr
    return path


def signs_in(project: Project, email: str, password: str) -> int:
    with httpx.Client(base_url=project.server.endpoint) as browser:
        answer = browser.post(
            "/account/sessions/email",
            headers={"x-appwrite-project": project.id},
            json={"email": email, "password": password},
        )
    return answer.status_code


def _firebase(path: Path) -> tuple[Path, list[str], tuple[str, str]]:
    path.write_text(json.dumps({"users": firebase_users()}))
    options = [
        "--hash-key",
        FIREBASE_OPTIONS["hash_key"],
        "--salt-separator",
        FIREBASE_OPTIONS["salt_separator"],
    ]
    return path, options, ("user1@example.com", FIREBASE_PLAIN)


def _supabase(path: Path) -> tuple[Path, list[str], tuple[str, str]]:
    return (
        supabase_csv(path.with_suffix(".csv"), supabase_rows()),
        [],
        ("ada@example.com", "ada's secret"),
    )


def _auth0(path: Path) -> tuple[Path, list[str], tuple[str, str]]:
    """A user from the profile export (no hash), and one from the password-hash export."""
    lines = [
        {"user_id": "auth0|profileonly1", "email": "p@example.com", "email_verified": True},
        {
            "_id": {"$oid": "5dea9f9c82dd7c0e76e4ec93"},
            "email": "nico@example.com",
            "passwordHash": bcrypt_hash("auth0 secret"),
        },
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path, [], ("nico@example.com", "auth0 secret")


def _appwrite(path: Path) -> tuple[Path, list[str], tuple[str, str]]:
    digest = hashlib.md5(b"appwrite secret").hexdigest()
    user = {
        **appwrite_user("aw1", digest, "md5", {"type": "md5"}),
        "labels": ["vip"],
        "prefs": {"a": 1},
    }
    path.write_text(json.dumps(user) + "\n")
    return path, [], ("aw1@example.com", "appwrite secret")


def _csv(path: Path) -> tuple[Path, list[str], tuple[str, str]]:
    rows = [
        "id,email,name,password_hash,password_scheme,labels,prefs,email_verified",
        f'c1,c1@example.com,Cee,{bcrypt_hash("csv secret")},bcrypt,a;b,"{{""x"":1}}",true',
    ]
    path.write_text("\n".join(rows) + "\n")
    return path, [], ("c1@example.com", "csv secret")


FIXTURES: dict[str, Callable[[Path], tuple[Path, list[str], tuple[str, str]]]] = {
    "firebase": _firebase,
    "supabase": _supabase,
    "auth0": _auth0,
    "appwrite": _appwrite,
    "csv": _csv,
}


def comparable(path: Path) -> list[dict[str, Any]]:
    """Exported users without what a new import makes anew (timestamps of the copy,
    target ids)."""
    users = [json.loads(line) for line in path.read_text().splitlines()]
    for user in users:
        for key in ("$createdAt", "$updatedAt", "passwordUpdate"):
            user.pop(key)
        user["targets"] = sorted((t["providerType"], t["identifier"]) for t in user["targets"])
    return users


@pytest.mark.parametrize("fmt", sorted(FIXTURES))
def test_import_sign_in_export_and_move_again(project: Project, tmp_path: Path, fmt: str) -> None:
    path, options, (email, plain) = FIXTURES[fmt](tmp_path / f"users.{fmt}")
    summary = import_file(project, path, fmt, *options, "--report", str(tmp_path / "report.jsonl"))
    assert summary["created"] >= 1 and summary["updated"] == 0
    assert signs_in(project, email, plain) == 201
    assert signs_in(project, email, "not the password") == 401
    first = export(project, "appwrite", tmp_path / "first.jsonl")
    moved = new_project(project.server)
    assert import_file(moved, first, "appwrite")["created"] == summary["created"]
    again = export(moved, "appwrite", tmp_path / "again.jsonl")
    assert comparable(again) == comparable(first)
    assert signs_in(moved, email, plain) == 201
    by_csv = new_project(project.server)
    import_file(by_csv, export(project, "csv", tmp_path / "users.csv"), "csv")
    assert comparable(export(by_csv, "appwrite", tmp_path / "csv.jsonl")) == comparable(first)


def md5_users(path: Path, count: int, bad_every: int = 0) -> Path:
    with path.open("w") as out:
        for number in range(count):
            if bad_every and number % bad_every == bad_every - 1:
                out.write("{not json\n")
                continue
            digest = hashlib.md5(f"password{number}".encode()).hexdigest()
            user = appwrite_user(f"u{number}", digest, "md5", {"type": "md5"})
            out.write(json.dumps(user) + "\n")
    return path


def preparing(url: str) -> list[int]:
    """The processes preparing an import into the database at `url` (its environment
    names the database; multiprocessing's spawn names the process)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            environment_block = (entry / "environ").read_bytes()
        except (OSError, ValueError):
            continue
        named = f"ROSTERD_DATABASE_URL={url}".encode() in environment_block.split(b"\0")
        if b"spawn_main" in command and named:
            found.append(int(entry.name))
    return found


def report_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_dry_run_reports_and_writes_nothing(project: Project, tmp_path: Path) -> None:
    path = md5_users(tmp_path / "users.jsonl", 30, bad_every=10)
    summary = import_file(
        project, path, "appwrite", "--dry-run", "--report", str(tmp_path / "r.jsonl")
    )
    assert (summary["created"], summary["rejected"], summary["dryRun"]) == (27, 3, True)
    lines = report_lines(tmp_path / "r.jsonl")
    assert [line["position"] for line in lines] == list(range(30))
    assert lines[9]["outcome"] == "rejected" and "invalid JSON" in lines[9]["reason"]
    with project.http() as http:
        assert http.get("/users").json()["total"] == 0


def test_conflicts_skip_update_or_fail(project: Project, tmp_path: Path) -> None:
    path = md5_users(tmp_path / "users.jsonl", 5)
    assert import_file(project, path, "appwrite")["created"] == 5
    assert import_file(project, path, "appwrite")["skipped"] == 5
    renamed = tmp_path / "renamed.jsonl"
    lines = [{**json.loads(line), "name": "New"} for line in path.read_text().splitlines()]
    renamed.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert import_file(project, renamed, "appwrite", "--on-conflict", "update")["updated"] == 5
    with project.http() as http:
        assert {user["name"] for user in http.get("/users").json()["users"]} == {"New"}
    failed = rosterd(
        project,
        "users",
        "import",
        str(path),
        "--project",
        project.id,
        "--format",
        "appwrite",
        "--on-conflict",
        "fail",
    )
    assert failed.returncode == 1 and "exists" in failed.stderr
    clash = tmp_path / "clash.jsonl"
    other = {**json.loads(path.read_text().splitlines()[0]), "$id": "other"}
    clash.write_text(json.dumps(other) + "\n")
    summary = import_file(project, clash, "appwrite", "--report", str(tmp_path / "r.jsonl"))
    assert summary["rejected"] == 1
    assert "belongs to another user" in report_lines(tmp_path / "r.jsonl")[0]["reason"]


def test_killed_and_resumed_every_user_is_there_once(project: Project, tmp_path: Path) -> None:
    # A file this size is read in a process of its own (rosterd.bulk.prepare), which must
    # not outlive the import it works for.
    count = 100_000
    path = md5_users(tmp_path / "many.jsonl", count)
    report = tmp_path / "report.jsonl"
    command = [
        *ROSTERD,
        "users",
        "import",
        str(path),
        "--project",
        project.id,
        "--format",
        "appwrite",
        "--report",
        str(report),
    ]
    url = project.server.services.settings.database_url
    process = subprocess.Popen(
        command, env=environment(url), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 240
    while (
        not report.exists() or report.stat().st_size < count * 12
    ) and time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        time.sleep(0.05)
    assert preparing(url), "a file this size is prepared in a process of its own"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 15
    while preparing(url) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not preparing(url), "the preparing process outlived the import"
    with project.http() as http:
        part = http.get("/users", params={"total": "true"}).json()["total"]
    assert 0 < part < count
    summary = import_file(project, path, "appwrite", "--resume", "--report", str(report))
    assert summary["resumedAt"] > 0
    assert summary["created"] == count and summary["skipped"] == 0
    positions = [line["position"] for line in report_lines(report)]
    assert positions == list(range(count))
    with project.http() as http:
        assert http.get("/users", params={"total": "true"}).json()["total"] == count
    last = count - 1
    assert signs_in(project, f"u{last}@example.com", f"password{last}") == 201


def test_an_import_leaves_postgresql_planner_statistics(project: Project, tmp_path: Path) -> None:
    """Without them a freshly loaded users table looks empty to PostgreSQL's planner,
    which then sorts every matching user for a page of 25."""
    database = project.server.services.database
    if database.is_sqlite:
        pytest.skip("SQLite keeps no planner statistics unless asked")
    import_file(project, md5_users(tmp_path / "users.jsonl", 40), "appwrite")
    with database.read() as connection:
        analyzed: dict[str, bool] = dict(
            connection.exec_driver_sql(
                "SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables "
                "WHERE relname IN ('users', 'user_labels', 'targets', 'audit_logs')"
            ).all()
        )
    assert analyzed == {"users": True, "user_labels": True, "targets": True, "audit_logs": True}
