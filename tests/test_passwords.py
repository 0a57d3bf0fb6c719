"""Imported password schemes: Appwrite's vectors, independent hashers, import rules, re-hashing."""

from __future__ import annotations

import base64
import functools
import hashlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import bcrypt
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from hypothesis import given, settings
from hypothesis import strategies as st
from passlib import hash as passlib_hashes

from rosterd.errors import ArgumentInvalid
from rosterd.passwords import StoredPassword
from rosterd.passwords import argon2 as argon2_scheme
from rosterd.passwords.argon2 import Argon2
from rosterd.passwords.schemes import (
    SHA_VERSIONS,
    import_argon2,
    import_bcrypt,
    import_md5,
    import_phpass,
    import_scrypt,
    import_scrypt_modified,
    import_sha,
    needs_rehash,
    verify,
)

PASSWORD = "appwrite"
WRONG_PASSWORDS = ("appwritE", "appwrite ", "")

# Appwrite's e2e vectors (tests/e2e/Services/Users/UsersBase.php); each is the password "appwrite".
MD5_VECTOR = "144fa7eaa4904e8ee120651997f70dcc"
SHA512_VECTOR = (
    "4243da0a694e8a2f727c8060fe0507c8fa01ca68146c76d2c190805b638c20c6"
    "bf6ba04e21f11ae138785d0bff63c416e6f87badbffad37f6dee50094cc38c70"
)
SCRYPT_VECTOR = (
    "3fdef49701bc4cfaacd551fe017283513284b4731e6945c263246ef948d3cf63"
    "b5d269c31fd697246085111a428245e24a4ddc6b64c687bc60a8910dbafc1d5b"
)
SCRYPT_MODIFIED_VECTOR = (
    "UlM7JiXRcQhzAGlaonpSqNSLIz475WMddOgLjej5De9vxTy48K6WtqlEzrRFeK4t0COfMhWCb8wuMHgxOFCHFQ=="
)
SCRYPT_MODIFIED_SALT = "UxLMreBr6tYyjQ=="
SCRYPT_MODIFIED_SEPARATOR = "Bw=="
SCRYPT_MODIFIED_SIGNER_KEY = (
    "XyEKE9RcTDeLEsL/RjwPDBv/RqDl8fb3gpYEOQaPihbxf1ZAtSOHCjuAAa7Q3oHpCYhXSN9tizHgVOwn6krflQ=="
)
PHPASS_VECTOR = "$P$Br387rwferoKN7uwHZqNMu98q3U8RO."
ARGON2I_VECTOR = (
    "$argon2i$v=19$m=20,t=3,p=2$YXBwd3JpdGU$A/54i238ed09ZR4NwlACU5XnkjNBZU9QeOEuhjLiexI"
)
ARGON2ID_VECTOR = (
    "$argon2id$v=19$m=65536,t=4,p=3$azFVSGhPaXVBYnZMblNRaw"
    "$Pzm3TowCIbab0S5GL2id3OhZMexfFvutVSDoZ8D/Z8o"
)
BCRYPT_VECTOR = "$2a$15$xX/myGbFU.ZSKHSi6EHdBOySTdYm8QxBLXmOPHrYMwV0mHRBBSBOq"

# importer call -> what it must store, for every fast vector; bcrypt (cost 15) is tested alone.
FAST_VECTORS: dict[str, tuple[Callable[[], StoredPassword], StoredPassword]] = {
    "md5": (
        lambda: import_md5(MD5_VECTOR),
        StoredPassword(MD5_VECTOR, "md5", {"type": "md5"}),
    ),
    "sha512": (
        lambda: import_sha(SHA512_VECTOR, "sha512"),
        StoredPassword(SHA512_VECTOR, "sha", {"type": "sha", "version": "sha512"}),
    ),
    "scrypt": (
        lambda: import_scrypt(SCRYPT_VECTOR, "appwrite", 16384, 13, 2, 64),
        StoredPassword(
            SCRYPT_VECTOR,
            "scrypt",
            {
                "type": "scrypt",
                "costCpu": 16384,
                "costMemory": 13,
                "costParallel": 2,
                "length": 64,
                "salt": "appwrite",
            },
        ),
    ),
    "scryptMod": (
        lambda: import_scrypt_modified(
            SCRYPT_MODIFIED_VECTOR,
            SCRYPT_MODIFIED_SALT,
            SCRYPT_MODIFIED_SEPARATOR,
            SCRYPT_MODIFIED_SIGNER_KEY,
        ),
        StoredPassword(
            SCRYPT_MODIFIED_VECTOR,
            "scryptMod",
            {
                "type": "scryptMod",
                "salt": SCRYPT_MODIFIED_SALT,
                "saltSeparator": SCRYPT_MODIFIED_SEPARATOR,
                "signerKey": SCRYPT_MODIFIED_SIGNER_KEY,
            },
        ),
    ),
    "phpass": (
        lambda: import_phpass(PHPASS_VECTOR),
        StoredPassword(PHPASS_VECTOR, "phpass", {"type": "phpass"}),
    ),
    "argon2i": (
        lambda: import_argon2(ARGON2I_VECTOR),
        StoredPassword(
            ARGON2I_VECTOR,
            "argon2",
            {"type": "argon2", "memory_cost": 20, "time_cost": 3, "threads": 2},
        ),
    ),
    "argon2id": (
        lambda: import_argon2(ARGON2ID_VECTOR),
        StoredPassword(
            ARGON2ID_VECTOR,
            "argon2",
            {"type": "argon2", "memory_cost": 65536, "time_cost": 4, "threads": 3},
        ),
    ),
}

