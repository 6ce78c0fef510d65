"""The worker's probe, `python -m app.jobs.health`: exits 0 while a worker of this host reads the queue."""

import asyncio
import os
import socket
import sys

from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.core.config import get_settings

# A waiting worker reads the stream again every 2 seconds (RedisStreamBroker's xread_block).
MAX_IDLE_MS = 30_000


def consumer_name() -> str:
    """The worker's name in the consumer group: its host (the container) and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


async def reads_queue(redis: Redis, queue: str, *, host: str) -> bool:
    """Whether a consumer of `host` read the queue lately (Redis 7.2+ counts a read that found nothing)."""
    try:
        consumers = await redis.xinfo_consumers(queue, queue)
    except RedisError:  # no consumer group yet: no worker has ever started
        return False
    return any(
        _text(consumer["name"]).startswith(f"{host}:") and consumer["idle"] < MAX_IDLE_MS
        for consumer in consumers
    )


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


async def main() -> int:
    settings = get_settings()
    redis = Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2)
    try:
        return 0 if await reads_queue(redis, settings.worker_queue, host=socket.gethostname()) else 1
    except (RedisError, OSError):
        return 1
    finally:
        await redis.aclose()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
