"""Unsalted MD5 hex digests, as some legacy systems export them."""

from __future__ import annotations

import hashlib

from rosterd.passwords import StoredPassword
from rosterd.passwords.validation import hex_matches, invalid, is_hex, utf8

ALGORITHM = "md5"
_DIGITS = 32


def verify(stored: StoredPassword, plain: str) -> bool:
    """Constant-time compare of the stored hex (either case) with md5(plain)."""
    return hex_matches(stored.value, hashlib.md5(utf8(plain)).digest())


def import_hash(value: str) -> StoredPassword:
    """Accept 32 hex characters in either case, stored as given."""
    if not is_hex(value, _DIGITS):
        raise invalid("password", "must be an MD5 digest of 32 hex characters")
    return StoredPassword(value, ALGORITHM, {"type": "md5"})
