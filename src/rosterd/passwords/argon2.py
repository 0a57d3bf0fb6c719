"""Argon2id, the scheme every new plain-text password is hashed with."""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from rosterd.passwords import StoredPassword


class Argon2:
    """Argon2id with Appwrite's defaults (m=65536 KiB, t=4, p=3) unless configured."""

    name = "argon2"

    def __init__(self, memory_cost: int = 65536, time_cost: int = 4, threads: int = 3) -> None:
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
        return StoredPassword(self._hasher.hash(plain), self.name, dict(self.options))

    def verify(self, stored: str, plain: str) -> bool:
        """Check a PHC string (`$argon2id$...` or `$argon2i$...`); its own parameters apply."""
        try:
            return self._hasher.verify(stored, plain)
        except (VerificationError, InvalidHashError):
            return False
