"""The users every system is seeded with: the same set, generated from the user's number.

User `n` (0-based) has the id `u` + n in 14 digits (15 characters: PocketBase's id
length, valid everywhere), a two-word name from the lists below (so a name word finds
about 1/40 of the users), the email `<first>.<last>.<n>@example.com`, the label `vip`
when n % 10 == 0 and `beta` when n % 7 == 0, blocked when n % 50 == 0, and the password
`password` under one Argon2id hash at Appwrite's costs (shared by all: hashing a million
passwords would take days and measure nothing).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from argon2 import PasswordHasher, Type

PASSWORD = "password"
FIRST = [
    "ada",
    "alan",
    "anna",
    "boris",
    "chen",
    "clara",
    "dmitri",
    "elena",
    "farid",
    "grace",
    "hana",
    "ivan",
    "jonas",
    "kofi",
    "lena",
    "maria",
    "nadia",
    "oscar",
    "priya",
    "ravi",
]
LAST = [
    "abe",
    "berg",
    "costa",
    "diaz",
    "eriksen",
    "fischer",
    "garcia",
    "haddad",
    "ito",
    "jensen",
    "kowalski",
    "lopez",
    "mbeki",
    "novak",
    "okafor",
    "petrov",
    "quinn",
    "rossi",
    "silva",
    "tanaka",
]
#: Appwrite's Argon2id costs (`rosterd.passwords.argon2.Argon2`'s defaults).
APPWRITE_ARGON2 = {"memory_cost": 65536, "time_cost": 4, "threads": 3}


def user_id(number: int) -> str:
    return f"u{number:014d}"


def name_of(number: int) -> tuple[str, str]:
    return FIRST[number % len(FIRST)], LAST[(number // len(FIRST)) % len(LAST)]


def email_of(number: int) -> str:
    first, last = name_of(number)
    return f"{first}.{last}.{number}@example.com"


def blocked(number: int) -> bool:
    return number % 50 == 0


def labels_of(number: int) -> list[str]:
    return [label for label, every in (("vip", 10), ("beta", 7)) if number % every == 0]


def shared_hash() -> str:
    costs = APPWRITE_ARGON2
    hasher = PasswordHasher(
        time_cost=costs["time_cost"],
        memory_cost=costs["memory_cost"],
        parallelism=costs["threads"],
        hash_len=32,
        salt_len=16,
        type=Type.ID,
    )
    return hasher.hash(PASSWORD)


def users(count: int, password_hash: str) -> Iterator[dict[str, object]]:
    """The users as `GET /v1/users` would list them (`rosterd users import --format appwrite`)."""
    for number in range(count):
        first, last = name_of(number)
        yield {
            "$id": user_id(number),
            "name": f"{first.title()} {last.title()}",
            "email": email_of(number),
            "emailVerification": True,
            "status": not blocked(number),
            "labels": labels_of(number),
            "prefs": {"plan": "free"},
            "password": password_hash,
            "hash": "argon2",
            "hashOptions": {"type": "argon2", **APPWRITE_ARGON2},
        }


def write(path: Path, count: int, password_hash: str) -> None:
    with path.open("w") as out:
        for user in users(count, password_hash):
            out.write(json.dumps(user) + "\n")
