"""The Session model (reference §3.3)."""

from __future__ import annotations

from typing import Any

from rosterd.clock import to_wire
from rosterd.geo import country_name
from rosterd.sessions.devices import FIELDS
from rosterd.store.sessions import SessionRow


def session(row: SessionRow, user_id: str, *, secret: str, current: bool) -> dict[str, Any]:
    """Every field in Appwrite's order; `secret` is `""` unless the caller may see it."""
    return {
        "$id": row.id,
        "$createdAt": to_wire(row.created_at),
        "$updatedAt": to_wire(row.updated_at),
        "userId": user_id,
        "expire": to_wire(row.expire),
        "provider": row.provider,
        "providerUid": row.provider_uid,
        "providerAccessToken": row.provider_access_token,
        "providerAccessTokenExpiry": to_wire(row.provider_access_token_expiry),
        "providerRefreshToken": row.provider_refresh_token,
        "ip": row.ip,
        **{name: row.device.get(name, "") for name in FIELDS},
        "countryCode": row.country_code,
        "countryName": country_name(row.country_code),
        "current": current,
        "factors": list(row.factors),
        "secret": secret,
        "mfaUpdatedAt": to_wire(row.mfa_updated_at),
    }
