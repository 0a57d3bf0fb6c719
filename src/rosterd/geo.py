"""Which country an IP address is in, for the `countryCode`/`countryName` of sessions and logs.

Appwrite looks addresses up in a bundled DB-IP "IP to Country Lite" database, a file in
MaxMind's `.mmdb` format whose records keep the country under `country.iso_code`. rosterd
reads any such file with `maxminddb`; without one every address is unknown (`--`).
Names are the English ones `pycountry` knows (its common name where it has one).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from pathlib import Path

import maxminddb
import pycountry

#: The code of an unknown country, and its name.
UNKNOWN_CODE = "--"
UNKNOWN_NAME = "Unknown"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class Countries:
    """Country codes for IP addresses, from a MaxMind-format database file."""

    def __init__(self, database_path: str) -> None:
        """Open the database at `database_path`; `""` means none (every lookup is `--`).

        Raises `ValueError` when the file is missing or is not a readable MaxMind database,
        so that a server refuses to start rather than fail on each lookup.
        """
        self._reader: maxminddb.Reader | None = None
        if database_path:
            self._reader = _open(database_path)

    def code(self, ip: str) -> str:
        """The lowercase ISO-3166 alpha-2 code of `ip`'s country, or `--`.

        `--` for a malformed or non-public address, an address the database has no record
        for, a record without a country, or when there is no database. Never raises.
        """
        address = _public_address(ip)
        if address is None or self._reader is None:
            return UNKNOWN_CODE
        try:
            record = self._reader.get(address)
        except (ValueError, maxminddb.InvalidDatabaseError):
            return UNKNOWN_CODE
        return _country_code(record)

    def close(self) -> None:
        """Release the database file."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None


def country_name(code: str) -> str:
    """The English name of the country with lowercase code `code` (`"de"` -> `"Germany"`).

    `Unknown` for `--` or any code that is not an ISO-3166 alpha-2 country.
    """
    country = _country(code)
    if country is None:
        return UNKNOWN_NAME
    return str(getattr(country, "common_name", None) or country.name)


def _open(database_path: str) -> maxminddb.Reader:
    path = Path(database_path)
    if not path.is_file():
        raise ValueError(f"GeoIP database {database_path!r} does not exist or is not a file")
    try:
        return maxminddb.open_database(str(path))
    except (OSError, ValueError, maxminddb.InvalidDatabaseError) as error:
        raise ValueError(
            f"GeoIP database {database_path!r} is not a readable MaxMind DB file: {error}"
        ) from error


def _public_address(ip: str) -> IPAddress | None:
    """The address `ip` names if it is a public one, else `None` (malformed, private, ...)."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # "::ffff:81.2.69.1" is 81.2.69.1
    return address if address.is_global else None


def _country_code(record: object) -> str:
    """`country.iso_code` of a database record, lowercased, if it names a known country."""
    country = record.get("country") if isinstance(record, Mapping) else None
    iso_code = country.get("iso_code") if isinstance(country, Mapping) else None
    if not isinstance(iso_code, str):
        return UNKNOWN_CODE
    code = iso_code.lower()
    return code if _country(code) is not None else UNKNOWN_CODE


def _country(code: str) -> pycountry.db.Country | None:
    """The pycountry entry for a two-letter lowercase code, if there is one."""
    if len(code) != 2 or not code.isascii() or not code.isalpha() or not code.islower():
        return None
    return pycountry.countries.get(alpha_2=code.upper())
