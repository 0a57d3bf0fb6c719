"""What one GraphQL request carries through its fields' resolvers."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

from rosterd.http.endpoint import Call, Cookie, Output, Site, set_cookie


@dataclass
class Context:
    """The outer HTTP request, and what the replayed REST routes asked of the response:
    cookies and headers to set, and whether one of them answered 204."""

    request: Request
    no_content: bool = False
    via_fallback: bool = False
    cookies: list[tuple[Cookie, Site]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def keep(self, output: Output, call: Call) -> None:
        """An output's cookies (for the call's site, read only if there are any) and
        headers."""
        self.cookies.extend((cookie, call.site) for cookie in output.cookies)
        self.headers.update(output.headers)

    def apply(self, response: Response) -> Response:
        for cookie, site in self.cookies:
            set_cookie(response, cookie, site)
        response.headers.update(self.headers)
        if self.via_fallback:
            response.headers["x-debug-fallback"] = "true"
        return response
