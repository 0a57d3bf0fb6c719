"""The import formats: each reader on files made here with real hashes, its rejections,
its options, and a read of 200,000 users in constant memory."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import bcrypt
import pytest
from argon2 import PasswordHasher
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from hypothesis import given, settings
from hypothesis import strategies as st

from rosterd.bulk.formats import OPTIONS, READERS, FileInvalid, OptionInvalid, identifiers
from rosterd.bulk.formats.generic_csv import COLUMNS
from rosterd.bulk.records import Incoming, Record, Rejected
from rosterd.errors import ArgumentInvalid
from rosterd.passwords import StoredPassword, schemes
from rosterd.passwords.schemes import verify
from rosterd.validators import is_uid
from tests.test_imports import APPWRITE, APPWRITE_VECTORS, SCRYPT_MODIFIED

WRONG = "not the password"

# Firebase's own published example (github.com/firebase/scrypt): a project's hash config,
# a user's salt and the hash of "user1password" with it.
FIREBASE_SIGNER_KEY = (
    "jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA=="
)
FIREBASE_SEPARATOR = "Bw=="
FIREBASE_SALT = "42xEC+ixf3L2lw=="
FIREBASE_PLAIN = "user1password"
FIREBASE_HASH = (
    "lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ=="
)
FIREBASE_OPTIONS = {"hash_key": FIREBASE_SIGNER_KEY, "salt_separator": FIREBASE_SEPARATOR}


def read(format_name: str, path: Path, options: Mapping[str, str] | None = None) -> list[Record]:
    with path.open("rb") as source:
        return list(READERS[format_name](source, options or {}))


def incoming(record: Record) -> Incoming:
    assert isinstance(record, Incoming), record
    return record


def rejected(record: Record) -> Rejected:
    assert isinstance(record, Rejected), record
    return record


def password_of(record: Record) -> StoredPassword:
    stored = incoming(record).password
    assert stored is not None
    return stored


def assert_verifies(record: Record, plain: str) -> None:
    stored = password_of(record)
    assert verify(stored, plain) is True
    assert verify(stored, WRONG) is False


def json_lines(path: Path, documents: Sequence[object]) -> Path:
    path.write_text("".join(json.dumps(document) + "\n" for document in documents))
    return path


def firebase_hash(plain: str, salt: bytes, *, rounds: int, mem_cost: int) -> str:
    """Firebase's modified scrypt, computed with `cryptography` alone."""
    separator = base64.b64decode(FIREBASE_SEPARATOR)
    key = Scrypt(salt=salt + separator, length=64, n=2**mem_cost, r=rounds, p=1).derive(
        plain.encode()
    )
    encryptor = Cipher(algorithms.AES(key[:32]), modes.CTR(bytes(16))).encryptor()
    signed = encryptor.update(base64.b64decode(FIREBASE_SIGNER_KEY)) + encryptor.finalize()
    return base64.b64encode(signed).decode()


def bcrypt_hash(plain: str, prefix: str = "2b") -> str:
    """bcrypt at the cheapest cost; `2a`, `2b` and `2y` name the same algorithm here."""
    hashed = bcrypt.hashpw(plain.encode(), bcrypt.gensalt(4)).decode()
    return f"${prefix}{hashed[3:]}"


def argon2_hash(plain: str) -> str:
    return PasswordHasher(time_cost=1, memory_cost=64, parallelism=1).hash(plain)


# --- firebase ------------------------------------------------------------------------------


def firebase_users() -> list[dict[str, Any]]:
    return [
        {
            "localId": "Ky7mxN7Z6PLxw31NT7vLy86ZRFU2",
            "email": "User1@Example.com",
            "emailVerified": True,
            "passwordHash": FIREBASE_HASH,
            "salt": FIREBASE_SALT,
            "displayName": "User One",
            "photoUrl": "https://example.com/one.png",
            "createdAt": "1472753421000",
            "lastSignedInAt": "1700000000123",
            "providerUserInfo": [],
        },
        {
            "localId": "aB3dE5fG7hI9jK1lM3nO5pQ7rS9t",
            "emailVerified": False,
            "phoneNumber": "+15555550100",
            "disabled": True,
            "customAttributes": '{"admin": true, "beta_tester": true, "tier": "gold"}',
            "providerUserInfo": [
                {"providerId": "google.com", "rawId": "1234", "email": "g@example.com"}
            ],
        },
    ]


