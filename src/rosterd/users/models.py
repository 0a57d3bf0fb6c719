"""The User model as Appwrite emits it (section 3.1 of the wire reference)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rosterd.clock import to_wire
from rosterd.store.targets import TargetRow
from rosterd.store.users import UserRow
from rosterd.targets import models as target_models


def user(row: UserRow, targets: Sequence[TargetRow] = ()) -> dict[str, Any]:
    """Every field, in Appwrite's order, with `password`/`hash`/`hashOptions` for key callers."""
    return {
        "$id": row.id,
        "$createdAt": to_wire(row.created_at),
        "$updatedAt": to_wire(row.updated_at),
        "name": row.name,
        "password": row.password,
        "hash": row.hash,
        "hashOptions": row.hash_options,
        "registration": to_wire(row.registration),
        "status": row.status,
        "labels": list(row.labels),
        "passwordUpdate": to_wire(row.password_update),
        "email": row.email or "",
        "phone": row.phone or "",
        "emailVerification": row.email_verification,
        "emailCanonical": row.email_canonical,
        "emailIsFree": row.email_is_free,
        "emailIsDisposable": row.email_is_disposable,
        "emailIsCorporate": row.email_is_corporate,
        "emailIsCanonical": row.email_is_canonical,
        "phoneVerification": row.phone_verification,
        "mfa": row.mfa,
        "prefs": dict(row.prefs),
        "targets": [target_models.target(found, row.id) for found in targets],
        "accessedAt": to_wire(row.accessed_at),
        "impersonator": row.impersonator,
        "impersonatorUserId": None,
    }


def account(
    row: UserRow, targets: Sequence[TargetRow], impersonator_user_id: str | None = None
) -> dict[str, Any]:
    """The Account model: the User model without `password`, `hash` and `hashOptions`."""
    document = user(row, targets)
    for secret in ("password", "hash", "hashOptions"):
        del document[secret]
    document["impersonatorUserId"] = impersonator_user_id
    return document


def user_list(
    rows: list[UserRow], targets: dict[int, list[TargetRow]], total: int
) -> dict[str, Any]:
    documents = [user(row, targets.get(row.sequence, [])) for row in rows]
    return {"total": total, "users": documents}
