from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Match

HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def error_headers(request: Request, exc: HTTPException) -> Mapping[str, str] | None:
    """An HTTPException's headers, where a 405's Allow names every method served at the path.

    Starlette's names the methods of the first route whose path matches only.
    """
    if exc.status_code != 405:
        return exc.headers
    routes = request.app.router.routes
    allowed = [
        method
        for method in HTTP_METHODS
        if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)
    ]
    return {**(exc.headers or {}), "Allow": ", ".join(allowed)}