# Passwords an independent hasher can take: no lone surrogates (hypothesis's default).
passwords = st.text(max_size=40)
# bcrypt hashers refuse NUL and read at most 72 bytes: 18 characters are at most 72 bytes.
# Lone surrogates cannot be encoded by the independent hasher the tests compare with.
bcrypt_passwords = st.text(
    st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), max_size=18
)
small_settings = settings(max_examples=30, deadline=None)


def other_than(password: str) -> st.SearchStrategy[str]:
    """A password that differs from `password`."""
    return passwords.filter(lambda candidate: candidate != password)


def passlib_hash(handler: str, plain: str, **options: Any) -> str:
    """Hash with libpass, an implementation independent of ours."""
    return str(getattr(passlib_hashes, handler).using(**options).hash(plain))


def round_trip(stored: StoredPassword, right: str, wrong: str) -> None:
    assert verify(stored, right) is True
    assert verify(stored, wrong) is False


def rejects(param: str, call: Callable[[], object]) -> None:
    with pytest.raises(ArgumentInvalid) as caught:
        call()
    assert caught.value.message.startswith(f"Invalid `{param}` param: "), caught.value.message
    assert caught.value.code == 400


# --- Appwrite's vectors -------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FAST_VECTORS))
def test_appwrite_vector_verifies_appwrite_only(name: str) -> None:
    importer, expected = FAST_VECTORS[name]
    stored = importer()
    assert stored == expected  # the hash verbatim, the algorithm, the options
    assert verify(stored, PASSWORD) is True
    for wrong in WRONG_PASSWORDS:
        assert verify(stored, wrong) is False


def test_appwrite_bcrypt_vector_cost_15() -> None:
    stored = import_bcrypt(BCRYPT_VECTOR)
    assert stored == StoredPassword(BCRYPT_VECTOR, "bcrypt", {"type": "bcrypt", "cost": 15})
    # Cost 15 takes seconds per check: run the right and a wrong password side by side.
    with ThreadPoolExecutor(max_workers=2) as pool:
        right, wrong = pool.map(lambda plain: verify(stored, plain), [PASSWORD, "appwritE"])
    assert (right, wrong) == (True, False)


def test_sha_versions_are_the_eleven_wire_values() -> None:
    assert SHA_VERSIONS == (
        "sha1",
        "sha224",
        "sha256",
        "sha384",
        "sha512/224",
        "sha512/256",
        "sha512",
        "sha3-224",
        "sha3-256",
        "sha3-384",
        "sha3-512",
    )


# --- independent implementations, random parameters --------------------------------------


@small_settings
@given(
    password=passwords,
    data=st.data(),
    rounds=st.integers(7, 10),
    ident=st.sampled_from("PH"),
)
def test_phpass_portable_from_libpass(
    password: str, data: st.DataObject, rounds: int, ident: str
) -> None:
    value = passlib_hash("phpass", password, rounds=rounds, ident=ident)
    stored = import_phpass(value)
    assert stored == StoredPassword(value, "phpass", {"type": "phpass"})
    round_trip(stored, password, data.draw(other_than(password)))


@small_settings
@given(password=bcrypt_passwords, data=st.data(), ident=st.sampled_from(["2a", "2b", "2y"]))
def test_phpass_accepts_bcrypt_format(password: str, data: st.DataObject, ident: str) -> None:
    value = passlib_hash("bcrypt", password, rounds=4, ident=ident)
    wrong = data.draw(bcrypt_passwords.filter(lambda candidate: candidate != password))
    round_trip(import_phpass(value), password, wrong)


@small_settings
@given(
    password=bcrypt_passwords,
    data=st.data(),
    ident=st.sampled_from(["2a", "2b", "2y"]),
    rounds=st.integers(4, 5),
)
def test_bcrypt_from_libpass(password: str, data: st.DataObject, ident: str, rounds: int) -> None:
    value = passlib_hash("bcrypt", password, rounds=rounds, ident=ident)
    stored = import_bcrypt(value)
    assert stored == StoredPassword(value, "bcrypt", {"type": "bcrypt", "cost": rounds})
    round_trip(stored, password, data.draw(bcrypt_passwords.filter(lambda c: c != password)))


