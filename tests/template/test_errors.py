"""The `errors` option: each format owns its modules, and each rendered format passes its own checks."""

import ast

import pytest

from tests.anatomy import dotted, imports, keyword, module, routes
from tests.projects import Rendered, answers_of

FORMATS = ["fastapi", "structured", "problem"]

# Modules every format renders in its own way, and what only that format's version holds.
FORMAT_MODULES = [
    "app/api/error_handlers.py",
    "app/api/responses.py",
    "app/schemas/error.py",
    "tests/error_bodies.py",
    "tests/test_errors.py",
]
# The body each format's error schema declares.
BODIES = {"fastapi": "ErrorMessage", "structured": "ErrorResponse", "problem": "ProblemDetails"}
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


def classes(tree: ast.Module) -> set[str]:
    return {node.name for node in tree.body if isinstance(node, ast.ClassDef)}


@pytest.mark.parametrize("errors", FORMATS)
def test_each_format_renders_its_own_modules(rendered: Rendered, errors: str) -> None:
    project = rendered(errors=errors)
    assert answers_of(project)["errors"] == errors
    for name in FORMAT_MODULES + SHARED_MODULES:
        assert (project / name).is_file(), name
    assert classes(module(project, "app.schemas.error")) & set(BODIES.values()) == {BODIES[errors]}
    # The error responses the routes declare are of that body.
    assert f"app.schemas.error.{BODIES[errors]}" in imports(module(project, "app.api.responses"))


@pytest.mark.parametrize("errors", FORMATS)
def test_no_format_leaves_files_or_names_of_another(rendered: Rendered, errors: str) -> None:
    project = rendered(errors=errors)
    names = [path.relative_to(project).as_posix() for path in project.rglob("*") if path.is_file()]
    assert not [name for name in names if "{" in name or "%" in name]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("answers", [{}, {"auth": "oauth2", "rbac": True}], ids=["default", "auth"])
def test_every_route_declares_its_error_responses(rendered: Rendered, answers: dict[str, object]) -> None:
    declared = routes(rendered(**answers))
    assert declared
    for route, decorator in declared.items():
        responses = keyword(decorator, "responses")
        assert isinstance(responses, ast.Call), route
        assert dotted(responses.func) == "error_responses", route
