"""A session's client fields, read from its User-Agent as Appwrite (matomo) reads them."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rosterd.sessions.devices import FIELDS, MAX_LENGTH, describe

NOTHING = dict.fromkeys(FIELDS, "")

CHROME_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def fields(*values: str) -> dict[str, str]:
    """The twelve fields, given in `FIELDS` order."""
    return dict(zip(FIELDS, values, strict=True))


def test_the_fields_are_the_session_models_in_order() -> None:
    assert FIELDS == (
        "osCode", "osName", "osVersion", "clientType", "clientCode", "clientName",
        "clientVersion", "clientEngine", "clientEngineVersion", "deviceName", "deviceBrand",
        "deviceModel",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [
        pytest.param(
            CHROME_ON_WINDOWS,
            fields("WIN", "Windows", "10", "browser", "CH", "Chrome", "126.0", "Blink",
                   "126.0.0.0", "desktop", "", ""),
            id="chrome-windows",
        ),
        pytest.param(
            SAFARI_ON_IPHONE,
            fields("IOS", "iOS", "17.5", "browser", "MF", "Mobile Safari", "17.5", "WebKit",
                   "605.1.15", "smartphone", "Apple", "iPhone"),
            id="safari-iphone",
        ),
        pytest.param(
            "okhttp/4.12.0",
            fields("AND", "Android", "", "library", "", "OkHttp", "4.12", "", "", "", "", ""),
            id="android-app-okhttp",
        ),
        pytest.param(
            "curl/8.8.0",
            fields("", "", "", "library", "", "curl", "8.8", "", "", "", "", ""),
            id="curl",
        ),
        pytest.param(
            "AppwriteCLI/6.2.0 (darwin 23.5.0; arm64)",
            fields("MAC", "Mac", "", "desktop", "cli", "Appwrite CLI", "6.2.0", "", "",
                   "desktop", "Apple", ""),
            id="appwrite-cli",
        ),
        pytest.param("", NOTHING, id="empty"),
        pytest.param("UNKNOWN", NOTHING, id="unknown"),
    ],
)  # fmt: skip
def test_user_agents_read_as_matomo_reads_them(user_agent: str, expected: dict[str, str]) -> None:
    assert describe(user_agent) == expected


def test_callers_get_their_own_copy() -> None:
    first = describe(CHROME_ON_WINDOWS)
    first["osName"] = "changed"
    assert describe(CHROME_ON_WINDOWS)["osName"] == "Windows"


def test_only_the_first_characters_are_read() -> None:
    padded = CHROME_ON_WINDOWS + " " + "x" * 100_000
    assert len(padded) > MAX_LENGTH
    assert describe(padded)["clientName"] == "Chrome"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(),
        st.text(alphabet=st.characters(codec="ascii"), min_size=400, max_size=2_000),
        st.builds(lambda tail: SAFARI_ON_IPHONE[:60] + tail, st.text(max_size=300)),
    )
)
def test_any_text_gives_twelve_strings(user_agent: str) -> None:
    described = describe(user_agent)
    assert tuple(described) == FIELDS
    assert all(isinstance(value, str) for value in described.values())
