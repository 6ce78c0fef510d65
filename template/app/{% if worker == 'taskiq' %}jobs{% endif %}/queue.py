"""How a request queues jobs: once its transaction has committed, so that the worker finds its writes."""

import logging
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from taskiq import AsyncBroker
from taskiq.exceptions import SendTaskError
from taskiq.kicker import AsyncKicker

from app.db.session import SessionDep, after_commit

logger = logging.getLogger("app.jobs")


class JobQueue:
    """The jobs a request may queue, each sent once its transaction has committed."""

    def __init__(self, broker: AsyncBroker, session: AsyncSession) -> None:
        self.broker = broker
        self.session = session

    def analyse_post(self, post_id: int) -> None:
        """Counts the words of the post (app/jobs/post_stats.py)."""
        self._queue("analyse_post", post_id)

    def _queue(self, job: str, *args: Any) -> None:
        kicker: AsyncKicker[Any, None] = AsyncKicker(task_name=job, broker=self.broker, labels={})

        async def send() -> None:
            try:
                await kicker.kiq(*args)
            except SendTaskError as exc:
                # The request's writes stand; the job's work is left undone (README, "Background jobs").
                logger.error("Job %s%r not queued: %s", job, args, exc.__cause__ or exc)

        after_commit(self.session, send)


async def get_broker(request: Request) -> AsyncBroker:
    broker: AsyncBroker = request.app.state.broker
    return broker


async def get_job_queue(broker: Annotated[AsyncBroker, Depends(get_broker)], session: SessionDep) -> JobQueue:
    return JobQueue(broker, session)


Jobs = Annotated[JobQueue, Depends(get_job_queue)]
