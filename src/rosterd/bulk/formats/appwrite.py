"""Appwrite (and rosterd): the User model as `GET /v1/users` returns it, one user per line.

This is what `rosterd users export` writes, and what a script paging through an Appwrite
project's users with an API key gets, so rosterd ↔ Appwrite and rosterd ↔ rosterd moves
keep every password: the hash moves as it is, with its scheme and options. A JSON array
of users is read too.

* `$id` → `$id`, as given (the importer checks it).
* `name`, `email`, `phone`: the same; `""` means none.
* `emailVerification`, `phoneVerification`, `status`: the same, JSON booleans.
* `labels` (an array of strings) and `prefs` (an object): the same.
* `registration`, `accessedAt`: ISO 8601; `""` means none.
* `password`, `hash`, `hashOptions` → the password, see below.
* `$createdAt`, `$updatedAt`, `passwordUpdate`, `mfa`, `targets` and the `emailIs*`
  fields are not imported.

`password` null or `""` means no password (Appwrite still reports `hash: "argon2"` for
such users). Otherwise `hash` picks the scheme and `hashOptions` what it needs:

* `argon2`, `bcrypt`, `md5`, `phpass`: the hash alone. An Argon2 PHC string carries its
  own costs, so the options are not read (Appwrite writes them as `memory_cost`,
  `time_cost`, `threads`; its documentation says `memoryCost`, `timeCost`: either is fine);
* `sha`: `version` (`sha256` when absent; Appwrite stores no `type` key for it);
* `scrypt`: `salt`, `costCpu`, `costMemory`, `costParallel`, `length`;
* `scryptMod`: `salt`, `saltSeparator`, `signerKey`, and rosterd's `rounds` and `memCost`
  when present (8 and 14 otherwise, Appwrite's fixed costs).

Any other `hash` is rejected as an unknown hash scheme.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, BinaryIO

from rosterd.bulk.formats import fields, streams
from rosterd.bulk.formats.errors import FieldInvalid
from rosterd.bulk.formats.options import checked
from rosterd.bulk.records import Incoming, Record, Rejected
from rosterd.passwords import StoredPassword, schemes
from rosterd.passwords import scrypt_modified as scrypt_modified_scheme

OPTIONS: tuple[str, ...] = ()

# The import parameters an error may blame -> the field of the User model.
_SOURCES = {
    "password": "password",
    "passwordVersion": "hashOptions.version",
    "passwordSalt": "hashOptions.salt",
    "passwordCpu": "hashOptions.costCpu",
    "passwordMemory": "hashOptions.costMemory",
    "passwordParallel": "hashOptions.costParallel",
    "passwordLength": "hashOptions.length",
    "passwordSaltSeparator": "hashOptions.saltSeparator",
    "passwordSignerKey": "hashOptions.signerKey",
    "rounds": "hashOptions.rounds",
    "memCost": "hashOptions.memCost",
}


def read(source: BinaryIO, options: Mapping[str, str]) -> Iterator[Record]:
    """The users of a file of User models; it takes no options."""
    checked(options, OPTIONS)
    return _records(source)


def _records(source: BinaryIO) -> Iterator[Record]:
    for entry in streams.json_documents(source):
        yield entry if isinstance(entry, Rejected) else _user(*entry)


def _user(position: int, value: object) -> Record:
    if not isinstance(value, dict):
        return Rejected(position, "", "the user is not a JSON object")
    user_id = value.get("$id")
    if not isinstance(user_id, str) or not user_id:
        return Rejected(position, "", "$id is missing")
    try:
        return _incoming(position, user_id, value)
    except FieldInvalid as error:
        return Rejected(position, user_id, error.reason)


def _incoming(position: int, user_id: str, user: dict[str, Any]) -> Incoming:
    return Incoming(
        position=position,
        user_id=user_id,
        email=fields.text(user, "email"),
        phone=fields.text(user, "phone"),
        name=fields.text(user, "name") or "",
        password=_password(user),
        email_verification=fields.flag(user, "emailVerification", default=False),
        phone_verification=fields.flag(user, "phoneVerification", default=False),
        status=fields.flag(user, "status", default=True),
        labels=fields.string_list(user, "labels"),
        prefs=fields.json_object(user, "prefs"),
        registration=fields.timestamp(user, "registration"),
        accessed_at=fields.timestamp(user, "accessedAt"),
    )


def _password(user: dict[str, Any]) -> StoredPassword | None:
    value = fields.text(user, "password")
    if value is None:
        return None
    scheme = fields.text(user, "hash")
    if scheme is None:
        raise FieldInvalid("password comes without its hash scheme (hash)")
    importer = _IMPORTERS.get(scheme)
    if importer is None:
        raise FieldInvalid(f"hash: unknown hash scheme {scheme!r}")
    hash_options = fields.json_object(user, "hashOptions")
    return fields.password(lambda: importer(value, hash_options), _SOURCES)


def _string(hash_options: Mapping[str, Any], key: str) -> str:
    """An option that must be a string; anything else reads as "" for the importer to refuse."""
    value = hash_options.get(key)
    return value if isinstance(value, str) else ""


def _sha(value: str, hash_options: Mapping[str, Any]) -> StoredPassword:
    return schemes.import_sha(value, hash_options.get("version"))


def _scrypt(value: str, hash_options: Mapping[str, Any]) -> StoredPassword:
    return schemes.import_scrypt(
        value,
        _string(hash_options, "salt"),
        hash_options.get("costCpu"),
        hash_options.get("costMemory"),
        hash_options.get("costParallel"),
        hash_options.get("length"),
    )


def _scrypt_modified(value: str, hash_options: Mapping[str, Any]) -> StoredPassword:
    return schemes.import_scrypt_modified(
        value,
        _string(hash_options, "salt"),
        _string(hash_options, "saltSeparator"),
        _string(hash_options, "signerKey"),
        rounds=hash_options.get("rounds", scrypt_modified_scheme.DEFAULT_ROUNDS),
        mem_cost=hash_options.get("memCost", scrypt_modified_scheme.DEFAULT_MEM_COST),
    )


_IMPORTERS: dict[str, Callable[[str, Mapping[str, Any]], StoredPassword]] = {
    "argon2": lambda value, _: schemes.import_argon2(value),
    "bcrypt": lambda value, _: schemes.import_bcrypt(value),
    "md5": lambda value, _: schemes.import_md5(value),
    "phpass": lambda value, _: schemes.import_phpass(value),
    "sha": _sha,
    "scrypt": _scrypt,
    "scryptMod": _scrypt_modified,
}
