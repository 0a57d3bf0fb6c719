"""Firebase Authentication: the JSON file `firebase auth:export users.json` writes.

The file is `{"users": [...]}` (a bare array of users is read too), streamed one user at
a time. Each user maps as follows; a field that is absent or null takes the default.

* `localId` → `$id`: kept when valid (generated uids are 28 letters and digits); custom
  uids (up to 128 of any character) go through `identifiers.derive`.
* `email` → `email`, as given.
* `emailVerified` → `emailVerification`.
* `displayName` → `name`.
* `phoneNumber` → `phone` (already E.164). `phoneVerification` stays false: the export
  does not say whether the number was ever verified (numbers set by the Admin SDK are not).
* `disabled` → `status`: `true` gives status false.
* `passwordHash` and `salt` → a `scryptMod` password with the project's hash config (the
  options below); standard or URL-safe base64.
* `createdAt` → `registration`, `lastSignedInAt` → `accessedAt`: milliseconds since 1970,
  written as strings.
* `customAttributes` → `labels`, see below.
* `photoUrl` and `providerUserInfo` are not imported.

A user without `passwordHash` is imported without a password: one who signed up with a
provider or a phone number, or whose hash is not Firebase's scrypt (firebase-tools drops
those hashes from the export).

`customAttributes` are the user's custom claims, a JSON object in a string. They are
authority the server granted, so they do not go to prefs, which the user can rewrite
through the Account API. Every top-level claim whose value is `true` and whose name is a
valid label (1 to 36 letters and digits) becomes a label, Appwrite's server-only
equivalent usable in permissions: `{"admin": true, "tier": "gold"}` gives the label
`admin`. Other claims are not imported.

Options, from the console's password hash parameters (Authentication > Users > ⋮):

* `hash_key`: `base64_signer_key`. A user with a password is rejected without it.
* `salt_separator`: `base64_salt_separator` (usually `Bw==`); required with `hash_key`.
* `rounds` (1 to 8, default 8) and `mem_cost` (1 to 14, default 14), within Firebase's
  own bounds. rosterd verifies with scrypt N = 2**mem_cost, r = rounds, p = 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from rosterd.bulk.formats import fields, identifiers, streams
from rosterd.bulk.formats.errors import FieldInvalid, OptionInvalid
from rosterd.bulk.formats.options import checked, integer
from rosterd.bulk.records import Incoming, Record, Rejected
from rosterd.errors import ArgumentInvalid
from rosterd.passwords import StoredPassword, schemes
from rosterd.passwords import scrypt_modified as scrypt_modified_scheme
from rosterd.passwords.validation import base64_bytes

OPTIONS = ("hash_key", "salt_separator", "rounds", "mem_cost")

_LABEL = re.compile(r"[A-Za-z0-9]{1,36}")
_URL_SAFE = str.maketrans("-_", "+/")
# The import parameters an error may blame -> where the value came from.
_SOURCES = {
    "password": "passwordHash",
    "passwordSalt": "salt",
    "passwordSaltSeparator": "the salt_separator option",
    "passwordSignerKey": "the hash_key option",
}


@dataclass(frozen=True)
class HashConfig:
    """The project's password hash parameters, as `firebase auth:import` takes them."""

    signer_key: str | None
    salt_separator: str | None
    rounds: int
    mem_cost: int


def read(source: BinaryIO, options: Mapping[str, str]) -> Iterator[Record]:
    """The users of a `firebase auth:export` JSON file; the options are checked first."""
    config = hash_config(options)
    return _records(source, config)


def hash_config(options: Mapping[str, str]) -> HashConfig:
    """Check the options: base64 keys, and costs within Firebase's bounds."""
    values = checked(options, OPTIONS)
    signer_key = _base64_option(values, "hash_key")
    salt_separator = _base64_option(values, "salt_separator")
    if signer_key is not None and salt_separator is None:
        raise OptionInvalid("salt_separator is required with hash_key (usually Bw==)")
    rounds = integer(values, "rounds", scrypt_modified_scheme.DEFAULT_ROUNDS)
    mem_cost = integer(values, "mem_cost", scrypt_modified_scheme.DEFAULT_MEM_COST)
    try:
        scrypt_modified_scheme.costs(rounds, mem_cost)
    except ArgumentInvalid:
        raise OptionInvalid(
            f"rounds must be from 1 to {scrypt_modified_scheme.MAX_ROUNDS} and mem_cost from 1"
            f" to {scrypt_modified_scheme.MAX_MEM_COST}, as Firebase allows"
        ) from None
    return HashConfig(signer_key, salt_separator, rounds, mem_cost)


def _base64_option(values: Mapping[str, str], key: str) -> str | None:
    value = values.get(key)
    if value is None:
        return None
    try:
        base64_bytes(value.strip(), key)
    except ArgumentInvalid:
        raise OptionInvalid(f"{key} must be base64, as the Firebase console shows it") from None
    return value.strip()


def _records(source: BinaryIO, config: HashConfig) -> Iterator[Record]:
    for entry in streams.json_documents(source, wrapper_key="users"):
        yield entry if isinstance(entry, Rejected) else _user(*entry, config)


def _user(position: int, value: object, config: HashConfig) -> Record:
    if not isinstance(value, dict):
        return Rejected(position, "", "the user is not a JSON object")
    local_id = value.get("localId")
    if not isinstance(local_id, str) or not local_id:
        return Rejected(position, "", "localId is missing")
    user_id = identifiers.derive(local_id)
    try:
        return _incoming(position, user_id, value, config)
    except FieldInvalid as error:
        return Rejected(position, user_id, error.reason)


def _incoming(position: int, user_id: str, user: dict[str, Any], config: HashConfig) -> Incoming:
    return Incoming(
        position=position,
        user_id=user_id,
        email=fields.text(user, "email"),
        phone=fields.text(user, "phoneNumber"),
        name=fields.text(user, "displayName") or "",
        password=_password(user, config),
        email_verification=fields.flag(user, "emailVerified", default=False),
        status=not fields.flag(user, "disabled", default=False),
        labels=_labels(user),
        registration=fields.epoch_millis(user, "createdAt"),
        accessed_at=fields.epoch_millis(user, "lastSignedInAt"),
    )


def _password(user: dict[str, Any], config: HashConfig) -> StoredPassword | None:
    value = fields.text(user, "passwordHash")
    if value is None:
        return None
    salt = fields.text(user, "salt")
    if salt is None:
        raise FieldInvalid("passwordHash comes without its salt")
    if config.signer_key is None or config.salt_separator is None:
        raise FieldInvalid("passwordHash needs the project's hash key (the hash_key option)")
    signer_key, separator = config.signer_key, config.salt_separator
    return fields.password(
        lambda: schemes.import_scrypt_modified(
            value.translate(_URL_SAFE),
            salt.translate(_URL_SAFE),
            separator,
            signer_key,
            rounds=config.rounds,
            mem_cost=config.mem_cost,
        ),
        _SOURCES,
    )


def _labels(user: dict[str, Any]) -> tuple[str, ...]:
    if not user.get("customAttributes"):
        return ()
    claims = fields.json_object(user, "customAttributes")
    return tuple(name for name, value in claims.items() if value is True and _LABEL.fullmatch(name))
