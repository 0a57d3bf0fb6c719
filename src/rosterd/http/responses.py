"""Every response rosterd sends: JSON documents, empty 204s and Appwrite error bodies."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from rosterd.errors import AppwriteError
from rosterd.jsoncodec import encoded

#: The Appwrite server version clients see in error bodies and /health/version.
SERVER_VERSION = "1.9.6"

_JSON = "application/json; charset=UTF-8"
_NO_STORE = {
    "cache-control": "no-cache, no-store, must-revalidate",
    "expires": "0",
    "pragma": "no-cache",
}


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(encoded(data), status_code=status, media_type=_JSON, headers=headers)


def no_content() -> Response:
    """204 with an empty body and a non-JSON content type, as the official SDKs need."""
    return Response(status_code=204, headers={"content-type": "text/html; charset=UTF-8"})


def error_response(error: AppwriteError) -> Response:
    body = {
        "message": error.message,
        "code": error.code,
        "type": error.type,
        "version": SERVER_VERSION,
    }
    return json_response(body, status=error.code, headers=_NO_STORE)
