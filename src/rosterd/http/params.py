"""Request parameters: where they are read from and how they are validated.

GET and HEAD read only the query string (`queries[0]=`, `queries[]=` and repeated
keys become arrays); other methods read only the body (JSON, or form fields).
Path parameters are merged in either way. Undeclared parameters are ignored.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from rosterd.errors import ArgumentInvalid, BodyTooLarge
from rosterd.validators import Invalid, Validator

_ARRAY_KEY = re.compile(r"^(?P<name>[^\[\]]+)\[(?P<index>\d*)\]$")
_MISSING = object()
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_MAX_DEPTH = 64


@dataclass(frozen=True)
class Param:
    """A declared parameter: required unless a default is given."""

    name: str
    validator: Validator
    optional: bool = False
    default: Any = None


def query_of(request: Request) -> dict[str, Any]:
    """The request's query string, parsed (`parse_query_string`). Read from the ASGI scope:
    `request.url` would build and split the whole URL for it."""
    raw: bytes = request.scope.get("query_string", b"")
    return parse_query_string(raw.decode("utf-8", "replace")) if raw else {}


def parse_query_string(text: str) -> dict[str, Any]:
    """`a=1&q[0]=x&q[1]=y&r[]=z&s=1&s=2` -> `{"a":"1","q":["x","y"],"r":["z"],"s":["1","2"]}`."""
    scalars: dict[str, list[str]] = {}
    indexed: dict[str, list[tuple[int, int, str]]] = {}
    for position, (key, value) in enumerate(parse_qsl(text, keep_blank_values=True)):
        match = _ARRAY_KEY.match(key)
        if match is None:
            scalars.setdefault(key, []).append(value)
            continue
        index = int(match["index"]) if match["index"] else position
        indexed.setdefault(match["name"], []).append((index, position, value))
    values: dict[str, Any] = {
        key: found[0] if len(found) == 1 else found for key, found in scalars.items()
    }
    for key, items in indexed.items():
        values[key] = [value for _, _, value in sorted(items)]
    return values


async def read_body_bytes(request: Request, max_bytes: int) -> bytes:
    """The raw body, refused with 413 past `max_bytes` (declared or actually sent)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge()
    raw = bytearray()
    async for chunk in request.stream():
        raw.extend(chunk)
        if len(raw) > max_bytes:
            raise BodyTooLarge()
    return bytes(raw)


async def read_body(request: Request, max_bytes: int) -> dict[str, Any]:
    """The body's parameters; an empty body is `{}`."""
    raw = await read_body_bytes(request, max_bytes)
    if not raw.strip():
        return {}
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/x-www-form-urlencoded":
        return parse_query_string(raw.decode("utf-8", "replace"))
    return _decode_json(raw)


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _decode_json(raw: bytes) -> dict[str, Any]:
    try:
        decoded = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise ArgumentInvalid("The request body is not valid JSON.") from None
    if not isinstance(decoded, dict):
        raise ArgumentInvalid("The request body must be a JSON object.")
    return decoded


def _storable(value: Any, depth: int = 0) -> bool:
    """No NUL characters or lone surrogates in any string, nesting at most 64 deep."""
    if isinstance(value, str):
        return "\x00" not in value and not _SURROGATE.search(value)
    if depth > _MAX_DEPTH:
        return False
    if isinstance(value, dict):
        return all(
            _storable(key, depth + 1) and _storable(item, depth + 1) for key, item in value.items()
        )
    if isinstance(value, list):
        return all(_storable(item, depth + 1) for item in value)
    return not (isinstance(value, float) and not math.isfinite(value))


def validate(declared: Sequence[Param], supplied: Mapping[str, Any]) -> dict[str, Any]:
    """Validate in declaration order; the first failure wins."""
    return {
        param.name: _validate_one(param, supplied.get(param.name, _MISSING)) for param in declared
    }


def _validate_one(param: Param, value: Any) -> Any:
    if value is _MISSING or value is None:
        if not param.optional:
            raise ArgumentInvalid(f'Param "{param.name}" is not optional.')
        return param.default
    if not _storable(value):
        raise ArgumentInvalid(
            f"Invalid `{param.name}` param: Value must not contain NUL characters, lone "
            f"surrogates, non-finite numbers or more than {_MAX_DEPTH} levels of nesting"
        )
    try:
        return param.validator(value)
    except Invalid as invalid:
        raise ArgumentInvalid(f"Invalid `{param.name}` param: {invalid}") from None
