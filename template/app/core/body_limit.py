from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimitMiddleware:
    """A 413 for a POST, PUT or PATCH body over `max_body_size` bytes, declared or streamed, raised
    where the endpoint reads it: answered in this service's error format, not Starlette's plain text."""

    def __init__(self, app: ASGIApp, max_body_size: int) -> None:
        self.app = app
        self.max_body_size = max_body_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            return await self.app(scope, receive, send)
        length = next((value for name, value in scope["headers"] if name == b"content-length"), b"")
        declared = int(length) if length.isdigit() else 0
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared <= self.max_body_size:
                message = await receive()
                received += len(message.get("body", b""))
                if received <= self.max_body_size:
                    return message
            raise HTTPException(413, "Content Too Large")

        await self.app(scope, limited_receive, send)
