"""The MFA models (reference §3.10, §3.11 and §3.13)."""

from __future__ import annotations

from typing import Any

from rosterd.clock import to_wire
from rosterd.mfa.service import Factors, NewAuthenticator
from rosterd.store.mfa import ChallengeRow


def mfa_type(new: NewAuthenticator) -> dict[str, Any]:
    """MFAType: the secret to enter in an authenticator app, and its otpauth URI."""
    return {"secret": new.secret, "uri": new.uri}


def mfa_factors(factors: Factors) -> dict[str, Any]:
    return {
        "totp": factors.totp,
        "phone": factors.phone,
        "email": factors.email,
        "recoveryCode": factors.recovery_code,
        "custom": factors.custom,
    }


def recovery_codes(codes: list[str]) -> dict[str, Any]:
    return {"recoveryCodes": list(codes)}


def challenge(row: ChallengeRow, user_id: str) -> dict[str, Any]:
    """MFAChallenge: never the code."""
    return {
        "$id": row.id,
        "$createdAt": to_wire(row.created_at),
        "userId": user_id,
        "expire": to_wire(row.expire),
    }


def challenge_secret(row: ChallengeRow, user_id: str, code: str) -> dict[str, Any]:
    """MFAChallengeSecret: the challenge and its code (Users API, custom challenges)."""
    return {**challenge(row, user_id), "code": code}
