"""Country lookups on a tiny MaxMind-format database the tests write themselves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet  # type: ignore[import-untyped]

from rosterd.geo import Countries, country_name

#: Public networks and the records a DB-IP country database would hold for them.
NETWORKS: dict[str, dict[str, object]] = {
    "81.2.69.0/24": {"country": {"iso_code": "GB", "names": {"en": "United Kingdom"}}},
    "89.160.20.0/24": {"country": {"iso_code": "SE", "names": {"en": "Sweden"}}},
    "2a01:4f8::/32": {"country": {"iso_code": "DE", "names": {"en": "Germany"}}},
    "2001:470::/32": {"country": {"iso_code": "US", "names": {"en": "United States"}}},
    # A record with only a continent, and one with a code no country has.
    "1.0.0.0/24": {"continent": {"code": "OC"}},
    "1.0.1.0/24": {"country": {"iso_code": "ZZ"}},
}


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An IPv6 database with IPv4 networks under ::/96, like DB-IP's and MaxMind's."""
    writer = MMDBWriter(ip_version=6, database_type="DBIP-Country-Lite", ipv4_compatible=True)
    for network, record in NETWORKS.items():
        writer.insert_network(IPSet([network]), record)
    path = tmp_path_factory.mktemp("geo") / "country.mmdb"
    writer.to_db_file(str(path))
    return path


@pytest.fixture(scope="module")
def countries(database: Path) -> Iterator[Countries]:
    lookups = Countries(str(database))
    yield lookups
    lookups.close()


@pytest.mark.parametrize(
    ("ip", "code"),
    [
        ("81.2.69.142", "gb"),
        ("81.2.69.1", "gb"),
        ("89.160.20.112", "se"),
        ("2a01:4f8:c17:b8f::2", "de"),
        ("2001:470:1:18::115", "us"),
        ("::ffff:81.2.69.142", "gb"),
        (" 81.2.69.142 ", "gb"),
    ],
)
def test_known_addresses_have_their_country(countries: Countries, ip: str, code: str) -> None:
    assert countries.code(ip) == code


@pytest.mark.parametrize(
    "ip",
    [
        "8.8.8.8",  # public, but not in the database
        "2606:4700::1111",
        "1.0.0.1",  # a record without a country
        "1.0.1.1",  # a record whose code is no country
    ],
)
def test_addresses_without_a_country_are_unknown(countries: Countries, ip: str) -> None:
    assert countries.code(ip) == "--"


@pytest.mark.parametrize(
    "ip",
    ["10.0.0.1", "192.168.1.10", "172.16.5.4", "127.0.0.1", "::1", "fe80::1", "fc00::1",
     "100.64.0.1", "0.0.0.0", "::", "169.254.1.1", "224.0.0.1"],
)  # fmt: skip
def test_private_and_special_addresses_are_unknown(countries: Countries, ip: str) -> None:
    assert countries.code(ip) == "--"


@pytest.mark.parametrize(
    "ip",
    ["", "not an ip", "81.2.69", "81.2.69.256", "2a01:4f8::g", "81.2.69.142/24", "\x00", "é"],
)
def test_malformed_addresses_are_unknown(countries: Countries, ip: str) -> None:
    assert countries.code(ip) == "--"


def test_without_a_database_every_address_is_unknown() -> None:
    countries = Countries("")
    assert countries.code("81.2.69.142") == "--"
    assert countries.code("2a01:4f8:c17:b8f::2") == "--"
    assert countries.code("garbage") == "--"


def test_an_ipv4_only_database_answers_ipv4_and_not_ipv6(tmp_path: Path) -> None:
    writer = MMDBWriter(ip_version=4)
    writer.insert_network(IPSet(["81.2.69.0/24"]), {"country": {"iso_code": "GB"}})
    path = tmp_path / "v4.mmdb"
    writer.to_db_file(str(path))
    countries = Countries(str(path))
    assert countries.code("81.2.69.142") == "gb"
    assert countries.code("2a01:4f8:c17:b8f::2") == "--"
    countries.close()


def test_a_missing_database_is_refused_at_construction(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        Countries(str(tmp_path / "absent.mmdb"))
    with pytest.raises(ValueError, match="does not exist"):
        Countries(str(tmp_path))  # a directory is no database either


def test_an_unreadable_database_is_refused_at_construction(tmp_path: Path) -> None:
    path = tmp_path / "broken.mmdb"
    path.write_bytes(b"this is not a MaxMind database" * 10)
    with pytest.raises(ValueError, match="not a readable MaxMind DB file"):
        Countries(str(path))


@pytest.mark.parametrize(
    ("code", "name"),
    [("de", "Germany"), ("gb", "United Kingdom"), ("us", "United States"), ("se", "Sweden"),
     ("kr", "South Korea"), ("tw", "Taiwan")],
)  # fmt: skip
def test_country_names_are_english(code: str, name: str) -> None:
    assert country_name(code) == name


@pytest.mark.parametrize("code", ["--", "", "zz", "DE", "deu", "d", "xx", "é1", "  "])
def test_unknown_codes_are_named_unknown(code: str) -> None:
    assert country_name(code) == "Unknown"


def test_every_code_found_has_a_name(countries: Countries) -> None:
    for ip in ("81.2.69.142", "89.160.20.112", "2a01:4f8::1", "2001:470::1"):
        assert country_name(countries.code(ip)) != "Unknown"
