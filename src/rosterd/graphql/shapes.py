"""The response models' shapes, as GraphQL sees them (reference §3 and §10.2).

Each model lists its keys in REST order with a type: a scalar (`String` unless given),
`[String]`, `Json`, or `@model` / `[@model]` for a nested model. Two kinds are special:
"any" models (`preferences`) expose one field `data`, the object as a JSON string, and
"none" (every 204 route) exposes `status`.
"""

from __future__ import annotations

from rosterd.sessions.devices import FIELDS as DEVICE_FIELDS

_STAMPED = ("$id", "$createdAt", "$updatedAt")

USER = (
    *_STAMPED,
    "name",
    "password",
    "hash",
    "hashOptions:@hashOptions",
    "registration",
    "status:Boolean",
    "labels:[String]",
    "passwordUpdate",
    "email",
    "phone",
    "emailVerification:Boolean",
    "emailCanonical",
    "emailIsFree:Boolean",
    "emailIsDisposable:Boolean",
    "emailIsCorporate:Boolean",
    "emailIsCanonical:Boolean",
    "phoneVerification:Boolean",
    "mfa:Boolean",
    "prefs:@preferences",
    "targets:[@target]",
    "accessedAt",
    "impersonator:Boolean",
    "impersonatorUserId",
)

SESSION = (
    *_STAMPED,
    "userId",
    "expire",
    "provider",
    "providerUid",
    "providerAccessToken",
    "providerAccessTokenExpiry",
    "providerRefreshToken",
    "ip",
    *DEVICE_FIELDS,
    "countryCode",
    "countryName",
    "current:Boolean",
    "factors:[String]",
    "secret",
    "mfaUpdatedAt",
)

MEMBERSHIP = (
    *_STAMPED,
    "userId",
    "userName",
    "userEmail",
    "userPhone",
    "teamId",
    "teamName",
    "invited",
    "joined",
    "confirm:Boolean",
    "mfa:Boolean",
    "userAccessedAt",
    "roles:[String]",
)

LOG = (
    "event",
    "userId",
    "userEmail",
    "userName",
    "mode",
    "userType",
    "ip",
    "time",
    *DEVICE_FIELDS,
    "countryCode",
    "countryName",
)

IDENTITY = (
    *_STAMPED,
    "userId",
    "provider",
    "providerUid",
    "providerEmail",
    "providerAccessToken",
    "providerAccessTokenExpiry",
    "providerRefreshToken",
)

TARGET = (
    *_STAMPED,
    "name",
    "userId",
    "providerId",
    "providerType",
    "identifier",
    "expired:Boolean",
)

TEAM = (*_STAMPED, "name", "total:Int", "prefs:@preferences")

PROVIDER = (
    *_STAMPED,
    "name",
    "provider",
    "enabled:Boolean",
    "type",
    "credentials:Json",
    "options:Json",
)

MFA_CHALLENGE = ("$id", "$createdAt", "userId", "expire")

#: The password hash algorithms' options, one object type each in the union `HashOptions`:
#: Appwrite's fields, and the options REST shows that Appwrite's types lack (scrypt's
#: `salt`, bcrypt's `cost`, the SHA `version`), so GraphQL can read all REST shows.
ALGORITHMS = {
    "argon2": ("AlgoArgon2", ("type", "memoryCost:Int", "timeCost:Int", "threads:Int")),
    "scrypt": (
        "AlgoScrypt",
        ("type", "costCpu:Int", "costMemory:Int", "costParallel:Int", "length:Int", "salt"),
    ),
    "scryptMod": ("AlgoScryptModified", ("type", "salt", "saltSeparator", "signerKey")),
    "bcrypt": ("AlgoBcrypt", ("type", "cost:Int")),
    "phpass": ("AlgoPhpass", ("type",)),
    "sha": ("AlgoSha", ("type", "version")),
    "md5": ("AlgoMd5", ("type",)),
}


def _list(key: str, item: str) -> tuple[str, ...]:
    return ("total:Int", f"{key}:[@{item}]")


MODELS: dict[str, tuple[str, ...]] = {
    "user": USER,
    "userList": _list("users", "user"),
    "session": SESSION,
    "sessionList": _list("sessions", "session"),
    "token": ("$id", "$createdAt", "userId", "secret", "expire", "phrase"),
    "jwt": ("jwt",),
    "log": LOG,
    "logList": _list("logs", "log"),
    "membership": MEMBERSHIP,
    "membershipList": _list("memberships", "membership"),
    "identity": IDENTITY,
    "identityList": _list("identities", "identity"),
    "target": TARGET,
    "targetList": _list("targets", "target"),
    "team": TEAM,
    "teamList": _list("teams", "team"),
    "provider": PROVIDER,
    "providerList": _list("providers", "provider"),
    "mfaType": ("secret", "uri"),
    "mfaFactors": (
        "totp:Boolean",
        "phone:Boolean",
        "email:Boolean",
        "recoveryCode:Boolean",
        "custom:Boolean",
    ),
    "mfaRecoveryCodes": ("recoveryCodes:[String]",),
    "mfaChallenge": MFA_CHALLENGE,
    "mfaChallengeSecret": (*MFA_CHALLENGE, "code"),
}

#: Models served under another model's type (the Account model is a User without secrets).
SAME_AS = {"account": "user"}
ANY_MODELS = frozenset({"preferences"})
NONE_MODEL = "none"
