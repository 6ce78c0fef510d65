from starlette import status
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The methods whose requests carry a body this service reads.
_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


class BodyLimitMiddleware:
    """Refuses request bodies over `max_body_size` bytes with 413, in this service's error format.

    The limit holds where the body is read: a declared Content-Length over it fails the first
    read, a body that turns out longer fails the read that crosses it. Either raises an
    HTTPException inside the endpoint, so the error handlers answer it. (Starlette's
    RequestBodyLimitMiddleware, behind FastAPI's `max_body_size`, answers a declared length
    over the limit with a plain-text body of its own, whatever the error format.) Requests
    whose method carries no body go straight through: reads and probes are the most frequent.
    """

    def __init__(self, app: ASGIApp, max_body_size: int) -> None:
        self.app = app
        self.max_body_size = max_body_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WITH_BODY:
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared is not None and declared > self.max_body_size:
                raise _too_large()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_size:
                    raise _too_large()
            return message

        await self.app(scope, limited_receive, send)


def _too_large() -> HTTPException:
    return HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "Content Too Large")


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None
