import logging

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.error_handlers import internal_error_response

logger = logging.getLogger("app.errors")


class UnhandledErrorMiddleware:
    """Turns an unhandled exception into a generic 500 and logs it once, with its traceback.

    Starlette's own handler for `Exception` re-raises after responding, so the server
    would log the same failure a second time.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

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
            logger.exception("Unhandled error on %s %s", scope["method"], scope["path"])
            if not response_started:
                await internal_error_response(Request(scope))(scope, receive, send)


def _one_line_startup_failure(send: Send) -> Send:
    """Reports a failed startup as the exception's last line, not a whole traceback."""

    async def send_startup_failure(message: Message) -> None:
        if message["type"] == "lifespan.startup.failed" and message.get("message"):
            message = {**message, "message": message["message"].strip().splitlines()[-1]}
        await send(message)

    return send_startup_failure
