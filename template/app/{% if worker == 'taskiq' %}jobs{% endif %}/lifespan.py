from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from app.core.config import Settings
from app.jobs.broker import create_broker

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def with_broker(settings: Settings, lifespan: Lifespan) -> Lifespan:
    """`lifespan`, with the broker requests queue jobs on (app/jobs/queue.py), closed after it."""

    @asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[None]:
        # Queueing needs no startup: the first worker to start declares the stream's consumer group.
        app.state.broker = create_broker(settings)
        try:
            async with lifespan(app):
                yield
        finally:
            await app.state.broker.shutdown()

    return run
