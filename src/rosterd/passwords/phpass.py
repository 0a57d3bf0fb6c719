"""phpass (WordPress, phpBB) hashes: the portable `$P$`/`$H$` format, or bcrypt.

No well-kept Python library implements phpass's portable hashing, so it is
implemented here (about 20 lines): an 8-character salt, 2**n rounds of MD5 over
the previous digest and the password, and phpass's own base-64 encoding.
A phpass value in bcrypt format is verified with bcrypt.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from rosterd.passwords import StoredPassword
from rosterd.passwords import bcrypt as bcrypt_scheme
from rosterd.passwords.validation import invalid, utf8

ALGORITHM = "phpass"

_ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_PORTABLE = re.compile(r"\$[PH]\$[./0-9A-Za-z]{31}")
_MIN_LOG2 = 7
_MAX_LOG2 = 30
_SETTING_LENGTH = 12  # "$P$", the count character and 8 salt characters


def _encode64(data: bytes) -> str:
    """phpass's base 64: little-endian groups of 3 bytes, 6 bits at a time, low bits first."""
    characters: list[str] = []
    for start in range(0, len(data), 3):
        chunk = data[start : start + 3]
        value = int.from_bytes(chunk, "little")
        characters.extend(_ALPHABET[(value >> (6 * index)) & 63] for index in range(len(chunk) + 1))
    return "".join(characters)


def _count_log2(value: str) -> int:
    return _ALPHABET.index(value[3])


def is_portable(value: str) -> bool:
    """Whether `value` is a 34-character `$P$`/`$H$` hash with a count log2 in 7..30."""
    if not isinstance(value, str) or _PORTABLE.fullmatch(value) is None:
        return False
    return _MIN_LOG2 <= _count_log2(value) <= _MAX_LOG2


def portable_hash(plain: str, setting: str) -> str:
    """The portable hash of `plain` for a setting (`$P$`, count character, 8-character salt)."""
    password = utf8(plain)
    digest = hashlib.md5(setting[4:_SETTING_LENGTH].encode("ascii") + password).digest()
    for _ in range(1 << _count_log2(setting)):
        digest = hashlib.md5(digest + password).digest()
    return setting[:_SETTING_LENGTH] + _encode64(digest)


def verify(stored: StoredPassword, plain: str) -> bool:
    """Check `plain` against a portable phpass hash, or a bcrypt-format one."""
    value = stored.value
    if is_portable(value):
        expected = portable_hash(plain, value[:_SETTING_LENGTH])
        return hmac.compare_digest(expected.encode("ascii"), value.encode("ascii"))
    return bcrypt_scheme.verify_hash(value, plain)


#: The most iterations (as log2) an imported portable hash may ask of every sign-in.
MAX_IMPORT_LOG2 = 20


def import_hash(value: str) -> StoredPassword:
    """Accept a portable `$P$`/`$H$` hash or a bcrypt-format hash, stored as given."""
    if is_portable(value):
        if _count_log2(value) > MAX_IMPORT_LOG2:
            raise invalid("password", f"iteration counts above 2^{MAX_IMPORT_LOG2} are refused")
        return StoredPassword(value, ALGORITHM, {"type": "phpass"})
    if not bcrypt_scheme.is_bcrypt(value):
        raise invalid("password", "must be a phpass hash ($P$ or $H$, 34 characters) or bcrypt")
    bcrypt_scheme.import_hash(value)  # the same bounds as a bcrypt import
    return StoredPassword(value, ALGORITHM, {"type": "phpass"})
