"""The raw baseline of bench/serve.py: the service's two reads straight from the driver.

A pure ASGI app (no framework) that uvicorn serves on asyncio, as it serves the service:
GET /health (the bare app's body), GET /api/v1/users/me (the checks of the service's
app/core/security.py on the same token, then the user by id) and GET /api/v1/posts (a page
newest first and its total, in one statement as the service reads them), each answered with
the JSON the service returns. It is about as little as a Python service can do per request
on this database; bench/serve.py checks its answers against the service's before timing.

It runs in the rendered project's environment, which holds the driver (asyncpg or aiosqlite)
and PyJWT, and takes its settings from the environment: RAW_DATABASE_URL (the service's,
in SQLAlchemy's form), RAW_POOL_SIZE, RAW_SECRET_KEY and RAW_JWT_ALGORITHM (no algorithm: no
/users/me), RAW_ROLES ("1": users have a role) and RAW_POST_STATS ("1": posts carry the
worker's word count and reading time).
"""

import asyncio
import json
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Row = Sequence[Any]

HEALTH = b'{"status":"ok","checks":{}}'
MAX_ID = 2**31 - 1
# As app/core/security.py: the claims every access token carries, and the subject's form.
REQUIRED_CLAIMS = ["exp", "iat", "sub", "type", "stamp"]
USER_ID = re.compile(r"[1-9][0-9]{0,9}")
POST_COLUMNS = ["id", "title", "body", "author_id", "created_at", "updated_at"]
POST_STATS = ["word_count", "reading_minutes"]  # with worker=taskiq, before the timestamps
TIMESTAMPS = {"created_at", "updated_at"}


@dataclass(frozen=True)
class Settings:
    database_url: str
    pool_size: int
    secret_key: str
    jwt_algorithm: str | None
    roles: bool
    post_stats: bool

    @classmethod
    def from_environment(cls) -> "Settings":
        return cls(
            database_url=os.environ["RAW_DATABASE_URL"],
            pool_size=int(os.environ.get("RAW_POOL_SIZE", "5")),
            secret_key=os.environ.get("RAW_SECRET_KEY", ""),
            jwt_algorithm=os.environ.get("RAW_JWT_ALGORITHM") or None,
            roles=os.environ.get("RAW_ROLES") == "1",
            post_stats=os.environ.get("RAW_POST_STATS") == "1",
        )

    @property
    def postgresql(self) -> bool:
        return self.database_url.startswith("postgresql")


class Refused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status


class Pool:
    """A fixed set of connections handed out in arrival order: no reset, no ping, no transaction."""

    def __init__(self, connections: list[Any]) -> None:
        self._all = connections
        self._idle: asyncio.Queue[Any] = asyncio.Queue()
        for connection in connections:
            self._idle.put_nowait(connection)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Any]:
        connection = await self._idle.get()
        try:
            yield connection
        finally:
            self._idle.put_nowait(connection)

    async def close(self) -> None:
        for connection in self._all:
            await connection.close()


class Database:
    """The two reads, on asyncpg (PostgreSQL) or aiosqlite (SQLite), rows as tuples."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pool: Pool | None = None

        def mark(n: int) -> str:  # the driver's placeholder for the n-th parameter
            return f"${n}" if settings.postgresql else "?"

        user_columns = ["id", "username", "email", "full_name", "age", "is_active"]
        user_columns += ["role"] * settings.roles + ["created_at", "security_stamp"]
        self.user_columns = user_columns
        self.post_columns = POST_COLUMNS[:4] + POST_STATS * settings.post_stats + POST_COLUMNS[4:]
        self.user_sql = f"SELECT {', '.join(user_columns)} FROM users WHERE id = {mark(1)}"
        # The page and the total in one round trip, as app/repositories/paging.py reads them.
        self.page_sql = (
            f"SELECT {', '.join(self.post_columns)}, (SELECT count(*) FROM posts) AS total"
            f" FROM posts ORDER BY id DESC LIMIT {mark(1)} OFFSET {mark(2)}"
        )
        self.count_sql = "SELECT count(*) FROM posts"

    async def open(self) -> None:
        url = self.settings.database_url
        size = self.settings.pool_size
        if self.settings.postgresql:
            import asyncpg

            dsn = "postgresql://" + url.split("://", 1)[1]
            self.pool = Pool([await asyncpg.connect(dsn) for _ in range(size)])
        else:
            import aiosqlite

            path = url.split(":///", 1)[1]
            # isolation_level None: each statement on its own, as the service's reader runs them.
            self.pool = Pool([await aiosqlite.connect(path, isolation_level=None) for _ in range(size)])

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()

    async def rows(self, sql: str, *parameters: Any) -> list[Row]:
        assert self.pool is not None
        async with self.pool.connection() as connection:
            if self.settings.postgresql:
                return list(await connection.fetch(sql, *parameters))
            # One trip to the connection's thread for the statement and its rows.
            return list(await connection.execute_fetchall(sql, parameters))


def timestamp(value: datetime | str) -> str:
    """As the service's UtcDatetime publishes it: naive values are UTC, UTC is `Z` (pydantic)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def post_json(columns: Sequence[str], row: Row) -> dict[str, Any]:
    # The row ends with the page's total, which zip leaves out.
    pairs = zip(columns, row, strict=False)
    return {name: timestamp(value) if name in TIMESTAMPS else value for name, value in pairs}