def test_bcrypt_reads_only_72_bytes_like_php() -> None:
    long_password = "é" * 50  # 100 bytes
    value = bcrypt.hashpw(long_password.encode()[:72], bcrypt.gensalt(4)).decode()
    stored = import_bcrypt(value)
    assert verify(stored, long_password) is True
    assert verify(stored, "é" * 36 + "anything after 72 bytes") is True
    assert verify(stored, "é" * 35) is False


@small_settings
@given(password=passwords, data=st.data())
def test_md5_from_libpass(password: str, data: st.DataObject) -> None:
    value = passlib_hash("hex_md5", password)
    if data.draw(st.booleans()):
        value = value.upper()
    stored = import_md5(value)
    assert stored == StoredPassword(value, "md5", {"type": "md5"})
    round_trip(stored, password, data.draw(other_than(password)))


def _sha_hex(version: str, plain: str) -> str:
    """libpass where it has the version, hashlib otherwise."""
    handlers = {"sha1": "hex_sha1", "sha256": "hex_sha256", "sha512": "hex_sha512"}
    if version in handlers:
        return passlib_hash(handlers[version], plain)
    name = version.replace("/", "_").replace("-", "_")
    return hashlib.new(name, plain.encode()).hexdigest()


@small_settings
@given(password=passwords, data=st.data(), version=st.sampled_from(SHA_VERSIONS))
def test_sha_every_version(password: str, data: st.DataObject, version: str) -> None:
    value = _sha_hex(version, password)
    sent_version = version.upper() if data.draw(st.booleans()) else version
    stored = import_sha(value, sent_version)
    assert stored == StoredPassword(value, "sha", {"type": "sha", "version": version})
    round_trip(stored, password, data.draw(other_than(password)))


@pytest.mark.parametrize("version", [None, ""])
def test_sha_defaults_to_sha256(version: str | None) -> None:
    value = hashlib.sha256(b"appwrite").hexdigest()
    stored = import_sha(value, version)
    assert stored.options == {"type": "sha", "version": "sha256"}
    assert verify(stored, PASSWORD) is True


@small_settings
@given(
    password=passwords,
    data=st.data(),
    variant=st.sampled_from(["id", "i", "d"]),
    rounds=st.integers(1, 2),
    parallelism=st.integers(1, 2),
    memory_per_lane=st.integers(8, 16),
)
def test_argon2_from_libpass(
    *,
    password: str,
    data: st.DataObject,
    variant: str,
    rounds: int,
    parallelism: int,
    memory_per_lane: int,
) -> None:
    memory = memory_per_lane * parallelism
    value = passlib_hash(
        "argon2",
        password,
        type=variant,
        rounds=rounds,
        memory_cost=memory,
        parallelism=parallelism,
    )
    stored = import_argon2(value)
    assert value.startswith(f"$argon2{variant}$")
    assert stored.options == {
        "type": "argon2",
        "memory_cost": memory,
        "time_cost": rounds,
        "threads": parallelism,
    }
    round_trip(stored, password, data.draw(other_than(password)))


def _number(value: int, as_float: bool) -> int | float:
    return float(value) if as_float else value


@small_settings
@given(
    password=passwords,
    data=st.data(),
    salt=st.text(min_size=1, max_size=20),
    log2_cpu=st.integers(1, 10),
    memory=st.integers(1, 4),
    parallel=st.integers(1, 2),
    length=st.integers(16, 80),
    as_float=st.booleans(),
)
def test_scrypt_from_cryptography(
    *,
    password: str,
    data: st.DataObject,
    salt: str,
    log2_cpu: int,
    memory: int,
    parallel: int,
    length: int,
    as_float: bool,
) -> None:
    cpu = 1 << log2_cpu
    key = Scrypt(salt=salt.encode(), length=length, n=cpu, r=memory, p=parallel)
    value = key.derive(password.encode()).hex()
    if data.draw(st.booleans()):
        value = value.upper()
    stored = import_scrypt(
        value,
        salt,
        _number(cpu, as_float),
        _number(memory, as_float),
        _number(parallel, as_float),
        _number(length, as_float),
    )
    assert stored.options == {
        "type": "scrypt",
        "costCpu": cpu,
        "costMemory": memory,
        "costParallel": parallel,
        "length": length,
        "salt": salt,
    }
    assert all(type(stored.options[key]) is int for key in ("costCpu", "costMemory", "length"))
    round_trip(stored, password, data.draw(other_than(password)))


