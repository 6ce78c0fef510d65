"""Scratch databases for one validation: a file for SQLite, fresh databases on a server; and
the Redis keys the project wrote, removed afterwards.

Server databases are created through small pure-Python drivers (pg8000, PyMySQL), and Redis
keys removed with redis-py, so that validate needs no client programs; the project reaches the
servers with its own drivers.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, quote, unquote, urlsplit

import redis

from generator.errors import TrellisError, one_line


@dataclass(frozen=True)
class Servers:
    """The servers a project's checks use: this machine's by default.

    Scratch databases are created on the PostgreSQL and MySQL servers (admin URLs); a project
    with `cache=redis` or `worker=taskiq` uses the Redis server as it is, under a key prefix and a
    job queue of its own.
    """

    postgresql: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    mysql: str = "mysql://root@127.0.0.1:3306/"
    redis: str = "redis://127.0.0.1:6379/0"


@contextlib.contextmanager
def scratch_redis(url: str | None, prefix: str) -> Iterator[None]:
    """Delete, afterwards, the key `prefix` (the job queue) and every key under `prefix:` (the
    cache's) from the Redis at `url`. Nothing without a URL.

    `prefix` is the scratch folder's name, which holds no glob characters."""
    try:
        yield
    finally:
        if url is not None:
            _delete_keys(url, prefix)


def _delete_keys(url: str, prefix: str) -> None:
    # A Redis that cannot be reached, or a URL that is not one, failed the steps that needed it:
    # the report says so, and cleaning up must not hide it.
    with (
        contextlib.suppress(redis.RedisError, ValueError),
        redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5) as client,
    ):
        client.unlink(prefix, *client.scan_iter(match=f"{prefix}:*", count=1000))


@contextlib.contextmanager
def scratch_databases(
    scheme: str | None, on_server: bool, servers: Servers, scratch: Path
) -> Iterator[dict[str, str]]:
    """Environment variables pointing the project at databases of its own, removed afterwards.

    `scheme` is the dialect and driver of the project's database URL (`postgresql+asyncpg`), None
    without a database; `on_server` says whether it lives on a server or in a file. The app's
    database is created here; the test database only named: the project's suite creates it, as
    it does in the project's own CI."""
    if scheme is None:
        yield {}
        return
    if not on_server:
        yield {"DATABASE_URL": f"{scheme}:///{scratch / 'app.db'}"}
        return
    database = scheme.split("+", 1)[0]
    if database not in ("postgresql", "mysql"):
        raise TrellisError(f"validate has no scratch databases for {database} servers")
    admin = urlsplit(getattr(servers, database))
    stem = f"trellis_{secrets.token_hex(5)}"
    names = {"TEST_DATABASE_URL": f"{stem}_test", "DATABASE_URL": f"{stem}_app"}
    _execute(database, admin, "CREATE DATABASE {}", names["DATABASE_URL"])
    try:
        yield {variable: _url(scheme, admin, name) for variable, name in names.items()}
    finally:
        for name in names.values():
            with contextlib.suppress(TrellisError):
                _execute(database, admin, "DROP DATABASE IF EXISTS {}", name)


def _url(scheme: str, admin: SplitResult, name: str) -> str:
    credentials = quote(unquote(admin.username or ""), safe="")
    if admin.password:
        credentials += ":" + quote(unquote(admin.password), safe="")
    host = admin.hostname or "127.0.0.1"
    port = f":{admin.port}" if admin.port else ""
    return f"{scheme}://{credentials}{'@' if credentials else ''}{host}{port}/{name}"


def _execute(database: str, admin: SplitResult, statement: str, name: str) -> None:
    try:
        if database == "postgresql":
            _postgresql(
                admin, statement.format(f'"{name}"') + (" WITH (FORCE)" if "DROP" in statement else "")
            )
        else:
            _mysql(admin, statement.format(f"`{name}`"))
    except TrellisError:
        raise
    except Exception as exc:  # the drivers raise their own error types, and OSError
        where = f"{admin.hostname}:{admin.port or ''}"
        raise TrellisError(f"{database} server at {where}: {one_line(exc, keep='first')}") from None


def _postgresql(admin: SplitResult, sql: str) -> None:
    import pg8000.native  # imported here: only server databases need it

    connection = pg8000.native.Connection(
        user=unquote(admin.username or "postgres"),
        password=unquote(admin.password) if admin.password else None,
        host=admin.hostname or "127.0.0.1",
        port=admin.port or 5432,
        database=admin.path.lstrip("/") or "postgres",
        timeout=10,
    )
    try:
        connection.run(sql)
    finally:
        connection.close()


def _mysql(admin: SplitResult, sql: str) -> None:
    import pymysql

    options: dict[str, Any] = {
        "user": unquote(admin.username or "root"),
        "password": unquote(admin.password or ""),
        "host": admin.hostname or "127.0.0.1",
        "port": admin.port or 3306,
        "connect_timeout": 10,
        "autocommit": True,
    }
    connection = pymysql.connect(**options)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()
