"""The `errors` option: each format owns its modules, and each rendered format passes its own checks."""

from pathlib import Path

import pytest
import yaml
from pytest_copie.plugin import Copie

from tests.projects import render_with_copie as render

FORMATS = ["fastapi", "structured", "problem"]

# Modules every format renders in its own way, and what only that format's version holds.
FORMAT_MODULES = [
    "app/api/error_handlers.py",
    "app/api/responses.py",
    "app/schemas/error.py",
    "tests/error_bodies.py",
    "tests/test_errors.py",
]
MARKERS = {
    "fastapi": "http_exception_handler",
    "structured": "class ErrorResponse",
    "problem": "application/problem+json",
}
SHARED_MODULES = [
    "app/api/unhandled.py",
    "app/core/exceptions.py",
    "app/core/logging.py",
    "app/core/request_id.py",
    "tests/probe_routes.py",
    "tests/test_error_schema.py",
    "tests/test_logging.py",
    "tests/test_request_id.py",
]


def python_sources(project: Path) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(project.rglob("*.py")))


@pytest.mark.parametrize("errors", FORMATS)
def test_each_format_renders_its_own_modules(copie: Copie, errors: str) -> None:
    project = render(copie, errors=errors)
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["errors"] == errors
    for name in FORMAT_MODULES + SHARED_MODULES:
        assert (project / name).is_file(), name
    sources = python_sources(project)
    for other, marker in MARKERS.items():
        assert (marker in sources) == (other == errors), f"{marker!r} in the {errors} render"


@pytest.mark.parametrize("errors", FORMATS)
def test_no_format_leaves_files_or_names_of_another(copie: Copie, errors: str) -> None:
    project = render(copie, errors=errors)
    names = [path.relative_to(project).as_posix() for path in project.rglob("*") if path.is_file()]
    assert not [name for name in names if "{" in name or "%" in name]
    assert len(names) == len(set(names))


def test_endpoints_declare_their_error_responses(copie: Copie) -> None:
    project = render(copie)
    for endpoints in (project / "app" / "api" / "v1" / "endpoints").glob("*.py"):
        source = endpoints.read_text(encoding="utf-8")
        routes = source.count("@router.") + source.count(".add_api_route(")
        assert source.count("error_responses(") == routes, endpoints.name