def _firebase(plain: str, salt: bytes, separator: bytes, signer_key: bytes) -> str:
    """Firebase's modified scrypt, computed with cryptography alone."""
    key = Scrypt(salt=salt + separator, length=64, n=16384, r=8, p=1).derive(plain.encode())
    encryptor = Cipher(algorithms.AES(key[:32]), modes.CTR(bytes(16))).encryptor()
    return base64.b64encode(encryptor.update(signer_key) + encryptor.finalize()).decode()


@settings(max_examples=8, deadline=None)
@given(
    password=passwords,
    data=st.data(),
    salt=st.binary(min_size=1, max_size=16),
    separator=st.binary(min_size=1, max_size=4),
    signer_key=st.binary(min_size=1, max_size=64),
)
def test_scrypt_modified_from_cryptography(
    password: str, data: st.DataObject, salt: bytes, separator: bytes, signer_key: bytes
) -> None:
    value = _firebase(password, salt, separator, signer_key)
    encoded = [base64.b64encode(part).decode() for part in (salt, separator, signer_key)]
    stored = import_scrypt_modified(value, *encoded)
    assert stored.options == {
        "type": "scryptMod",
        "salt": encoded[0],
        "saltSeparator": encoded[1],
        "signerKey": encoded[2],
    }
    round_trip(stored, password, data.draw(other_than(password)))


# --- import rules ------------------------------------------------------------------------

VALID_BCRYPT = (
    "$2b$04$LYPaFoIVIO3oskFUvDB3zeCuq2hmDnslqRd.jl55vrXfG89ilVV6i"  # bcrypt("rosterd", cost 4)
)
VALID_PORTABLE = "$P$B" + "a" * 30
VALID_ARGON2 = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"
SCRYPT_HEX_64 = "ab" * 64
B64 = "YQ=="

