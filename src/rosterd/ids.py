"""Appwrite-style identifiers, and the digest secrets are stored as."""

from __future__ import annotations

import hashlib
import secrets
import time

UNIQUE = "unique()"


def unique() -> str:
    """20 lowercase hex chars: 8 of seconds, 5 of microseconds, 7 random (as `ID.unique()`)."""
    moment = time.time_ns() // 1000
    seconds, micros = divmod(moment, 1_000_000)
    return f"{seconds:08x}{micros:05x}{secrets.token_hex(4)[:7]}"


def resolve(custom_id: str) -> str:
    """Replace the literal `unique()` with a fresh identifier."""
    return unique() if custom_id == UNIQUE else custom_id


def secret_hash(secret: str) -> str:
    """What is stored of a secret (API keys, session and token secrets, OAuth2 states):
    its SHA-256, in hex."""
    return hashlib.sha256(secret.encode()).hexdigest()
