import logging
from collections.abc import Callable
from functools import partial

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.error_handlers import internal_error_response, unavailable_response

logger = logging.getLogger("app.errors")

RETRY_AFTER_SECONDS = 5  # how long a client should wait before it retries after an outage


class UnhandledErrorMiddleware:
    """A generic 500 for an unhandled exception, logged once (Starlette's handler re-raises: logged
    twice); an outage (`is_outage`: a database out of reach) is a 503 with Retry-After, in one line."""

    def __init__(self, app: ASGIApp, *, is_outage: Callable[[Exception], bool] = lambda _: False) -> None:
        self.app = app
        self.is_outage = is_outage

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return await self.app(scope, receive, partial(_send_one_line_failure, send))
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False
        send_error: BaseException | None = None

        async def tracking_send(message: Message) -> None:
            nonlocal started, send_error
            started = True
            try:
                await send(message)
            except BaseException as exc:
                send_error = exc
                raise

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if exc is send_error:  # the client is gone: the server's to handle
                raise
            where = f"{scope['method']} {scope['path']}"
            if self.is_outage(exc):
                cause = str(exc).strip().partition("\n")[0]
                logger.error("Service unavailable on %s: %s: %s", where, type(exc).__name__, cause)
                headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
                response = unavailable_response(Request(scope), headers=headers)
            else:
                logger.error("Unhandled error on %s", where, exc_info=exc)
                response = internal_error_response(Request(scope))
            if not started:
                await response(scope, receive, send)


async def _send_one_line_failure(send: Send, message: Message) -> None:
    """Reports a failed startup as the exception's last line, not a whole traceback."""
    if message["type"] == "lifespan.startup.failed" and message.get("message"):
        message = {**message, "message": message["message"].strip().splitlines()[-1]}
    await send(message)