BAD_IMPORTS: list[tuple[str, Callable[[], object]]] = [
    # argon2
    ("password", lambda: import_argon2("")),
    ("password", lambda: import_argon2("$argon2id$")),
    ("password", lambda: import_argon2("$argon2x$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA")),
    ("password", lambda: import_argon2("$argon2id$v=19$t=1,m=8,p=1$c2FsdA$aGFzaA")),
    ("password", lambda: import_argon2("$argon2id$v=19$m=+8,t=1,p=1$c2FsdA$aGFzaA")),
    ("password", lambda: import_argon2("$argon2id$v=19$m=٨,t=1,p=1$c2FsdA$aGFzaA")),
    ("password", lambda: import_argon2("$argon2id$v=19$m=8,t=1,p=1$c2FsdA")),
    ("password", lambda: import_argon2(VALID_ARGON2 + "\n")),
    ("password", lambda: import_argon2(VALID_BCRYPT)),
    # bcrypt
    ("password", lambda: import_bcrypt("")),
    ("password", lambda: import_bcrypt("$2x$04$" + "a" * 53)),
    ("password", lambda: import_bcrypt("$2b$4$" + "a" * 53)),
    ("password", lambda: import_bcrypt("$2b$04$" + "a" * 52)),
    ("password", lambda: import_bcrypt("$2b$04$" + "a" * 54)),
    ("password", lambda: import_bcrypt("$2b$04$" + "a" * 52 + "!")),
    ("password", lambda: import_bcrypt(VALID_BCRYPT + "\n")),
    ("password", lambda: import_bcrypt(PHPASS_VECTOR)),
    # md5
    ("password", lambda: import_md5("")),
    ("password", lambda: import_md5(MD5_VECTOR[:-1])),
    ("password", lambda: import_md5(MD5_VECTOR + "0")),
    ("password", lambda: import_md5("g" * 32)),
    ("password", lambda: import_md5("\uff10" * 32)),
    ("password", lambda: import_md5(MD5_VECTOR[:-1] + "\n")),
    # sha
    ("passwordVersion", lambda: import_sha(SHA512_VECTOR, "sha999")),
    ("passwordVersion", lambda: import_sha(SHA512_VECTOR, "md5")),
    ("passwordVersion", lambda: import_sha(SHA512_VECTOR, "sha512_256")),
    ("passwordVersion", lambda: import_sha(SHA512_VECTOR, " sha512")),
    ("password", lambda: import_sha(SHA512_VECTOR, "sha256")),
    ("password", lambda: import_sha(SHA512_VECTOR, None)),
    ("password", lambda: import_sha(SHA512_VECTOR[:-2], "sha512")),
    ("password", lambda: import_sha("z" * 128, "sha512")),
    ("password", lambda: import_sha("a" * 64, "sha224")),
    # phpass
    ("password", lambda: import_phpass("")),
    ("password", lambda: import_phpass("$P$4" + "a" * 30)),  # log2 6
    ("password", lambda: import_phpass("$P$Z" + "a" * 30)),  # log2 37
    ("password", lambda: import_phpass("$Q$B" + "a" * 30)),
    ("password", lambda: import_phpass(VALID_PORTABLE[:-1])),
    ("password", lambda: import_phpass(VALID_PORTABLE + "a")),
    ("password", lambda: import_phpass(VALID_PORTABLE[:-1] + "!")),
    ("password", lambda: import_phpass(MD5_VECTOR)),
    # scrypt: passwordCpu is N
    ("passwordCpu", lambda: import_scrypt(SCRYPT_HEX_64, "s", 0, 8, 1, 64)),
    ("passwordCpu", lambda: import_scrypt(SCRYPT_HEX_64, "s", 1, 8, 1, 64)),
    ("passwordCpu", lambda: import_scrypt(SCRYPT_HEX_64, "s", 3, 8, 1, 64)),
    ("passwordCpu", lambda: import_scrypt(SCRYPT_HEX_64, "s", -16384, 8, 1, 64)),
    ("passwordCpu", lambda: import_scrypt(SCRYPT_HEX_64, "s", 16384.5, 8, 1, 64)),
    ("passwordCpu", lambda: import_scrypt(SCRYPT_HEX_64, "s", True, 8, 1, 64)),
    ("passwordCpu", lambda: import_scrypt(SCRYPT_HEX_64, "s", "16384", 8, 1, 64)),
    ("passwordCpu", lambda: import_scrypt(SCRYPT_HEX_64, "s", None, 8, 1, 64)),
    ("passwordCpu", lambda: import_scrypt(SCRYPT_HEX_64, "s", float("inf"), 8, 1, 64)),
    ("passwordCpu", lambda: import_scrypt(SCRYPT_HEX_64, "s", float("nan"), 8, 1, 64)),
    ("passwordCpu", lambda: import_scrypt(SCRYPT_HEX_64, "s", 2**23, 8, 1, 64)),
    ("passwordCpu", lambda: import_scrypt(SCRYPT_HEX_64, "s", 2**62, 8, 1, 64)),
    ("passwordCpu", lambda: import_scrypt(SCRYPT_HEX_64, "s", 2.0**1000, 8, 1, 64)),
    # passwordMemory is r
    ("passwordMemory", lambda: import_scrypt(SCRYPT_HEX_64, "s", 16384, 0, 1, 64)),
    ("passwordMemory", lambda: import_scrypt(SCRYPT_HEX_64, "s", 16384, -1, 1, 64)),
    ("passwordMemory", lambda: import_scrypt(SCRYPT_HEX_64, "s", 16384, 8.5, 1, 64)),
    ("passwordMemory", lambda: import_scrypt(SCRYPT_HEX_64, "s", 16384, False, 1, 64)),
    ("passwordMemory", lambda: import_scrypt(SCRYPT_HEX_64, "s", 16384, "8", 1, 64)),
    ("passwordMemory", lambda: import_scrypt(SCRYPT_HEX_64, "s", 16384, 2**20, 1, 64)),
    ("passwordMemory", lambda: import_scrypt(SCRYPT_HEX_64, "s", 2**20, 8, 1, 64)),  # 1 GiB+
    ("passwordMemory", lambda: import_scrypt(SCRYPT_HEX_64, "s", 2**16, 1, 1, 64)),  # N≥2^16r
    ("passwordMemory", lambda: import_scrypt(SCRYPT_HEX_64, "s", 16384, 10**300, 1, 64)),
    # passwordParallel is p
    ("passwordParallel", lambda: import_scrypt(SCRYPT_HEX_64, "s", 16384, 8, 0, 64)),
    ("passwordParallel", lambda: import_scrypt(SCRYPT_HEX_64, "s", 16384, 8, 1.5, 64)),
    ("passwordParallel", lambda: import_scrypt(SCRYPT_HEX_64, "s", 16384, 8, True, 64)),
    ("passwordParallel", lambda: import_scrypt(SCRYPT_HEX_64, "s", 16384, 8, "1", 64)),
    ("passwordParallel", lambda: import_scrypt(SCRYPT_HEX_64, "s", 2, 1, 2**30, 64)),
    ("passwordParallel", lambda: import_scrypt(SCRYPT_HEX_64, "s", 2, 1, 2**23, 64)),
    ("passwordParallel", lambda: import_scrypt(SCRYPT_HEX_64, "s", 2**16, 8, 2**20, 64)),
    # passwordLength
    ("passwordLength", lambda: import_scrypt("ab" * 15, "s", 16384, 8, 1, 15)),
    ("passwordLength", lambda: import_scrypt("ab" * 1025, "s", 16384, 8, 1, 1025)),
    ("passwordLength", lambda: import_scrypt(SCRYPT_HEX_64, "s", 16384, 8, 1, 64.5)),
    ("passwordLength", lambda: import_scrypt(SCRYPT_HEX_64, "s", 16384, 8, 1, "64")),
    ("passwordLength", lambda: import_scrypt(SCRYPT_HEX_64, "s", 16384, 8, 1, True)),
    ("passwordLength", lambda: import_scrypt(SCRYPT_HEX_64, "s", 16384, 8, 1, None)),
    # passwordSalt and the hash itself
    ("passwordSalt", lambda: import_scrypt(SCRYPT_HEX_64, "", 16384, 8, 1, 64)),
    ("passwordSalt", lambda: import_scrypt(SCRYPT_HEX_64, None, 16384, 8, 1, 64)),  # type: ignore[arg-type]
    ("password", lambda: import_scrypt(SCRYPT_HEX_64, "s", 16384, 8, 1, 32)),
    ("password", lambda: import_scrypt(SCRYPT_HEX_64[:-1], "s", 16384, 8, 1, 64)),
    ("password", lambda: import_scrypt("zz" * 64, "s", 16384, 8, 1, 64)),
    ("password", lambda: import_scrypt(SCRYPT_HEX_64 + "\n", "s", 16384, 8, 1, 64)),
    # scrypt-modified
    ("passwordSalt", lambda: import_scrypt_modified(B64, "", B64, B64)),
    ("passwordSalt", lambda: import_scrypt_modified(B64, "YQ", B64, B64)),  # bad padding
    ("passwordSalt", lambda: import_scrypt_modified(B64, "Y$Q=", B64, B64)),
    ("passwordSalt", lambda: import_scrypt_modified(B64, "YQ===", B64, B64)),
    ("passwordSalt", lambda: import_scrypt_modified(B64, "====", B64, B64)),
    ("passwordSalt", lambda: import_scrypt_modified(B64, "YQ==\n", B64, B64)),
    ("passwordSalt", lambda: import_scrypt_modified(B64, "YQ-_", B64, B64)),
    ("passwordSaltSeparator", lambda: import_scrypt_modified(B64, B64, "", B64)),
    ("passwordSaltSeparator", lambda: import_scrypt_modified(B64, B64, "B", B64)),
    ("passwordSaltSeparator", lambda: import_scrypt_modified(B64, B64, "Bw= =", B64)),
    ("passwordSignerKey", lambda: import_scrypt_modified(B64, B64, B64, "")),
    ("passwordSignerKey", lambda: import_scrypt_modified(B64, B64, B64, "not base64!")),
    ("passwordSignerKey", lambda: import_scrypt_modified(B64, B64, B64, None)),  # type: ignore[arg-type]
    ("password", lambda: import_scrypt_modified("", B64, B64, B64)),
    ("password", lambda: import_scrypt_modified("abc", B64, B64, B64)),
    ("password", lambda: import_scrypt_modified(PHPASS_VECTOR, B64, B64, B64)),
]


