"""Plain scrypt with caller-chosen costs, hex-encoded.

The API's names map unusually: `passwordCpu` is N, `passwordMemory` is r,
`passwordParallel` is p. Costs are bounded so that no import can make a later
login allocate more than 1 GiB: verification needs 128·r·(N + p + 2) bytes
(OpenSSL's own figure, which also bounds r·p far below scrypt's 2**30).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from rosterd.errors import ArgumentInvalid
from rosterd.passwords import StoredPassword
from rosterd.passwords.validation import hex_matches, integer, invalid, is_hex, utf8

ALGORITHM = "scrypt"
MAX_MEMORY_BYTES = 1 << 30
MIN_LENGTH = 16
MAX_LENGTH = 1024
_MEMORY_SLACK = 1 << 20
_TOO_MUCH_MEMORY = "the verification would need more than 1 GiB of memory"


@dataclass(frozen=True)
class Costs:
    """Validated scrypt parameters: N, r, p and the derived-key length in bytes."""

    cpu: int
    memory: int
    parallel: int
    length: int

    @property
    def memory_needed(self) -> int:
        """Bytes OpenSSL allocates to derive a key with these costs."""
        return memory_needed(self.cpu, self.memory, self.parallel)


def memory_needed(cpu: int, memory: int, parallel: int) -> int:
    """Bytes scrypt needs for N=cpu, r=memory, p=parallel: 128·r·(N + p + 2)."""
    return 128 * memory * (cpu + parallel + 2)


def _cpu(value: object) -> int:
    cpu = integer(value, "passwordCpu")
    if cpu <= 1 or cpu & (cpu - 1):
        raise invalid("passwordCpu", "must be a power of two greater than 1")
    if memory_needed(cpu, 1, 1) > MAX_MEMORY_BYTES:
        raise invalid("passwordCpu", _TOO_MUCH_MEMORY)
    return cpu


def _memory(value: object, cpu: int) -> int:
    memory = integer(value, "passwordMemory")
    if memory < 1:
        raise invalid("passwordMemory", "must be at least 1")
    if cpu.bit_length() - 1 >= 16 * memory:  # scrypt requires N < 2**(16·r)
        raise invalid("passwordMemory", "must be more than log2(passwordCpu) / 16")
    if memory_needed(cpu, memory, 1) > MAX_MEMORY_BYTES:
        raise invalid("passwordMemory", _TOO_MUCH_MEMORY)
    return memory


#: The most scrypt work (N·r·p) an imported hash may ask of every sign-in; the Appwrite
#: test vector (16384·13·2) is a tenth of it, and this much takes about 2 s here.
MAX_WORK = 1 << 22


def _parallel(value: object, cpu: int, memory: int) -> int:
    parallel = integer(value, "passwordParallel")
    if parallel < 1:
        raise invalid("passwordParallel", "must be at least 1")
    if memory_needed(cpu, memory, parallel) > MAX_MEMORY_BYTES:
        raise invalid("passwordParallel", _TOO_MUCH_MEMORY)
    if cpu * memory * parallel > MAX_WORK:
        raise invalid(
            "passwordParallel", f"passwordCpu * passwordMemory * this may be {MAX_WORK} at most"
        )
    return parallel


def _length(value: object) -> int:
    length = integer(value, "passwordLength")
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise invalid("passwordLength", f"must be between {MIN_LENGTH} and {MAX_LENGTH}")
    return length


def costs(cpu: object, memory: object, parallel: object, length: object) -> Costs:
    """Validate the four numeric import parameters, in the API's order."""
    checked_cpu = _cpu(cpu)
    checked_memory = _memory(memory, checked_cpu)
    checked_parallel = _parallel(parallel, checked_cpu, checked_memory)
    return Costs(checked_cpu, checked_memory, checked_parallel, _length(length))


def _salt(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise invalid("passwordSalt", "must be a non-empty string")
    return value


def derive(plain: str, salt: str, chosen: Costs) -> bytes:
    """scrypt(plain, salt as UTF-8 bytes) with the given costs."""
    return hashlib.scrypt(
        utf8(plain),
        salt=utf8(salt),
        n=chosen.cpu,
        r=chosen.memory,
        p=chosen.parallel,
        dklen=chosen.length,
        maxmem=chosen.memory_needed + _MEMORY_SLACK,
    )


def _stored_costs(options: dict[str, Any]) -> Costs | None:
    try:
        return costs(
            options.get("costCpu"),
            options.get("costMemory"),
            options.get("costParallel"),
            options.get("length"),
        )
    except ArgumentInvalid:
        return None


def verify(stored: StoredPassword, plain: str) -> bool:
    """Constant-time compare of the stored hex with scrypt(plain); malformed options give False."""
    chosen = _stored_costs(stored.options)
    salt = stored.options.get("salt")
    if chosen is None or not isinstance(salt, str) or not salt:
        return False
    if not is_hex(stored.value, 2 * chosen.length):
        return False
    try:
        return hex_matches(stored.value, derive(plain, salt, chosen))
    except ValueError:  # OpenSSL refused the parameters
        return False


def import_hash(
    value: str, salt: str, *, cpu: object, memory: object, parallel: object, length: object
) -> StoredPassword:
    """Accept a hex scrypt key of `length` bytes with validated costs and a non-empty salt."""
    checked_salt = _salt(salt)
    chosen = costs(cpu, memory, parallel, length)
    if not is_hex(value, 2 * chosen.length):
        digits = 2 * chosen.length
        raise invalid("password", f"must be {digits} hex characters (passwordLength bytes)")
    options = {
        "type": "scrypt",
        "costCpu": chosen.cpu,
        "costMemory": chosen.memory,
        "costParallel": chosen.parallel,
        "length": chosen.length,
        "salt": checked_salt,
    }
    return StoredPassword(value, ALGORITHM, options)
