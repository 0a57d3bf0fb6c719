"""The public face of password hashing: verify any stored scheme, import hashes, re-hash policy.

Algorithm names are Appwrite's: "argon2", "bcrypt", "md5", "sha", "phpass",
"scrypt" and "scryptMod". Importers raise `ArgumentInvalid` naming the REST
parameter at fault; `verify` never raises.
"""

from __future__ import annotations

from collections.abc import Callable

from rosterd.passwords import StoredPassword
from rosterd.passwords import argon2 as argon2_scheme
from rosterd.passwords import bcrypt as bcrypt_scheme
from rosterd.passwords import md5 as md5_scheme
from rosterd.passwords import phpass as phpass_scheme
from rosterd.passwords import scrypt as scrypt_scheme
from rosterd.passwords import scrypt_modified as scrypt_modified_scheme
from rosterd.passwords import sha as sha_scheme
from rosterd.passwords.argon2 import Argon2

__all__ = [
    "SHA_VERSIONS",
    "import_argon2",
    "import_bcrypt",
    "import_md5",
    "import_phpass",
    "import_scrypt",
    "import_scrypt_modified",
    "import_sha",
    "needs_rehash",
    "verify",
]

#: The `passwordVersion` wire values of `/users/sha`.
SHA_VERSIONS: tuple[str, ...] = sha_scheme.SHA_VERSIONS

_VERIFIERS: dict[str, Callable[[StoredPassword, str], bool]] = {
    argon2_scheme.ALGORITHM: argon2_scheme.verify,
    bcrypt_scheme.ALGORITHM: bcrypt_scheme.verify,
    md5_scheme.ALGORITHM: md5_scheme.verify,
    sha_scheme.ALGORITHM: sha_scheme.verify,
    phpass_scheme.ALGORITHM: phpass_scheme.verify,
    scrypt_scheme.ALGORITHM: scrypt_scheme.verify,
    scrypt_modified_scheme.ALGORITHM: scrypt_modified_scheme.verify,
}


def verify(stored: StoredPassword, plain: str) -> bool:
    """Whether `plain` matches `stored`; False for an unknown scheme, bad hash or bad options."""
    verifier = _VERIFIERS.get(stored.algorithm) if isinstance(stored.algorithm, str) else None
    if verifier is None or not isinstance(stored.options, dict) or not isinstance(plain, str):
        return False
    return verifier(stored, plain)


def needs_rehash(stored: StoredPassword, current: Argon2) -> bool:
    """True for every non-Argon2 scheme, and for Argon2 not Argon2id at `current`'s costs."""
    if stored.algorithm != argon2_scheme.ALGORITHM:
        return True
    return argon2_scheme.needs_rehash(stored.value, current)


def import_argon2(hash: str) -> StoredPassword:
    """Import an Argon2 PHC string; options carry the hash's own costs."""
    return argon2_scheme.import_hash(hash)


def import_bcrypt(hash: str) -> StoredPassword:
    """Import a `$2a$`/`$2b$`/`$2y$` bcrypt hash."""
    return bcrypt_scheme.import_hash(hash)


def import_md5(hash: str) -> StoredPassword:
    """Import an unsalted MD5 hex digest."""
    return md5_scheme.import_hash(hash)


def import_sha(hash: str, version: str | None) -> StoredPassword:
    """Import an unsalted SHA hex digest; `version` None or '' means sha256."""
    return sha_scheme.import_hash(hash, version)


def import_phpass(hash: str) -> StoredPassword:
    """Import a phpass portable (`$P$`/`$H$`) or bcrypt-format hash."""
    return phpass_scheme.import_hash(hash)


def import_scrypt(  # noqa: PLR0917 (positional, like the REST parameters it mirrors)
    hash: str, salt: str, cpu: object, memory: object, parallel: object, length: object
) -> StoredPassword:
    """Import a hex scrypt key; cpu is N, memory is r, parallel is p, length in bytes."""
    return scrypt_scheme.import_hash(
        hash, salt, cpu=cpu, memory=memory, parallel=parallel, length=length
    )


def import_scrypt_modified(
    hash: str,
    salt: str,
    salt_separator: str,
    signer_key: str,
    *,
    rounds: object = scrypt_modified_scheme.DEFAULT_ROUNDS,
    mem_cost: object = scrypt_modified_scheme.DEFAULT_MEM_COST,
) -> StoredPassword:
    """Import a Firebase modified-scrypt hash with its base64 salt, separator and signer key.

    `rounds` and `mem_cost` are the Firebase project's hash config (defaults 8 and 14, the
    only costs the REST endpoint knows).
    """
    return scrypt_modified_scheme.import_hash(
        hash, salt, salt_separator, signer_key, rounds=rounds, mem_cost=mem_cost
    )
