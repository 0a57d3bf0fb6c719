"""Supabase Auth: rows of the `auth.users` table, as CSV or JSON.

Any of the usual ways out of Postgres works: the dashboard's CSV download, `\\copy
auth.users to 'users.csv' csv header` (NULL is an empty cell there), a JSON array
(`select json_agg(u) from auth.users u`) or JSON lines (`select row_to_json(u) ...`).
Columns other than those below are ignored, so `select *` is fine.

* `id` → `$id`: a UUID, 36 characters, kept as it is.
* `email` → `email`, as given.
* `phone` → `phone`: Supabase stores E.164 without its `+` (`14155550100`), so a `+` is
  put back in front of a phone that is all digits.
* `encrypted_password` → the password: bcrypt (`$2a$`, what Supabase writes), an Argon2
  PHC string, or `$fbscrypt$...` (Firebase's scrypt, which Supabase accepts on import)
  as `scryptMod` with the costs it carries. Empty: no password.
* `email_confirmed_at` → `emailVerification`, `phone_confirmed_at` →
  `phoneVerification`: set means verified.
* `banned_until` → `status`: a time still in the future (or `infinity`) gives status
  false.
* `raw_user_meta_data` → `prefs`, the whole object; its `full_name` (else `name`) string
  also becomes the name.
* `created_at` → `registration`, `last_sign_in_at` → `accessedAt`: ISO 8601 with an
  offset, such as `2024-05-01 10:20:30.123456+00` or `2024-05-01T10:20:30.123456+00:00`.
* `deleted_at`: a soft-deleted user is rejected, not imported.
* `raw_app_meta_data` (the providers the user signed in with) is not imported.

Option `layout`: `csv` or `json` (an array or lines, told apart by the first character).
Without it, the content decides: a file starting with `[` or `{` is JSON, anything else
CSV (a header row starts with a column name). A `.gz` file is read as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, BinaryIO

from rosterd import clock
from rosterd.bulk.formats import fields, identifiers, streams
from rosterd.bulk.formats.errors import FieldInvalid
from rosterd.bulk.formats.options import checked, choice
from rosterd.bulk.records import Incoming, Record, Rejected
from rosterd.passwords import StoredPassword, schemes

OPTIONS = ("layout",)
LAYOUTS = ("csv", "json")

_DIGITS = re.compile(r"[0-9]+")
# Supabase's Firebase-scrypt import format: costs, then base64 separator and signer key,
# then the base64 salt and hash.
_FIREBASE_SCRYPT = re.compile(
    r"\$fbscrypt\$v=1,n=([0-9]{1,3}),r=([0-9]{1,3}),p=([0-9]{1,3})"
    r",ss=([^,$]+),sk=([^,$]+)\$([^$]+)\$([^$]+)"
)
_SOURCES = {
    "password": "encrypted_password",
    "passwordSalt": "encrypted_password's salt",
    "passwordSaltSeparator": "encrypted_password's ss",
    "passwordSignerKey": "encrypted_password's sk",
    "rounds": "encrypted_password's r",
    "memCost": "encrypted_password's n",
}
_FOREVER = "infinity"


def read(source: BinaryIO, options: Mapping[str, str]) -> Iterator[Record]:
    """The rows of an `auth.users` export; the options are checked first."""
    layout = choice(checked(options, OPTIONS), "layout", LAYOUTS)
    return _records(source, layout)


def _records(source: BinaryIO, layout: str | None) -> Iterator[Record]:
    now = clock.now()
    for entry in _entries(source, layout):
        yield entry if isinstance(entry, Rejected) else _user(*entry, now=now)


def _entries(source: BinaryIO, layout: str | None) -> Iterator[streams.Entry]:
    first, stream = streams.opened(source)
    if layout == "json" or (layout is None and first in {b"[", b"{"}):
        return streams.json_stream(first, stream)
    return streams.csv_rows(stream)


def _user(position: int, value: object, now: datetime) -> Record:
    if not isinstance(value, dict):
        return Rejected(position, "", "the row is not a JSON object")
    source_id = value.get("id")
    if not isinstance(source_id, str) or not source_id:
        return Rejected(position, "", "id is missing")
    user_id = identifiers.derive(source_id)
    if value.get("deleted_at"):
        return Rejected(position, user_id, "the user was deleted at the source (deleted_at)")
    try:
        return _incoming(position, user_id, value, now)
    except FieldInvalid as error:
        return Rejected(position, user_id, error.reason)


def _incoming(position: int, user_id: str, row: dict[str, Any], now: datetime) -> Incoming:
    metadata = fields.json_object(row, "raw_user_meta_data")
    return Incoming(
        position=position,
        user_id=user_id,
        email=fields.text(row, "email"),
        phone=_phone(fields.text(row, "phone")),
        name=_name(metadata),
        password=_password(fields.text(row, "encrypted_password")),
        email_verification=fields.timestamp(row, "email_confirmed_at") is not None,
        phone_verification=fields.timestamp(row, "phone_confirmed_at") is not None,
        status=not _banned(row, now),
        prefs=metadata,
        registration=fields.timestamp(row, "created_at"),
        accessed_at=fields.timestamp(row, "last_sign_in_at"),
    )


def _phone(value: str | None) -> str | None:
    if value is not None and _DIGITS.fullmatch(value):
        return "+" + value
    return value


def _name(metadata: Mapping[str, Any]) -> str:
    for key in ("full_name", "name"):
        value = metadata.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def _banned(row: dict[str, Any], now: datetime) -> bool:
    value = fields.text(row, "banned_until")
    if value is not None and value.strip().lower() in {_FOREVER, "-" + _FOREVER}:
        return value.strip().lower() == _FOREVER
    until = fields.timestamp(row, "banned_until")
    return until is not None and until > now


def _password(value: str | None) -> StoredPassword | None:
    if value is None:
        return None
    if value.startswith("$2"):
        return fields.password(lambda: schemes.import_bcrypt(value), _SOURCES)
    if value.startswith("$argon2"):
        return fields.password(lambda: schemes.import_argon2(value), _SOURCES)
    if value.startswith("$fbscrypt$"):
        return _firebase_scrypt(value)
    raise FieldInvalid("encrypted_password: unknown hash scheme")


def _firebase_scrypt(value: str) -> StoredPassword:
    found = _FIREBASE_SCRYPT.fullmatch(value)
    if found is None:
        raise FieldInvalid("encrypted_password: not a $fbscrypt$v=1 hash with ss and sk")
    mem_cost, rounds, parallel, separator, signer_key, salt, hashed = found.groups()
    if parallel != "1":
        raise FieldInvalid("encrypted_password: Firebase scrypt with p other than 1")
    return fields.password(
        lambda: schemes.import_scrypt_modified(
            hashed, salt, separator, signer_key, rounds=int(rounds), mem_cost=int(mem_cost)
        ),
        _SOURCES,
    )
