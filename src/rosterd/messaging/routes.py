"""`/v1/messaging/providers`: create (one path per provider kind), list, get, delete."""

from __future__ import annotations

from starlette.routing import BaseRoute

from rosterd.clock import to_wire
from rosterd.http.endpoint import Call, Endpoint, Output, endpoint
from rosterd.http.params import Param
from rosterd.http.routing import operation
from rosterd.store.targets import ProviderRow
from rosterd.validators import UID, Boolean, CustomId, Text

#: Provider kinds (Appwrite's create paths) and the target type each one serves.
KINDS = {
    "mailgun": "email", "sendgrid": "email", "smtp": "email", "resend": "email",
    "twilio": "sms", "textmagic": "sms", "telesign": "sms", "msg91": "sms", "vonage": "sms",
    "fcm": "push", "apns": "push",
}  # fmt: skip
PROVIDER_ID = Param("providerId", UID())


def model(row: ProviderRow) -> dict[str, object]:
    return {
        "$id": row.id,
        "$createdAt": to_wire(row.created_at),
        "$updatedAt": to_wire(row.updated_at),
        "name": row.name,
        "provider": row.provider,
        "enabled": row.enabled,
        "type": row.type,
        "credentials": {},
        "options": {},
    }


def _creator(kind: str) -> Endpoint:
    def create(call: Call) -> Output:
        row = call.services.providers.create(
            call.project_id,
            call.params["providerId"],
            call.params["name"],
            kind=kind,
            kind_type=KINDS[kind],
            enabled=call.params["enabled"],
        )
        return Output("provider", model(row), 201)

    params = (
        Param("providerId", CustomId()),
        Param("name", Text(128)),
        Param("enabled", Boolean(loose=True), optional=True, default=True),
    )
    create.__name__ = f"create_{kind}_provider"
    return endpoint(scopes=("providers.write",), params=params, keys_only=True)(create)


@endpoint(scopes=("providers.read",), keys_only=True)
def list_providers(call: Call) -> Output:
    rows = call.services.providers.list(call.project_id)
    return Output("providerList", {"total": len(rows), "providers": [model(row) for row in rows]})


@endpoint(scopes=("providers.read",), params=(PROVIDER_ID,), keys_only=True)
def get_provider(call: Call) -> Output:
    row = call.services.providers.get(call.project_id, call.params["providerId"])
    return Output("provider", model(row))


@endpoint(scopes=("providers.write",), params=(PROVIDER_ID,), keys_only=True)
def delete_provider(call: Call) -> None:
    call.services.providers.delete(call.project_id, call.params["providerId"])


#: Providers whose SDK method is also spelled in capitals (`createSMTPProvider`).
_ACRONYMS = ("smtp", "fcm", "apns")


def _sdk_names(kind: str) -> str:
    names = f"create{kind.capitalize()}Provider"
    return names + (f"|create{kind.upper()}Provider" if kind in _ACRONYMS else "")


ROUTES: list[BaseRoute] = [
    *(
        operation(
            "POST",
            f"/messaging/providers/{kind}",
            _creator(kind),
            f"messaging.{_sdk_names(kind)}",
            "provider",
        )
        for kind in KINDS
    ),
    operation(
        "GET", "/messaging/providers", list_providers, "messaging.listProviders", "providerList"
    ),
    operation(
        "GET",
        "/messaging/providers/{providerId}",
        get_provider,
        "messaging.getProvider",
        "provider",
    ),
    operation(
        "DELETE",
        "/messaging/providers/{providerId}",
        delete_provider,
        "messaging.deleteProvider",
        "none",
    ),
]