@pytest.mark.parametrize(("param", "call"), BAD_IMPORTS)
def test_bad_import_is_argument_invalid(param: str, call: Callable[[], object]) -> None:
    rejects(param, call)


def test_good_edge_imports() -> None:
    assert import_bcrypt(VALID_BCRYPT).options == {"type": "bcrypt", "cost": 4}
    assert import_phpass("$H$5" + "." * 30).value == "$H$5" + "." * 30  # log2 7
    assert import_phpass("$P$I" + "." * 30).options == {"type": "phpass"}  # log2 20
    assert import_phpass(VALID_BCRYPT).value == VALID_BCRYPT
    assert import_md5(MD5_VECTOR.upper()).value == MD5_VECTOR.upper()
    assert import_sha("a" * 56, "SHA512/224").options == {"type": "sha", "version": "sha512/224"}
    assert import_sha("A" * 64, "Sha3-256").options["version"] == "sha3-256"
    assert import_argon2(VALID_ARGON2).options["memory_cost"] == 8
    assert import_argon2("$argon2i$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA").options["time_cost"] == 1
    largest = import_scrypt("ab" * 1024, "☃", 2.0**19, 8.0, 1.0, 1024.0)
    assert largest.options["costCpu"] == 2**19
    assert import_scrypt("AB" * 16, "s", 2, 1, 1, 16).options["length"] == 16
    assert import_scrypt_modified("YWJj", "YQ==", "YWI=", "YWJj").options["signerKey"] == "YWJj"


anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70).map(float),
    st.floats(),
    st.sampled_from([2, 2.0, 16384, 16384.0, 1, 8, 64, 64.0, 2**16, 2**22, 2**30]),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=2),
)
base64ish = st.one_of(
    st.from_regex(r"[A-Za-z0-9+/=]{0,12}", fullmatch=True),
    st.binary(max_size=9).map(lambda raw: base64.b64encode(raw).decode()),
    st.text(max_size=12),
)


def only_argument_invalid(call: Callable[[], StoredPassword]) -> StoredPassword | None:
    try:
        return call()
    except ArgumentInvalid as error:
        assert error.message.startswith("Invalid `password")
        return None


