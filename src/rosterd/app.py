"""`create_app(settings)` builds the ASGI application; nothing is created at import time."""

from __future__ import annotations

import logging
import uuid

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from rosterd import maintenance
from rosterd.accounts.routes import ROUTES as ACCOUNT_ROUTES
from rosterd.audit.routes import ROUTES as AUDIT_ROUTES
from rosterd.errors import AppwriteError, RouteNotFound
from rosterd.graphql.engine import Engine
from rosterd.graphql.routes import ROUTES as GRAPHQL_ROUTES
from rosterd.graphql.schema import build_schema
from rosterd.http.formats import FormatWarning
from rosterd.http.responses import SERVER_VERSION, error_response, json_response
from rosterd.http.routing import IndexedRouter, operations
from rosterd.identities.routes import ROUTES as IDENTITY_ROUTES
from rosterd.jwts.routes import ROUTES as JWT_ROUTES
from rosterd.messaging.routes import ROUTES as MESSAGING_ROUTES
from rosterd.mfa.routes import ROUTES as MFA_ROUTES
from rosterd.oauth.routes import ROUTES as OAUTH_ROUTES
from rosterd.services import Services
from rosterd.sessions import devices, parser_process
from rosterd.sessions.routes import ROUTES as SESSION_ROUTES
from rosterd.settings import Settings
from rosterd.targets.routes import ROUTES as TARGET_ROUTES
from rosterd.teams.routes import ROUTES as TEAM_ROUTES
from rosterd.tokens.routes import ROUTES as TOKEN_ROUTES
from rosterd.users.passkeys import ROUTES as PASSKEY_ROUTES
from rosterd.users.routes import ROUTES as USER_ROUTES

log = logging.getLogger("rosterd")


async def health_version(_request: Request) -> Response:
    return json_response({"version": SERVER_VERSION})


async def _appwrite_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, AppwriteError)
    return error_response(error)


async def _http_error(_request: Request, _error: Exception) -> Response:
    """No route for this path, or none for this method on it: Appwrite says 404 to both."""
    return error_response(RouteNotFound())


async def _unexpected(request: Request, error: Exception) -> Response:
    request_id = uuid.uuid4().hex
    log.error(
        "unexpected error %s on %s %s", request_id, request.method, request.url.path, exc_info=error
    )
    return error_response(AppwriteError())


def create_app(settings: Settings, services: Services | None = None) -> Starlette:
    """The application over `services` (built from `settings` when not given)."""
    routes = [
        Mount(
            "/v1",
            app=IndexedRouter(
                [
                    Route("/health/version", health_version),
                    *MFA_ROUTES,
                    *IDENTITY_ROUTES,  # before `/users/{userId}`, which would take `identities`
                    *USER_ROUTES,
                    *PASSKEY_ROUTES,
                    *SESSION_ROUTES,
                    *TOKEN_ROUTES,
                    *JWT_ROUTES,
                    *AUDIT_ROUTES,
                    *TARGET_ROUTES,
                    *MESSAGING_ROUTES,
                    *TEAM_ROUTES,
                    *ACCOUNT_ROUTES,
                    *OAUTH_ROUTES,
                    *GRAPHQL_ROUTES,
                ]
            ),
        ),
    ]
    app = Starlette(
        routes=routes,
        lifespan=maintenance.lifespan,
        middleware=[Middleware(FormatWarning)],
        exception_handlers={
            AppwriteError: _appwrite_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
    )
    app.state.services = services or Services.build(settings)
    app.state.graphql = Engine(build_schema(operations(routes)), settings)
    return app


def create_app_from_environ() -> Starlette:
    """Factory for `uvicorn --factory` worker processes: they ask the parser process that
    `rosterd serve` started, or else load the User-Agent rules themselves, at once."""
    devices.parse_elsewhere(parser_process.client_from_environ())
    devices.warm_up()
    return create_app(Settings.from_environ())
