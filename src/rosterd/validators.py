"""Value validators with Appwrite's rules and descriptions.

A validator is called with a decoded JSON (or query-string) value and returns the
value to use, or raises `Invalid` whose text completes "Invalid `<param>` param: ...".
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal, Protocol

import phonenumbers
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

from rosterd.ids import UNIQUE


class Invalid(ValueError):
    """The value does not satisfy the validator; the text is the validator's description."""


#: The JSON value a parameter takes; GraphQL derives its argument types from it.
Kind = Literal["string", "boolean", "integer", "strings", "object"]


class Validator(Protocol):
    @property
    def description(self) -> str: ...

    @property
    def kind(self) -> Kind: ...

    def __call__(self, value: object) -> object: ...


_UID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,35}")
_PHONE = re.compile(r"\+[1-9][0-9]{6,14}")
_LABEL = re.compile(r"[A-Za-z0-9]{1,36}")


@dataclass(frozen=True)
class Text:
    """A string of `minimum..maximum` characters (Appwrite's Text defaults to at least 1)."""

    kind: ClassVar[Kind] = "string"
    maximum: int
    minimum: int = 1

    @property
    def description(self) -> str:
        return (
            f"Value must be a valid string and at least {self.minimum} chars "
            f"and no longer than {self.maximum} chars"
        )

    def __call__(self, value: object) -> str:
        if not isinstance(value, str) or not self.minimum <= len(value) <= self.maximum:
            raise Invalid(self.description)
        return value


@dataclass(frozen=True)
class UID:
    """Up to 36 of `[A-Za-z0-9._-]`, not starting with a special character."""

    kind: ClassVar[Kind] = "string"
    description: str = (
        "UID must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, period, "
        "hyphen, and underscore. Can't start with a special char"
    )

    def __call__(self, value: object) -> str:
        if not is_uid(value):
            raise Invalid(self.description)
        return str(value)


def is_uid(value: object) -> bool:
    return isinstance(value, str) and _UID.fullmatch(value) is not None


@dataclass(frozen=True)
class CustomId:
    """A UID, or the literal `unique()` asking the server to generate one."""

    kind: ClassVar[Kind] = "string"
    description: str = (
        "Parameter must be a valid ID: the literal unique(), or at most 36 chars of "
        "a-z, A-Z, 0-9, period, hyphen and underscore, not starting with a special char"
    )

    def __call__(self, value: object) -> str:
        if value == UNIQUE:
            return UNIQUE
        if not is_uid(value):
            raise Invalid(self.description)
        return str(value)


@dataclass(frozen=True)
class Email:
    """An email address, returned lowercased; `""` passes only with `allow_empty`."""

    kind: ClassVar[Kind] = "string"
    allow_empty: bool = False
    description: str = "Value must be a valid email address"

    def __call__(self, value: object) -> str:
        if not isinstance(value, str):
            raise Invalid(self.description)
        if value == "" and self.allow_empty:
            return ""
        if not is_email(value):
            raise Invalid(self.description)
        return value.strip().lower()


# The everyday shape of an address, which `validate_email` always accepts: a dot-atom of
# letters, digits and `_+-`, and a domain of LDH labels under an alphabetic top-level
# domain (no `--`, which IDNA reads specially). It is only a shortcut to the same answer:
# whatever it does not match goes to `validate_email` (tests/test_validators.py holds
# the two in agreement).
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_+-]{1,64}(?:\.[A-Za-z0-9_+-]+)*@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,63}"
)
_SPECIAL_USE = tuple(name for name in SPECIAL_USE_DOMAIN_NAMES if name != "test")


def _plain_email(address: str) -> bool:
    if len(address) > 254 or "--" in address or not _PLAIN_EMAIL.fullmatch(address):
        return False
    local, _, domain = address.lower().partition("@")
    if len(local) > 64:
        return False
    return not any(domain == name or domain.endswith("." + name) for name in _SPECIAL_USE)


def is_email(value: str) -> bool:
    address = value.strip()
    if address.count("@") != 1 or len(address) > 320:
        return False
    if _plain_email(address):
        return True
    try:
        validate_email(
            address, check_deliverability=False, allow_smtputf8=False, test_environment=True
        )
    except EmailNotValidError:
        return False
    return True


@dataclass(frozen=True)
class Phone:
    """E.164: `+`, a valid country calling code, at most 15 digits in all."""

    kind: ClassVar[Kind] = "string"
    allow_empty: bool = False
    description: str = (
        "Phone number must start with a '+' and can have a maximum of fifteen digits."
    )

    def __call__(self, value: object) -> str:
        if not isinstance(value, str):
            raise Invalid(self.description)
        if value == "" and self.allow_empty:
            return ""
        if not is_phone(value):
            raise Invalid(self.description)
        return value


def is_phone(value: str) -> bool:
    if not _PHONE.fullmatch(value):
        return False
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return False
    calling_code = number.country_code or 0
    return phonenumbers.region_code_for_country_code(calling_code) != "ZZ"


