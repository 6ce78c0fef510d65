"""Every rendered project declares its dependencies at or above the floors of tests/floors.py."""

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.floors import FLOORS
from tests.projects import render_project

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


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, SpecifierSet]]:
    """Per database, a project with every other optional dependency: OAuth2, Redis, metrics, tracing."""
    folder = tmp_path_factory.mktemp("floors")
    rendered = {}
    for database in DATABASES:
        cache = "none" if database == "none" else "redis"
        answers = {"database": database, "auth": "oauth2", "cache": cache, "metrics": True}
        answers["tracing"] = "opentelemetry"
        rendered[database] = declared(render_project(folder / database, answers))
    return rendered


@pytest.mark.parametrize("database", DATABASES)
def test_every_floor_holds(projects: dict[str, dict[str, SpecifierSet]], database: str) -> None:
    for name, (floor, reason) in FLOORS.items():
        specifier = projects[database].get(canonicalize_name(name))
        if specifier is None:
            continue
        lowest = lowest_allowed(specifier)
        assert lowest is not None, f"{name} has no lower bound: {reason}"
        assert lowest >= Version(floor), f"{name}{specifier} lets in releases below {floor}: {reason}"


def test_every_floor_is_of_a_dependency_some_project_declares(
    projects: dict[str, dict[str, SpecifierSet]],
) -> None:
    seen = {name for dependencies in projects.values() for name in dependencies}
    assert {canonicalize_name(name) for name in FLOORS} <= seen


@pytest.mark.parametrize(
    ("specifier", "lowest"),
    [(">=0.0.31", "0.0.31"), (">=1.0,<2", "1.0"), ("~=2.15", "2.15"), ("<3", None), ("", None)],
)
def test_lowest_allowed_reads_the_lower_bound(specifier: str, lowest: str | None) -> None:
    assert lowest_allowed(SpecifierSet(specifier)) == (None if lowest is None else Version(lowest))
