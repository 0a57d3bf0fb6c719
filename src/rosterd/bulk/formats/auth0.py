"""Auth0: the JSON lines of a user export job, or of a password hash export.

Two kinds of file come out of Auth0, and both are read (a `.gz` file as it is):

* the bulk user export job (`POST /api/v2/jobs/users-exports`, format `json`), one user
  per line with the fields the job asked for, under Auth0's names;
* the password hash export that Auth0 support sends on request, one database user per
  line: `{"_id": {"$oid": "..."}, "alt_id": ..., "email": ..., "email_verified": ...,
  "passwordHash": "$2b$10$...", "connection": ..., "identifiers": [...]}`. The user
  export never holds hashes; the hash export holds little else.

Each line maps as follows; a field that is absent or null takes the default.

* `user_id` → `$id`, see below.
* `email` (else the `email` entry of `identifiers`) → `email`, as given.
* `email_verified` (else that entry's `verified`) → `emailVerification`.
* `name` (else `given_name` and `family_name`) → `name`.
* `phone_number` → `phone` (E.164, as given); `phone_verified` → `phoneVerification`.
* `blocked` → `status`: `true` gives status false.
* `user_metadata` → `prefs`, the object as it is.
* `passwordHash` → a `bcrypt` password (Auth0's database hashes are bcrypt). A line
  without one is imported without a password.
* `created_at` → `registration`, `last_login` → `accessedAt`: ISO 8601, such as
  `2024-05-01T10:20:30.123Z`.

The id: a line of the hash export has no `user_id`; its user is `auth0|` followed by
`alt_id` when present, else by `_id.$oid`. The `auth0|` prefix is dropped, so a database
user gets the same id (its 24 hex digits, or its alt_id) from both files; the ids of other
connections (`google-oauth2|1034...`) go through `identifiers.derive`
(`google-oauth2_1034...`).

`app_metadata` (authorization data the application set) is not imported, nor are
`identities`, `picture`, `nickname` and the login counts. `custom_password_hash` is the
schema of Auth0's bulk *import*, not of any export, and is not read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

from rosterd.bulk.formats import fields, identifiers, streams
from rosterd.bulk.formats.errors import FieldInvalid
from rosterd.bulk.formats.options import checked
from rosterd.bulk.records import Incoming, Record, Rejected
from rosterd.passwords import StoredPassword, schemes

OPTIONS: tuple[str, ...] = ()

DATABASE_PREFIX = "auth0|"
_SOURCES = {"password": "passwordHash"}


def read(source: BinaryIO, options: Mapping[str, str]) -> Iterator[Record]:
    """The users of an Auth0 export; it takes no options."""
    checked(options, OPTIONS)
    return _records(source)


def _records(source: BinaryIO) -> Iterator[Record]:
    for entry in streams.json_documents(source):
        yield entry if isinstance(entry, Rejected) else _user(*entry)


def _user(position: int, value: object) -> Record:
    if not isinstance(value, dict):
        return Rejected(position, "", "the user is not a JSON object")
    source_id = _source_id(value)
    if source_id is None:
        return Rejected(position, "", "user_id is missing")
    user_id = identifiers.derive(source_id, DATABASE_PREFIX)
    try:
        return _incoming(position, user_id, value)
    except FieldInvalid as error:
        return Rejected(position, user_id, error.reason)


def _source_id(user: dict[str, Any]) -> str | None:
    """`user_id`, or what it is for a line of the password hash export."""
    user_id = user.get("user_id")
    if isinstance(user_id, str) and user_id:
        return user_id
    alternative = user.get("alt_id")
    if isinstance(alternative, str) and alternative:
        return DATABASE_PREFIX + alternative
    object_id = user.get("_id")
    if isinstance(object_id, dict):
        object_id = object_id.get("$oid")
    if isinstance(object_id, str) and object_id:
        return DATABASE_PREFIX + object_id
    return None


def _incoming(position: int, user_id: str, user: dict[str, Any]) -> Incoming:
    identifier = _email_identifier(user)
    return Incoming(
        position=position,
        user_id=user_id,
        email=fields.text(user, "email") or fields.text(identifier, "value"),
        phone=fields.text(user, "phone_number"),
        name=_name(user),
        password=_password(user),
        email_verification=fields.flag(
            user, "email_verified", default=fields.flag(identifier, "verified", default=False)
        ),
        phone_verification=fields.flag(user, "phone_verified", default=False),
        status=not fields.flag(user, "blocked", default=False),
        prefs=fields.json_object(user, "user_metadata"),
        registration=fields.timestamp(user, "created_at"),
        accessed_at=fields.timestamp(user, "last_login"),
    )


def _email_identifier(user: dict[str, Any]) -> dict[str, Any]:
    """The `{"type": "email", ...}` entry of the hash export's `identifiers`, or {}."""
    entries = user.get("identifiers")
    if not isinstance(entries, list):
        return {}
    for entry in entries:
        if isinstance(entry, dict) and entry.get("type") == "email":
            return entry
    return {}


def _name(user: dict[str, Any]) -> str:
    name = fields.text(user, "name")
    if name is not None:
        return name
    parts = (fields.text(user, "given_name"), fields.text(user, "family_name"))
    return " ".join(part for part in parts if part)


def _password(user: dict[str, Any]) -> StoredPassword | None:
    value = fields.text(user, "passwordHash")
    if value is None:
        return None
    if not value.startswith("$2"):
        raise FieldInvalid("passwordHash: unknown hash scheme (Auth0 exports bcrypt)")
    return fields.password(lambda: schemes.import_bcrypt(value), _SOURCES)
