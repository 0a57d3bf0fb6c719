"""Property tests for the id, email, phone and other parameter validators."""

from __future__ import annotations

import json
import re

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from rosterd import ids, validators
from rosterd.validators import (
    UID,
    Assoc,
    Boolean,
    CustomId,
    Email,
    Invalid,
    Labels,
    Password,
    Phone,
    Text,
)

UID_ALPHABET = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
UID_REST = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
VALID_UIDS = st.builds(
    lambda head, tail: head + "".join(tail), UID_ALPHABET, st.lists(UID_REST, max_size=35)
)


@given(VALID_UIDS)
def test_valid_uids_pass_unchanged(value: str) -> None:
    assert UID()(value) == value
    assert CustomId()(value) == value


@given(st.text(max_size=60))
def test_uid_accepts_exactly_the_rule(value: str) -> None:
    expected = re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,35}", value) is not None
    try:
        UID()(value)
    except Invalid:
        assert not expected
    else:
        assert expected


@given(st.one_of(st.integers(), st.none(), st.lists(st.text()), st.booleans()))
def test_uid_rejects_non_strings(value: object) -> None:
    with pytest.raises(Invalid):
        UID()(value)


def test_custom_id_takes_unique() -> None:
    assert CustomId()("unique()") == "unique()"
    assert re.fullmatch(r"[0-9a-f]{20}", ids.resolve("unique()"))
    assert ids.resolve("mine") == "mine"
    with pytest.raises(Invalid):
        UID()("unique()")


LOCAL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=20)
# Special-use names (`.localhost`, `.local`, `.invalid`, ...) are refused on purpose; see
# docs/compatibility.md. Generated domains end in an ordinary top-level domain.
DOMAIN = st.builds(
    lambda labels, top: [*labels, top],
    st.lists(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10),
        min_size=1,
        max_size=3,
    ),
    st.sampled_from(["com", "org", "io", "uk", "test"]),
)


@given(LOCAL, DOMAIN)
def test_plain_emails_pass_lowercased(local: str, labels: list[str]) -> None:
    address = f"{local}@{'.'.join(labels)}"
    assert Email()(address.upper()) == address


@given(st.text(max_size=40).filter(lambda text: text.count("@") != 1))
def test_emails_need_exactly_one_at(value: str) -> None:
    with pytest.raises(Invalid):
        Email()(value)


@settings(max_examples=600)
@given(st.from_regex(validators._PLAIN_EMAIL, fullmatch=True))
def test_the_plain_shortcut_agrees_with_email_validator(address: str) -> None:
    """`is_email` answers plain addresses without `validate_email`; it must answer as it."""
    try:
        validate_email(
            address, check_deliverability=False, allow_smtputf8=False, test_environment=True
        )
    except EmailNotValidError:
        assert not validators._plain_email(address)
    else:
        assert validators.is_email(address)


def test_the_plain_shortcut_leaves_special_names_to_email_validator() -> None:
    for address in ["a@b.localhost", "a@x.onion", "a@my.local", "a@b.invalid", "a@x--y.com"]:
        assert not validators._plain_email(address)
    assert validators._plain_email("first.last+tag@mail.example.co.uk")
    assert validators.is_email("a@b.test")


def test_email_edges() -> None:
    for bad in ["", "a@b", "a b@c.com", "a@b..com", "@b.com", "a@", "é@b.com", "a@b.localhost"]:
        with pytest.raises(Invalid):
            Email()(bad)
    assert Email(allow_empty=True)("") == ""


@given(
    st.integers(min_value=2, max_value=9), st.text(alphabet="0123456789", min_size=6, max_size=13)
)
def test_phone_shape(first: int, rest: str) -> None:
    number = f"+{first}{rest}"
    try:
        assert Phone()(number) == number
    except Invalid:
        # Only an unassigned country calling code may refuse a well-shaped number.
        assert not re.fullmatch(r"\+[1-9]\d{6,14}", number) or number[1:4]


def test_phone_edges() -> None:
    assert Phone()("+16175551212") == "+16175551212"
    assert Phone()("+910000000000") == "+910000000000"
    for bad in ["6175551212", "+0123456789", "+1234567890123456", "+1 617 555 1212", "+999123456"]:
        with pytest.raises(Invalid):
            Phone()(bad)
    assert Phone(allow_empty=True)("") == ""


@given(st.text(max_size=300))
def test_text_length_in_characters(value: str) -> None:
    passes = 1 <= len(value) <= 128
    try:
        assert Text(128)(value) == value
    except Invalid:
        assert not passes
    else:
        assert passes


@given(st.text(min_size=1, max_size=300))
def test_password_length_in_bytes(value: str) -> None:
    passes = 8 <= len(value.encode()) <= 256
    try:
        Password()(value)
    except Invalid:
        assert not passes
    else:
        assert passes


@pytest.mark.parametrize("value", [True, "true", "1", 1])
def test_loose_true(value: object) -> None:
    assert Boolean(loose=True)(value) is True


@pytest.mark.parametrize("value", [False, "false", "0", 0])
def test_loose_false(value: object) -> None:
    assert Boolean(loose=True)(value) is False


@pytest.mark.parametrize("value", ["true", 1, 0, "yes", 1.0, None, []])
def test_strict_boolean_rejects(value: object) -> None:
    with pytest.raises(Invalid):
        Boolean()(value)


@given(st.lists(st.text(alphabet="abcXYZ019", min_size=1, max_size=36), max_size=50))
def test_labels_deduplicate_in_order(values: list[str]) -> None:
    assert Labels()(values) == list(dict.fromkeys(values))


def test_assoc_size_limit() -> None:
    near = {"k": "x" * (65535 - len(json.dumps({"k": ""}, separators=(",", ":"))))}
    assert Assoc()(near) == near
    with pytest.raises(Invalid):
        Assoc()({"k": "x" * 65535})
    with pytest.raises(Invalid):
        Assoc()(["not", "an", "object"])