@settings(max_examples=300, deadline=None)
@given(cpu=anything, memory=anything, parallel=anything, length=anything, hash=st.text())
def test_scrypt_import_raises_only_argument_invalid(
    cpu: object, memory: object, parallel: object, length: object, hash: str
) -> None:
    stored = only_argument_invalid(lambda: import_scrypt(hash, "s", cpu, memory, parallel, length))
    if stored is not None:
        options = stored.options
        needed = 128 * options["costMemory"] * (options["costCpu"] + options["costParallel"] + 2)
        assert needed <= 2**30


@settings(max_examples=300, deadline=None)
@given(hash=base64ish, salt=base64ish, separator=base64ish, signer_key=base64ish)
def test_scrypt_modified_import_raises_only_argument_invalid(
    hash: str, salt: str, separator: str, signer_key: str
) -> None:
    only_argument_invalid(lambda: import_scrypt_modified(hash, salt, separator, signer_key))


@settings(max_examples=200, deadline=None)
@given(hash=st.text(), version=st.one_of(st.none(), st.sampled_from(SHA_VERSIONS), st.text()))
def test_string_imports_raise_only_argument_invalid(hash: str, version: str | None) -> None:
    for importer in (import_argon2, import_bcrypt, import_md5, import_phpass):
        only_argument_invalid(functools.partial(importer, hash))
    only_argument_invalid(lambda: import_sha(hash, version))


# --- verify never raises -----------------------------------------------------------------

ALGORITHMS = ["argon2", "bcrypt", "md5", "sha", "phpass", "scrypt", "scryptMod", "nope", ""]
small_anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 64),
    st.floats(),
    st.sampled_from(["sha1", "sha512/224", "YQ==", "salt"]),
    st.text(max_size=6),
    st.lists(st.integers(), max_size=2),
)
option_keys = st.sampled_from(
    [
        *("type", "version", "costCpu", "costMemory", "costParallel", "length", "salt"),
        *("saltSeparator", "signerKey", "memory_cost", "cost"),
    ]
)
stored_values = st.one_of(
    st.text(),
    st.sampled_from([MD5_VECTOR, SHA512_VECTOR, PHPASS_VECTOR, ARGON2I_VECTOR, "YQ==", "ab" * 16]),
)


@settings(max_examples=300, deadline=None)
@given(
    algorithm=st.sampled_from(ALGORITHMS),
    value=stored_values,
    options=st.dictionaries(option_keys, small_anything, max_size=6),
    plain=st.one_of(
        st.text(max_size=12),
        st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=3),
    ),
)
def test_verify_never_raises(
    algorithm: str, value: str, options: dict[str, Any], plain: str
) -> None:
    assert verify(StoredPassword(value, algorithm, options), plain) in {True, False}


@pytest.mark.parametrize(
    "stored",
    [
        StoredPassword(MD5_VECTOR, "MD5", {"type": "md5"}),
        StoredPassword(MD5_VECTOR, "sha", {"version": "md5"}),
        StoredPassword(SCRYPT_VECTOR, "scrypt", {}),
        StoredPassword(SCRYPT_VECTOR, "scrypt", {"costCpu": 2**40, "costMemory": 13}),
        StoredPassword(SCRYPT_MODIFIED_VECTOR, "scryptMod", {"salt": "%%"}),
        StoredPassword("$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA", "argon2", {}),
        StoredPassword("$argon2id$v=19$m=8,t=1,p=1$é$aGFzaA", "argon2", {}),
        StoredPassword("$2b$03$" + "a" * 53, "bcrypt", {}),
        StoredPassword("$2b$04$" + "é" * 53, "bcrypt", {}),
        StoredPassword("$2x$04$" + "a" * 53, "phpass", {}),
        StoredPassword(PHPASS_VECTOR, "bcrypt", {}),
        StoredPassword(None, "md5", {}),  # type: ignore[arg-type]
        StoredPassword(MD5_VECTOR, "md5", None),  # type: ignore[arg-type]
    ],
)
def test_verify_malformed_is_false(stored: StoredPassword) -> None:
    assert verify(stored, PASSWORD) is False


def test_surrogates_in_passwords_do_not_raise() -> None:
    lone = "app\ud800write"
    for name in ("md5", "sha512", "phpass", "argon2i"):
        assert verify(FAST_VECTORS[name][0](), lone) is False
    fresh = Argon2(memory_cost=8, time_cost=1, threads=1)
    stored = fresh.hash(lone)
    assert fresh.verify(stored.value, lone) is True
    assert verify(stored, lone) is True
    assert verify(stored, "app\udc00write") is False


# --- needs_rehash ------------------------------------------------------------------------

CURRENT = Argon2(memory_cost=64, time_cost=2, threads=1)


