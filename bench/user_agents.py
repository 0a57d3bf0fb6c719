"""Which User-Agent parser fills a session's twelve client fields best, and how fast?

Appwrite 1.9.6 fills osCode ... deviceModel with matomo's Device Detector (PHP 6.4.8, bot
detection skipped, an empty User-Agent read as `UNKNOWN`, its CLI named by hand). Each
user agent below is labelled with the values matomo gives it (written by hand, then
checked against matomo 6.4.8 itself). Each candidate is scored on how many of the
12 x N fields it gets exactly right, timed per user agent without any cache (best of a
few passes, after one pass that compiles its regexes), and timed on its first call in a
fresh interpreter (import plus loading its rules).
Run: `.venv/bin/python bench/user_agents.py`.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import ua_parser
from device_detector import DeviceDetector  # type: ignore[import-untyped]
from rich.console import Console
from rich.table import Table

from rosterd.sessions import devices, matomo

Fields = dict[str, str]
Parser = Callable[[str], Fields]

ROUNDS = 5
DESKTOP = ("desktop", "", "")
NOTHING = ("", "", "")
NO_CLIENT = ("", "", "", "", "", "")
CHROME_126 = ("browser", "CH", "Chrome", "126.0", "Blink", "126.0.0.0")
FIREFOX_127 = ("browser", "FF", "Firefox", "127.0", "Gecko", "127.0")


@dataclass(frozen=True)
class Case:
    """One user agent and the twelve fields matomo's Device Detector gives it."""

    label: str
    user_agent: str
    os: tuple[str, str, str]
    client: tuple[str, str, str, str, str, str]
    device: tuple[str, str, str]

    def expected(self) -> Fields:
        """The labelled fields, keyed like the Session model."""
        return dict(zip(devices.FIELDS, self.os + self.client + self.device, strict=True))


