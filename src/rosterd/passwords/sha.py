"""Unsalted SHA-1, SHA-2 and SHA-3 hex digests; the version is an import parameter."""

from __future__ import annotations

import hashlib

from rosterd.passwords import StoredPassword
from rosterd.passwords.validation import hex_matches, invalid, is_hex, utf8

ALGORITHM = "sha"
DEFAULT_VERSION = "sha256"

# Wire value -> hashlib name.
_HASHLIB_NAMES: dict[str, str] = {
    "sha1": "sha1",
    "sha224": "sha224",
    "sha256": "sha256",
    "sha384": "sha384",
    "sha512/224": "sha512_224",
    "sha512/256": "sha512_256",
    "sha512": "sha512",
    "sha3-224": "sha3_224",
    "sha3-256": "sha3_256",
    "sha3-384": "sha3_384",
    "sha3-512": "sha3_512",
}

#: The `passwordVersion` values the API accepts (case-insensitive).
SHA_VERSIONS: tuple[str, ...] = tuple(_HASHLIB_NAMES)


def digest(version: str, plain: str) -> bytes:
    """The raw digest of `plain` for a wire version such as `sha512/256`."""
    return hashlib.new(_HASHLIB_NAMES[version], utf8(plain)).digest()


def verify(stored: StoredPassword, plain: str) -> bool:
    """Constant-time compare of the stored hex (either case) with the digest of `plain`."""
    version = stored.options.get("version", DEFAULT_VERSION)
    if not isinstance(version, str) or version.lower() not in _HASHLIB_NAMES:
        return False
    return hex_matches(stored.value, digest(version.lower(), plain))


def _version(version: object) -> str:
    if version is None or version == "":
        return DEFAULT_VERSION
    if not isinstance(version, str) or version.lower() not in _HASHLIB_NAMES:
        raise invalid("passwordVersion", "must be one of " + ", ".join(SHA_VERSIONS))
    return version.lower()


def import_hash(value: str, version: str | None) -> StoredPassword:
    """Accept a hex digest whose length fits `version` (None or '' means sha256)."""
    chosen = _version(version)
    digits = 2 * hashlib.new(_HASHLIB_NAMES[chosen]).digest_size
    if not is_hex(value, digits):
        raise invalid("password", f"must be a {chosen} digest of {digits} hex characters")
    return StoredPassword(value, ALGORITHM, {"type": "sha", "version": chosen})
