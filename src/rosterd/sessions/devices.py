"""What a session records about the client, read from its User-Agent with `ua-parser`.

ua-parser names the browser, the OS and the device; the short codes Appwrite also
shows (`WIN`, `CH`, ...) and the engine are our own small tables for the common names.
"""

from __future__ import annotations

from functools import lru_cache

from ua_parser import parse

_OS_CODES = {
    "Windows": "WIN", "Mac OS X": "MAC", "Linux": "LIN", "Ubuntu": "UBT", "Android": "AND",
    "iOS": "IOS", "Chrome OS": "COS", "Fedora": "FED", "Debian": "DEB", "FreeBSD": "BSD",
}  # fmt: skip
_CLIENT_CODES = {
    "Chrome": "CH", "Chrome Mobile": "CM", "Firefox": "FF", "Firefox Mobile": "FM",
    "Safari": "SF", "Mobile Safari": "MF", "Edge": "PS", "Opera": "OP", "Samsung Internet": "SB",
    "Chromium": "CR",
}  # fmt: skip
_ENGINES = {
    "Chrome": "Blink", "Chrome Mobile": "Blink", "Chromium": "Blink", "Edge": "Blink",
    "Opera": "Blink", "Samsung Internet": "Blink", "Firefox": "Gecko", "Firefox Mobile": "Gecko",
    "Safari": "WebKit", "Mobile Safari": "WebKit",
}  # fmt: skip
_DESKTOPS = frozenset({"Windows", "Mac OS X", "Linux", "Ubuntu", "Chrome OS", "Fedora", "Debian"})

FIELDS = (
    "osCode", "osName", "osVersion", "clientType", "clientCode", "clientName", "clientVersion",
    "clientEngine", "clientEngineVersion", "deviceName", "deviceBrand", "deviceModel",
)  # fmt: skip


def _version(*parts: str | None) -> str:
    return ".".join(part for part in parts if part)


@lru_cache(maxsize=1024)
def describe(user_agent: str) -> dict[str, str]:
    """The twelve client fields of the Session model; `""` where nothing is known."""
    result = parse(user_agent)
    os_name = result.os.family if result.os else ""
    client = result.user_agent
    client_name = client.family if client and client.family != "Other" else ""
    device = result.device
    device_name = "desktop" if os_name in _DESKTOPS else ""
    if device and device.family not in ("Other", "Spider"):
        device_name = "smartphone" if os_name in ("iOS", "Android") else device_name
    return {
        "osCode": _OS_CODES.get(os_name, ""),
        "osName": os_name if os_name != "Other" else "",
        "osVersion": _version(result.os.major, result.os.minor) if result.os else "",
        "clientType": "browser" if client_name else "",
        "clientCode": _CLIENT_CODES.get(client_name, ""),
        "clientName": client_name,
        "clientVersion": _version(client.major, client.minor) if client else "",
        "clientEngine": _ENGINES.get(client_name, ""),
        "clientEngineVersion": "",
        "deviceName": device_name,
        "deviceBrand": (device.brand or "") if device else "",
        "deviceModel": (device.model or "") if device else "",
    }