def test_firebase_maps_every_field(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text(json.dumps({"users": firebase_users()}, indent=2))

    first, second = read("firebase", path, FIREBASE_OPTIONS)

    assert incoming(first) == Incoming(
        position=0,
        user_id="Ky7mxN7Z6PLxw31NT7vLy86ZRFU2",
        email="User1@Example.com",
        name="User One",
        password=StoredPassword(
            FIREBASE_HASH,
            "scryptMod",
            {
                "type": "scryptMod",
                "salt": FIREBASE_SALT,
                "saltSeparator": FIREBASE_SEPARATOR,
                "signerKey": FIREBASE_SIGNER_KEY,
            },
        ),
        email_verification=True,
        registration=datetime(2016, 9, 1, 18, 10, 21),
        accessed_at=datetime(2023, 11, 14, 22, 13, 20, 123000),
    )
    assert verify(password_of(first), FIREBASE_PLAIN) is True
    assert verify(password_of(first), WRONG) is False
    assert incoming(second) == Incoming(
        position=1,
        user_id="aB3dE5fG7hI9jK1lM3nO5pQ7rS9t",
        phone="+15555550100",
        status=False,
        labels=("admin",),
    )


def test_firebase_project_costs_are_kept_and_verified(tmp_path: Path) -> None:
    salt = b"per-user salt"
    value = firebase_hash("Zwölf Boxkämpfer", salt, rounds=2, mem_cost=10)
    user = {"localId": "u1", "passwordHash": value, "salt": base64.b64encode(salt).decode()}
    path = tmp_path / "users.json"
    path.write_text(json.dumps([user]))

    (record,) = read("firebase", path, {**FIREBASE_OPTIONS, "rounds": "2", "mem_cost": "10"})

    stored = password_of(record)
    assert (stored.options["rounds"], stored.options["memCost"]) == (2, 10)
    assert verify(stored, "Zwölf Boxkämpfer") is True
    assert verify(stored, WRONG) is False
    assert (
        verify(
            StoredPassword(stored.value, stored.algorithm, {**stored.options, "rounds": 8}),
            "Zwölf Boxkämpfer",
        )
        is False
    )


def test_firebase_url_safe_base64_and_gzip(tmp_path: Path) -> None:
    user = firebase_users()[0]
    user["passwordHash"] = FIREBASE_HASH.replace("+", "-").replace("/", "_")
    path = tmp_path / "users.json.gz"
    path.write_bytes(gzip.compress(json.dumps({"users": [user]}).encode()))

    (record,) = read("firebase", path, FIREBASE_OPTIONS)

    assert password_of(record).value == FIREBASE_HASH
    assert_verifies(record, FIREBASE_PLAIN)


def test_firebase_rejects_bad_users_and_reads_on(tmp_path: Path) -> None:
    good = firebase_users()[0]
    users = [
        {**good, "passwordHash": "not base64!"},
        {"email": "no-id@example.com"},
        {**good, "localId": "nosalt", "salt": None},
        "a string",
        {"localId": "badclaims", "customAttributes": "{not json"},
        {"localId": "badtime", "createdAt": "yesterday"},
        good,
    ]
    path = tmp_path / "users.json"
    path.write_text(json.dumps({"users": users}))

    records = read("firebase", path, FIREBASE_OPTIONS)

    assert [(r.position, r.user_id, r.reason) for r in map(rejected, records[:6])] == [
        (0, good["localId"], "passwordHash: must be a non-empty base64 string"),
        (1, "", "localId is missing"),
        (2, "nosalt", "passwordHash comes without its salt"),
        (3, "", "the user is not a JSON object"),
        (4, "badclaims", "customAttributes is not valid JSON"),
        (5, "badtime", "createdAt must be milliseconds since 1970"),
    ]
    assert incoming(records[6]).position == 6


def test_firebase_hashes_need_the_hash_key(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text(json.dumps({"users": firebase_users()}))

    first, second = read("firebase", path)

    assert (
        rejected(first).reason == "passwordHash needs the project's hash key (the hash_key option)"
    )
    assert incoming(second).password is None


def test_firebase_syntax_error_ends_the_read_at_its_position(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text('{"users": [{"localId": "a"}, {"localId": "b"}, {"localId": oops}, {}]}')

    records = read("firebase", path)

    assert [incoming(record).user_id for record in records[:2]] == ["a", "b"]
    assert rejected(records[2]).position == 2
    assert rejected(records[2]).reason.startswith("invalid JSON (")
    assert len(records) == 3


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"rounds": "9"}, "rounds must be from 1 to 8 and mem_cost from 1 to 14"),
        ({"mem_cost": "15"}, "rounds must be from 1 to 8 and mem_cost from 1 to 14"),
        ({"rounds": "eight"}, "rounds must be an integer"),
        ({"hash_key": "not base64"}, "hash_key must be base64"),
        ({"hash_key": FIREBASE_SIGNER_KEY}, "salt_separator is required with hash_key"),
        ({"layout": "csv"}, "unknown option layout"),
    ],
)
def test_firebase_options_are_checked_before_reading(options: dict[str, str], message: str) -> None:
    source = io.BytesIO(b"not even JSON")  # never read: the options fail first
    with pytest.raises(OptionInvalid, match=message):
        READERS["firebase"](source, options)
    assert source.tell() == 0


def test_firebase_custom_uids_become_valid_ids(tmp_path: Path) -> None:
    long_uid = "user:" + "x" * 100
    path = tmp_path / "users.json"
    path.write_text(json.dumps([{"localId": long_uid}, {"localId": "a@b"}]))

    first, second = read("firebase", path)

    assert incoming(first).user_id == identifiers.derive(long_uid)
    assert incoming(first).user_id.startswith("h") and len(incoming(first).user_id) == 36
    assert incoming(second).user_id == "a_b"