CASES = (
    Case(
        "Chrome, Windows",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36",
        ("WIN", "Windows", "10"), CHROME_126, DESKTOP,
    ),
    Case(
        "Firefox, Windows",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
        ("WIN", "Windows", "10"), FIREFOX_127, DESKTOP,
    ),
    Case(
        "Edge, Windows",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87",
        ("WIN", "Windows", "10"),
        ("browser", "PS", "Microsoft Edge", "126.0", "Blink", "126.0.0.0"),
        DESKTOP,
    ),
    Case(
        "Opera, Windows 7",
        "Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/109.0.0.0 Safari/537.36 OPR/95.0.0.0",
        ("WIN", "Windows", "7"),
        ("browser", "OP", "Opera", "95.0", "Blink", "109.0.0.0"),
        DESKTOP,
    ),
    Case(
        "Chrome, macOS",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36",
        ("MAC", "Mac", "10.15"), CHROME_126, ("desktop", "Apple", ""),
    ),
    Case(
        "Safari, macOS",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Safari/605.1.15",
        ("MAC", "Mac", "10.15"),
        ("browser", "SF", "Safari", "17.5", "WebKit", "605.1.15"),
        ("desktop", "Apple", ""),
    ),
    Case(
        "Firefox, macOS",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0",
        ("MAC", "Mac", "14.5"), FIREFOX_127, ("desktop", "Apple", ""),
    ),
    Case(
        "Chrome, Linux",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36",
        ("LIN", "GNU/Linux", ""), CHROME_126, DESKTOP,
    ),
    Case(
        "Firefox, Ubuntu",
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
        ("UBT", "Ubuntu", ""), FIREFOX_127, DESKTOP,
    ),
    Case(
        "Chrome, ChromeOS",
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36",
        ("COS", "Chrome OS", "14541.0"), CHROME_126, DESKTOP,
    ),
    Case(
        "Safari, iPhone",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        ("IOS", "iOS", "17.5"),
        ("browser", "MF", "Mobile Safari", "17.5", "WebKit", "605.1.15"),
        ("smartphone", "Apple", "iPhone"),
    ),
    Case(
        "Chrome, iPhone",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1",
        ("IOS", "iOS", "17.5"),
        ("browser", "CI", "Chrome Mobile iOS", "126.0", "WebKit", "605.1.15"),
        ("smartphone", "Apple", "iPhone"),
    ),
    Case(
        "Safari, iPad",
        "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Mobile/15E148 Safari/604.1",
        ("IPA", "iPadOS", "17.5"),
        ("browser", "MF", "Mobile Safari", "17.5", "WebKit", "605.1.15"),
        ("tablet", "Apple", "iPad"),
    ),
    Case(
        "Chrome, Android (reduced UA)",
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Mobile Safari/537.36",
        ("AND", "Android", "10"),
        ("browser", "CM", "Chrome Mobile", "126.0", "Blink", "126.0.0.0"),
        ("smartphone", "", ""),
    ),
    Case(
        "Chrome, Pixel 8",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.6478.71 Mobile Safari/537.36",
        ("AND", "Android", "14"),
        ("browser", "CM", "Chrome Mobile", "126.0", "Blink", "126.0.6478.71"),
        ("smartphone", "Google", "Pixel 8"),
    ),
    Case(
        "Samsung Internet, Galaxy S23 Ultra",
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
        ("AND", "Android", "14"),
        ("browser", "SB", "Samsung Browser", "25.0", "Blink", "121.0.0.0"),
        ("smartphone", "Samsung", "Galaxy S23 Ultra"),
    ),
    Case(
        "Chrome, Galaxy Tab S8",
        "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36",
        ("AND", "Android", "13"), CHROME_126, ("tablet", "Samsung", 'Galaxy Tab S8 11.0" WiFi'),
    ),
    Case(
        "Firefox, Android",
        "Mozilla/5.0 (Android 14; Mobile; rv:127.0) Gecko/127.0 Firefox/127.0",
        ("AND", "Android", "14"),
        ("browser", "FM", "Firefox Mobile", "127.0", "Gecko", "127.0"),
        ("smartphone", "", ""),
    ),
    Case(
        "Android app, okhttp",
        "okhttp/4.12.0",
        ("AND", "Android", ""), ("library", "", "OkHttp", "4.12", "", ""), NOTHING,
    ),
    Case(
        "Android app, Dalvik",
        "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 7 Build/UQ1A.240205.004)",
        ("AND", "Android", "14"),
        ("browser", "AN", "Android Browser", "", "WebKit", ""),
        ("smartphone", "Google", "Pixel 7"),
    ),
    Case(
        "iOS app, Alamofire",
        "MyApp/2.3.1 (com.example.myapp; build:45; iOS 17.5.1) Alamofire/5.9.1",
        ("IOS", "iOS", "17.5"), NO_CLIENT, ("", "Apple", ""),
    ),
    Case(
        "iOS app, CFNetwork",
        "MyApp/45 CFNetwork/1496.0.7 Darwin/23.5.0",
        ("IOS", "iOS", "17.5"), NO_CLIENT, ("", "Apple", ""),
    ),
    Case(
        "curl",
        "curl/8.8.0",
        ("", "", ""), ("library", "", "curl", "8.8", "", ""), NOTHING,
    ),
    Case(
        "python-requests",
        "python-requests/2.32.3",
        ("", "", ""), ("library", "", "Python Requests", "2.32", "", ""), NOTHING,
    ),
    Case(
        "Go net/http",
        "Go-http-client/2.0",
        ("", "", ""), ("library", "", "Go-http-client", "2.0", "", ""), NOTHING,
    ),
    Case(
        "Postman",
        "PostmanRuntime/7.39.0",
        ("", "", ""), ("library", "", "Postman Desktop", "7.39", "", ""), NOTHING,
    ),
    Case(
        "Appwrite Python SDK",
        "AppwritePythonSDK/27.0.0 (Linux; #1 SMP; x86_64)",
        ("LIN", "GNU/Linux", ""), NO_CLIENT, DESKTOP,
    ),
    Case(
        "Appwrite Node.js SDK",
        "AppwriteNodeJSSDK/27.1.0 (linux; x64) Node.js/v20.20.2",
        ("LIN", "GNU/Linux", ""), NO_CLIENT, DESKTOP,
    ),
    Case(
        "Appwrite CLI",
        "AppwriteCLI/6.2.0 (darwin 23.5.0; arm64)",
        ("MAC", "Mac", ""), ("desktop", "cli", "Appwrite CLI", "6.2.0", "", ""),
        ("desktop", "Apple", ""),
    ),
    Case(
        "Googlebot",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        ("", "", ""), NO_CLIENT, NOTHING,
    ),
    Case(
        "Googlebot smartphone",
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/126.0.6478.126 Mobile Safari/537.36 "
        "(compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        ("AND", "Android", "6.0"),
        ("browser", "CM", "Chrome Mobile", "126.0", "Blink", "126.0.6478.126"),
        ("smartphone", "Google", "Nexus 5X"),
    ),
    Case("empty", "", ("", "", ""), NO_CLIENT, NOTHING),
    Case("UNKNOWN", "UNKNOWN", ("", "", ""), NO_CLIENT, NOTHING),
)  # fmt: skip


