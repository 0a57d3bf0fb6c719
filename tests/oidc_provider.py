"""A real OpenID Connect provider (panva's oidc-provider, tests/oidc) for sign-in tests.

    with run_provider(clients, accounts) as provider:
        discovery = httpx.get(provider.well_known).json()
        ...  # the app under test sends the browser to discovery["authorization_endpoint"]
        callback = sign_in(browser, authorize_url, login="u1@example.com")
        # callback: the client's redirect_uri with code, state and iss; not followed

The provider serves plain http on 127.0.0.1 (issuer ``http://127.0.0.1:<port>``), requires
PKCE (S256) of every client, accepts client_secret_basic and client_secret_post alike, and
keeps everything in memory. Its login form takes an account's sub or email (any password);
its consent form grants what the client asked for. Both are plain HTML forms driven with
cookies, so `sign_in` needs an httpx.Client that keeps its cookie jar between calls.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

OIDC_DIRECTORY = Path(__file__).parent / "oidc"
PROVIDER_SCRIPT = OIDC_DIRECTORY / "provider.mjs"
STARTUP_SECONDS = 30.0
#: Redirects `sign_in` follows inside the provider before it gives up.
MAX_STEPS = 20


@dataclass(frozen=True)
class Provider:
    """A running provider: where it answers, and the process behind it."""

    issuer: str
    port: int
    process: subprocess.Popen[str]

    @property
    def well_known(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"


def oidc_provider_missing() -> str | None:
    """Why the provider cannot run here (no node, or tests/oidc not installed), else None."""
    if shutil.which("node") is None:
        return "node is not on PATH"
    if not (OIDC_DIRECTORY / "node_modules" / "oidc-provider").is_dir():
        return "oidc-provider is not installed in tests/oidc (npm ci --prefix tests/oidc)"
    return None


def require_oidc_provider() -> None:
    """For a fixture: skip when the provider cannot run here, and fail instead under CI."""
    reason = oidc_provider_missing()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(reason)
    pytest.skip(reason)


@contextmanager
def run_provider(
    clients: Sequence[Mapping[str, Any]],
    accounts: Sequence[Mapping[str, Any]],
    *,
    refresh_tokens: Literal["always", "offline_access"] = "always",
    auto_consent: bool = False,
    port: int = 0,
) -> Iterator[Provider]:
    """The provider, running until the block ends.

    clients: oidc-provider client metadata: client_id, client_secret, redirect_uris, and
    optionally token_endpoint_auth_method (client_secret_basic by default; either secret method
    is accepted at the token endpoint whatever is registered), grant_types, scope...
    accounts: {"sub", "email", "email_verified", "name", ...other standard claims}.
    refresh_tokens: "always" issues one with every code exchange, "offline_access" only when the
    scope offline_access was granted (which the provider keeps only with prompt=consent).
    Refresh tokens rotate on every use.
    auto_consent: grant consent without showing the consent form.
    """
    config = {
        "clients": [dict(client) for client in clients],
        "accounts": [dict(account) for account in accounts],
        "refresh_tokens": refresh_tokens,
        "auto_consent": auto_consent,
    }
    with tempfile.TemporaryDirectory(prefix="rosterd-oidc-") as directory:
        config_path = Path(directory) / "config.json"
        config_path.write_text(json.dumps(config), encoding="utf-8")
        log_path = Path(directory) / "provider.log"
        with log_path.open("w", encoding="utf-8") as log:
            process = subprocess.Popen(
                ["node", str(PROVIDER_SCRIPT), str(port), str(config_path)],
                cwd=OIDC_DIRECTORY,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
            try:
                ready = _ready_line(process, log_path)
                yield Provider(issuer=ready["issuer"], port=int(ready["port"]), process=process)
            finally:
                _stop(process)


def _ready_line(process: subprocess.Popen[str], log_path: Path) -> dict[str, Any]:
    """The {"issuer", "port"} line the provider prints once it listens."""
    assert process.stdout is not None
    deadline = time.monotonic() + STARTUP_SECONDS
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while (remaining := deadline - time.monotonic()) > 0:
            if not selector.select(remaining):
                continue
            line = process.stdout.readline()
            if not line:
                break
            try:
                ready: dict[str, Any] = json.loads(line)
            except json.JSONDecodeError:
                continue
            return ready
    _stop(process)
    log = log_path.read_text(encoding="utf-8", errors="replace")
    raise RuntimeError(f"the OpenID provider did not start (exit {process.returncode}):\n{log}")


def _stop(process: subprocess.Popen[str]) -> None:
    """Close its stdin (it exits on that), then SIGTERM, then SIGKILL."""
    if process.stdin is not None and not process.stdin.closed:
        with suppress(OSError):
            process.stdin.close()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()


@dataclass
class _Form:
    id: str
    action: str
    method: str
    fields: dict[str, str]


class _Forms(HTMLParser):
    """Every <form> of a page, with its named inputs' values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[_Form] = []
        self._open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            method = values.get("method", "get").lower()
            self.forms.append(_Form(values.get("id", ""), values.get("action", ""), method, {}))
            self._open = True
        elif tag == "input" and self._open and values.get("name"):
            self.forms[-1].fields[values["name"]] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = False


def _forms(html: str) -> dict[str, _Form]:
    parser = _Forms()
    parser.feed(html)
    parser.close()
    return {form.id: form for form in parser.forms}


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def sign_in(client: httpx.Client, authorize_url: str, login: str, *, consent: bool = True) -> str:
    """Act as the browser from the authorization URL to where the provider sends it back.

    Follows the provider's redirects (same scheme, host and port as authorize_url), fills the
    login form with login (an account's sub or email) and submits the consent form (or, with
    consent=False, the deny form). Returns the first URL outside the provider, normally the
    client's redirect_uri with code and state (or error), without requesting it. The client's
    cookie jar carries the provider's interaction and session cookies between the steps; with a
    session from an earlier sign-in on the same client, no form is shown.
    """
    provider = _origin(authorize_url)
    response = client.get(authorize_url, follow_redirects=False)
    for _ in range(MAX_STEPS):
        if response.is_redirect:
            target = urljoin(str(response.url), response.headers["location"])
            if _origin(target) != provider:
                return target
            response = client.get(target, follow_redirects=False)
            continue
        response = _submit_form(client, response, login, consent)
    raise RuntimeError(f"no redirect out of the provider after {MAX_STEPS} steps")


def _submit_form(
    client: httpx.Client, response: httpx.Response, login: str, consent: bool
) -> httpx.Response:
    """POST the page's login, consent or deny form; anything else is an error page."""
    forms = _forms(response.text) if response.status_code == 200 else {}
    if "login" in forms:
        form = forms["login"]
        fields = {**form.fields, "login": login, "password": "any"}
    elif "consent" in forms:
        form = forms["consent" if consent else "deny"]
        fields = form.fields
    else:
        raise RuntimeError(
            f"the provider answered {response.status_code} at {response.url}:\n{response.text}"
        )
    target = urljoin(str(response.url), form.action)
    answer = client.post(target, data=fields, follow_redirects=False)
    if answer.status_code == 401:
        raise RuntimeError(f"the provider refused login {login!r}:\n{answer.text}")
    return answer
