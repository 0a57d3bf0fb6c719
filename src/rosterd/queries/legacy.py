"""The 1.4 query syntax, `method("attribute", value, ...)`, converted to the JSON query object.

Only clients asking for a response format older than 1.5.0 send this. The converter knows
the shape of each method's parameters and nothing else: validating the result is the job
of `rosterd.queries.parser`, exactly as for a JSON query.
"""

from __future__ import annotations

import re
from typing import TypeAlias

from rosterd.errors import QueryInvalid

#: One literal: a quoted string, a number, `true`, `false` or `null`.
Scalar: TypeAlias = str | int | float | bool | None

#: One parameter: a literal or a flat `[...]` array of literals.
Parameter: TypeAlias = Scalar | list[Scalar]

#: Methods whose parameters are all values; every other method takes an attribute first.
_VALUES_ONLY_METHODS = frozenset(
    {"limit", "offset", "cursorAfter", "cursorBefore", "select", "orderRandom", "and", "or"}
)

#: Characters that may follow a backslash inside a quoted string to stand for themselves.
_ESCAPABLE = frozenset({",", "[", "]", '"', "'", "\\"})

#: Characters that end a bare (unquoted) literal.
_BARE_END = frozenset({",", "[", "]", " ", "\t", "\r", "\n"})

_INTEGER = re.compile(r"-?\d+")
_DECIMAL = re.compile(r"-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?")
_KEYWORDS: dict[str, Scalar] = {"true": True, "false": False, "null": None}


def parse_legacy_query(text: str) -> dict[str, object]:
    """Convert one legacy query string to the JSON query object it stands for.

    `equal("name", ["x"])` becomes `{"method": "equal", "attribute": "name", "values": ["x"]}`
    and `limit(5)` becomes `{"method": "limit", "values": [5]}`. Raises `QueryInvalid` when the
    text is not `method(params)`, uses the dotted pre-1.0 method syntax, or has parameters that
    cannot be parsed.
    """
    method, inner = _split_call(text)
    parameters = _ParameterScanner(inner, method).parameters()
    return _to_query_object(method, parameters)


def _split_call(text: str) -> tuple[str, str]:
    """Split `method(params)` into the method name and the text between the parentheses."""
    if not _is_unicode(text):
        raise _syntax_error("the query contains characters that are not valid Unicode")
    stripped = text.strip()
    open_at = stripped.find("(")
    if open_at < 0:
        raise _syntax_error('a legacy query must look like method(parameters), "(" is missing')
    method = stripped[:open_at].strip()
    if "." in method:
        raise _syntax_error(f'method "{method}" uses the removed dotted syntax')
    if not stripped.endswith(")"):
        raise _syntax_error(f'the parameters of "{method}" must end with ")"')
    return method, stripped[open_at + 1 : -1]


def _to_query_object(method: str, parameters: list[Parameter]) -> dict[str, object]:
    """Arrange parsed parameters as `method`, `attribute` and `values` keys."""
    if method in _VALUES_ONLY_METHODS:
        return {"method": method, "values": _values_from(parameters)}
    if not parameters:
        return {"method": method}
    return {"method": method, "attribute": parameters[0], "values": _values_from(parameters[1:])}


def _values_from(parameters: list[Parameter]) -> list[object]:
    """A single array parameter is the value list; otherwise each parameter is one value."""
    if len(parameters) == 1 and isinstance(parameters[0], list):
        return list(parameters[0])
    return list(parameters)


def _is_unicode(text: str) -> bool:
    """False when the text holds lone surrogates, which no database column can store."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _syntax_error(detail: str) -> QueryInvalid:
    return QueryInvalid(f"Invalid query: {detail}")


class _ParameterScanner:
    """Reads the comma-separated parameter list of one legacy call, left to right."""

    def __init__(self, text: str, method: str) -> None:
        self.text = text
        self.method = method
        self.position = 0

    def parameters(self) -> list[Parameter]:
        """Every parameter in order; an empty list for `method()`."""
        self._skip_whitespace()
        if self._at_end():
            return []
        found = [self._parameter()]
        self._skip_whitespace()
        while not self._at_end():
            self._expect(",")
            found.append(self._parameter())
            self._skip_whitespace()
        return found

    def _parameter(self) -> Parameter:
        self._skip_whitespace()
        if self._peek() == "[":
            return self._array()
        return self._scalar()

    def _array(self) -> list[Scalar]:
        self._expect("[")
        self._skip_whitespace()
        if self._peek() == "]":
            self.position += 1
            return []
        items = [self._scalar()]
        self._skip_whitespace()
        while self._peek() != "]":
            self._expect(",")
            items.append(self._scalar())
            self._skip_whitespace()
        self.position += 1
        return items

    def _scalar(self) -> Scalar:
        self._skip_whitespace()
        character = self._peek()
        if character in {'"', "'"}:
            return self._quoted(character)
        if character == "[":
            raise self._error("nested arrays are not supported")
        return self._bare()

    def _quoted(self, quote: str) -> str:
        self.position += 1
        pieces: list[str] = []
        while not self._at_end():
            character = self.text[self.position]
            self.position += 1
            if character == quote:
                return "".join(pieces)
            if character == "\\" and self._peek() in _ESCAPABLE:
                character = self.text[self.position]
                self.position += 1
            pieces.append(character)
        raise self._error("a quoted string is not closed")

    def _bare(self) -> Scalar:
        start = self.position
        while not self._at_end() and self.text[self.position] not in _BARE_END:
            self.position += 1
        token = self.text[start : self.position]
        if not token:
            raise self._error("a value is missing")
        try:
            return _bare_literal(token)
        except ValueError as reason:
            self.position = start
            raise self._error(str(reason)) from None

    def _expect(self, character: str) -> None:
        self._skip_whitespace()
        if self._peek() != character:
            raise self._error(f'expected "{character}"')
        self.position += 1

    def _skip_whitespace(self) -> None:
        while not self._at_end() and self.text[self.position].isspace():
            self.position += 1

    def _peek(self) -> str:
        return "" if self._at_end() else self.text[self.position]

    def _at_end(self) -> bool:
        return self.position >= len(self.text)

    def _error(self, reason: str) -> QueryInvalid:
        where = (
            "at the end"
            if self._at_end()
            else f"at character {self.position + 1} of the parameters"
        )
        return _syntax_error(f'cannot parse the parameters of "{self.method}": {reason} {where}')


def _bare_literal(token: str) -> Scalar:
    """`true`, `false`, `null` or a number; raises ValueError for anything else."""
    if token in _KEYWORDS:
        return _KEYWORDS[token]
    if _INTEGER.fullmatch(token):
        return int(token)  # ValueError beyond Python's digit limit
    if _DECIMAL.fullmatch(token):
        return float(token)
    raise ValueError(f"unexpected {token!r} (strings must be quoted)")