# -- The candidates -------------------------------------------------------------------

#: The code tables rosterd used with ua-parser before this benchmark.
UA_PARSER_OS_CODES = {
    "Windows": "WIN", "Mac OS X": "MAC", "Linux": "LIN", "Ubuntu": "UBT", "Android": "AND",
    "iOS": "IOS", "Chrome OS": "COS", "Fedora": "FED", "Debian": "DEB", "FreeBSD": "BSD",
}  # fmt: skip
UA_PARSER_CLIENT_CODES = {
    "Chrome": "CH", "Chrome Mobile": "CM", "Firefox": "FF", "Firefox Mobile": "FM",
    "Safari": "SF", "Mobile Safari": "MF", "Edge": "PS", "Opera": "OP", "Samsung Internet": "SB",
    "Chromium": "CR",
}  # fmt: skip
UA_PARSER_ENGINES = {
    "Chrome": "Blink", "Chrome Mobile": "Blink", "Chromium": "Blink", "Edge": "Blink",
    "Opera": "Blink", "Samsung Internet": "Blink", "Firefox": "Gecko", "Firefox Mobile": "Gecko",
    "Safari": "WebKit", "Mobile Safari": "WebKit",
}  # fmt: skip
UA_PARSER_DESKTOPS = frozenset(
    {"Windows", "Mac OS X", "Linux", "Ubuntu", "Chrome OS", "Fedora", "Debian"}
)


def joined_version(*parts: str | None) -> str:
    """`126`, `0` -> `126.0`, skipping missing parts."""
    return ".".join(part for part in parts if part)


def with_ua_parser(user_agent: str) -> Fields:
    """rosterd's previous reading: `ua-parser` (uap-core regexes) plus small code tables."""
    result = ua_parser.parse(user_agent)
    os_name = result.os.family if result.os and result.os.family != "Other" else ""
    client = result.user_agent
    client_name = client.family if client and client.family != "Other" else ""
    device = result.device
    device_name = "desktop" if os_name in UA_PARSER_DESKTOPS else ""
    if device and device.family not in ("Other", "Spider") and os_name in ("iOS", "Android"):
        device_name = "smartphone"
    values = (
        UA_PARSER_OS_CODES.get(os_name, ""),
        os_name,
        joined_version(result.os.major, result.os.minor) if result.os else "",
        "browser" if client_name else "",
        UA_PARSER_CLIENT_CODES.get(client_name, ""),
        client_name,
        joined_version(client.major, client.minor) if client else "",
        UA_PARSER_ENGINES.get(client_name, ""),
        "",
        device_name,
        (device.brand or "") if device else "",
        (device.model or "") if device else "",
    )
    return dict(zip(devices.FIELDS, values, strict=True))


def text_of(value: object) -> str:
    """A parser value as text: enums by their value, `None` as `""`."""
    return "" if value is None else str(getattr(value, "value", value))


