"""OAuth2 sign-in over HTTP (Appwrite's routes).

GET /v1/account/sessions/oauth2/{provider}?project=&success=&failure=&scopes[]=
GET /v1/account/tokens/oauth2/{provider}?project=&success=&failure=&scopes[]=
    -> 301 to the provider
GET /v1/account/sessions/oauth2/callback/{provider}/{projectId}?code=&state=
    -> 301 to `success` (with the session cookie; for the token flow with `userId`
       and `secret` in the query), or to `failure` with `error` (the error as JSON)
"""

from __future__ import annotations

import json
from urllib.parse import urlencode, urlsplit, urlunsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from rosterd import clock
from rosterd.accounts.routes import session_cookies
from rosterd.audit import Actor
from rosterd.errors import ProjectInvalidFailureUrl, ProjectInvalidSuccessUrl, RouteNotFound
from rosterd.http.endpoint import (
    Call,
    Cookie,
    Output,
    Site,
    endpoint,
    request_client,
    request_site,
    set_cookie,
)
from rosterd.http.params import Param
from rosterd.oauth.service import STATE_LIFETIME, Callback, CallbackFailed, Finished, Start
from rosterd.services import Services
from rosterd.validators import Strings, Text, WhiteList

#: The provider names Appwrite knows; rosterd can be configured for `oidc` and `github`,
#: and answers the others as a provider the project has not enabled.
APPWRITE_PROVIDERS = (
    "amazon", "apple", "auth0", "authentik", "autodesk", "bitbucket", "bitly", "box",
    "dailymotion", "discord", "disqus", "dropbox", "etsy", "facebook", "figma", "github",
    "gitlab", "google", "linkedin", "microsoft", "notion", "oidc", "okta", "paypal",
    "paypalSandbox", "podio", "salesforce", "slack", "spotify", "stripe", "tradeshift",
    "tradeshiftBox", "twitch", "wordpress", "yahoo", "yammer", "yandex", "zoho", "zoom",
)  # fmt: skip

CALLBACK = "/v1/account/sessions/oauth2/callback/{provider}/{project}"
#: Set when a sign-in starts; the callback must bring it back (the sign-in is bound to the
#: browser that started it, so a link started elsewhere cannot sign a victim in).
BROWSER_COOKIE = "a_oauth2_state"
RESULT = "/v1/account/sessions/oauth2/result"

PARAMS = (
    Param("provider", WhiteList(APPWRITE_PROVIDERS)),
    Param("success", Text(2048), optional=True, default=""),
    Param("failure", Text(2048), optional=True, default=""),
    Param("scopes", Strings(maximum=100, length=128), optional=True, default=[]),
)


def public_url(services: Services, site: Site, path: str) -> str:
    """`path` on this server as clients reach it (`ROSTERD_PUBLIC_URL`, else the request's)."""
    return (services.settings.public_url.rstrip("/") or site.base_url) + path


def _target(call: Call, name: str, default: str) -> str:
    """`success` or `failure`: one on the project's platforms, or, when not given, this
    server's own result page (never a page on whatever host the request named)."""
    url = str(call.params[name])
    if not url:
        return default
    try:
        allowed = call.services.oauth.settings.allows(call.project_id, url)
    except ValueError:  # not even a URL (`http://[`)
        allowed = False
    if allowed:
        return url
    raise ProjectInvalidSuccessUrl() if name == "success" else ProjectInvalidFailureUrl()


def _begin(call: Call, *, token: bool) -> Output:
    result = public_url(call.services, call.site, RESULT)
    start = Start(
        project_id=call.project_id,
        provider=call.params["provider"],
        success=_target(call, "success", result + "?outcome=success"),
        failure=_target(call, "failure", result + "?outcome=failure"),
        scopes=call.params["scopes"],
        token=token,
        user=call.caller.user if call.caller.session is not None else None,
    )
    path = CALLBACK.format(provider=start.provider, project=start.project_id)
    url, browser = call.services.oauth.begin(start, public_url(call.services, call.site, path))
    cookie = Cookie(BROWSER_COOKIE, browser, clock.now() + STATE_LIFETIME, "lax")
    return Output("none", None, 301, (cookie,), headers={"location": url})


@endpoint(scopes=("sessions.write",), params=PARAMS)
def create_oauth2_session(call: Call) -> Output:
    return _begin(call, token=False)


@endpoint(scopes=("sessions.write",), params=PARAMS)
def create_oauth2_token(call: Call) -> Output:
    return _begin(call, token=True)


def _with_query(url: str, extra: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = "&".join(part for part in (parts.query, urlencode(extra)) if part)
    return urlunsplit(parts._replace(query=query))


def _finished(site: Site, project_id: str, finished: Finished) -> Response:
    if finished.token is not None:
        query = {"userId": finished.user.id, "secret": finished.token.secret}
        return RedirectResponse(_with_query(finished.success, query), status_code=301)
    response = RedirectResponse(finished.success, status_code=301)
    assert finished.session is not None
    for cookie in session_cookies(project_id, finished.user.id, finished.session):
        set_cookie(response, cookie, site)
    return response


async def oauth2_callback(request: Request) -> Response:
    if request.method != "GET":  # Starlette adds HEAD, which must not use up a sign-in
        raise RouteNotFound()
    services: Services = request.app.state.services
    provider, project_id = request.path_params["provider"], request.path_params["projectId"]
    query = request.query_params
    callback = Callback(
        project_id=project_id,
        provider=provider,
        state=query.get("state", "")[:512],
        code=query.get("code", "")[:4096],
        error=(query.get("error_description") or query.get("error") or "")[:512],
        browser=request.cookies.get(BROWSER_COOKIE, "")[:128],
    )
    site = request_site(request)
    client = request_client(request, services)
    actor = Actor(
        type="guest", id="", email="", name="", ip=client.ip, user_agent=client.user_agent
    )
    try:
        finished = await run_in_threadpool(services.oauth.finish, callback, client, actor)
    except CallbackFailed as failed:
        error = {
            "message": failed.error.message,
            "type": failed.error.type,
            "code": failed.error.code,
        }
        url = _with_query(failed.failure, {"error": json.dumps(error, separators=(",", ":"))})
        return _forget_browser(RedirectResponse(url, status_code=301), site)
    return _forget_browser(_finished(site, project_id, finished), site)


def _forget_browser(response: Response, site: Site) -> Response:
    set_cookie(response, Cookie(BROWSER_COOKIE, None), site)
    return response


async def oauth2_result(request: Request) -> Response:
    """Where a sign-in that named no `success` or `failure` page ends: what happened."""
    outcome = request.query_params.get("outcome", "")
    body: dict[str, object] = {"outcome": outcome if outcome in ("success", "failure") else ""}
    if "error" in request.query_params:
        try:
            body["error"] = json.loads(request.query_params["error"])
        except ValueError:
            body["error"] = None
    return JSONResponse(body, status_code=200)


ROUTES: list[BaseRoute] = [
    Route("/account/sessions/oauth2/result", oauth2_result, methods=["GET"]),
    Route(
        "/account/sessions/oauth2/callback/{provider}/{projectId}", oauth2_callback, methods=["GET"]
    ),
    # Browser redirects, not API calls: not GraphQL operations.
    Route("/account/sessions/oauth2/{provider}", create_oauth2_session, methods=["GET"]),
    Route("/account/tokens/oauth2/{provider}", create_oauth2_token, methods=["GET"]),
]
