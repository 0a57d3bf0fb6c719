"""The Identity model (reference §3.8)."""

from __future__ import annotations

from typing import Any

from rosterd.clock import to_wire
from rosterd.store.identities import IdentityRow


def identity(row: IdentityRow, *, with_tokens: bool) -> dict[str, Any]:
    """The provider's tokens are `""` unless the caller may see them (an API key)."""
    return {
        "$id": row.id,
        "$createdAt": to_wire(row.created_at),
        "$updatedAt": to_wire(row.updated_at),
        "userId": row.user_id,
        "provider": row.provider,
        "providerUid": row.provider_uid,
        "providerEmail": row.provider_email,
        "providerAccessToken": row.provider_access_token if with_tokens else "",
        "providerAccessTokenExpiry": to_wire(row.provider_access_token_expiry),
        "providerRefreshToken": row.provider_refresh_token if with_tokens else "",
    }


def identity_list(rows: list[IdentityRow], total: int, *, with_tokens: bool) -> dict[str, Any]:
    return {"total": total, "identities": [identity(row, with_tokens=with_tokens) for row in rows]}