@dataclass(frozen=True)
class Password:
    """A password of 8..256 bytes; `""` passes only with `allow_empty`."""

    kind: ClassVar[Kind] = "string"
    allow_empty: bool = False
    minimum: int = 8
    maximum: int = 256

    @property
    def description(self) -> str:
        return f"Password must be between {self.minimum} and {self.maximum} characters long."

    def __call__(self, value: object) -> str:
        if not isinstance(value, str):
            raise Invalid(self.description)
        if value == "" and self.allow_empty:
            return ""
        if not self.minimum <= len(value.encode()) <= self.maximum:
            raise Invalid(self.description)
        return value


_TRUE = (True, "true", "1", 1)
_FALSE = (False, "false", "0", 0)


@dataclass(frozen=True)
class Boolean:
    """A boolean; `loose` also takes `"true"`, `"false"`, `"1"`, `"0"`, `1` and `0`."""

    kind: ClassVar[Kind] = "boolean"
    loose: bool = False
    description: str = "Value must be a valid boolean"

    def __call__(self, value: object) -> bool:
        if isinstance(value, bool):
            return value
        if self.loose and not isinstance(value, float):
            if value in _TRUE:
                return True
            if value in _FALSE:
                return False
        raise Invalid(self.description)


@dataclass(frozen=True)
class Assoc:
    """A JSON object whose encoding is at most `max_bytes` bytes.

    The size is measured as PHP's `json_encode` writes it (non-ASCII as `\\uXXXX`, `/` as
    `\\/`), so the same prefs pass or fail here as on Appwrite.
    """

    kind: ClassVar[Kind] = "object"
    max_bytes: int = 65535
    description: str = "Value must be a valid object and no longer than 65535 bytes."

    def __call__(self, value: object) -> dict[str, object]:
        if not isinstance(value, dict):
            raise Invalid(self.description)
        encoded = json.dumps(value, separators=(",", ":")).replace("/", "\\/")
        if len(encoded) > self.max_bytes:
            raise Invalid(self.description)
        return value


@dataclass(frozen=True)
class Labels:
    """Up to 1000 labels of 1..36 alphanumerics, deduplicated in first-seen order."""

    kind: ClassVar[Kind] = "strings"
    maximum: int = 1000
    description: str = (
        "Value must a valid array no longer than 1000 items and Value must be a valid "
        "string and at least 1 chars and no longer than 36 chars, containing only "
        "alphanumeric chars"
    )

    def __call__(self, value: object) -> list[str]:
        if not isinstance(value, list) or len(value) > self.maximum:
            raise Invalid(self.description)
        if not all(isinstance(item, str) and _LABEL.fullmatch(item) for item in value):
            raise Invalid(self.description)
        return list(dict.fromkeys(value))


@dataclass(frozen=True)
class Strings:
    """An array of at most `maximum` strings of at most `length` characters."""

    kind: ClassVar[Kind] = "strings"
    maximum: int = 100
    length: int = 4096

    @property
    def description(self) -> str:
        return (
            f"Value must a valid array no longer than {self.maximum} items and "
            f"Value must be a valid string and no longer than {self.length} chars"
        )

    def __call__(self, value: object) -> list[str]:
        if isinstance(value, str):
            value = [value]  # a bare `queries=x` in a query string
        if not isinstance(value, list) or len(value) > self.maximum:
            raise Invalid(self.description)
        if not all(isinstance(item, str) and len(item) <= self.length for item in value):
            raise Invalid(self.description)
        return list(value)


@dataclass(frozen=True)
class WhiteList:
    """One of a fixed set of strings."""

    kind: ClassVar[Kind] = "string"
    allowed: Sequence[str]

    @property
    def description(self) -> str:
        return "Value must be one of (" + ", ".join(self.allowed) + ")"

    def __call__(self, value: object) -> str:
        if not isinstance(value, str) or value not in self.allowed:
            raise Invalid(self.description)
        return value


@dataclass(frozen=True)
class Number:
    """A JSON number that is a whole number (the SDKs may send `16384.0`)."""

    kind: ClassVar[Kind] = "integer"
    description: str = "Value must be a valid integer"

    def __call__(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Invalid(self.description)
        if isinstance(value, float) and not value.is_integer():
            raise Invalid(self.description)
        return int(value)


@dataclass(frozen=True)
class Range:
    """A whole number from `minimum` to `maximum`, as a JSON number or a string of digits."""

    kind: ClassVar[Kind] = "integer"
    minimum: int
    maximum: int

    @property
    def description(self) -> str:
        return f"Value must be a valid range between {self.minimum:,} and {self.maximum:,}"

    def __call__(self, value: object) -> int:
        if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,19}", value):
            value = int(value)
        try:
            number = Number()(value)
        except Invalid:
            raise Invalid(self.description) from None
        if not self.minimum <= number <= self.maximum:
            raise Invalid(self.description)
        return number
