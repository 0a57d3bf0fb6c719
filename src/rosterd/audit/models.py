"""The Log model (reference §3.6), derived as §8.3 describes."""

from __future__ import annotations

from typing import Any

from rosterd.clock import to_wire
from rosterd.geo import Countries, country_name
from rosterd.sessions import devices
from rosterd.store.audit import LogRow


def log(row: LogRow, countries: Countries) -> dict[str, Any]:
    code = countries.code(row.ip)
    return {
        "event": row.event,
        "userId": row.actor_id,
        "userEmail": row.actor_email,
        "userName": row.actor_name,
        "mode": row.mode,
        "userType": row.actor_type,
        "ip": row.ip,
        "time": to_wire(row.time.replace(microsecond=0)),  # second precision, as Appwrite
        **devices.describe(row.user_agent),
        "countryCode": code,
        "countryName": country_name(code),
    }
