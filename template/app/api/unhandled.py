import logging
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.error_handlers import internal_error_response, unavailable_response

logger = logging.getLogger("app.errors")

# How long a client should wait before it retries a request that met an outage.
RETRY_AFTER_SECONDS = 5


def _never(_: Exception) -> bool:
    return False


class UnhandledErrorMiddleware:
    """Turns an unhandled exception into a generic 500 and logs it once, with its traceback.

    An exception that `is_outage` recognises (a database that cannot be reached) is a 503
    with Retry-After instead, logged in one line: the code is not at fault, and an outage
    fails every request. Starlette's own handler for `Exception` re-raises after responding,
    so the server would log the same failure a second time.
    """

    def __init__(self, app: ASGIApp, *, is_outage: Callable[[Exception], bool] = _never) -> None:
        self.app = app
        self.is_outage = is_outage

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, _one_line_startup_failure(send))
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response_started = False
        send_error: BaseException | None = None

        async def tracking_send(message: Message) -> None:
            nonlocal response_started, send_error
            if message["type"] == "http.response.start":
                response_started = True
            try:
                await send(message)
            except BaseException as exc:
                send_error = exc
                raise

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            # Raised by the layers outside this one while sending (a client gone): theirs
            # to handle, not an app error.
            if exc is send_error:
                raise
            response = self._respond_to(exc, scope)
            if not response_started:
                await response(scope, receive, send)

    def _respond_to(self, exc: Exception, scope: Scope) -> Response:
        method, path = scope["method"], scope["path"]
        if self.is_outage(exc):
            cause = f"{type(exc).__name__}: {_first_line(exc)}"
            logger.error("Service unavailable on %s %s: %s", method, path, cause)
            return unavailable_response(Request(scope), headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        logger.error("Unhandled error on %s %s", method, path, exc_info=exc)
        return internal_error_response(Request(scope))


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else ""


def _one_line_startup_failure(send: Send) -> Send:
    """Reports a failed startup as the exception's last line, not a whole traceback."""

    async def send_startup_failure(message: Message) -> None:
        if message["type"] == "lifespan.startup.failed" and message.get("message"):
            message = {**message, "message": message["message"].strip().splitlines()[-1]}
        await send(message)

    return send_startup_failure
