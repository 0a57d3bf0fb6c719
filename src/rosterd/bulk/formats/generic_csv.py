"""rosterd's generic CSV: any system's users, one per row, with hashes in any scheme rosterd
verifies.

The file is UTF-8 (a byte-order mark is allowed, and so is gzip compression), separated
by commas and quoted with double quotes as RFC 4180 says. The first row names the
columns, in any order; only `id` is required. A column left out, or an empty cell, takes
the default. A column name not listed here stops the read before the first row (a typo
would otherwise lose that column silently).

The user:

* `id` (required): up to 36 of `A-Z a-z 0-9 . - _`, not starting with `.`, `-` or `_`.
* `email`: the email address. Default: none.
* `phone`: E.164, `+` and up to 15 digits, such as `+14155550100`. Default: none.
* `name`: the display name. Default: empty.
* `email_verified`, `phone_verified`: `true` or `false` (also `t`/`f`, `1`/`0`,
  `yes`/`no`, `y`/`n`, in any case). Default: false.
* `status`: the same; `true` for an active user, `false` for a blocked one. Default: true.
* `labels`: labels (each 1 to 36 letters and digits) separated by spaces or semicolons,
  such as `admin;beta`. Default: none.
* `prefs`: a JSON object, such as `{"theme":"dark"}`. Default: `{}`.
* `registration`: when the user signed up, ISO 8601 (`2024-05-01T10:20:30Z`; UTC when it
  has no offset). Default: the time of the import.
* `accessed_at`: when the user was last active, the same way. Default: none.

The password:

* `password_hash`: the hash, written as its scheme says below. Empty: no password,
  whatever `password_scheme` says.
* `password_scheme`: `argon2`, `bcrypt`, `md5`, `sha`, `phpass`, `scrypt` or
  `scryptMod`. Required with `password_hash`.
* `sha_version` (sha): `sha1`, `sha224`, `sha256`, `sha384`, `sha512/224`,
  `sha512/256`, `sha512`, `sha3-224`, `sha3-256`, `sha3-384` or `sha3-512`.
  Default: `sha256`.
* `scrypt_salt` (scrypt, scryptMod): for scrypt the salt as text, for scryptMod in
  base64. Required.
* `scrypt_cpu`, `scrypt_memory`, `scrypt_parallel`, `scrypt_length` (scrypt): N (a
  power of two), r, p, and the key length in bytes. Required.
* `scrypt_salt_separator`, `scrypt_signer_key` (scryptMod): the Firebase project's salt
  separator and signer key, in base64. Required.
* `scrypt_rounds`, `scrypt_mem_cost` (scryptMod): the Firebase project's rounds (1 to 8)
  and mem_cost (1 to 14). Default: 8 and 14.

A row does not read the scheme columns its scheme does not use. How `password_hash` is
written for each scheme:

* argon2: a PHC string, `$argon2id$v=19$m=...,t=...,p=...$salt$hash` (or `$argon2i$`,
  `$argon2d$`);
* bcrypt: `$2a$`, `$2b$` or `$2y$`, the cost, then 53 characters;
* md5: the unsalted MD5 digest, 32 hex digits;
* sha: the unsalted digest of `sha_version`, in hex;
* phpass: a portable hash (`$P$` or `$H$`, 34 characters) or a bcrypt one;
* scrypt: the key, `scrypt_length` bytes in hex;
* scryptMod: Firebase's hash, in base64.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import BinaryIO

from rosterd.bulk.formats import fields, streams
from rosterd.bulk.formats.errors import FieldInvalid, FileInvalid
from rosterd.bulk.formats.options import checked
from rosterd.bulk.records import Incoming, Record, Rejected
from rosterd.passwords import StoredPassword, schemes
from rosterd.passwords import scrypt_modified as scrypt_modified_scheme

OPTIONS: tuple[str, ...] = ()

#: Every column, in the order an export writes them.
COLUMNS = (
    "id",
    "email",
    "phone",
    "name",
    "password_hash",
    "password_scheme",
    "sha_version",
    "scrypt_salt",
    "scrypt_cpu",
    "scrypt_memory",
    "scrypt_parallel",
    "scrypt_length",
    "scrypt_salt_separator",
    "scrypt_signer_key",
    "scrypt_rounds",
    "scrypt_mem_cost",
    "email_verified",
    "phone_verified",
    "status",
    "labels",
    "prefs",
    "registration",
    "accessed_at",
)

_LABEL_SEPARATORS = re.compile(r"[\s;]+")
_NUMBER = re.compile(r"[0-9]{1,12}")
# The import parameters an error may blame -> the column that holds the value.
_SOURCES = {
    "password": "password_hash",
    "passwordVersion": "sha_version",
    "passwordSalt": "scrypt_salt",
    "passwordCpu": "scrypt_cpu",
    "passwordMemory": "scrypt_memory",
    "passwordParallel": "scrypt_parallel",
    "passwordLength": "scrypt_length",
    "passwordSaltSeparator": "scrypt_salt_separator",
    "passwordSignerKey": "scrypt_signer_key",
    "rounds": "scrypt_rounds",
    "memCost": "scrypt_mem_cost",
}


def read(source: BinaryIO, options: Mapping[str, str]) -> Iterator[Record]:
    """The rows of a generic CSV file; it takes no options."""
    checked(options, OPTIONS)
    return _records(source)


def _records(source: BinaryIO) -> Iterator[Record]:
    _, stream = streams.opened(source)
    for entry in streams.csv_rows(stream, check_header=_check_header):
        yield entry if isinstance(entry, Rejected) else _user(*entry)


def _check_header(header: list[str]) -> None:
    unknown = sorted(set(header) - set(COLUMNS))
    if unknown:
        raise FileInvalid(
            f"unknown column {', '.join(unknown)}; the columns are {', '.join(COLUMNS)}"
        )
    if "id" not in header:
        raise FileInvalid("the CSV header has no id column")


def _user(position: int, row: dict[str, str]) -> Record:
    user_id = row.get("id", "").strip()
    if not user_id:
        return Rejected(position, "", "id is missing")
    try:
        return _incoming(position, user_id, row)
    except FieldInvalid as error:
        return Rejected(position, user_id, error.reason)


def _incoming(position: int, user_id: str, row: dict[str, str]) -> Incoming:
    return Incoming(
        position=position,
        user_id=user_id,
        email=fields.text(row, "email"),
        phone=fields.text(row, "phone"),
        name=row.get("name", ""),
        password=_password(row),
        email_verification=fields.cell_flag(row, "email_verified", default=False),
        phone_verification=fields.cell_flag(row, "phone_verified", default=False),
        status=fields.cell_flag(row, "status", default=True),
        labels=tuple(label for label in _LABEL_SEPARATORS.split(row.get("labels", "")) if label),
        prefs=fields.json_object(row, "prefs"),
        registration=fields.timestamp(row, "registration"),
        accessed_at=fields.timestamp(row, "accessed_at"),
    )


def _password(row: dict[str, str]) -> StoredPassword | None:
    value = fields.text(row, "password_hash")
    if value is None:
        return None
    scheme = fields.text(row, "password_scheme")
    if scheme is None:
        raise FieldInvalid("password_hash comes without its password_scheme")
    importer = _IMPORTERS.get(scheme.strip())
    if importer is None:
        raise FieldInvalid(f"password_scheme: unknown hash scheme {scheme!r}")
    return fields.password(lambda: importer(value.strip(), row), _SOURCES)


def _number(row: Mapping[str, str], column: str) -> object:
    """A cell holding a whole number as an int; anything else as it is, for the importer to
    refuse with its own message."""
    value = row.get(column, "").strip()
    return int(value) if _NUMBER.fullmatch(value) else value or None


def _sha(value: str, row: Mapping[str, str]) -> StoredPassword:
    return schemes.import_sha(value, row.get("sha_version", "").strip() or None)


def _scrypt(value: str, row: Mapping[str, str]) -> StoredPassword:
    return schemes.import_scrypt(
        value,
        row.get("scrypt_salt", ""),
        _number(row, "scrypt_cpu"),
        _number(row, "scrypt_memory"),
        _number(row, "scrypt_parallel"),
        _number(row, "scrypt_length"),
    )


def _scrypt_modified(value: str, row: Mapping[str, str]) -> StoredPassword:
    rounds = _number(row, "scrypt_rounds")
    mem_cost = _number(row, "scrypt_mem_cost")
    return schemes.import_scrypt_modified(
        value,
        row.get("scrypt_salt", "").strip(),
        row.get("scrypt_salt_separator", "").strip(),
        row.get("scrypt_signer_key", "").strip(),
        rounds=scrypt_modified_scheme.DEFAULT_ROUNDS if rounds is None else rounds,
        mem_cost=scrypt_modified_scheme.DEFAULT_MEM_COST if mem_cost is None else mem_cost,
    )


_IMPORTERS: dict[str, Callable[[str, Mapping[str, str]], StoredPassword]] = {
    "argon2": lambda value, _: schemes.import_argon2(value),
    "bcrypt": lambda value, _: schemes.import_bcrypt(value),
    "md5": lambda value, _: schemes.import_md5(value),
    "phpass": lambda value, _: schemes.import_phpass(value),
    "sha": _sha,
    "scrypt": _scrypt,
    "scryptMod": _scrypt_modified,
}
