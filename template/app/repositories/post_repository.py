from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Post


class PostRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list(
        self, *, skip: int, limit: int, q: str | None, author_id: int | None = None
    ) -> Sequence[Post]:
        statement = (
            select(Post).where(*_matching(q, author_id)).order_by(Post.id.desc()).offset(skip).limit(limit)
        )
        return (await self.session.scalars(statement)).all()

    async def count(self, *, q: str | None, author_id: int | None = None) -> int:
        statement = select(func.count()).select_from(Post).where(*_matching(q, author_id))
        return (await self.session.scalar(statement)) or 0

    async def get(self, post_id: int) -> Post | None:
        return await self.session.get(Post, post_id)

    async def create(self, **values: Any) -> Post:
        post = Post(**values)
        self.session.add(post)
        await self.session.commit()
        await self.session.refresh(post)
        return post

    async def update(self, post: Post, **values: Any) -> Post:
        for name, value in values.items():
            setattr(post, name, value)
        await self.session.commit()
        await self.session.refresh(post)
        return post

    async def delete(self, post: Post) -> None:
        await self.session.delete(post)
        await self.session.commit()


def _matching(q: str | None, author_id: int | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if q is not None:
        pattern = f"%{q}%"
        conditions.append(or_(Post.title.ilike(pattern), Post.body.ilike(pattern)))
    if author_id is not None:
        conditions.append(Post.author_id == author_id)
    return conditions
