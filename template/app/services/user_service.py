from collections.abc import Sequence

from app.core.exceptions import ConflictError, NotFoundError
from app.core.passwords import hash_password
from app.db.models import User
from app.repositories.user_repository import UserRepository
from app.schemas.user import UserCreate, UserUpdate


class UserService:
    def __init__(self, users: UserRepository) -> None:
        self.users = users

    async def list(self, *, skip: int, limit: int, q: str | None) -> tuple[Sequence[User], int]:
        items = await self.users.list(skip=skip, limit=limit, q=q)
        return items, await self.users.count(q=q)

    async def get(self, user_id: int) -> User:
        user = await self.users.get(user_id)
        if user is None:
            raise NotFoundError("User", user_id)
        return user

    async def create(self, data: UserCreate) -> User:
        await self._ensure_available(username=data.username, email=str(data.email))
        return await self.users.create(
            username=data.username,
            email=str(data.email),
            full_name=data.full_name,
            age=data.age,
            hashed_password=hash_password(data.password),
        )

    async def update(self, user_id: int, data: UserUpdate) -> User:
        user = await self.get(user_id)
        changes = data.model_dump(exclude_none=True, exclude={"password"})
        if data.email is not None and data.email != user.email:
            await self._ensure_available(username=None, email=str(data.email))
        if data.password is not None:
            changes["hashed_password"] = hash_password(data.password)
        return await self.users.update(user, **changes)

    async def delete(self, user_id: int) -> None:
        await self.users.delete(await self.get(user_id))

    async def _ensure_available(self, *, username: str | None, email: str | None) -> None:
        taken = await self.users.find_taken(username=username, email=email)
        if taken is None:
            return
        field = "username" if username is not None and taken.username == username else "email"
        raise ConflictError(f"{field} already registered")
