"""What a session records about the client, read from its User-Agent.

Appwrite 1.9.6 fills these fields with matomo's Device Detector (PHP, 6.4.x, bot
detection skipped). We use `device-detector`, its Python port, which shares matomo's
regex files but not every rule, so the port's answer is brought back to matomo's shape:
versions cut to `major.minor`, only browsers have a short code and an engine, the
engine version read the way matomo reads it, the port's own `generic` clients dropped,
and devices on a desktop OS called `desktop`. `bench/user_agents.py` measures the result.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from device_detector import DeviceDetector  # type: ignore[import-untyped]
from device_detector.parser.settings import (  # type: ignore[import-untyped]
    BROWSER_TO_ABBREV,
    DESKTOP_OS,
)

FIELDS = (
    "osCode", "osName", "osVersion", "clientType", "clientCode", "clientName", "clientVersion",
    "clientEngine", "clientEngineVersion", "deviceName", "deviceBrand", "deviceModel",
)  # fmt: skip

#: Longer User-Agents are cut before parsing: real ones are far shorter, and regexes
#: over attacker-sized input cost time.
MAX_LENGTH = 512

#: What Appwrite parses when a request has no User-Agent.
_MISSING = "UNKNOWN"
_CLI_MARKER = "AppwriteCLI"
_GECKO = re.compile(r" rv[: ]([0-9.]+).*(?:g|cl)ecko/[0-9]{8,10}", re.IGNORECASE)
_ENGINE_TOKENS = {
    "Blink": r"Chr[o0]me|Chromium|Cronet",
    "Arachne": r"Arachne/5\.",
    "LibWeb": r"LibWeb\+LibJs",
}
_VERSION_AFTER = r"(?:{token})\s*[/_]?\s*(\d+\.\d[.\d]*|\d{{1,7}}(?=\D|$))"


def describe(user_agent: str) -> dict[str, str]:
    """The twelve client fields of the Session model; `""` where nothing is known.

    Never raises: any text is accepted, and only its first `MAX_LENGTH` characters are read.
    """
    return dict(_describe_cached(user_agent[:MAX_LENGTH]))


@lru_cache(maxsize=4096)
def _describe_cached(user_agent: str) -> Mapping[str, str]:
    try:
        return parse(user_agent)
    except Exception:  # a parser bug must never fail a sign-in
        return dict.fromkeys(FIELDS, "")


def parse(user_agent: str) -> dict[str, str]:
    """The twelve fields computed afresh, without a cache or a length cap (see `describe`)."""
    text = user_agent or _MISSING
    detector = DeviceDetector(text, skip_bot_detection=True, check_cache=False).parse()
    details: dict[str, Any] = detector.all_details
    client = _cli_fields(text) if _CLI_MARKER in text else _client_fields(details, text)
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


def _client_fields(details: Mapping[str, Any], user_agent: str) -> dict[str, str]:
    client: Mapping[str, Any] = details.get("client") or {}
    client_type = _text(client.get("type"))
    if client_type in ("", "generic"):  # "generic" is the port's guess from a name/version pair
        return dict.fromkeys(FIELDS[3:9], "")
    name = _text(client.get("name"))
    engine = _engine_name(client) if client_type == "browser" else ""
    return {
        "clientType": client_type,
        "clientCode": _browser_code(client, name) if client_type == "browser" else "",
        "clientName": name,
        "clientVersion": _major_minor(_text(client.get("version"))),
        "clientEngine": engine,
        "clientEngineVersion": engine_version(engine, user_agent),
    }


def _browser_code(client: Mapping[str, Any], name: str) -> str:
    return _text(client.get("short_name")) or _text(BROWSER_TO_ABBREV.get(name.lower()))


def _engine_name(client: Mapping[str, Any]) -> str:
    engine = client.get("engine")
    if isinstance(engine, Mapping):  # the port sometimes keeps matomo's {"default": ...}
        engine = engine.get("default")
    return _text(engine)


def engine_version(engine: str, user_agent: str) -> str:
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
    first_word = user_agent.split(" ")[0]
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
