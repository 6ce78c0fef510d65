"""The `database` question: what each choice renders, and that each works on a real server."""

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_copie.plugin import Copie

from tests.projects import install, project_environment, render_project, run

SQL_DATABASES = ["sqlite", "postgresql", "mysql"]
DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg", "mysql": "asyncmy"}


def render(copie: Copie, database: str) -> Path:
    result = copie.copy(extra_answers={"database": database})
    assert result.exit_code == 0, result.exception
    assert result.project_dir is not None
    return Path(result.project_dir)


def dependencies(project: Path) -> list[str]:
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    return [requirement.split(">")[0].split("[")[0] for requirement in pyproject["project"]["dependencies"]]


def source_files(project: Path) -> Iterator[Path]:
    return (path for path in project.rglob("*") if path.is_file() and path.suffix in {".py", ".toml", ".ini"})


@pytest.mark.parametrize("database", SQL_DATABASES)
def test_sql_choice_renders_its_driver_and_migrations(copie: Copie, database: str) -> None:
    project = render(copie, database)
    assert {"sqlalchemy", "alembic", DRIVERS[database]} <= set(dependencies(project))
    assert set(DRIVERS.values()) & set(dependencies(project)) == {DRIVERS[database]}
    assert (project / "alembic.ini").is_file()
    assert (project / "alembic" / "env.py").is_file()
    assert list((project / "alembic" / "versions").glob("0001_*.py"))
    assert (
        f"{database}+{DRIVERS[database]}://"
        in (project / "app" / "core" / "database_settings.py").read_text()
    )
    assert "uv run alembic upgrade head" in (project / "README.md").read_text()


@pytest.mark.parametrize("database", ["postgresql", "mysql"])
def test_server_choice_has_a_statement_timeout_and_documents_the_test_database(
    copie: Copie, database: str
) -> None:
    project = render(copie, database)
    assert "database_statement_timeout" in (project / "app" / "core" / "database_settings.py").read_text()
    assert "TEST_DATABASE_URL" in (project / "README.md").read_text()


def test_sqlite_has_no_statement_timeout_setting(copie: Copie) -> None:
    project = render(copie, "sqlite")
    assert "statement_timeout" not in (project / "app" / "core" / "database_settings.py").read_text()


def test_none_has_no_sqlalchemy_at_all(copie: Copie) -> None:
    project = render(copie, "none")
    assert not {"sqlalchemy", "alembic", *DRIVERS.values()} & set(dependencies(project))
    assert not (project / "alembic").exists()
    assert not (project / "alembic.ini").exists()
    assert not (project / "app" / "db" / "session.py").exists()
    for path in source_files(project):
        assert "sqlalchemy" not in path.read_text().lower(), path
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