def with_device_detector(user_agent: str) -> Fields:
    """`device-detector` read directly, the way Appwrite reads matomo's answer."""
    detector = DeviceDetector(
        user_agent or "UNKNOWN", skip_bot_detection=True, check_cache=False
    ).parse()
    os = detector.all_details.get("os") or {}
    client = detector.all_details.get("client") or {}
    values = (
        os.get("short_name"), os.get("name"), os.get("version"),
        client.get("type"), client.get("short_name"), client.get("name"), client.get("version"),
        client.get("engine"), client.get("engine_version"),
        detector.device_type(), detector.device_brand(), detector.device_model(),
    )  # fmt: skip
    return {name: text_of(value) for name, value in zip(devices.FIELDS, values, strict=True)}


CANDIDATES: dict[str, Parser] = {
    "ua-parser 1.0 + code tables (before)": with_ua_parser,
    "device-detector 6.5, read directly": with_device_detector,
    "device-detector 6.5 + matomo rules (now)": matomo.parse,
}


# -- Measuring ------------------------------------------------------------------------


def correct_fields(parser: Parser) -> tuple[int, list[str]]:
    """How many of the labelled fields the parser gets exactly, and which it misses."""
    correct, misses = 0, []
    for case in CASES:
        found = parser(case.user_agent)
        for name, expected in case.expected().items():
            if found.get(name, "") == expected:
                correct += 1
            else:
                misses.append(f"{case.label}: {name} {found.get(name, '')!r} != {expected!r}")
    return correct, misses


def microseconds_per_user_agent(parser: Parser) -> float:
    """Best of `ROUNDS` passes over every case, after one pass that compiles regexes."""
    for case in CASES:
        parser(case.user_agent)
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for case in CASES:
            parser(case.user_agent)
        best = min(best, time.perf_counter() - started)
    return best / len(CASES) * 1_000_000


def cached_microseconds() -> float:
    """rosterd's `describe` once every user agent is in its cache."""
    for case in CASES:
        devices.describe(case.user_agent)
    started = time.perf_counter()
    for _ in range(ROUNDS):
        for case in CASES:
            devices.describe(case.user_agent)
    return (time.perf_counter() - started) / ROUNDS / len(CASES) * 1_000_000


def first_call_milliseconds(name: str) -> float:
    """Import and first parse of one candidate, in a fresh interpreter."""
    program = (
        "import time; started = time.perf_counter(); import user_agents as bench; "
        f"bench.CANDIDATES[{name!r}](bench.CASES[0].user_agent); "
        "print((time.perf_counter() - started) * 1000)"
    )
    here = Path(__file__).resolve().parent
    finished = subprocess.run(
        [sys.executable, "-c", program], cwd=here, capture_output=True, text=True, check=True
    )
    return float(finished.stdout.strip())


def main() -> None:
    """Score and time every candidate, print the table, then the fields each one missed."""
    console = Console(width=120)
    total = len(CASES) * len(devices.FIELDS)
    table = Table(title=f"{len(CASES)} user agents x 12 Session fields, labels: matomo 6.4.8")
    headings = ("parser", "fields correct", "µs per UA, uncached", "first call, ms")
    for heading in headings:
        table.add_column(heading, justify="left" if heading == "parser" else "right")
    all_misses: dict[str, list[str]] = {}
    for name, parser in CANDIDATES.items():
        correct, all_misses[name] = correct_fields(parser)
        table.add_row(
            name,
            f"{correct} / {total} ({correct / total:.1%})",
            f"{microseconds_per_user_agent(parser):,.0f}",
            f"{first_call_milliseconds(name):,.0f}",
        )
    table.add_row("rosterd describe, cache hit", "", f"{cached_microseconds():,.1f}", "")
    console.print(table)
    for name, misses in all_misses.items():
        console.print(f"\n[bold]{name}[/bold]: {len(misses)} fields missed")
        for miss in misses:
            console.print(f"  {miss}", markup=False, highlight=False)


if __name__ == "__main__":
    main()
