import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.exceptions import NotFoundError
from app.db.models import Post, User
from app.repositories.post_repository import PostRepository
from app.repositories.user_repository import UserRepository

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Summary:
    user: User
    post_count: int
    latest_posts: Sequence[Post]


class SummaryService:
    """Gathers independent reads concurrently, each on a session of its own.

    An AsyncSession must never be shared between concurrent tasks.
    """

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory

    async def summarize(self, user_id: int, *, latest: int = 5) -> Summary:
        async with asyncio.TaskGroup() as group:
            user = group.create_task(self._read(lambda s: UserRepository(s).get(user_id)))
            post_count = group.create_task(
                self._read(lambda s: PostRepository(s).count(q=None, author_id=user_id))
            )
            latest_posts = group.create_task(
                self._read(lambda s: PostRepository(s).list(skip=0, limit=latest, q=None, author_id=user_id))
            )
        found = user.result()
        if found is None:
            raise NotFoundError("User", user_id)
        return Summary(user=found, post_count=post_count.result(), latest_posts=latest_posts.result())

    async def _read(self, query: Callable[[AsyncSession], Awaitable[T]]) -> T:
        async with self.session_factory() as session:
            return await query(session)
