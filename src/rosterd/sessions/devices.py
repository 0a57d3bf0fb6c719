"""What a session records about the client: twelve fields read from its User-Agent.

The reading is matomo's (`matomo`), and its rules take about 50 MB once loaded and
10-30 ms of Python for each new User-Agent. `rosterd serve` therefore loads them once,
in a parser process of its own (`parser_process`) that every worker asks over a Unix
socket: a worker carries neither the rules nor the parsing's hold on its GIL. A process
that is not told about such a parser (the tests, an application that embeds rosterd)
parses in-process, and so does a worker whose parser process stops answering.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import lru_cache

log = logging.getLogger("rosterd")

FIELDS = (
    "osCode", "osName", "osVersion", "clientType", "clientCode", "clientName", "clientVersion",
    "clientEngine", "clientEngineVersion", "deviceName", "deviceBrand", "deviceModel",
)  # fmt: skip

#: Longer User-Agents are cut before parsing: real ones are far shorter, and regexes
#: over attacker-sized input cost time.
MAX_LENGTH = 512

#: Where parsing happens; None: in this process.
_remote: Callable[[str], dict[str, str]] | None = None


def describe(user_agent: str) -> dict[str, str]:
    """The twelve client fields of the Session model; `""` where nothing is known.

    Never raises: any text is accepted, and only its first `MAX_LENGTH` characters are read.
    """
    return dict(_describe_cached(user_agent[:MAX_LENGTH]))


def parse_elsewhere(parser: Callable[[str], dict[str, str]] | None) -> None:
    """Send parsing to `parser` from now on (None: back to this process)."""
    global _remote  # noqa: PLW0603 - one parser per process, chosen at its start
    _remote = parser
    _describe_cached.cache_clear()


def warm_up() -> None:
    """Load the rules into this process now (a few seconds) instead of at the first
    sign-in; nothing to do when parsing happens elsewhere."""
    if _remote is None:
        from rosterd.sessions import matomo

        matomo.warm_up()


@lru_cache(maxsize=4096)
def _describe_cached(user_agent: str) -> Mapping[str, str]:
    try:
        return _parse(user_agent)
    except Exception:  # a parser bug must never fail a sign-in
        return dict.fromkeys(FIELDS, "")


def _parse(user_agent: str) -> dict[str, str]:
    remote = _remote
    if remote is not None:
        try:
            return remote(user_agent)
        except (OSError, ValueError) as error:
            log.warning(
                "the User-Agent parser process did not answer (%s); this worker parses "
                "User-Agents itself from now on",
                type(error).__name__,
            )
            parse_elsewhere(None)
    from rosterd.sessions import matomo  # the rules: about 50 MB, loaded on first use

    return matomo.parse(user_agent)
