"""A project's authentication settings (Appwrite's `auths`), with Appwrite's defaults."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AuthSettings:
    #: Seconds a session lives (Appwrite: `auths.duration`, one year).
    session_duration: int = 31_536_000
    #: Sessions a user keeps; signing in again drops the oldest (0: no limit).
    max_sessions: int = 10
    #: Changing a user's password deletes all their sessions (Appwrite's default: on).
    invalidate_sessions: bool = True

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any]) -> AuthSettings:
        known = {field.name for field in dataclasses.fields(cls)}
        return cls(**{name: value for name, value in stored.items() if name in known})

    def stored(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
