from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Match

# The methods a route can serve, in the order a 405's Allow lists them.
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def error_headers(request: Request, exc: HTTPException) -> Mapping[str, str] | None:
    """`exc.headers`, where a 405's Allow names every method served at the path, not the first route's."""
    if exc.status_code != 405:
        return exc.headers
    scopes = [{**request.scope, "method": method} for method in HTTP_METHODS]
    routes = request.app.router.routes
    allowed = [s["method"] for s in scopes if any(route.matches(s)[0] is Match.FULL for route in routes)]
    return {**(exc.headers or {}), "Allow": ", ".join(allowed)}