def page_bounds(query_string: bytes) -> tuple[int, int]:
    """`skip` and `limit` with the service's defaults and bounds."""
    query = dict(parse_qsl(query_string.decode("latin-1")))
    try:
        skip, limit = int(query.get("skip", "0")), int(query.get("limit", "20"))
    except ValueError:
        raise Refused(422, "skip and limit must be integers") from None
    if not (0 <= skip <= MAX_ID and 1 <= limit <= 100):
        raise Refused(422, "skip or limit out of range")
    return skip, limit


def bearer_token(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token:
                return token
    raise Refused(401, "Not authenticated")


def access_claims(token: str, settings: Settings) -> tuple[int, str]:
    """The user id and stamp of a valid access token, checked as app/core/security.py does."""
    import jwt

    assert settings.jwt_algorithm is not None
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            settings.secret_key,
            algorithms=[settings.jwt_algorithm],
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.InvalidTokenError:
        raise Refused(401, "Could not validate credentials") from None
    subject, stamp = claims["sub"], claims["stamp"]
    if claims["type"] != "access" or not isinstance(stamp, str):
        raise Refused(401, "Could not validate credentials")
    if not (isinstance(subject, str) and USER_ID.fullmatch(subject) and int(subject) <= MAX_ID):
        raise Refused(401, "Could not validate credentials")
    return int(subject), stamp


class RawApp:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.database = Database(settings)

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
            return
        status, body = 200, HEALTH
        try:
            if scope["method"] != "GET":
                raise Refused(405, "Method Not Allowed")
            path = scope["path"]
            if path == "/api/v1/posts":
                body = await self.posts(scope)
            elif path == "/api/v1/users/me" and self.settings.jwt_algorithm is not None:
                body = await self.current_user(scope)
            elif path != "/health":
                raise Refused(404, "Not Found")
        except Refused as refused:
            status, body = refused.status, json.dumps({"detail": str(refused)}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.database.open()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.database.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def posts(self, scope: Message) -> bytes:
        skip, limit = page_bounds(scope["query_string"])
        rows = await self.database.rows(self.database.page_sql, limit, skip)
        if rows:
            total = rows[0][len(self.database.post_columns)]
        elif skip:
            total = (await self.database.rows(self.database.count_sql))[0][0]
        else:
            total = 0
        return dumps({"items": [post_json(self.database.post_columns, row) for row in rows], "total": total})

    async def current_user(self, scope: Message) -> bytes:
        user_id, stamp = access_claims(bearer_token(scope["headers"]), self.settings)
        rows = await self.database.rows(self.database.user_sql, user_id)
        if not rows or rows[0][-1] != stamp:
            raise Refused(401, "Could not validate credentials")
        user = dict(zip(self.database.user_columns[:-1], rows[0][:-1], strict=True))
        if not user["is_active"]:
            raise Refused(403, "Inactive user")
        user["is_active"] = bool(user["is_active"])  # SQLite hands back 1
        user["created_at"] = timestamp(user["created_at"])
        return dumps(user)


def dumps(content: Any) -> bytes:
    # As Starlette's JSONResponse renders.
    return json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def create_app() -> RawApp:
    """uvicorn's factory (`--factory _raw:create_app`): the settings are read when it serves."""
    return RawApp(Settings.from_environment())
