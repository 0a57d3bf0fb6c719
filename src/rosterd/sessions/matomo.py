"""The client fields of a User-Agent as matomo reads them.

Appwrite 1.9.6 fills these fields with matomo's Device Detector (PHP 6.4.8, bot detection
skipped, `UNKNOWN` for a missing User-Agent, its own CLI named by hand). We use
`device-detector`, the Python port that reads matomo's regex files but not with every
matomo rule, and bring its answer back to matomo's: versions cut to `major.minor`, a
short code and an engine only for browsers, the engine chosen by the browser's version
and its version read as matomo reads it, clients the port merely guesses from a
`name/version` pair dropped, and an unknown device on a desktop OS called `desktop`.
`bench/user_agents.py` measures how close that comes, and how fast it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from device_detector import DeviceDetector  # type: ignore[import-untyped]
from device_detector.parser.client.browser import Engine  # type: ignore[import-untyped]
from device_detector.parser.settings import (  # type: ignore[import-untyped]
    BROWSER_TO_ABBREV,
    DESKTOP_OS,
)

from rosterd.sessions.devices import FIELDS

#: What Appwrite parses when a request has no User-Agent.
_MISSING = "UNKNOWN"
_CLI_MARKER = "AppwriteCLI"
_GECKO = re.compile(r" rv[: ]([0-9.]+).*(?:g|cl)ecko/[0-9]{8,10}", re.IGNORECASE)
_ENGINE_TOKENS = {
    "Blink": r"Chr[o0]me|Chromium|Cronet",
    "Arachne": r"Arachne/5\.",
    "LibWeb": r"LibWeb\+LibJs",
}
#: The port's parsers that read matomo's own regex files; the others guess a client
#: from any `name/version` pair, which matomo does not.
_MATOMO_CLIENT_PARSERS = frozenset(
    {"Browser", "FeedReader", "Library", "MediaPlayer", "MobileApp", "PIM"}
)
#: One desktop browser, one phone and one library: between them they load most rules.
_WARM_UP = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.6478.71 Mobile Safari/537.36",
    "okhttp/4.12.0",
)
_VERSION_AFTER = r"(?:{token})\s*[/_]?\s*(\d+\.\d[.\d]*|\d{{1,7}}(?=\D|$))"


def warm_up() -> None:
    """Load the parser's rules now (a few seconds) instead of during the first sign-in."""
    for user_agent in _WARM_UP:
        parse(user_agent)


def parse(user_agent: str) -> dict[str, str]:
    """The twelve fields computed afresh, without a cache or a length cap (see
    `devices.describe`). Loads the rules (about 50 MB) on first use."""
    text = user_agent or _MISSING
    detector = DeviceDetector(text, skip_bot_detection=True, check_cache=False).parse()
    details: dict[str, Any] = detector.all_details
    client = _cli_fields(text) if _CLI_MARKER in text else _client_fields(detector, text)
    return {
        **_os_fields(details.get("os") or {}),
        **client,
        **_device_fields(detector, details),
    }


def _text(value: object) -> str:
    """A field as text: enums by their value, anything missing as `""`."""
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def _major_minor(version: str) -> str:
    """matomo's default truncation: `126.0.6478.54` -> `126.0`."""
    return ".".join(version.split(".")[:2])


def _os_fields(os: Mapping[str, Any]) -> dict[str, str]:
    return {
        "osCode": _text(os.get("short_name")),
        "osName": _text(os.get("name")),
        "osVersion": _major_minor(_text(os.get("version"))),
    }


def _client_fields(detector: Any, user_agent: str) -> dict[str, str]:
    client: Mapping[str, Any] = detector.all_details.get("client") or {}
    client_type = _text(client.get("type"))
    if type(detector.client).__name__ not in _MATOMO_CLIENT_PARSERS:
        return dict.fromkeys(FIELDS[3:9], "")
    name = _text(client.get("name"))
    version = _major_minor(_text(client.get("version")))
    is_browser = client_type == "browser"
    engine = _engine_name(detector.client, version, user_agent) if is_browser else ""
    return {
        "clientType": client_type,
        "clientCode": _browser_code(client, name) if is_browser else "",
        "clientName": name,
        "clientVersion": version,
        "clientEngine": engine,
        "clientEngineVersion": _engine_version(engine, user_agent),
    }


def _browser_code(client: Mapping[str, Any], name: str) -> str:
    return _text(client.get("short_name")) or _text(BROWSER_TO_ABBREV.get(name.lower()))


def _engine_name(browser: Any, version: str, user_agent: str) -> str:
    """matomo's choice: the browser's default engine, or the one for its version, or a guess."""
    specification = _engine_specification(browser)
    engine = _text(specification.get("default"))
    for threshold, versioned_engine in (specification.get("versions") or {}).items():
        if _version_key(version) >= _version_key(str(threshold)):
            engine = _text(versioned_engine)
    if not engine:
        engine = _text(Engine(user_agent, None).parse().ua_data.get("name"))
    return engine


def _engine_specification(browser: Any) -> Mapping[str, Any]:
    """The `engine:` entry of the browsers.yml rule that matched (the port keeps only a guess)."""
    matched = browser.matched_regex
    for rule in browser.regex_list if matched is not None else ():
        if rule["regex"].compiled is matched.re:
            specification = rule.get("engine") or {}
            return specification if isinstance(specification, Mapping) else {}
    return {}


def _version_key(version: str) -> tuple[int, ...]:
    """`"28.0.1"` -> `(28, 0, 1)`, reading the leading digits of each part."""
    key: list[int] = []
    for part in version.split("."):
        digits = re.match(r"\d*", part)
        key.append(int(digits.group()) if digits and digits.group() else 0)
    return tuple(key)


def _engine_version(engine: str, user_agent: str) -> str:
    """The engine's version as matomo reads it: Gecko's `rv:`, Blink's Chrome token, ..."""
    if not engine:
        return ""
    if engine in ("Gecko", "Clecko") and (match := _GECKO.search(user_agent)):
        return match.group(1)
    token = _ENGINE_TOKENS.get(engine, re.escape(engine))
    match = re.search(_VERSION_AFTER.format(token=token), user_agent, re.IGNORECASE)
    return match.group(1) if match else ""


def _cli_fields(user_agent: str) -> dict[str, str]:
    """Appwrite names its own CLI itself (`AppwriteCLI/6.2.0 (...)`)."""
    first_word = user_agent.split(" ", maxsplit=1)[0]
    version = first_word.split("/")[1] if "/" in first_word else ""
    return {
        "clientType": "desktop",
        "clientCode": "cli",
        "clientName": "Appwrite CLI",
        "clientVersion": version,
        "clientEngine": "",
        "clientEngineVersion": "",
    }


def _device_fields(detector: Any, details: Mapping[str, Any]) -> dict[str, str]:
    device_type = _text((details.get("device") or {}).get("type"))
    os_family = _text((details.get("os") or {}).get("family"))
    if not device_type and os_family in DESKTOP_OS and not detector.uses_mobile_browser():
        device_type = "desktop"
    return {
        "deviceName": device_type,
        "deviceBrand": _text(detector.device_brand()),
        "deviceModel": _text(detector.device_model()),
    }
