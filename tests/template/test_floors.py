"""Every rendered project declares its dependencies at or above the floors of tests/floors.py."""

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.floors import FLOORS
from tests.projects import Rendered

DATABASES = ["sqlite", "postgresql", "mysql", "none"]


def declared(project: Path) -> dict[str, SpecifierSet]:
    """The project's dependencies and dev dependencies, by canonical name."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    lines = [*pyproject["project"]["dependencies"], *pyproject["dependency-groups"]["dev"]]
    requirements = [Requirement(line) for line in lines]
    return {canonicalize_name(requirement.name): requirement.specifier for requirement in requirements}


def lowest_allowed(specifier: SpecifierSet) -> Version | None:
    """The lower bound the specifier sets, or None when it lets any old release in."""
    bounds = [Version(spec.version) for spec in specifier if spec.operator in (">=", "~=", "==", "===")]
    bounds += [Version(spec.version) for spec in specifier if spec.operator == ">"]
    return max(bounds, default=None)


@pytest.fixture
def projects(rendered: Rendered) -> Callable[[str], dict[str, SpecifierSet]]:
    """Per database, the dependencies of a project with every other optional one: OAuth2, Redis,
    metrics, tracing and, with a database, the worker."""

    def project(database: str) -> dict[str, SpecifierSet]:
        stored = database != "none"
        return declared(
            rendered(
                database=database,
                auth="oauth2",
                cache="redis" if stored else "none",
                metrics=True,
                tracing="opentelemetry",
                worker="taskiq" if stored else "none",
            )
        )

    return project


@pytest.mark.parametrize("database", DATABASES)
def test_every_floor_holds(projects: Callable[[str], dict[str, SpecifierSet]], database: str) -> None:
    declared = projects(database)
    for name, (floor, reason) in FLOORS.items():
        specifier = declared.get(canonicalize_name(name))
        if specifier is None:
            continue
        lowest = lowest_allowed(specifier)
        assert lowest is not None, f"{name} has no lower bound: {reason}"
        assert lowest >= Version(floor), f"{name}{specifier} lets in releases below {floor}: {reason}"


def test_every_floor_is_of_a_dependency_some_project_declares(
    projects: Callable[[str], dict[str, SpecifierSet]],
) -> None:
    seen = {name for database in DATABASES for name in projects(database)}
    assert {canonicalize_name(name) for name in FLOORS} <= seen


@pytest.mark.parametrize(
    ("specifier", "lowest"),
    [(">=0.0.31", "0.0.31"), (">=1.0,<2", "1.0"), ("~=2.15", "2.15"), ("<3", None), ("", None)],
)
def test_lowest_allowed_reads_the_lower_bound(specifier: str, lowest: str | None) -> None:
    assert lowest_allowed(SpecifierSet(specifier)) == (None if lowest is None else Version(lowest))
