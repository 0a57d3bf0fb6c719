"""Read one field of a source document, or raise `FieldInvalid` with a reason to show.

Absent, `null` and empty values read as "not given" everywhere: sources disagree on which
of the three they write, and none of them means anything else by it.
Times come back as naive UTC datetimes, as rosterd stores them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from rosterd import clock
from rosterd.bulk.formats.errors import FieldInvalid
from rosterd.errors import ArgumentInvalid
from rosterd.passwords import StoredPassword

_TRUE = frozenset({"true", "t", "1", "yes", "y"})
_FALSE = frozenset({"false", "f", "0", "no", "n"})
_DIGITS = re.compile(r"-?[0-9]{1,16}")
_PARAM_MESSAGE = re.compile(r"Invalid `([^`]+)` param: (.*)", re.DOTALL)


def text(source: Mapping[str, Any], key: str) -> str | None:
    """A string field; None when absent, null or empty."""
    value = source.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise FieldInvalid(f"{key} must be a string")
    return value


def flag(source: Mapping[str, Any], key: str, default: bool) -> bool:
    """A JSON boolean; `default` when absent or null."""
    value = source.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise FieldInvalid(f"{key} must be true or false")
    return value


def cell_flag(row: Mapping[str, str], key: str, default: bool) -> bool:
    """A CSV cell: true/false, t/f, 1/0, yes/no or y/n in any case; `default` when empty."""
    value = row.get(key, "").strip().lower()
    if not value:
        return default
    if value not in _TRUE | _FALSE:
        raise FieldInvalid(f"{key} must be true or false")
    return value in _TRUE


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def strict_json(text: str | bytes) -> Any:
    """`json.loads`, without the NaN and Infinity that only Python's JSON reads."""
    return json.loads(text, parse_constant=_refuse_constant)


def json_object(source: Mapping[str, Any], key: str) -> dict[str, Any]:
    """An object, or a string holding one (CSV cells, Firebase's customAttributes); {} if absent."""
    value = source.get(key)
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = strict_json(value)
        except (ValueError, RecursionError):
            raise FieldInvalid(f"{key} is not valid JSON") from None
    if not isinstance(value, dict):
        raise FieldInvalid(f"{key} must be a JSON object")
    return value


def epoch_millis(source: Mapping[str, Any], key: str) -> datetime | None:
    """Milliseconds since 1970 as a number or a digit string (Firebase's createdAt)."""
    value = source.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise FieldInvalid(f"{key} must be milliseconds since 1970")
    try:
        moment = datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        raise FieldInvalid(f"{key} is out of range") from None
    return moment.replace(tzinfo=None)


def timestamp(source: Mapping[str, Any], key: str) -> datetime | None:
    """An ISO 8601 date-time (`2024-01-02T03:04:05.678Z`, Postgres's `... 03:04:05.678+00`).

    Without an offset it is taken as UTC.
    """
    value = text(source, key)
    if value is None:
        return None
    moment = clock.parse(value)
    if moment is None:
        raise FieldInvalid(f"{key} is not an ISO 8601 date-time")
    return moment


def string_list(source: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """A JSON array of strings; () if absent."""
    value = source.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise FieldInvalid(f"{key} must be an array of strings")
    return tuple(value)


def password(build: Callable[[], StoredPassword], names: Mapping[str, str]) -> StoredPassword:
    """Run a `rosterd.passwords.schemes.import_*` call; its error names the source's field.

    `names` maps the REST parameter an importer blames (`password`, `passwordSalt`...) to
    the field of the source file that holds it.
    """
    try:
        return build()
    except ArgumentInvalid as error:
        found = _PARAM_MESSAGE.fullmatch(error.message)
        if found is None:
            raise FieldInvalid(error.message) from None
        param, detail = found.groups()
        raise FieldInvalid(f"{names.get(param, param)}: {detail}") from None