def test_a_json_array_of_200000_users_is_read_in_constant_memory(tmp_path: Path) -> None:
    """The read runs in a fresh interpreter, so its peak resident memory is its own."""
    path = tmp_path / "users.json"
    padding = "p" * 100
    users = (
        f'{{"localId":"u{number:027d}","email":"user{number}@example.com",'
        f'"emailVerified":true,"createdAt":"1700000000000","photoUrl":"{padding}"}}'
        for number in range(200_000)
    )
    path.write_text('{"users": [\n' + ",\n".join(users) + "\n]}\n")
    script = (
        "import resource, sys\n"
        "from rosterd.bulk.formats import READERS\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "with open(sys.argv[1], 'rb') as source:\n"
        "    records = READERS['firebase'](source, {})\n"
        "    first = next(records).user_id\n"
        "    count, last = 1, first\n"
        "    for record in records:\n"
        "        count, last = count + 1, record.user_id\n"
        "grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before\n"
        "print(count, first, last, grown)\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True
    )

    count, first, last, grown = finished.stdout.split()
    assert (int(count), first, last) == (200_000, "u" + "0" * 27, f"u{199_999:027d}")
    grown_bytes = int(grown) * (1 if sys.platform == "darwin" else 1024)  # Linux counts KiB
    assert grown_bytes < path.stat().st_size / 10, (grown_bytes, path.stat().st_size)


# --- supabase ------------------------------------------------------------------------------

SUPABASE_COLUMNS = (
    "instance_id",
    "id",
    "aud",
    "role",
    "email",
    "encrypted_password",
    "email_confirmed_at",
    "phone",
    "phone_confirmed_at",
    "banned_until",
    "raw_app_meta_data",
    "raw_user_meta_data",
    "created_at",
    "last_sign_in_at",
    "deleted_at",
    "is_anonymous",
)


def supabase_rows() -> list[dict[str, Any]]:
    future = (datetime.now(UTC) + timedelta(days=30)).isoformat(sep=" ")
    return [
        {
            "id": "0b6f6b4e-3f0e-4c38-a1b8-2c1a8f3f9e11",
            "aud": "authenticated",
            "role": "authenticated",
            "email": "ada@example.com",
            "encrypted_password": bcrypt_hash("ada's secret", "2a"),
            "email_confirmed_at": "2024-05-01 10:20:30.123456+00",
            "raw_app_meta_data": {"provider": "email", "providers": ["email"]},
            "raw_user_meta_data": {"full_name": "Ada Lovelace", "theme": "dark"},
            "created_at": "2024-05-01 10:20:30.123456+00",
            "last_sign_in_at": "2024-06-01 08:00:00+02",
            "is_anonymous": False,
        },
        {
            "id": "1c7f7c5f-4f1f-4d49-b2c9-3d2b9f4fa022",
            "phone": "15555550100",
            "phone_confirmed_at": "2024-05-02 00:00:00+00",
            "encrypted_password": "",
            "banned_until": future,
            "raw_user_meta_data": {},
            "created_at": "2024-05-02 00:00:00+00",
        },
        {
            "id": "2d8f8d6f-5f2f-4e5a-c3da-4e3caf5fb133",
            "email": "gone@example.com",
            "deleted_at": "2024-07-01 00:00:00+00",
        },
        {
            "id": "3e9f9e7f-6f3f-4f6b-d4eb-5f4dbf6fc244",
            "email": "odd@example.com",
            "encrypted_password": "$pbkdf2$whatever",
        },
        {
            "id": "4fafaf8f-7f4f-4a7c-e5fc-6a5ecf7fd355",
            "email": "old@example.com",
            "banned_until": "2020-01-01 00:00:00+00",
        },
    ]


