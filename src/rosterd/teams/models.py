"""The Team and Membership models as Appwrite emits them (§3.13 and §3.7 of the reference)."""

from __future__ import annotations

from typing import Any

from rosterd.clock import to_wire
from rosterd.store.teams import MembershipView, TeamRow
from rosterd.store.users import UserRow


def team(row: TeamRow) -> dict[str, Any]:
    return {
        "$id": row.id,
        "$createdAt": to_wire(row.created_at),
        "$updatedAt": to_wire(row.updated_at),
        "name": row.name,
        "total": row.total,
        "prefs": dict(row.prefs),
    }


def team_list(rows: list[TeamRow], total: int) -> dict[str, Any]:
    return {"total": total, "teams": [team(row) for row in rows]}


def _mfa(user: UserRow, has_totp: bool) -> bool:
    """As Appwrite shows it: MFA on and at least one verified factor to use it with
    (a verified TOTP authenticator, email or phone)."""
    verified_email = bool(user.email) and user.email_verification
    verified_phone = bool(user.phone) and user.phone_verification
    return user.mfa and (has_totp or verified_email or verified_phone)


def membership(found: MembershipView) -> dict[str, Any]:
    """Every field, in Appwrite's order; `joined` is `""` until the membership is confirmed."""
    row, user = found.membership, found.user
    return {
        "$id": row.id,
        "$createdAt": to_wire(row.created_at),
        "$updatedAt": to_wire(row.updated_at),
        "userId": user.id,
        "userName": user.name,
        "userEmail": user.email or "",
        "userPhone": user.phone or "",
        "teamId": found.team_id,
        "teamName": found.team_name,
        "invited": to_wire(row.invited),
        "joined": to_wire(row.joined),
        "confirm": row.confirm,
        "mfa": _mfa(user, found.user_has_totp),
        "userAccessedAt": to_wire(user.accessed_at),
        "roles": list(row.roles),
    }


def membership_list(rows: list[MembershipView], total: int) -> dict[str, Any]:
    return {"total": total, "memberships": [membership(row) for row in rows]}
