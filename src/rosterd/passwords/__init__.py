"""Password hashing: one module per scheme."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StoredPassword:
    """What a user row keeps: the hash string, the scheme name and its options."""

    value: str
    algorithm: str
    options: dict[str, Any]
