"""JSON: orjson's bytes and values where it can, the standard library's where it cannot,
and the same document either way. Only a float's exponent may be spelt otherwise
(`1e-7`, where Python writes `1e-07`)."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from rosterd.jsoncodec import decoded, encoded

TEXT = st.text(st.characters(codec="utf-8"))
EXACT = st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**64 - 1) | TEXT
FLOATS = st.floats(allow_nan=False, allow_infinity=False)
BIG = st.integers(min_value=2**64).map(lambda n: {"big": n})


def _documents(scalars: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars, lambda inner: st.lists(inner) | st.dictionaries(TEXT, inner), max_leaves=30
    )


def _standard(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


@given(_documents(EXACT))
def test_without_floats_the_bytes_are_the_standard_librarys(document: Any) -> None:
    assert encoded(document) == _standard(document)


@given(_documents(EXACT | FLOATS))
def test_with_floats_the_document_is_the_same(document: Any) -> None:
    assert json.loads(encoded(document)) == json.loads(_standard(document))


def test_a_float_exponent_has_no_leading_zero() -> None:
    assert encoded([1.192092896e-07, 1e16, 0.5]) == b"[1.192092896e-7,1e+16,0.5]"


@given(BIG)
def test_integers_past_64_bits_are_written_in_full(document: dict[str, int]) -> None:
    assert encoded(document) == _standard(document)
    assert json.loads(encoded(document)) == document


@given(_documents(EXACT | FLOATS | BIG))
def test_decoding_gives_what_the_standard_library_gives(document: Any) -> None:
    for text in (json.dumps(document), _standard(document).decode(), _standard(document)):
        assert decoded(text) == json.loads(text)
        assert repr(decoded(text)) == repr(json.loads(text))


def test_what_orjson_would_read_otherwise_is_read_by_the_standard_library() -> None:
    big = '{"n":1180591620717411303424}'
    assert decoded(big) == {"n": 2**70} and isinstance(decoded(big)["n"], int)
    assert decoded(big.encode()) == {"n": 2**70}
    assert decoded('"\\ud800"') == "\ud800"
    assert math.isnan(decoded("[NaN]")[0])
