"""Scratch databases for one validation: a file for SQLite, fresh databases on a server.

Server databases are created through small pure-Python drivers (pg8000, PyMySQL) so that
validate needs no database client programs; the project reaches them with its own driver.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, quote, unquote, urlsplit

from generator.errors import TrellisError

SERVER_DATABASES = ("postgresql", "mysql")
# The drivers of a generated project, when its .env.example does not say.
DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg", "mysql": "mysql+asyncmy"}


@dataclass(frozen=True)
class Servers:
    """The servers a project's checks use: this machine's by default.

    Scratch databases are created on the PostgreSQL and MySQL servers (admin URLs); a project
    with `cache=redis` uses the Redis server as it is, under a key prefix of its own.
    """

    postgresql: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    mysql: str = "mysql://root@127.0.0.1:3306/"
    redis: str = "redis://127.0.0.1:6379/0"


def project_scheme(project: Path, database: str) -> str:
    """The URL scheme (dialect and driver) the project's own example settings use."""
    example = project / ".env.example"
    if example.is_file():
        for line in example.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "DATABASE_URL" and "://" in value:
                return value.strip().split("://", 1)[0]
    return DRIVERS.get(database, database)


@contextlib.contextmanager
def scratch_databases(
    database: str, scheme: str, servers: Servers, scratch: Path
) -> Iterator[dict[str, str]]:
    """Environment variables pointing the project at databases of its own, removed afterwards."""
    if database not in SERVER_DATABASES:
        yield {"DATABASE_URL": f"{scheme}:///{scratch / 'app.db'}"} if database == "sqlite" else {}
        return
    admin = urlsplit(getattr(servers, database))
    stem = f"trellis_{secrets.token_hex(5)}"
    names = {"TEST_DATABASE_URL": f"{stem}_test", "DATABASE_URL": f"{stem}_app"}
    created: list[str] = []
    try:
        for name in names.values():
            _execute(database, admin, "CREATE DATABASE {}", name)
            created.append(name)
        yield {variable: _url(scheme, admin, name) for variable, name in names.items()}
    finally:
        for name in created:
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
        raise TrellisError(f"{database} server at {where}: {_first_line(exc)}") from None


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


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
