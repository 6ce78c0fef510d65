import logging
from typing import Any

from taskiq import SimpleRetryMiddleware, TaskiqMessage, TaskiqMiddleware, TaskiqResult
from taskiq.exceptions import NoResultError

from app.core.request_id import request_id_var

logger = logging.getLogger("app.jobs")

REQUEST_ID_LABEL = "request_id"


class RequestIdLabel(TaskiqMiddleware):
    """A job carries the id of the request that queued it, and logs under it when it runs."""

    def pre_send(self, message: TaskiqMessage) -> TaskiqMessage:
        request_id = request_id_var.get()
        if request_id is not None and REQUEST_ID_LABEL not in message.labels:
            message.labels[REQUEST_ID_LABEL] = request_id
        return message

    def pre_execute(self, message: TaskiqMessage) -> TaskiqMessage:
        # Each message runs in an asyncio task, and so a context, of its own: nothing to reset.
        request_id_var.set(message.labels.get(REQUEST_ID_LABEL))
        return message


class RetryThenLog(SimpleRetryMiddleware):
    """Queues a failed job again at once, up to its attempts; logs the failure that ends it."""

    async def on_error(
        self, message: TaskiqMessage, result: TaskiqResult[Any], exception: BaseException
    ) -> None:
        attempts = int(message.labels.get("_retries", 0)) + 1  # read first: the retry updates the labels
        await super().on_error(message, result, exception)
        if isinstance(result.error, NoResultError):  # queued again: not the last attempt
            return
        logger.error(
            "Job %s gave up after %d attempt(s): %s",
            message.task_name,
            attempts,
            exception,
            extra={"job": message.task_name, "job_id": message.task_id, "job_args": message.args},
        )
