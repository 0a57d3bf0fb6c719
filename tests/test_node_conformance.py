"""Every method of node-appwrite's `Users` service against rosterd, one test per method.

`tests/node/users_conformance.mjs` runs a case per method and prints one JSON line per
method; it is run once per database engine, in a project of its own. The methods are
read from node-appwrite's `Users.prototype` when the tests are collected, so a method a
newer node-appwrite adds becomes a test of its own (failing until the script has a case).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import Server, new_project
from tests.test_activity import NODE_DIRECTORY, node_sdk  # noqa: F401 (a fixture)

SCRIPT = "users_conformance.mjs"
TIMEOUT = 300

LIST_METHODS = """
import { Users } from "node-appwrite";
const names = Object.getOwnPropertyNames(Users.prototype).filter(
  (name) => name !== "constructor" && typeof Users.prototype[name] === "function",
);
console.log(JSON.stringify(names));
"""


def users_methods() -> list[str]:
    """The methods of node-appwrite's `Users`; none without node or node-appwrite."""
    if not (shutil.which("node") and (NODE_DIRECTORY / "node_modules" / "node-appwrite").is_dir()):
        return []
    listing = subprocess.run(
        ["node", "--input-type=module", "-e", LIST_METHODS],
        cwd=NODE_DIRECTORY,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    names: list[str] = json.loads(listing.stdout)
    return names


METHODS = users_methods()


@dataclass
class Run:
    """What one run of the script printed: a result per method, and everything else."""

    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)
    noise: list[str] = field(default_factory=list)
    returncode: int | None = None
    stderr: str = ""

    def context(self) -> str:
        tail = self.stderr.strip()[-2000:]
        return f"exit status {self.returncode}; stderr: {tail or '(empty)'}"


def run_script(server: Server) -> Run:
    project = new_project(server)
    command = ["node", SCRIPT, server.endpoint, project.id, project.key]
    try:
        completed = subprocess.run(
            command,
            cwd=NODE_DIRECTORY,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,  # failures are read from the output, method by method
        )
    except subprocess.TimeoutExpired as expired:
        return Run(stderr=f"{SCRIPT} did not finish within {TIMEOUT} s: {expired.stderr!r}")
    run = Run(returncode=completed.returncode, stderr=completed.stderr)
    for line in completed.stdout.splitlines():
        try:
            result = json.loads(line)
        except json.JSONDecodeError:
            run.noise.append(line)
            continue
        if not isinstance(result, dict) or not isinstance(result.get("method"), str):
            run.noise.append(line)
        elif result["method"] in run.results:
            run.duplicates.append(result["method"])
        else:
            run.results[result["method"]] = result
    return run


@pytest.fixture(scope="module")
def runs() -> dict[str, Run]:
    """The script's runs of this module, by server (one per database engine)."""
    return {}


@pytest.fixture
def conformance(node_sdk: None, runs: dict[str, Run], server: Server) -> Run:  # noqa: F811
    if server.url not in runs:
        runs[server.url] = run_script(server)
    return runs[server.url]


@pytest.mark.parametrize("method", METHODS)
def test_users_method(conformance: Run, method: str) -> None:
    result = conformance.results.get(method)
    if result is None:
        pytest.fail(f"{SCRIPT} printed no result for {method}; {conformance.context()}")
    if result.get("ok") is not True:
        pytest.fail(f"users.{method}: {result.get('error')}", pytrace=False)


def test_the_script_covers_exactly_the_users_methods(conformance: Run) -> None:
    assert METHODS, "node-appwrite's Users has no methods"
    assert conformance.noise == [], conformance.noise
    assert conformance.duplicates == [], conformance.duplicates
    extra = sorted(set(conformance.results) - set(METHODS))
    assert extra == [], f"results for methods Users does not have: {extra}"
    assert list(conformance.results) == METHODS, conformance.context()
    failed = [method for method, result in conformance.results.items() if not result.get("ok")]
    assert conformance.returncode == (1 if failed else 0), conformance.context()