def _argon2(variant: str, memory: int, time: int) -> StoredPassword:
    value = passlib_hash(
        "argon2", PASSWORD, type=variant, rounds=time, memory_cost=memory, parallelism=1
    )
    return import_argon2(value)


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        (CURRENT.hash(PASSWORD), False),
        (_argon2("id", 64, 2), False),
        (_argon2("id", 128, 3), False),
        (_argon2("id", 32, 2), True),
        (_argon2("id", 64, 1), True),
        (_argon2("i", 64, 2), True),
        (_argon2("d", 128, 3), True),
        (StoredPassword("$argon2id$garbage", "argon2", {}), True),
        (StoredPassword(ARGON2ID_VECTOR, "Argon2", {}), True),
    ],
)
def test_needs_rehash_argon2(stored: StoredPassword, expected: bool) -> None:
    assert needs_rehash(stored, CURRENT) is expected


def test_needs_rehash_against_appwrite_defaults() -> None:
    defaults = Argon2()
    assert needs_rehash(import_argon2(ARGON2ID_VECTOR), defaults) is False
    assert needs_rehash(import_argon2(ARGON2I_VECTOR), defaults) is True


@pytest.mark.parametrize("name", ["md5", "sha512", "scrypt", "scryptMod", "phpass"])
def test_needs_rehash_every_other_scheme(name: str) -> None:
    assert needs_rehash(FAST_VECTORS[name][0](), CURRENT) is True


@pytest.mark.parametrize(
    "importer",
    [
        lambda: import_bcrypt("$2y$16$" + VALID_BCRYPT[7:]),
        lambda: import_bcrypt("$2y$03$" + VALID_BCRYPT[7:]),
        lambda: import_bcrypt("$2b$04$" + "a" * 53),
        lambda: import_phpass("$P$J" + "." * 30),
        lambda: import_argon2("$argon2id$v=19$m=524288,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"),
        lambda: import_argon2("$argon2id$v=19$m=8,t=11,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"),
        lambda: import_argon2("$argon2id$v=19$m=65536,t=4,p=3$YQ$YQ"),
        lambda: import_scrypt("ab" * 16, "s", 2.0**20, 8, 1, 16),
        lambda: import_scrypt("ab" * 16, "s", 2, 1, 8_000_000, 16),
    ],
    ids=[
        "bcrypt-16",
        "bcrypt-3",
        "bcrypt-bad-salt",
        "phpass-2^21",
        "argon2-512MiB",
        "argon2-t11",
        "argon2-short-salt",
        "scrypt-work",
        "scrypt-parallel",
    ],
)
def test_costly_or_unverifiable_imports_are_refused(importer: Callable[[], object]) -> None:
    with pytest.raises(ArgumentInvalid):
        importer()


def test_needs_rehash_bcrypt() -> None:
    assert needs_rehash(import_bcrypt(BCRYPT_VECTOR), CURRENT) is True
    assert needs_rehash(import_phpass(VALID_BCRYPT), CURRENT) is True


def _most_at_once(budget: argon2_scheme.MemoryBudget, costs: list[int]) -> int:
    """Hold each cost from its own thread for a moment; the most held at the same time."""
    lock, now, most = threading.Lock(), [0], [0]

    def hold(kib: int) -> None:
        with budget.held(kib):
            with lock:
                now[0] += 1
                most[0] = max(most[0], now[0])
            time.sleep(0.05)
            with lock:
                now[0] -= 1

    threads = [threading.Thread(target=hold, args=(kib,)) for kib in costs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return most[0]


def test_the_argon2_memory_budget_bounds_concurrent_hashing() -> None:
    budget = argon2_scheme.MemoryBudget(100)
    assert _most_at_once(budget, [60] * 4) == 1
    assert _most_at_once(budget, [30] * 6) == 3
    assert _most_at_once(budget, [500, 500]) == 1  # costlier than the budget: alone
    budget.resize(200)
    assert _most_at_once(budget, [60] * 6) == 3


def test_hashing_and_verifying_wait_for_the_budget() -> None:
    hasher = argon2_scheme.Argon2(memory_cost=1024, time_cost=1, threads=1)
    stored = hasher.hash("secret")
    argon2_scheme.BUDGET.resize(1024)
    try:
        for work in (lambda: hasher.hash("secret"), lambda: argon2_scheme.verify(stored, "x")):
            holding = threading.Event()

            def hold(ready: threading.Event) -> None:
                with argon2_scheme.BUDGET.held(1024):
                    ready.set()
                    time.sleep(0.3)

            holder = threading.Thread(target=hold, args=(holding,))
            holder.start()
            holding.wait()
            started = time.monotonic()
            work()
            assert time.monotonic() - started >= 0.2  # it waited for the holder
            holder.join()
        assert argon2_scheme.verify(stored, "secret")
    finally:
        argon2_scheme.BUDGET.resize(65536)