def supabase_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    def cell(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "t" if value else "f"
        text = value if isinstance(value, str) else json.dumps(value)
        return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text

    lines = [",".join(SUPABASE_COLUMNS)]
    lines += [",".join(cell(row.get(column)) for column in SUPABASE_COLUMNS) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def check_supabase(records: list[Record]) -> None:
    ada, phone_user, gone, odd, unbanned = records
    assert incoming(ada) == Incoming(
        position=0,
        user_id="0b6f6b4e-3f0e-4c38-a1b8-2c1a8f3f9e11",
        email="ada@example.com",
        name="Ada Lovelace",
        password=incoming(ada).password,
        email_verification=True,
        prefs={"full_name": "Ada Lovelace", "theme": "dark"},
        registration=datetime(2024, 5, 1, 10, 20, 30, 123456),
        accessed_at=datetime(2024, 6, 1, 6, 0),
    )
    assert password_of(ada).algorithm == "bcrypt"
    assert_verifies(ada, "ada's secret")
    assert incoming(phone_user) == Incoming(
        position=1,
        user_id="1c7f7c5f-4f1f-4d49-b2c9-3d2b9f4fa022",
        phone="+15555550100",
        phone_verification=True,
        status=False,
        registration=datetime(2024, 5, 2),
    )
    assert rejected(gone) == Rejected(
        2, "2d8f8d6f-5f2f-4e5a-c3da-4e3caf5fb133", "the user was deleted at the source (deleted_at)"
    )
    assert rejected(odd).reason == "encrypted_password: unknown hash scheme"
    assert incoming(unbanned).status is True


def test_supabase_csv(tmp_path: Path) -> None:
    check_supabase(read("supabase", supabase_csv(tmp_path / "users.csv", supabase_rows())))


def test_supabase_json_array_and_lines(tmp_path: Path) -> None:
    array = tmp_path / "users.json"
    array.write_text(json.dumps(supabase_rows(), indent=1))
    check_supabase(read("supabase", array))
    check_supabase(read("supabase", json_lines(tmp_path / "users.ndjson", supabase_rows())))
    check_supabase(
        read("supabase", json_lines(tmp_path / "users.txt", supabase_rows()), {"layout": "json"})
    )


def test_supabase_argon2_and_firebase_scrypt_hashes(tmp_path: Path) -> None:
    salt = b"salty"
    firebase = firebase_hash("from firebase", salt, rounds=3, mem_cost=9)
    rows = [
        {"id": "a", "encrypted_password": argon2_hash("argon two")},
        {
            "id": "b",
            "encrypted_password": f"$fbscrypt$v=1,n=9,r=3,p=1,ss={FIREBASE_SEPARATOR},"
            f"sk={FIREBASE_SIGNER_KEY}${base64.b64encode(salt).decode()}${firebase}",
        },
        {
            "id": "c",
            "encrypted_password": f"$fbscrypt$v=1,n=9,r=3,p=2,ss=Bw==,sk=YQ==$YQ==${firebase}",
        },
        {"id": "d", "encrypted_password": "$fbscrypt$v=1,n=20,r=3,p=1,ss=Bw==,sk=YQ==$YQ==$YQ=="},
    ]
    argon2, firebase_user, parallel, costly = read(
        "supabase", json_lines(tmp_path / "u.jsonl", rows)
    )

    assert_verifies(argon2, "argon two")
    assert password_of(firebase_user).options["rounds"] == 3
    assert_verifies(firebase_user, "from firebase")
    assert rejected(parallel).reason == "encrypted_password: Firebase scrypt with p other than 1"
    assert rejected(costly).reason == "encrypted_password's n: must be from 1 to 14"


def test_supabase_layout_option(tmp_path: Path) -> None:
    path = supabase_csv(tmp_path / "users.csv", supabase_rows())
    assert len(read("supabase", path, {"layout": "CSV"})) == 5
    with pytest.raises(OptionInvalid, match="layout must be one of csv, json"):
        READERS["supabase"](path.open("rb"), {"layout": "xml"})


# --- auth0 ---------------------------------------------------------------------------------


def test_auth0_user_export_and_hash_export(tmp_path: Path) -> None:
    hashed = bcrypt_hash("auth0 secret")
    lines = [
        {
            "user_id": "auth0|5dea9f9c82dd7c0e76e4ec93",
            "email": "nico@example.com",
            "email_verified": True,
            "name": "Nico",
            "created_at": "2019-12-06T18:36:12.412Z",
            "last_login": "2024-01-02T03:04:05.678Z",
            "user_metadata": {"plan": "pro"},
            "app_metadata": {"roles": ["admin"]},
            "logins_count": 12,
        },
        {
            "user_id": "google-oauth2|103547991597142817347",
            "email": "g@example.com",
            "given_name": "Grace",
            "family_name": "Hopper",
            "blocked": True,
            "phone_number": "+15555550100",
            "phone_verified": True,
        },
        {
            "_id": {"$oid": "5dea9f9c82dd7c0e76e4ec93"},
            "email_verified": False,
            "email": "nico@example.com",
            "passwordHash": hashed,
            "password_set_date": {"$date": "2019-12-06T18:36:12.412Z"},
            "tenant": "example",
            "connection": "Username-Password-Authentication",
            "_tmp_is_unique": True,
        },
        {
            "_id": {"$oid": "60425dc43519d90068f82973"},
            "alt_id": "euclid",
            "passwordHash": hashed,
            "identifiers": [{"type": "email", "value": "euclid@example.com", "verified": True}],
        },
    ]
    path = tmp_path / "users.json.gz"
    path.write_bytes(gzip.compress("".join(json.dumps(line) + "\n" for line in lines).encode()))

    profile, social, database, custom = read("auth0", path)

    assert incoming(profile) == Incoming(
        position=0,
        user_id="5dea9f9c82dd7c0e76e4ec93",
        email="nico@example.com",
        name="Nico",
        email_verification=True,
        prefs={"plan": "pro"},
        registration=datetime(2019, 12, 6, 18, 36, 12, 412000),
        accessed_at=datetime(2024, 1, 2, 3, 4, 5, 678000),
    )
    assert incoming(social) == Incoming(
        position=1,
        user_id="google-oauth2_103547991597142817347",
        email="g@example.com",
        phone="+15555550100",
        name="Grace Hopper",
        phone_verification=True,
        status=False,
    )
    assert incoming(database).user_id == "5dea9f9c82dd7c0e76e4ec93"
    assert_verifies(database, "auth0 secret")
    assert (incoming(custom).user_id, incoming(custom).email) == ("euclid", "euclid@example.com")
    assert incoming(custom).email_verification is True
    assert_verifies(custom, "auth0 secret")


def test_auth0_rejects_bad_lines_and_reads_on(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text(
        '{"user_id": "auth0|a1", "passwordHash": "$pbkdf2-sha256$i=1000$abc"}\n'
        "{not json\n"
        "\n"
        '{"email": "who@example.com"}\n'
        '{"user_id": "auth0|a2", "passwordHash": "$2b$04$short"}\n'
        '{"user_id": "auth0|a3", "email_verified": "maybe"}\n'
        '{"user_id": "auth0|a4"}\n'
    )

    records = read("auth0", path)

    assert [(r.position, r.user_id) for r in map(rejected, records[:5])] == [
        (0, "a1"),
        (1, ""),
        (2, ""),
        (3, "a2"),
        (4, "a3"),
    ]
    assert [r.reason for r in map(rejected, records[:5])] == [
        "passwordHash: unknown hash scheme (Auth0 exports bcrypt)",
        rejected(records[1]).reason,
        "user_id is missing",
        "passwordHash: must be a bcrypt hash ($2a$, $2b$ or $2y$, cost, 53 characters)",
        "email_verified must be true or false",
    ]
    assert rejected(records[1]).reason.startswith("invalid JSON (")
    assert incoming(records[5]) == Incoming(position=5, user_id="a4")


# --- appwrite ------------------------------------------------------------------------------


def appwrite_user(
    user_id: str, password: str | None, scheme: str | None, options: object
) -> dict[str, Any]:
    """A user as `GET /v1/users` shows it."""
    return {
        "$id": user_id,
        "$createdAt": "2024-01-02T03:04:05.678+00:00",
        "$updatedAt": "2024-01-02T03:04:05.678+00:00",
        "name": "",
        "password": password,
        "hash": scheme,
        "hashOptions": options,
        "registration": "2024-01-02T03:04:05.678+00:00",
        "status": True,
        "labels": [],
        "passwordUpdate": "",
        "email": f"{user_id}@example.com",
        "phone": "",
        "emailVerification": False,
        "phoneVerification": False,
        "mfa": False,
        "prefs": {},
        "targets": [],
        "accessedAt": "",
    }


# What Appwrite itself stores as options: sha has no `type`, argon2 and phpass options do
# not describe the hash.
APPWRITE_OPTIONS: dict[str, object] = {
    "sha": {"version": "sha512"},
    "argon2": {"type": "argon2", "memory_cost": 65536, "time_cost": 4, "threads": 3},
    "phpass": {
        "type": "phpass",
        "iteration_count_log2": 8,
        "portable_hashes": False,
        "random_state": "0.12345600 1700000000123",
    },
}


def test_appwrite_every_scheme(tmp_path: Path) -> None:
    users = [
        appwrite_user(
            f"v{number}",
            vector.stored,
            vector.scheme,
            APPWRITE_OPTIONS.get(vector.scheme, vector.options),
        )
        for number, vector in enumerate(APPWRITE_VECTORS)
    ]
    users.append(appwrite_user("b", bcrypt_hash(APPWRITE), "bcrypt", {"type": "bcrypt", "cost": 4}))
    users.append(
        appwrite_user(
            "camel",
            argon2_hash(APPWRITE),
            "argon2",
            {"type": "argon2", "memoryCost": 64, "timeCost": 1, "threads": 1},
        )
    )
    path = json_lines(tmp_path / "users.jsonl", users)

    records = read("appwrite", path)

    assert [password_of(record).algorithm for record in records] == [
        *(vector.scheme for vector in APPWRITE_VECTORS),
        "bcrypt",
        "argon2",
    ]
    for record in records:
        stored = password_of(record)
        assert verify(stored, APPWRITE) is True, stored
        assert verify(stored, WRONG) is False, stored
    assert password_of(records[1]).options == {"type": "sha", "version": "sha512"}


def test_appwrite_maps_every_field(tmp_path: Path) -> None:
    user = {
        **appwrite_user("full", None, "argon2", APPWRITE_OPTIONS["argon2"]),
        "name": "Full User",
        "phone": "+15555550100",
        "emailVerification": True,
        "phoneVerification": True,
        "status": False,
        "labels": ["admin", "vip"],
        "prefs": {"theme": "dark", "nested": {"a": [1, 2.5]}},
        "accessedAt": "2024-02-03T04:05:06.789+00:00",
    }
    (record,) = read("appwrite", json_lines(tmp_path / "users.jsonl", [user]))

    assert incoming(record) == Incoming(
        position=0,
        user_id="full",
        email="full@example.com",
        phone="+15555550100",
        name="Full User",
        email_verification=True,
        phone_verification=True,
        status=False,
        labels=("admin", "vip"),
        prefs={"theme": "dark", "nested": {"a": [1, 2.5]}},
        registration=datetime(2024, 1, 2, 3, 4, 5, 678000),
        accessed_at=datetime(2024, 2, 3, 4, 5, 6, 789000),
    )


def rosterd_passwords() -> list[StoredPassword]:
    """Passwords as rosterd stores them, from every importer (and Firebase's own costs)."""
    firebase = firebase_hash(APPWRITE, b"salt", rounds=4, mem_cost=11)
    return [
        *(
            getattr(schemes, f"import_{name}")(vector.stored, *arguments)
            for vector, name, arguments in [
                (APPWRITE_VECTORS[0], "md5", ()),
                (APPWRITE_VECTORS[1], "sha", ("sha512",)),
                (APPWRITE_VECTORS[2], "scrypt", ("appwrite", 16384, 13, 2, 64)),
                (APPWRITE_VECTORS[4], "phpass", ()),
                (APPWRITE_VECTORS[5], "argon2", ()),
            ]
        ),
        schemes.import_scrypt_modified(
            APPWRITE_VECTORS[3].stored,
            SCRYPT_MODIFIED["password_salt"],
            SCRYPT_MODIFIED["password_salt_separator"],
            SCRYPT_MODIFIED["password_signer_key"],
        ),
        schemes.import_scrypt_modified(
            firebase,
            base64.b64encode(b"salt").decode(),
            FIREBASE_SEPARATOR,
            FIREBASE_SIGNER_KEY,
            rounds=4,
            mem_cost=11,
        ),
        schemes.import_bcrypt(bcrypt_hash(APPWRITE)),
    ]


def test_appwrite_moves_rosterd_passwords_losslessly(tmp_path: Path) -> None:
    originals = rosterd_passwords()
    users = [
        appwrite_user(f"r{number}", stored.value, stored.algorithm, stored.options)
        for number, stored in enumerate(originals)
    ]
    records = read("appwrite", json_lines(tmp_path / "users.jsonl", users))

    assert [password_of(record) for record in records] == originals
    assert originals[6].options["memCost"] == 11
    assert_verifies(records[6], APPWRITE)


def test_appwrite_rejects_bad_users_and_reads_on(tmp_path: Path) -> None:
    scrypt = APPWRITE_VECTORS[2]
    users: list[object] = [
        appwrite_user("u0", "x", "pbkdf2", {}),
        appwrite_user("u1", scrypt.stored, "scrypt", {**scrypt.options, "costCpu": 1000}),
        {**appwrite_user("u2", None, "argon2", {}), "status": "yes"},
        {**appwrite_user("u3", None, "argon2", {}), "labels": "admin"},
        {"email": "x@example.com"},
        appwrite_user("u5", "x", "md5", {"type": "md5"}),
        appwrite_user("u6", "x", None, None),
        appwrite_user("u7", None, "argon2", {}),
    ]
    path = json_lines(tmp_path / "users.jsonl", users)
    with path.open("a") as file:
        file.write("}{\n")
        file.write(json.dumps(appwrite_user("u9", None, "argon2", {})) + "\n")

    records = read("appwrite", path)

    assert [(r.position, r.user_id, r.reason) for r in map(rejected, records[:7])] == [
        (0, "u0", "hash: unknown hash scheme 'pbkdf2'"),
        (1, "u1", "hashOptions.costCpu: must be a power of two greater than 1"),
        (2, "u2", "status must be true or false"),
        (3, "u3", "labels must be an array of strings"),
        (4, "", "$id is missing"),
        (5, "u5", "password: must be an MD5 digest of 32 hex characters"),
        (6, "u6", "password comes without its hash scheme (hash)"),
    ]
    assert incoming(records[7]).user_id == "u7"
    assert rejected(records[8]).position == 8
    assert (incoming(records[9]).position, incoming(records[9]).user_id) == (9, "u9")


# --- csv -----------------------------------------------------------------------------------


def csv_file(path: Path, rows: list[dict[str, str]], *, header: Sequence[str] = COLUMNS) -> Path:
    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\r\n') else value

    lines = [",".join(header)] + [
        ",".join(cell(row.get(name, "")) for name in header) for row in rows
    ]
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode())
    return path


def test_csv_maps_every_column(tmp_path: Path) -> None:
    row = {
        "id": "user-1",
        "email": "One@Example.com",
        "phone": "+15555550100",
        "name": 'One, "the first"\nof many',
        "email_verified": "TRUE",
        "phone_verified": "yes",
        "status": "f",
        "labels": "admin;vip beta",
        "prefs": '{"theme": "dark"}',
        "registration": "2024-05-01T10:20:30Z",
        "accessed_at": "2024-05-02 10:20:30+02:00",
    }
    (record,) = read("csv", csv_file(tmp_path / "users.csv", [row]))

    assert incoming(record) == Incoming(
        position=0,
        user_id="user-1",
        email="One@Example.com",
        phone="+15555550100",
        name='One, "the first"\nof many',
        email_verification=True,
        phone_verification=True,
        status=False,
        labels=("admin", "vip", "beta"),
        prefs={"theme": "dark"},
        registration=datetime(2024, 5, 1, 10, 20, 30),
        accessed_at=datetime(2024, 5, 2, 8, 20, 30),
    )


def csv_password_rows() -> list[dict[str, str]]:
    md5, sha, scrypt, scrypt_modified, phpass, argon2 = APPWRITE_VECTORS
    return [
        {"password_scheme": "argon2", "password_hash": argon2.stored},
        {"password_scheme": "argon2", "password_hash": argon2_hash(APPWRITE)},
        {"password_scheme": "bcrypt", "password_hash": bcrypt_hash(APPWRITE, "2y")},
        {"password_scheme": "md5", "password_hash": md5.stored.upper()},
        {"password_scheme": "sha", "password_hash": sha.stored, "sha_version": "sha512"},
        {
            "password_scheme": "sha",
            "password_hash": hashlib.sha256(APPWRITE.encode()).hexdigest(),
        },
        {"password_scheme": "phpass", "password_hash": phpass.stored},
        {
            "password_scheme": "scrypt",
            "password_hash": scrypt.stored,
            "scrypt_salt": "appwrite",
            "scrypt_cpu": "16384",
            "scrypt_memory": "13",
            "scrypt_parallel": "2",
            "scrypt_length": "64",
        },
        {
            "password_scheme": "scryptMod",
            "password_hash": scrypt_modified.stored,
            "scrypt_salt": SCRYPT_MODIFIED["password_salt"],
            "scrypt_salt_separator": SCRYPT_MODIFIED["password_salt_separator"],
            "scrypt_signer_key": SCRYPT_MODIFIED["password_signer_key"],
        },
        {
            "password_scheme": "scryptMod",
            "password_hash": firebase_hash(APPWRITE, b"s", rounds=1, mem_cost=12),
            "scrypt_salt": base64.b64encode(b"s").decode(),
            "scrypt_salt_separator": FIREBASE_SEPARATOR,
            "scrypt_signer_key": FIREBASE_SIGNER_KEY,
            "scrypt_rounds": "1",
            "scrypt_mem_cost": "12",
        },
    ]


def test_csv_every_scheme(tmp_path: Path) -> None:
    rows = [{"id": f"u{number}", **row} for number, row in enumerate(csv_password_rows())]
    records = read("csv", csv_file(tmp_path / "users.csv", rows))

    assert [password_of(record).algorithm for record in records] == [
        row["password_scheme"] for row in rows
    ]
    for record in records:
        assert_verifies(record, APPWRITE)
    assert password_of(records[5]).options == {"type": "sha", "version": "sha256"}


def test_csv_rejects_bad_rows_and_reads_on(tmp_path: Path) -> None:
    path = tmp_path / "users.csv"
    path.write_text(
        "id,email,password_hash,password_scheme,scrypt_salt,scrypt_cpu,prefs\n"
        "a,a@example.com,abc,rot13,,,\n"
        "b,b@example.com,abc,,,,\n"
        "c,c@example.com,abc,md5,,,\n"
        ",nobody@example.com,,,,,\n"
        "e,e@example.com,,,,,[1]\n"
        "f,f@example.com,,,,\n"
        "g,g@example.com,ab,scrypt,salt,lots,\n"
        "h,h@example.com,,argon2,,,\n"
    )

    records = read("csv", path)

    assert [(r.position, r.user_id, r.reason) for r in map(rejected, records[:7])] == [
        (0, "a", "password_scheme: unknown hash scheme 'rot13'"),
        (1, "b", "password_hash comes without its password_scheme"),
        (2, "c", "password_hash: must be an MD5 digest of 32 hex characters"),
        (3, "", "id is missing"),
        (4, "e", "prefs must be a JSON object"),
        (5, "", "the row has 6 cells, the header 7"),
        (6, "g", "scrypt_cpu: must be an integer"),
    ]
    assert incoming(records[7]) == Incoming(position=7, user_id="h", email="h@example.com")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("id,emial\n", "unknown column emial"),
        ("email,name\n", "the CSV header has no id column"),
    ],
)
def test_csv_header_is_checked(tmp_path: Path, header: str, message: str) -> None:
    path = tmp_path / "users.csv"
    path.write_text(header + "a@example.com,A\n")
    with pytest.raises(FileInvalid, match=message):
        read("csv", path)


