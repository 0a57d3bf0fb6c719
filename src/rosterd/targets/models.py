"""The Target model (reference §3.9)."""

from __future__ import annotations

from typing import Any

from rosterd.clock import to_wire
from rosterd.store.targets import TargetRow


def target(row: TargetRow, user_id: str) -> dict[str, Any]:
    return {
        "$id": row.id,
        "$createdAt": to_wire(row.created_at),
        "$updatedAt": to_wire(row.updated_at),
        "name": row.name or "",
        "userId": user_id,
        "providerId": row.provider_id,
        "providerType": row.provider_type,
        "identifier": row.identifier,
        "expired": row.expired,
    }
