"""Check the options a reader is given (`--hash-key` and the like) before it reads anything."""

from __future__ import annotations

from collections.abc import Mapping

from rosterd.bulk.formats.errors import OptionInvalid


def checked(options: Mapping[str, str], allowed: tuple[str, ...]) -> dict[str, str]:
    """The options that carry a value; an option the format does not take is an error."""
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        takes = ", ".join(allowed) if allowed else "no options"
        raise OptionInvalid(f"unknown option {', '.join(unknown)}: this format takes {takes}")
    return {key: value for key, value in options.items() if value}


def integer(options: Mapping[str, str], key: str, default: int) -> int:
    """An option holding a decimal integer, or `default` when it is not given."""
    value = options.get(key)
    if value is None:
        return default
    try:
        return int(value.strip())
    except ValueError:
        raise OptionInvalid(f"{key} must be an integer, not {value!r}") from None


def choice(options: Mapping[str, str], key: str, allowed: tuple[str, ...]) -> str | None:
    """An option that must be one of `allowed` (any case), or None when it is not given."""
    value = options.get(key)
    if value is None:
        return None
    if value.strip().lower() not in allowed:
        raise OptionInvalid(f"{key} must be one of {', '.join(allowed)}, not {value!r}")
    return value.strip().lower()
