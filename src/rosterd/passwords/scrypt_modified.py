"""Firebase's modified scrypt (`scryptMod`).

The key is scrypt(password, salt ‖ separator, N=2**memCost, r=rounds, p=1, 64 bytes);
its first 32 bytes are an AES-256-CTR key (zero IV) that encrypts the project's signer
key, and the base64 of that ciphertext is the stored hash.

Appwrite fixes the costs at Firebase's defaults (memCost 14, rounds 8), and so does the
REST import. A bulk import from Firebase passes the project's own `rounds` and `mem_cost`;
they are stored as `rounds` and `memCost` in the options only when they differ from the
defaults, so every hash Appwrite could store keeps Appwrite's exact options.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from rosterd.errors import ArgumentInvalid
from rosterd.passwords import StoredPassword
from rosterd.passwords.validation import base64_bytes, integer, invalid, utf8

ALGORITHM = "scryptMod"
DEFAULT_ROUNDS = 8
DEFAULT_MEM_COST = 14
#: Firebase's own bounds (its Admin SDK refuses others), so every Firebase project fits.
#: The heaviest, memCost 14 with 8 rounds, is the fixed cost every scryptMod sign-in had
#: before: 16 MiB and about 50 ms here, far below what a sign-in attempt (which anyone may
#: make) should cost.
MAX_ROUNDS = 8
MAX_MEM_COST = 14
_PARALLEL = 1
_KEY_LENGTH = 64
_ZERO_IV = bytes(16)


def signed(
    plain: str,
    salt: bytes,
    separator: bytes,
    signer_key: bytes,
    *,
    rounds: int = DEFAULT_ROUNDS,
    mem_cost: int = DEFAULT_MEM_COST,
) -> bytes:
    """The raw Firebase hash of `plain` (before base64)."""
    key = hashlib.scrypt(
        utf8(plain),
        salt=salt + separator,
        n=1 << mem_cost,
        r=rounds,
        p=_PARALLEL,
        dklen=_KEY_LENGTH,
    )
    # `cryptography` is 10 MB: imported by the first Firebase password, not by every worker.
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    encryptor = Cipher(algorithms.AES256(key[:32]), modes.CTR(_ZERO_IV)).encryptor()
    return encryptor.update(signer_key) + encryptor.finalize()


def costs(rounds: object, mem_cost: object) -> tuple[int, int]:
    """Validate Firebase's `rounds` (1..8) and `mem_cost` (1..14): the scrypt r and log2 N."""
    checked_rounds = integer(rounds, "rounds")
    if not 1 <= checked_rounds <= MAX_ROUNDS:
        raise invalid("rounds", f"must be from 1 to {MAX_ROUNDS}")
    checked_mem_cost = integer(mem_cost, "memCost")
    if not 1 <= checked_mem_cost <= MAX_MEM_COST:
        raise invalid("memCost", f"must be from 1 to {MAX_MEM_COST}")
    return checked_rounds, checked_mem_cost


def _decoded(options: dict[str, Any]) -> tuple[bytes, bytes, bytes] | None:
    try:
        return (
            base64_bytes(options.get("salt"), "passwordSalt"),
            base64_bytes(options.get("saltSeparator"), "passwordSaltSeparator"),
            base64_bytes(options.get("signerKey"), "passwordSignerKey"),
        )
    except ArgumentInvalid:
        return None


def _stored_costs(options: dict[str, Any]) -> tuple[int, int] | None:
    rounds = options.get("rounds", DEFAULT_ROUNDS)
    mem_cost = options.get("memCost", DEFAULT_MEM_COST)
    try:
        return costs(rounds, mem_cost)
    except ArgumentInvalid:
        return None


def verify(stored: StoredPassword, plain: str) -> bool:
    """Constant-time compare of the stored base64 with the Firebase hash of `plain`."""
    decoded = _decoded(stored.options)
    chosen = _stored_costs(stored.options)
    try:
        base64_bytes(stored.value, "password")
    except ArgumentInvalid:
        return False
    if decoded is None or chosen is None:
        return False
    rounds, mem_cost = chosen
    expected = base64.b64encode(signed(plain, *decoded, rounds=rounds, mem_cost=mem_cost))
    return hmac.compare_digest(expected, stored.value.encode("ascii"))


def import_hash(
    value: str,
    salt: str,
    separator: str,
    signer_key: str,
    *,
    rounds: object = DEFAULT_ROUNDS,
    mem_cost: object = DEFAULT_MEM_COST,
) -> StoredPassword:
    """Accept a base64 hash with base64 salt, salt separator and signer key, stored as given.

    `rounds` and `mem_cost` are the project's Firebase hash config; they are kept in the
    options (as `rounds` and `memCost`) only when they are not the defaults, 8 and 14.
    """
    base64_bytes(salt, "passwordSalt")
    base64_bytes(separator, "passwordSaltSeparator")
    base64_bytes(signer_key, "passwordSignerKey")
    base64_bytes(value, "password")
    checked_rounds, checked_mem_cost = costs(rounds, mem_cost)
    options: dict[str, Any] = {
        "type": "scryptMod",
        "salt": salt,
        "saltSeparator": separator,
        "signerKey": signer_key,
    }
    if checked_rounds != DEFAULT_ROUNDS:
        options["rounds"] = checked_rounds
    if checked_mem_cost != DEFAULT_MEM_COST:
        options["memCost"] = checked_mem_cost
    return StoredPassword(value, ALGORITHM, options)
