import os
import secrets
import subprocess
import sys
from pathlib import Path

import pg8000.native
import pymysql
import pytest
import redis

from generator.errors import TrellisError
from generator.project import Project
from generator.template import load_spec
from generator.validate.databases import Servers, scratch_databases, scratch_redis


def execute(scheme: str, statement: str, name: str = "") -> list[tuple[object, ...]]:
    """One statement on this machine's server for `scheme`, as its admin; the rows it returns."""
    if scheme.startswith("postgresql"):
        connection = pg8000.native.Connection(user="postgres", host="127.0.0.1", database="postgres")
        try:
            return [tuple(row) for row in connection.run(statement.format(f'"{name}"')) or []]
        finally:
            connection.close()
    mysql = pymysql.connect(host="127.0.0.1", user="root", password="", autocommit=True)
    try:
        with mysql.cursor() as cursor:
            cursor.execute(statement.format(f"`{name}`"))
            return [tuple(row) for row in cursor.fetchall()]
    finally:
        mysql.close()


def databases(scheme: str) -> set[object]:
    if scheme.startswith("postgresql"):
        return {row[0] for row in execute(scheme, "SELECT datname FROM pg_database")}
    return {row[0] for row in execute(scheme, "SHOW DATABASES")}


class TestScratchDatabases:
    def test_sqlite_gets_a_file_in_the_scratch_directory(self, tmp_path: Path) -> None:
        with scratch_databases("sqlite+aiosqlite", False, Servers(), tmp_path) as env:
            assert env == {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'app.db'}"}

    def test_no_database_needs_no_variables(self, tmp_path: Path) -> None:
        with scratch_databases(None, False, Servers(), tmp_path) as env:
            assert env == {}

    @pytest.mark.parametrize(
        ("scheme", "server"),
        [
            ("postgresql+asyncpg", "postgresql+asyncpg://postgres@127.0.0.1:5432"),
            ("mysql+asyncmy", "mysql+asyncmy://root@127.0.0.1:3306"),
        ],
    )
    def test_the_app_database_is_created_and_both_are_dropped(
        self, tmp_path: Path, scheme: str, server: str
    ) -> None:
        with scratch_databases(scheme, True, Servers(), tmp_path) as env:
            app, test = env["DATABASE_URL"].rsplit("/", 1), env["TEST_DATABASE_URL"].rsplit("/", 1)
            assert app[0] == test[0] == server
            assert app[1] in databases(scheme)
            assert test[1] not in databases(scheme)  # the project's suite creates it
            execute(scheme, "CREATE DATABASE {}", test[1])
        assert not {app[1], test[1]} & databases(scheme)

    def test_a_server_that_does_not_answer_is_one_clear_error(self, tmp_path: Path) -> None:
        servers = Servers(postgresql="postgresql://postgres@127.0.0.1:1/postgres")
        with (
            pytest.raises(TrellisError, match=r"postgresql server at 127\.0\.0\.1:1"),
            scratch_databases("postgresql+asyncpg", True, servers, tmp_path),
        ):
            pass

    def test_the_server_url_comes_from_the_environment(self, tmp_path: Path) -> None:
        (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
        (tmp_path / ".copier-answers.yml").write_text("database: postgresql\n")
        env = {**os.environ, "TRELLIS_POSTGRES_URL": "postgresql://postgres@127.0.0.1:1/postgres"}
        result = subprocess.run(
            [sys.executable, "-m", "generator", "validate", str(tmp_path)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert result.returncode == 1
        assert result.stderr.startswith("trellis: error: postgresql server at 127.0.0.1:1: ")
        assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("answers", "scheme", "on_server"),
    [
        ("database: mysql\nproject_slug: shop\n", "mysql+asyncmy", True),
        ("database: postgresql\n", "postgresql+asyncpg", True),
        ("database: sqlite\n", "sqlite+aiosqlite", False),
        ("database: none\n", None, False),
        ("{}\n", "sqlite+aiosqlite", False),
    ],
)
def test_the_database_comes_from_the_answers_and_copiers_computed_values(
    tmp_path: Path, answers: str, scheme: str | None, on_server: bool
) -> None:
    (tmp_path / ".copier-answers.yml").write_text(answers)
    project = Project.read(tmp_path, load_spec())
    assert (project.database_scheme, project.database_server) == (scheme, on_server)


class TestScratchRedis:
    def test_the_queue_and_the_keys_under_the_prefix_go_even_when_the_steps_fail(self) -> None:
        prefix = f"trellis-validate-{secrets.token_hex(4)}"
        kept = [f"{prefix}0:generation", f"{prefix}0", f"x{prefix}"]  # a sibling's, and another's
        with redis.Redis.from_url(Servers().redis) as client:

            def validation_that_breaks() -> None:
                with scratch_redis(Servers().redis, prefix):
                    for key in [f"{prefix}:generation", *kept]:
                        client.set(key, 1)
                    client.xadd(prefix, {"job": "1"})
                    raise RuntimeError

            try:
                with pytest.raises(RuntimeError):
                    validation_that_breaks()
                assert client.exists(f"{prefix}:generation", prefix) == 0
                assert client.exists(*kept) == len(kept)
            finally:
                client.delete(*kept)

    @pytest.mark.parametrize("url", ["redis://127.0.0.1:1/0", "127.0.0.1:6379", "redis://127.0.0.1:port/0"])
    def test_an_unreachable_redis_or_a_bad_url_is_left_to_the_steps_to_report(self, url: str) -> None:
        with scratch_redis(url, "trellis-validate-x"):  # nothing listens on port 1
            pass

    def test_nothing_is_deleted_without_a_redis_url(self) -> None:
        key = f"trellis-validate-{secrets.token_hex(4)}"
        with redis.Redis.from_url(Servers().redis) as client:
            client.set(key, 1)
            with scratch_redis(None, key):
                pass
            assert client.delete(key) == 1
