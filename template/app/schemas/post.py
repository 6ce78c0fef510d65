from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.user import UserRead

Title = Annotated[str, Field(min_length=1, max_length=200, examples=["Hello, world"])]
Body = Annotated[str, Field(min_length=1, max_length=10_000, examples=["My first post."])]


class PostCreate(BaseModel):
    title: Title
    body: Body
    author_id: Annotated[int, Field(ge=1)]


class PostUpdate(BaseModel):
    title: Title | None = None
    body: Body | None = None


class PostRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    body: str
    author_id: int
    created_at: datetime
    updated_at: datetime


class PostPage(BaseModel):
    items: list[PostRead]
    total: int


class UserSummary(BaseModel):
    user: UserRead
    post_count: int
    latest_posts: list[PostRead]
