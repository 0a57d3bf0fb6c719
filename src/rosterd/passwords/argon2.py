"""Argon2: the scheme every new plain-text password is hashed with, and imported PHC strings."""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from argon2 import Parameters, PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from rosterd.passwords import StoredPassword
from rosterd.passwords.validation import invalid, utf8

ALGORITHM = "argon2"

# The PHC layout libargon2 decodes: type, optional version, m,t,p in that order,
# then unpadded base64 salt and tag. ASCII digits only (`\d` would allow others).
_PHC = re.compile(
    r"\$argon2(?:id|i|d)\$(?:v=[0-9]+\$)?m=[0-9]+,t=[0-9]+,p=[0-9]+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+"
)

# Verification reads every parameter from the hash; the hasher's own settings do not matter.
_VERIFIER = PasswordHasher()


class MemoryBudget:
    """At most `kib` KiB of Argon2 memory in use at once in this process.

    Each hash or verification holds its memory cost (or the whole budget, when it costs
    more) while it runs; others wait. Without it, a burst of sign-ins at Appwrite's 64 MiB
    grows a worker by 64 MiB per concurrent request (rosterd's threadpool runs 40).
    """

    def __init__(self, kib: int) -> None:
        self._total = kib
        self._free = kib
        self._changed = threading.Condition()

    def resize(self, kib: int) -> None:
        with self._changed:
            self._free += kib - self._total
            self._total = kib
            self._changed.notify_all()

    @contextmanager
    def held(self, kib: int) -> Iterator[None]:
        with self._changed:
            need = min(kib, self._total)
            self._changed.wait_for(lambda: self._free >= need)
            self._free -= need
        try:
            yield
        finally:
            with self._changed:
                self._free += need
                self._changed.notify_all()


#: The process's budget (`ROSTERD_ARGON2_MEMORY_BUDGET`, set when the services are built).
BUDGET = MemoryBudget(65536)


class Argon2:
    """Argon2id with Appwrite's defaults (m=65536 KiB, t=4, p=3) unless configured."""

    name = ALGORITHM

    def __init__(self, memory_cost: int = 65536, time_cost: int = 4, threads: int = 3) -> None:
        self.memory_cost = memory_cost
        self.time_cost = time_cost
        self.threads = threads
        self._hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost,
            parallelism=threads,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
        self.options: dict[str, Any] = {
            "type": "argon2",
            "memory_cost": memory_cost,
            "time_cost": time_cost,
            "threads": threads,
        }

    def hash(self, plain: str) -> StoredPassword:
        """Hash a plain-text password as Argon2id with this instance's costs."""
        with BUDGET.held(self.memory_cost):
            value = self._hasher.hash(utf8(plain))
        return StoredPassword(value, self.name, dict(self.options))

    def verify(self, stored: str, plain: str) -> bool:
        """Check a PHC string (`$argon2id$...` or `$argon2i$...`); its own parameters apply."""
        return verify_hash(stored, plain)


def parameters(value: str) -> Parameters | None:
    """The parameters of a well-formed Argon2 PHC string, or None."""
    if not isinstance(value, str) or _PHC.fullmatch(value) is None:
        return None
    try:
        return extract_parameters(value)
    except InvalidHashError:
        return None


def verify_hash(value: str, plain: str) -> bool:
    """Check `plain` against a PHC string; False for a mismatch or a malformed string."""
    found = parameters(value)
    if found is None:
        return False
    try:
        with BUDGET.held(found.memory_cost):
            return _VERIFIER.verify(value, utf8(plain))
    except (VerificationError, InvalidHashError):
        return False


def verify(stored: StoredPassword, plain: str) -> bool:
    """Check `plain` against a stored Argon2 password."""
    return verify_hash(stored.value, plain)


#: The most work an imported hash may ask of every sign-in (anyone may attempt one).
MAX_MEMORY_COST = 262_144  # KiB: 256 MiB
MAX_TIME_COST = 10
MAX_THREADS = 16


def import_hash(value: str) -> StoredPassword:
    """Accept an `$argon2i$`, `$argon2id$` or `$argon2d$` PHC string, recording its own costs.

    The costs are bounded, and the hash must be one argon2 can verify at all.
    """
    found = parameters(value)
    if found is None:
        reason = "must be an Argon2 PHC string ($argon2i$, $argon2id$ or $argon2d$)"
        raise invalid("password", reason)
    too_costly = (
        found.memory_cost > MAX_MEMORY_COST
        or found.time_cost > MAX_TIME_COST
        or found.parallelism > MAX_THREADS
    )
    if too_costly:
        raise invalid(
            "password",
            f"costs above m={MAX_MEMORY_COST}, t={MAX_TIME_COST}, p={MAX_THREADS} are refused",
        )
    _probe(value)
    options = {
        "type": "argon2",
        "memory_cost": found.memory_cost,
        "time_cost": found.time_cost,
        "threads": found.parallelism,
    }
    return StoredPassword(value, ALGORITHM, options)


@functools.lru_cache(maxsize=256)
def _probe(value: str) -> None:
    """Verify a dummy password once: a mismatch is fine, any other failure is a bad hash.

    A probe costs a whole hash at the value's own costs, so the answers for the last few
    hundred values are kept: an import of users who share a hash probes it once."""
    found = parameters(value)
    try:
        with BUDGET.held(found.memory_cost if found else 0):
            _VERIFIER.verify(value, b"rosterd probe")
    except VerifyMismatchError:
        return
    except (VerificationError, InvalidHashError):
        raise invalid("password", "is not an Argon2 hash that can be verified") from None


def needs_rehash(value: str, current: Argon2) -> bool:
    """True unless `value` is Argon2id with memory and time costs at least `current`'s."""
    found = parameters(value)
    if found is None or found.type is not Type.ID:
        return True
    return found.memory_cost < current.memory_cost or found.time_cost < current.time_cost
