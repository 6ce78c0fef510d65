from collections.abc import Sequence

from app.core.exceptions import NotFoundError
from app.db.models import Post
from app.repositories.post_repository import PostRepository
from app.repositories.user_repository import UserRepository
from app.schemas.post import PostCreate, PostUpdate


class PostService:
    def __init__(self, posts: PostRepository, users: UserRepository) -> None:
        self.posts = posts
        self.users = users

    async def list(
        self, *, skip: int, limit: int, q: str | None, author_id: int | None = None
    ) -> tuple[Sequence[Post], int]:
        items = await self.posts.list(skip=skip, limit=limit, q=q, author_id=author_id)
        return items, await self.posts.count(q=q, author_id=author_id)

    async def get(self, post_id: int) -> Post:
        return await self._require(post_id)

    async def create(self, data: PostCreate) -> Post:
        if await self.users.get(data.author_id) is None:
            raise NotFoundError("User", data.author_id)
        return await self.posts.create(**data.model_dump())

    async def update(self, post_id: int, data: PostUpdate) -> Post:
        post = await self._require(post_id)
        return await self.posts.update(post, **data.model_dump(exclude_none=True))

    async def delete(self, post_id: int) -> None:
        await self.posts.delete(await self._require(post_id))

    async def _require(self, post_id: int) -> Post:
        """The post as stored now: writes start from the database, never from a cache."""
        post = await self.posts.get(post_id)
        if post is None:
            raise NotFoundError("Post", post_id)
        return post
