"""The framework ceiling of bench/reads.py: the service's reads as one FastAPI route each.

Where the raw baseline (bench/_raw.py) is the limit of the driver, this is the limit of the
service's own stack: FastAPI routes, SQLAlchemy Core on the project's tables, and the
project's schemas and token checks, with nothing else around them (no middleware, no
services or repositories, one dependency per route). Each route does no more than its read
needs:

- GET /api/v1/posts: `skip` and `limit` as query parameters, the page and its total in one
  prebuilt select (the project's columns and order) on a session of the project's own read
  engine (`Database`, as app/db/dialect.py tunes it for reads), validated into the project's
  `PostPage` from plain dicts;
- GET /api/v1/users/me, uncached: the project's `decode_access_token`, then the user's
  columns by id on such a session and the same stamp check;
- GET /api/v1/users/me, cached: the user's row looked up by the raw token in a dict, filled
  by reading once, which is less than the service's principal cache does.

A service built the way the template builds one cannot be faster than this; the distance
between this and the raw baseline is what the framework and SQLAlchemy cost.

It runs in the rendered project's environment (cwd: the project), beside bench/_inprocess.py.
"""

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession


def create_app(*, cached: bool) -> FastAPI:
    # Imported here: the project's modules are on sys.path only once bench/_inprocess.py runs.
    from app.core.config import Settings
    from app.db.models import Post, User
    from app.db.session import Database
    from app.repositories.post_repository import PostRepository
    from app.schemas.post import PostPage, PostRead

    settings = Settings()
    database = Database.from_settings(settings)
    posts = Post.__table__
    total = select(func.count()).select_from(posts).scalar_subquery().label("total")
    page = (
        select(*(posts.c[name] for name in PostRead.model_fields), total)
        .order_by(PostRepository.order)
        .offset(bindparam("skip"))
        .limit(bindparam("limit"))
    )

    async def session() -> AsyncIterator[AsyncSession]:
        async with database.read_session_factory() as opened:
            yield opened

    Session = Annotated[AsyncSession, Depends(session)]
    app = FastAPI(telemetry={"tracing": False, "metrics": False, "logs": False})  # as the bare app

    @app.get("/api/v1/posts")
    async def list_posts(
        db: Session,
        skip: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> PostPage:
        rows = (await db.execute(page, {"skip": skip, "limit": limit})).mappings().all()
        items = [dict(row) for row in rows]
        return PostPage.model_validate({"items": items, "total": rows[0]["total"] if rows else 0})

    try:
        from app.core.security import decode_access_token
        from app.schemas.user import UserRead
    except ImportError:  # no auth: no /users/me
        return app

    users = User.__table__
    user_columns = [*UserRead.model_fields, "security_stamp"]
    user_by_id = select(*(users.c[name] for name in user_columns)).where(
        users.c["id"] == bindparam("user_id")
    )

    async def read_user(token: str) -> dict[str, Any]:
        claims = decode_access_token(token, settings)
        async with database.read_session_factory() as db:
            row = (await db.execute(user_by_id, {"user_id": claims.user_id})).mappings().one_or_none()
        if row is None or row["security_stamp"] != claims.stamp:
            raise HTTPException(401)
        return dict(row)  # validated once, by the route's response

    known: dict[str, dict[str, Any]] = {}

    async def current_user(request: Request) -> dict[str, Any]:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if not cached:
            return await read_user(token)
        if (user := known.get(token)) is None:
            user = known[token] = await read_user(token)
        return user

    @app.get("/api/v1/users/me")
    async def read_current_user(user: Annotated[dict[str, Any], Depends(current_user)]) -> UserRead:
        return UserRead.model_validate(user)

    return app
