"""Import users with hashes from elsewhere (official SDK), then sign them in (HTTP)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from appwrite.enums.password_hash import PasswordHash
from appwrite.services.users import Users
from passlib import hash as passlib_hashes

from tests.conftest import Project
from tests.test_wire import assert_error

APPWRITE = "appwrite"


@dataclass(frozen=True)
class Vector:
    """A hash of `password`, and how to import it through the SDK."""

    scheme: str
    stored: str
    importer: str
    arguments: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    password: str = APPWRITE


SCRYPT_MODIFIED = {
    "password_salt": "UxLMreBr6tYyjQ==",
    "password_salt_separator": "Bw==",
    "password_signer_key": (
        "XyEKE9RcTDeLEsL/RjwPDBv/RqDl8fb3gpYEOQaPihbxf1ZAtSOHCjuAAa7Q3oHpCYhXSN9tizHgVOwn6krflQ=="
    ),
}

# Appwrite's own end-to-end vectors, all of the password "appwrite".
APPWRITE_VECTORS = [
    Vector("md5", "144fa7eaa4904e8ee120651997f70dcc", "create_md5_user", {}, {"type": "md5"}),
    Vector(
        "sha",
        "4243da0a694e8a2f727c8060fe0507c8fa01ca68146c76d2c190805b638c20c6"
        "bf6ba04e21f11ae138785d0bff63c416e6f87badbffad37f6dee50094cc38c70",
        "create_sha_user",
        {"password_version": PasswordHash.SHA512},
        {"type": "sha", "version": "sha512"},
    ),
    Vector(
        "scrypt",
        "3fdef49701bc4cfaacd551fe017283513284b4731e6945c263246ef948d3cf63"
        "b5d269c31fd697246085111a428245e24a4ddc6b64c687bc60a8910dbafc1d5b",
        "create_scrypt_user",
        {
            "password_salt": "appwrite",
            "password_cpu": 16384,
            "password_memory": 13,
            "password_parallel": 2,
            "password_length": 64,
        },
        {
            "type": "scrypt",
            "costCpu": 16384,
            "costMemory": 13,
            "costParallel": 2,
            "length": 64,
            "salt": "appwrite",
        },
    ),
    Vector(
        "scryptMod",
        "UlM7JiXRcQhzAGlaonpSqNSLIz475WMddOgLjej5De9vxTy48K6WtqlEzrRFeK4t0COfMhWCb8wuMHgxOFCHFQ==",
        "create_scrypt_modified_user",
        SCRYPT_MODIFIED,
        {
            "type": "scryptMod",
            "salt": SCRYPT_MODIFIED["password_salt"],
            "saltSeparator": SCRYPT_MODIFIED["password_salt_separator"],
            "signerKey": SCRYPT_MODIFIED["password_signer_key"],
        },
    ),
    Vector(
        "phpass",
        "$P$Br387rwferoKN7uwHZqNMu98q3U8RO.",
        "create_ph_pass_user",
        {},
        {"type": "phpass"},
    ),
    Vector(
        "argon2",
        "$argon2i$v=19$m=20,t=3,p=2$YXBwd3JpdGU$A/54i238ed09ZR4NwlACU5XnkjNBZU9QeOEuhjLiexI",
        "create_argon2_user",
        {},
        {"type": "argon2", "memory_cost": 20, "time_cost": 3, "threads": 2},
    ),
]


def _fresh_vectors() -> list[Vector]:
    """Hashes made here by an independent implementation (libpass, hashlib)."""
    word = "Zwölf Boxkämpfer!"
    sha3 = hashlib.sha3_256(word.encode()).hexdigest()
    sha512_224 = hashlib.new("sha512_224", word.encode()).hexdigest()
    bcrypt_2b = passlib_hashes.bcrypt.using(rounds=5, ident="2b").hash(word)
    bcrypt_2y = passlib_hashes.bcrypt.using(rounds=4, ident="2y").hash(word)
    phpass_h = passlib_hashes.phpass.using(rounds=9, ident="H").hash(word)
    argon2id = passlib_hashes.argon2.using(
        type="ID", memory_cost=512, rounds=2, parallelism=2
    ).hash(word)
    return [
        Vector(
            "sha",
            sha3,
            "create_sha_user",
            {"password_version": PasswordHash.SHA3_256},
            password=word,
        ),
        Vector(
            "sha",
            sha512_224,
            "create_sha_user",
            {"password_version": PasswordHash.SHA512_224},
            password=word,
        ),
        Vector("bcrypt", bcrypt_2b, "create_bcrypt_user", {}, {"type": "bcrypt", "cost": 5}, word),
        Vector("bcrypt", bcrypt_2y, "create_bcrypt_user", {}, {"type": "bcrypt", "cost": 4}, word),
        Vector("phpass", phpass_h, "create_ph_pass_user", {}, {"type": "phpass"}, word),
        Vector("argon2", argon2id, "create_argon2_user", {}, {}, word),
    ]


VECTORS = APPWRITE_VECTORS + _fresh_vectors()


def sign_in(project: Project, email: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=project.server.endpoint, timeout=60) as client:
        body = {"email": email, "password": password}
        return client.post(
            "/account/sessions/email", json=body, headers={"x-appwrite-project": project.id}
        )


@pytest.mark.parametrize("vector", VECTORS, ids=[f"{n}-{v.scheme}" for n, v in enumerate(VECTORS)])
def test_import_sign_in_and_upgrade(project: Project, users: Users, vector: Vector) -> None:
    create: Callable[..., Any] = getattr(users, vector.importer)
    user = create(
        user_id="imported",
        email="old@example.com",
        password=vector.stored,
        name="Old",
        **vector.arguments,
    )
    assert (user.hash, user.password, user.name) == (vector.scheme, vector.stored, "Old")
    with project.http() as http:
        stored = http.get("/users/imported").json()
    if vector.options:
        assert stored["hashOptions"] == vector.options
    assert stored["passwordUpdate"] != ""

    assert_error(
        sign_in(project, "old@example.com", "not the password"), 401, "user_invalid_credentials"
    )
    assert users.get("imported").password == vector.stored

    signed_in = sign_in(project, "old@example.com", vector.password)
    assert signed_in.status_code == 201, signed_in.text
    upgraded = users.get("imported")
    assert upgraded.hash == "argon2" and upgraded.password is not None
    assert upgraded.password.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert upgraded.passwordupdate == user.passwordupdate
    assert sign_in(project, "old@example.com", vector.password).status_code == 201
    assert_error(
        sign_in(project, "old@example.com", "not the password"), 401, "user_invalid_credentials"
    )


def test_strong_argon2id_is_kept(project: Project, users: Users) -> None:
    strong = passlib_hashes.argon2.using(type="ID", memory_cost=2048, rounds=2, parallelism=1).hash(
        "long enough"
    )
    users.create_argon2_user(user_id="strong", email="strong@example.com", password=strong)
    assert sign_in(project, "strong@example.com", "long enough").status_code == 201
    assert users.get("strong").password == strong


def test_bcrypt_vector_from_appwrite(project: Project, users: Users) -> None:
    stored = "$2a$15$xX/myGbFU.ZSKHSi6EHdBOySTdYm8QxBLXmOPHrYMwV0mHRBBSBOq"
    user = users.create_bcrypt_user(user_id="slow", email="slow@example.com", password=stored)
    assert user.hash == "bcrypt"
    with project.http() as http:
        assert http.get("/users/slow").json()["hashOptions"] == {"type": "bcrypt", "cost": 15}
    assert sign_in(project, "slow@example.com", APPWRITE).status_code == 201
    assert users.get("slow").hash == "argon2"


BASE = {"userId": "bad", "email": "bad@example.com"}
SCRYPT = {
    **BASE,
    "password": "ab" * 64,
    "passwordSalt": "salt",
    "passwordCpu": 16384,
    "passwordMemory": 8,
    "passwordParallel": 1,
    "passwordLength": 64,
}
FIREBASE_HASH = (
    "UlM7JiXRcQhzAGlaonpSqNSLIz475WMddOgLjej5De9vxTy48K6WtqlEzrRFeK4t0COfMhWCb8wuMHgxOFCHFQ=="
)
MODIFIED = {
    **BASE,
    "password": FIREBASE_HASH,
    "passwordSalt": "UxLMreBr6tYyjQ==",
    "passwordSaltSeparator": "Bw==",
    "passwordSignerKey": "XyEKE9Rc",
}
BAD_IMPORTS = [
    ("scrypt", {**SCRYPT, "passwordCpu": 1000}, "passwordCpu"),
    ("scrypt", {**SCRYPT, "passwordCpu": 1}, "passwordCpu"),
    ("scrypt", {**SCRYPT, "passwordCpu": "16384"}, "passwordCpu"),
    ("scrypt", {**SCRYPT, "passwordCpu": 2**40}, "passwordCpu"),
    ("scrypt", {**SCRYPT, "passwordMemory": 0}, "passwordMemory"),
    ("scrypt", {**SCRYPT, "passwordParallel": 2**31}, "passwordParallel"),
    ("scrypt", {**SCRYPT, "passwordLength": 8}, "passwordLength"),
    ("scrypt", {**SCRYPT, "passwordLength": 64.5}, "passwordLength"),
    ("scrypt", {**SCRYPT, "password": "not hex at all!"}, "password"),
    ("scrypt", {k: v for k, v in SCRYPT.items() if k != "passwordSalt"}, "passwordSalt"),
    ("scrypt-modified", {**MODIFIED, "passwordSalt": "not base64!"}, "passwordSalt"),
    ("scrypt-modified", {**MODIFIED, "passwordSaltSeparator": "***"}, "passwordSaltSeparator"),
    ("scrypt-modified", {**MODIFIED, "passwordSignerKey": "a b"}, "passwordSignerKey"),
    ("scrypt-modified", {**MODIFIED, "password": "%%%%%%%%"}, "password"),
    ("sha", {**BASE, "password": "ab" * 32, "passwordVersion": "sha999"}, "passwordVersion"),
    ("sha", {**BASE, "password": "ab" * 31, "passwordVersion": "sha256"}, "password"),
    ("md5", {**BASE, "password": "z" * 32}, "password"),
    ("bcrypt", {**BASE, "password": "$2a$10$tooshort"}, "password"),
    # the right shape, but a salt whose last character sets padding bits bcrypt refuses
    ("bcrypt", {**BASE, "password": "$2b$15$" + "a" * 21 + "/" + "b" * 31}, "password"),
    ("argon2", {**BASE, "password": "$argon2id$garbage"}, "password"),
    ("phpass", {**BASE, "password": "$P$!badcountxxxxxxxxxxxxxxxxxxxxxx"}, "password"),
    ("md5", {**BASE}, "password"),
    ("md5", {"userId": "bad", "password": "ab" * 16}, "email"),
]


@pytest.mark.parametrize(("scheme", "body", "param"), BAD_IMPORTS)
def test_bad_import_parameters_are_400(
    http: httpx.Client, scheme: str, body: dict[str, Any], param: str
) -> None:
    response = http.post(f"/users/{scheme}", json=body)
    error = assert_error(response, 400, "general_argument_invalid")
    message = str(error["message"])
    assert (
        message.startswith(f"Invalid `{param}` param")
        or message == f'Param "{param}" is not optional.'
    )
    assert http.get("/users").json()["total"] == 0


def test_sha_versions_cover_the_sdk_enum(users: Users) -> None:
    for number, version in enumerate(PasswordHash):
        digest = hashlib.new(
            version.value.replace("/", "_").replace("-", "_"), b"secret password"
        ).hexdigest()
        user = users.create_sha_user(
            user_id=f"sha{number}",
            email=f"sha{number}@example.com",
            password=digest,
            password_version=version,
        )
        assert user.hash == "sha"


def test_scrypt_modified_firebase_shape(project: Project) -> None:
    with project.http() as http:
        body = {**MODIFIED, "passwordSignerKey": SCRYPT_MODIFIED["password_signer_key"]}
        created = http.post("/users/scrypt-modified", json=body).json()
    assert created["hash"] == "scryptMod"
    assert base64.b64decode(created["hashOptions"]["signerKey"])
