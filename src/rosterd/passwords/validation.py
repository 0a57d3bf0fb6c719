"""Checks shared by the importers: the error shape, integers, base64 and hex.

Every importer error is `ArgumentInvalid` with the message
``Invalid `<paramName>` param: <reason>``, where paramName is the REST parameter.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re

from rosterd.errors import ArgumentInvalid

_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_HEX = re.compile(r"[0-9A-Fa-f]*")


def invalid(param: str, reason: str) -> ArgumentInvalid:
    """Build the error for a bad import parameter."""
    return ArgumentInvalid(f"Invalid `{param}` param: {reason}")


def utf8(text: str) -> bytes:
    """Encode a password or salt as UTF-8; lone surrogates pass through instead of raising."""
    return text.encode("utf-8", "surrogatepass")


def integer(value: object, param: str) -> int:
    """Accept an int or an integral float (SDKs may send 16384.0); reject bools and the rest."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise invalid(param, "must be an integer")


def base64_bytes(value: object, param: str) -> bytes:
    """Decode a non-empty standard base64 string, or raise the error for `param`."""
    if not isinstance(value, str) or _BASE64.fullmatch(value) is None:
        raise invalid(param, "must be a non-empty base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error:
        raise invalid(param, "must be a non-empty base64 string") from None


def is_hex(value: object, digits: int) -> bool:
    """Whether `value` is a string of exactly `digits` hex digits, in either case."""
    return isinstance(value, str) and len(value) == digits and _HEX.fullmatch(value) is not None


def hex_matches(stored: str, digest: bytes) -> bool:
    """Constant-time comparison of a stored hex string (either case) with a raw digest."""
    if not is_hex(stored, 2 * len(digest)):
        return False
    return hmac.compare_digest(bytes.fromhex(stored), digest)
