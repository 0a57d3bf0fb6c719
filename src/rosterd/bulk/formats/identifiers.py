"""Turn another system's user id into a valid Appwrite custom id, deterministically.

An Appwrite id is at most 36 of `[A-Za-z0-9._-]` and does not start with `.`, `-` or `_`.

1. A source id that is already valid is kept as it is (Firebase's 28-character uids,
   Supabase's 36-character UUIDs, Auth0's 24-hex database ids once `auth0|` is dropped).
2. Otherwise each character outside `[A-Za-z0-9._-]` becomes `_`, so Auth0's
   `google-oauth2|1035...` becomes `google-oauth2_1035...`; kept if that is valid.
3. Otherwise (longer than 36, or starting with a special character) the id is `h` and
   the first 35 hex digits of the SHA-256 of the whole source id.

The same source id always gives the same id, so a re-run imports onto the same users.
Two source ids that differ only in replaced characters would give the same id: the
importer's unique-id check then rejects the second, it never merges them.
"""

from __future__ import annotations

import hashlib
import re

from rosterd.validators import is_uid

_OUTSIDE = re.compile(r"[^A-Za-z0-9._-]")
_MAX_LENGTH = 36
_DIGEST_DIGITS = _MAX_LENGTH - 1


def derive(source_id: str, prefix: str = "") -> str:
    """The Appwrite id for `source_id`, after dropping `prefix` when it starts with it."""
    candidate = source_id.removeprefix(prefix) if prefix else source_id
    if len(candidate) <= _MAX_LENGTH and candidate.isascii() and candidate.isalnum():
        return candidate  # the common case, checked without a regular expression
    if is_uid(candidate):
        return candidate
    replaced = _OUTSIDE.sub("_", candidate)
    if is_uid(replaced):
        return replaced
    digest = hashlib.sha256(source_id.encode("utf-8", "surrogatepass")).hexdigest()
    return "h" + digest[:_DIGEST_DIGITS]
