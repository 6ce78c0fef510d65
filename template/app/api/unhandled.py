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

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
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