# --- every format --------------------------------------------------------------------------


def test_every_format_names_its_options() -> None:
    assert set(READERS) == set(OPTIONS) == {"firebase", "supabase", "auth0", "appwrite", "csv"}
    assert OPTIONS["firebase"] == ("hash_key", "salt_separator", "rounds", "mem_cost")
    assert OPTIONS["supabase"] == ("layout",)
    for name in ("auth0", "appwrite", "csv"):
        assert OPTIONS[name] == ()
        with (
            Path(__file__).open("rb") as source,
            pytest.raises(OptionInvalid, match="this format takes no options"),
        ):
            READERS[name](source, {"hash_key": "YQ=="})


@pytest.mark.parametrize("format_name", ["firebase", "supabase", "auth0", "appwrite", "csv"])
def test_an_empty_file_has_no_records(tmp_path: Path, format_name: str) -> None:
    path = tmp_path / "empty"
    path.write_text(" \n" if format_name != "csv" else "id\n")
    assert read(format_name, path) == []
    path.write_text("")
    assert read(format_name, path) == []


@given(source_id=st.text(max_size=200), prefix=st.sampled_from(["", "auth0|"]))
def test_derived_ids_are_valid_and_stable(source_id: str, prefix: str) -> None:
    derived = identifiers.derive(source_id, prefix)
    assert is_uid(derived)
    assert derived == identifiers.derive(source_id, prefix)
    if is_uid(source_id.removeprefix(prefix)):
        assert derived == source_id.removeprefix(prefix)


