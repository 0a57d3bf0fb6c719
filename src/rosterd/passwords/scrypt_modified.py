"""Firebase's modified scrypt (`scryptMod`).

The key is scrypt(password, salt ‖ separator, N=16384, r=8, p=1, 64 bytes); its
first 32 bytes are an AES-256-CTR key (zero IV) that encrypts the project's signer
key, and the base64 of that ciphertext is the stored hash. The costs are fixed, as
in Appwrite: Firebase's per-project rounds and memory cost are not used.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from rosterd.errors import ArgumentInvalid
from rosterd.passwords import StoredPassword
from rosterd.passwords.validation import base64_bytes, utf8

ALGORITHM = "scryptMod"
_CPU = 16384
_MEMORY = 8
_PARALLEL = 1
_KEY_LENGTH = 64
_ZERO_IV = bytes(16)


def signed(plain: str, salt: bytes, separator: bytes, signer_key: bytes) -> bytes:
    """The raw Firebase hash of `plain` (before base64)."""
    key = hashlib.scrypt(
        utf8(plain), salt=salt + separator, n=_CPU, r=_MEMORY, p=_PARALLEL, dklen=_KEY_LENGTH
    )
    encryptor = Cipher(algorithms.AES256(key[:32]), modes.CTR(_ZERO_IV)).encryptor()
    return encryptor.update(signer_key) + encryptor.finalize()


def _decoded(options: dict[str, Any]) -> tuple[bytes, bytes, bytes] | None:
    try:
        return (
            base64_bytes(options.get("salt"), "passwordSalt"),
            base64_bytes(options.get("saltSeparator"), "passwordSaltSeparator"),
            base64_bytes(options.get("signerKey"), "passwordSignerKey"),
        )
    except ArgumentInvalid:
        return None


def verify(stored: StoredPassword, plain: str) -> bool:
    """Constant-time compare of the stored base64 with the Firebase hash of `plain`."""
    decoded = _decoded(stored.options)
    try:
        base64_bytes(stored.value, "password")
    except ArgumentInvalid:
        return False
    if decoded is None:
        return False
    expected = base64.b64encode(signed(plain, *decoded))
    return hmac.compare_digest(expected, stored.value.encode("ascii"))


def import_hash(value: str, salt: str, separator: str, signer_key: str) -> StoredPassword:
    """Accept a base64 hash with base64 salt, salt separator and signer key, stored as given."""
    base64_bytes(salt, "passwordSalt")
    base64_bytes(separator, "passwordSaltSeparator")
    base64_bytes(signer_key, "passwordSignerKey")
    base64_bytes(value, "password")
    options = {
        "type": "scryptMod",
        "salt": salt,
        "saltSeparator": separator,
        "signerKey": signer_key,
    }
    return StoredPassword(value, ALGORITHM, options)
