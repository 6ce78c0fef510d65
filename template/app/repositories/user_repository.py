from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.exceptions import ConflictError
from app.db.models import User


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list(self, *, skip: int, limit: int, q: str | None) -> Sequence[User]:
        statement = select(User).where(*_matching(q)).order_by(User.id).offset(skip).limit(limit)
        return (await self.session.scalars(statement)).all()

    async def count(self, *, q: str | None) -> int:
        statement = select(func.count()).select_from(User).where(*_matching(q))
        return (await self.session.scalar(statement)) or 0

    async def get(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def get_by_username(self, username: str) -> User | None:
        return await self.session.scalar(select(User).where(User.username == username))

    async def find_taken(self, *, username: str | None, email: str | None) -> User | None:
        conditions = [User.username == username] if username else []
        conditions += [User.email == email] if email else []
        if not conditions:
            return None
        return await self.session.scalar(select(User).where(or_(*conditions)).limit(1))

    async def create(self, **values: Any) -> User:
        user = User(**values)
        self.session.add(user)
        await self._commit()
        await self.session.refresh(user)
        return user

    async def update(self, user: User, **values: Any) -> User:
        for name, value in values.items():
            setattr(user, name, value)
        await self._commit()
        await self.session.refresh(user)
        return user

    async def delete(self, user: User) -> None:
        await self.session.delete(user)
        await self._commit()

    async def _commit(self) -> None:
        try:
            await self.session.commit()
        except IntegrityError as exc:
            await self.session.rollback()
            raise ConflictError("username or email already registered") from exc


def _matching(q: str | None) -> list[ColumnElement[bool]]:
    if q is None:
        return []
    pattern = f"%{q}%"
    return [or_(User.username.ilike(pattern), User.email.ilike(pattern))]