# Keys each format reads, so that arbitrary documents reach every field's checks.
FIELDS: dict[str, list[str]] = {
    "firebase": [
        "localId", "email", "emailVerified", "passwordHash", "salt", "displayName",
        "phoneNumber", "disabled", "createdAt", "lastSignedInAt", "customAttributes",
    ],
    "supabase": [
        "id", "email", "phone", "encrypted_password", "email_confirmed_at",
        "phone_confirmed_at", "banned_until", "raw_user_meta_data", "created_at",
        "last_sign_in_at", "deleted_at",
    ],
    "auth0": [
        "user_id", "_id", "alt_id", "email", "email_verified", "name", "given_name",
        "phone_number", "phone_verified", "blocked", "user_metadata", "passwordHash",
        "created_at", "last_login", "identifiers",
    ],
    "appwrite": [
        "$id", "name", "email", "phone", "emailVerification", "phoneVerification", "status",
        "labels", "prefs", "registration", "accessedAt", "password", "hash", "hashOptions",
    ],
}  # fmt: skip
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=1 - 2**63, max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["md5", "scryptMod", "sha", "$2b$04$", "1700000000000", "2024-01-01"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), format_name=st.sampled_from(sorted(FIELDS)))
def test_no_document_stops_a_read(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, format_name: str
) -> None:
    documents = data.draw(
        st.lists(
            st.dictionaries(
                st.sampled_from(FIELDS[format_name]) | st.text(max_size=6), json_values, max_size=8
            )
            | json_values,
            max_size=5,
        )
    )
    path = tmp_path_factory.mktemp("documents") / "users.json"
    path.write_text(
        json.dumps({"users": documents}) if format_name == "firebase" else json.dumps(documents)
    )
    options = FIREBASE_OPTIONS if format_name == "firebase" else {}

    records = read(format_name, path, options)

    assert [record.position for record in records] == list(range(len(documents)))


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.fixed_dictionaries({}, optional={name: st.text(max_size=10) for name in COLUMNS}),
        max_size=5,
    )
)
def test_no_row_stops_a_csv_read(
    tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, str]]
) -> None:
    path = csv_file(tmp_path_factory.mktemp("rows") / "users.csv", rows)
    records = read("csv", path)
    assert [record.position for record in records] == list(range(len(rows)))


