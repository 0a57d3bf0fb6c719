"""bcrypt hashes (`$2a$`, `$2b$`, `$2y$`), verified with the `bcrypt` library."""

from __future__ import annotations

import re

import bcrypt

from rosterd.passwords import StoredPassword
from rosterd.passwords.validation import invalid, utf8

ALGORITHM = "bcrypt"

#: bcrypt reads at most this many bytes of a password; PHP silently ignores the rest.
MAX_PASSWORD_BYTES = 72

_BCRYPT = re.compile(r"\$2[aby]\$([0-9]{2})\$[./A-Za-z0-9]{53}")


def is_bcrypt(value: str) -> bool:
    """Whether `value` has the shape of a `$2a$`/`$2b$`/`$2y$` bcrypt hash."""
    return isinstance(value, str) and _BCRYPT.fullmatch(value) is not None


def verify_hash(value: str, plain: str) -> bool:
    """Check `plain` (truncated to 72 bytes, as PHP does) against a bcrypt hash."""
    if not is_bcrypt(value):
        return False
    try:
        return bcrypt.checkpw(utf8(plain)[:MAX_PASSWORD_BYTES], value.encode("ascii"))
    except ValueError:  # a cost or salt the library refuses
        return False


def verify(stored: StoredPassword, plain: str) -> bool:
    """Check `plain` against a stored bcrypt password."""
    return verify_hash(stored.value, plain)


#: Costs an imported hash may have: bcrypt's own minimum, and a bound on the work every
#: sign-in attempt (which anyone may make) costs. 15 takes about 2.5 s here.
MIN_COST, MAX_COST = 4, 15


def import_hash(value: str) -> StoredPassword:
    """Accept a bcrypt hash as given; the cost option is read from it."""
    match = _BCRYPT.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise invalid("password", "must be a bcrypt hash ($2a$, $2b$ or $2y$, cost, 53 characters)")
    cost = int(match.group(1))
    if not MIN_COST <= cost <= MAX_COST:
        raise invalid("password", f"the bcrypt cost must be from {MIN_COST} to {MAX_COST}")
    # The library refuses some salts that have the right shape; find out at the cheapest
    # cost, since the salt is read the same way whatever the cost.
    cheapest = f"{value[:4]}{MIN_COST:02d}{value[6:]}"
    try:
        bcrypt.checkpw(b"rosterd probe", cheapest.encode("ascii"))
    except ValueError:
        raise invalid("password", "is not a bcrypt hash that can be verified") from None
    return StoredPassword(value, ALGORITHM, {"type": "bcrypt", "cost": cost})
