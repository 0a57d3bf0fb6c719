"""`X-Appwrite-Response-Format`: older clients get the model shapes of their version."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Version = tuple[int, int, int]

LATEST: Version = (99, 0, 0)
#: Nine digits a part at most: a longer number is not a version we can read (and Python
#: refuses to convert numbers of thousands of digits).
_SEMVER = re.compile(r"^\s*(\d{1,9})(?:\.(\d{1,9}))?(?:\.(\d{1,9}))?(?!\d)")

#: (applies below this version, model, keys removed from it)
_REMOVALS: tuple[tuple[Version, str, tuple[str, ...]], ...] = (
    ((1, 5, 0), "user", ("targets", "mfa")),
    ((1, 5, 0), "account", ("targets", "mfa")),
    ((1, 5, 0), "membership", ("mfa",)),
    ((1, 5, 0), "session", ("factors", "secret")),
    ((1, 5, 0), "token", ("phrase",)),
    ((1, 9, 0), "user", ("impersonator", "impersonatorUserId")),
    ((1, 9, 0), "account", ("impersonator", "impersonatorUserId")),
    ((1, 9, 2), "membership", ("userPhone",)),
)

#: list model -> (key holding the items, item model)
LISTS: dict[str, tuple[str, str]] = {
    "userList": ("users", "user"),
    "sessionList": ("sessions", "session"),
    "membershipList": ("memberships", "membership"),
}


def parse_version(header: str | None) -> Version:
    """Any value is accepted; one we cannot read means the newest format."""
    match = _SEMVER.match(header or "")
    if match is None:
        return LATEST
    major, minor, patch = (int(part or 0) for part in match.groups())
    return (major, minor, patch)


def _item_filter(model: str, version: Version) -> Callable[[dict[str, Any]], None]:
    removed = [
        key for below, name, keys in _REMOVALS if name == model and version < below for key in keys
    ]

    def apply(document: dict[str, Any]) -> None:
        for key in removed:
            document.pop(key, None)

    return apply


def downgrade(model: str, data: Any, version: Version) -> Any:
    """Remove what a client of `version` does not know, in place; returns `data`."""
    if model in LISTS:
        key, item_model = LISTS[model]
        apply = _item_filter(item_model, version)
        for item in data[key]:
            apply(item)
    else:
        _item_filter(model, version)(data)
    return data


def newer_than_server(header: str | None, server: Version) -> bool:
    """A client asking for a format this server does not know yet (it gets a warning)."""
    return (
        header is not None and _SEMVER.match(header) is not None and parse_version(header) > server
    )


#: The newest response format rosterd serves: the one the official Python SDK 27 asks for
#: (format 2.0.0 changed nothing in the Users, Account and Teams models).
NEWEST_FORMAT = "2.5.0"


class FormatWarning:
    """ASGI middleware: answer a client that asks for a format newer than `newest` with
    `X-Appwrite-Warning`, as Appwrite does for SDKs newer than itself; nothing else
    changes. (Appwrite compares with its own version, 1.9.6 here; the Python SDK 27 asks
    for 2.5.0 and prints the warning on every call, so rosterd warns only past what its
    official clients ask for.)"""

    def __init__(self, app: ASGIApp, newest: str = NEWEST_FORMAT) -> None:
        self.app = app
        self.server_version = newest
        self.server = parse_version(newest)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = Headers(scope=scope).get("x-appwrite-response-format")
        if not newer_than_server(header, self.server):
            await self.app(scope, receive, send)
            return
        warning = (
            f"This client asks for response format {header}; the newest this server "
            f"knows is {self.server_version}, which answers are in."
        )

        async def send_with_warning(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["x-appwrite-warning"] = warning
            await send(message)

        await self.app(scope, receive, send_with_warning)
