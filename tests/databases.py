"""Throwaway databases on this machine's servers, for the generated projects' suites."""

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from tests.projects import project_environment

SERVER_URLS = {
    "postgresql": "postgresql+asyncpg://postgres@127.0.0.1:5432",
    "mysql": "mysql+asyncmy://root@127.0.0.1:3306",
}

_CLIENTS = {
    "postgresql": ["psql", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "-d", "test", "-tAc"],
    "mysql": ["mariadb", "-h", "127.0.0.1", "-P", "3306", "-uroot", "-N", "-e"],
}


def sql(database: str, statement: str) -> str:
    """Run one statement with the server's own command-line client; its output."""
    client = _CLIENTS[database]
    if shutil.which(client[0]) is None:
        pytest.skip(f"{client[0]} is not installed: no {database} server to test against")
    result = subprocess.run([*client, statement], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, f"{client[0]}: {result.stderr.strip()}"
    return result.stdout.strip()


def exists(database: str, name: str) -> bool:
    if database == "postgresql":
        return sql(database, f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"
    return sql(database, f"SHOW DATABASES LIKE '{name}'") == name


@contextmanager
def fresh_database(database: str, *, create: bool = False) -> Iterator[str]:
    """The URL of a uniquely named database that does not outlive the block.

    Without `create`, the database does not exist yet: the generated suite creates it.
    """
    name = f"trellis_{database}_{uuid.uuid4().hex[:12]}"
    if create:
        sql(database, f"CREATE DATABASE {name}")
    try:
        yield f"{SERVER_URLS[database]}/{name}"
    finally:
        drop = f"DROP DATABASE IF EXISTS {name}"
        sql(database, f"{drop} WITH (FORCE)" if database == "postgresql" else drop)


@contextmanager
def database_environment(project: Path) -> Iterator[dict[str, str]]:
    """The environment to check a rendered project in: a fresh TEST_DATABASE_URL when it needs a server."""
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    database = str(answers["database"])
    if database not in SERVER_URLS:
        yield project_environment()
        return
    with fresh_database(database) as url:
        yield project_environment({"TEST_DATABASE_URL": url})