# --- scryptMod costs -----------------------------------------------------------------------


def test_scrypt_modified_costs_are_stored_only_when_not_the_defaults() -> None:
    value, salt = FIREBASE_HASH, FIREBASE_SALT
    default = schemes.import_scrypt_modified(value, salt, FIREBASE_SEPARATOR, FIREBASE_SIGNER_KEY)
    assert set(default.options) == {"type", "salt", "saltSeparator", "signerKey"}
    assert verify(default, FIREBASE_PLAIN) is True
    custom = schemes.import_scrypt_modified(
        value, salt, FIREBASE_SEPARATOR, FIREBASE_SIGNER_KEY, rounds=8.0, mem_cost=13
    )
    assert (custom.options.get("rounds"), custom.options["memCost"]) == (None, 13)
    assert verify(custom, FIREBASE_PLAIN) is False  # the same hash under other costs


@pytest.mark.parametrize(
    ("costs", "param"),
    [
        ({"rounds": 0}, "rounds"),
        ({"rounds": 9}, "rounds"),
        ({"rounds": True}, "rounds"),
        ({"mem_cost": 0}, "memCost"),
        ({"mem_cost": 15}, "memCost"),
        ({"mem_cost": "14"}, "memCost"),
    ],
)
def test_scrypt_modified_costs_are_bounded(costs: dict[str, object], param: str) -> None:
    with pytest.raises(ArgumentInvalid, match=f"Invalid `{param}` param"):
        schemes.import_scrypt_modified(
            FIREBASE_HASH,
            FIREBASE_SALT,
            FIREBASE_SEPARATOR,
            FIREBASE_SIGNER_KEY,
            **costs,
        )
    options = {
        "type": "scryptMod",
        "salt": FIREBASE_SALT,
        "saltSeparator": FIREBASE_SEPARATOR,
        "signerKey": FIREBASE_SIGNER_KEY,
        "rounds": costs.get("rounds", 8),
        "memCost": costs.get("mem_cost", 14),
    }
    assert verify(StoredPassword(FIREBASE_HASH, "scryptMod", options), FIREBASE_PLAIN) is False


def test_signed_matches_the_independent_computation() -> None:
    from rosterd.passwords.scrypt_modified import signed

    salt = b"independent"
    expected = firebase_hash("pässword", salt, rounds=5, mem_cost=7)
    raw = signed(
        "pässword",
        salt,
        base64.b64decode(FIREBASE_SEPARATOR),
        base64.b64decode(FIREBASE_SIGNER_KEY),
        rounds=5,
        mem_cost=7,
    )
    assert base64.b64encode(raw).decode() == expected
