from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Match

# The methods a route of this service can serve, in the order the Allow header lists them.
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def error_headers(request: Request, exc: HTTPException) -> Mapping[str, str] | None:
    """The headers of an HTTPException's response, with a 405's Allow naming every method.

    Starlette's 405 lists the methods of the first route whose path matches, only: `GET` for
    `/api/v1/posts`, which POST serves too.
    """
    if exc.status_code != 405:
        return exc.headers
    return {**(exc.headers or {}), "Allow": ", ".join(allowed_methods(request))}


def allowed_methods(request: Request) -> list[str]:
    """The methods that some route serves at the request's path."""
    routes = request.app.router.routes
    return [
        method
        for method in HTTP_METHODS
        if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)
    ]
