"""The `database` question: what each choice renders, and that each works on a real server."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pytest_copie.plugin import Copie

from tests.anatomy import (
    dependencies,
    documented_environment,
    imports_any,
    imports_of_package,
    literal,
    settings_fields,
)
from tests.projects import Rendered, install, project_environment, render_project, run

SQL_DATABASES = ["sqlite", "postgresql", "mysql"]
DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg", "mysql": "asyncmy"}


@pytest.mark.parametrize("database", SQL_DATABASES)
def test_sql_choice_renders_its_driver_and_migrations(rendered: Rendered, database: str) -> None:
    project = rendered(database=database)
    assert {"sqlalchemy", "alembic", DRIVERS[database]} <= dependencies(project)
    assert set(DRIVERS.values()) & dependencies(project) == {DRIVERS[database]}
    assert (project / "alembic.ini").is_file()
    assert (project / "alembic" / "env.py").is_file()
    assert list((project / "alembic" / "versions").glob("0001_*.py"))
    url = str(literal(settings_fields(project)["database_url"]))
    assert urlsplit(url).scheme == f"{database}+{DRIVERS[database]}"
    assert "uv run alembic upgrade head" in (project / "README.md").read_text()


@pytest.mark.parametrize("database", SQL_DATABASES)
def test_only_a_server_has_a_statement_timeout_and_a_test_database_to_document(
    rendered: Rendered, database: str
) -> None:
    project = rendered(database=database)
    server = database != "sqlite"
    assert ("database_statement_timeout" in settings_fields(project)) is server
    assert ("DATABASE_STATEMENT_TIMEOUT" in documented_environment(project)) is server
    assert ("TEST_DATABASE_URL" in (project / "README.md").read_text()) is server


def test_none_has_no_sqlalchemy_at_all(rendered: Rendered) -> None:
    project = rendered(database="none")
    sql = {"sqlalchemy", "alembic", *DRIVERS.values()}
    assert not sql & (dependencies(project) | dependencies(project, "dev"))
    assert not imports_any(imports_of_package(project, "app") | imports_of_package(project, "tests"), *sql)
    assert not (project / "alembic").exists()
    assert not (project / "alembic.ini").exists()
    assert not (project / "app" / "db" / "session.py").exists()
    assert "database_url" not in settings_fields(project)
    assert (project / "app" / "db" / "store.py").is_file()
    assert (project / "app" / "repositories" / "user_repository.py").is_file()


def test_unknown_database_is_refused(copie: Copie) -> None:
    result = copie.copy(extra_answers={"database": "oracle"})
    assert result.exit_code != 0


def test_rbac_without_a_database_is_refused(copie: Copie) -> None:
    result = copie.copy(extra_answers={"database": "none", "auth": "jwt", "rbac": True})
    assert result.exit_code != 0
    assert "rbac needs a database" in str(result.exception)


@pytest.mark.slow
def test_alembic_check_sees_the_tables_that_are_missing(tmp_path: Path) -> None:
    """validate's migrations step (run by the matrix on each database) trusts `alembic check`
    after each upgrade: here it must fail once the tables are gone, or it proves nothing."""
    # With auth and roles: every table and column the models can have.
    project = render_project(tmp_path / "svc", {"database": "sqlite", "auth": "jwt", "rbac": True})
    install(project)
    env = project_environment({"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"})

    def alembic(*arguments: str) -> int:
        result = run(["uv", "run", "--no-sync", "alembic", *arguments], project, env)
        assert "Traceback" not in result.stderr or arguments == ("check",), result.stderr
        return result.returncode

    assert alembic("upgrade", "head") == 0
    assert alembic("check") == 0
    assert alembic("downgrade", "base") == 0
    assert alembic("check") != 0, "after downgrade base the models' tables should be missing"
