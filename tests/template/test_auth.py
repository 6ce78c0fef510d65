"""The auth and rbac options: refused combinations, and what each renders: files, routes,
dependencies and settings (each project's own tests prove the flows, in the slow matrix)."""

import ast
import re
from pathlib import Path

import copier
import pytest
import yaml
from pytest_copie.plugin import Copie

from generator.template import load_spec
from tests.anatomy import (
    assignments,
    calls,
    class_fields,
    dependencies,
    documented_environment,
    imports_any,
    imports_of_package,
    keyword,
    literal,
    module,
    routes,
    settings_fields,
)
from tests.projects import Rendered, assert_one_line_error, trellis
from tests.projects import render_with_copie as render

COMBINATIONS = [("none", False), ("jwt", False), ("jwt", True), ("oauth2", False), ("oauth2", True)]
REFUSAL = "rbac needs authentication"

AUTH_FILES = [
    "app/core/auth.py",
    "app/api/v1/endpoints/auth.py",
    "app/core/login_limits.py",
    "app/core/security.py",
    "app/db/models/refresh_token.py",
    "app/repositories/refresh_token_repository.py",
    "app/schemas/auth.py",
    "app/services/auth_service.py",
    "app/core/auth_settings.py",
    "tests/test_api/test_auth.py",
    "tests/test_api/test_login_limits.py",
    "tests/test_api/test_tokens.py",
    "tests/test_settings.py",
]
RBAC_FILES = [
    "app/core/roles.py",
    "app/commands/__init__.py",
    "app/commands/create_admin.py",
    "tests/test_create_admin.py",
    "tests/test_api/test_roles.py",
]
LOGIN_ROUTES = {"jwt": ("POST", "/auth/login"), "oauth2": ("POST", "/auth/token")}
# Routes a signed-in user needs: refreshing and ending a sign-in, their own account.
SIGNED_IN_ROUTES = {
    ("POST", "/auth/refresh"),
    ("POST", "/auth/logout"),
    ("GET", "/users/me"),
    ("DELETE", "/users/{user_id:int}/sessions"),
}
ROLE_ROUTE = ("PATCH", "/users/{user_id:int}/access")
AUTH_MODULES = ("jwt", "limits", "fastapi.security", "app.core.auth", "app.core.security", "app.core.roles")
AUTH_PACKAGES = {"pyjwt", "python-multipart", "limits"}


class TestRefusal:
    def test_plain_copier_refuses_rbac_without_auth_and_says_why(self, tmp_path: Path) -> None:
        with pytest.raises(ValueError, match=REFUSAL) as refused:
            copier.run_copy(
                str(load_spec().root),
                str(tmp_path / "svc"),
                data={"auth": "none", "rbac": True},
                defaults=True,
                vcs_ref="HEAD",
                quiet=True,
            )
        assert "choose auth jwt or oauth2" in str(refused.value)
        assert not (tmp_path / "svc").exists()

    def test_trellis_refuses_rbac_without_auth_in_one_line(self, tmp_path: Path) -> None:
        result = trellis("new", str(tmp_path / "svc"), "--yes", "--no-lock", "--rbac", "--auth", "none")
        assert_one_line_error(result, 2, REFUSAL, "auth")
        assert list(tmp_path.iterdir()) == []

    def test_trellis_refuses_rbac_alone_since_auth_defaults_to_none(self, tmp_path: Path) -> None:
        result = trellis("new", str(tmp_path / "svc"), "--yes", "--no-lock", "--data", "rbac=yes")
        assert_one_line_error(result, 2, REFUSAL)

    def test_no_rbac_answer_is_recorded_without_auth(self, copie: Copie) -> None:
        answers = yaml.safe_load((render(copie, auth="none") / ".copier-answers.yml").read_text())
        assert answers["auth"] == "none"
        assert "rbac" not in answers


@pytest.mark.parametrize(("auth", "rbac"), COMBINATIONS)
def test_each_combination_renders_exactly_its_files_and_routes(
    rendered: Rendered, auth: str, rbac: bool
) -> None:
    project = rendered(auth=auth, rbac=rbac)
    for name in AUTH_FILES:
        assert (project / name).is_file() == (auth != "none"), name
    for name in RBAC_FILES:
        assert (project / name).is_file() == rbac, name
    assert not (project / "app" / "commands").exists() or rbac
    for path in project.rglob("*"):
        assert not path.name.endswith(".jinja"), path
        if path.is_file():
            # `${{ ... }}` is GitHub Actions' own syntax, meant for the rendered workflow.
            assert not re.search(r"(?<!\$)\{\{|\{%|%\}", path.read_text(encoding="utf-8")), path
    api = set(routes(project))
    expected = set() if auth == "none" else {LOGIN_ROUTES[auth], *SIGNED_IN_ROUTES}
    assert api & {*LOGIN_ROUTES.values(), *SIGNED_IN_ROUTES} == expected
    assert (ROLE_ROUTE in api) == rbac


def test_auth_none_brings_no_auth_code_dependency_or_setting(rendered: Rendered) -> None:
    project = rendered(auth="none")
    found = imports_of_package(project, "app") | imports_of_package(project, "tests")
    assert not imports_any(found, *AUTH_MODULES)
    assert not AUTH_PACKAGES & dependencies(project)
    fields = settings_fields(project)
    assert not {"secret_key", "jwt_algorithm"} & set(fields)
    assert not [name for name in fields if name.startswith("login_attempts")]
    assert not [name for name in documented_environment(project) if "SECRET" in name or "LOGIN" in name]
    # Without a signed-in user, whoever creates a post names its author.
    assert "author_id" in class_fields(module(project, "app.schemas.post"), "PostCreate")


@pytest.mark.parametrize("auth", ["jwt", "oauth2"])
def test_each_flow_has_its_own_login_route_and_scheme(rendered: Rendered, auth: str) -> None:
    project = rendered(auth=auth)
    security = module(project, "app.core.auth")
    packages = dependencies(project)
    if auth == "jwt":
        assert calls(security, "HTTPBearer")
        assert not calls(security, "OAuth2PasswordBearer")
        assert "python-multipart" not in packages
    else:
        # Swagger UI's Authorize posts the login form to the scheme's token URL: the login route.
        [scheme] = calls(security, "OAuth2PasswordBearer")
        prefix = literal(settings_fields(project)["api_v1_prefix"])
        assert literal(keyword(scheme, "tokenUrl")) == f"{prefix}{LOGIN_ROUTES['oauth2'][1]}"
        assert not calls(security, "HTTPBearer")
        assert "python-multipart" in packages  # FastAPI reads forms with it
    assert {"pyjwt", "limits"} <= packages
    assert {"SECRET_KEY", "LOGIN_ATTEMPTS_PER_ACCOUNT"} <= documented_environment(project)
    # A post's author is the signed-in user, never a field of the request.
    assert "author_id" not in class_fields(module(project, "app.schemas.post"), "PostCreate")


def test_rbac_documents_the_command_that_creates_the_first_admin(rendered: Rendered) -> None:
    project = rendered(auth="jwt", rbac=True)
    assert "uv run python -m app.commands.create_admin" in (project / "README.md").read_text()
    command = module(project, "app.commands.create_admin")
    assert any(
        isinstance(node, ast.If) and ast.unparse(node.test) == "__name__ == '__main__'"
        for node in command.body
    )


def test_the_first_admin_password_is_never_an_argument_nor_in_the_code(rendered: Rendered) -> None:
    command = module(rendered(auth="oauth2", rbac=True), "app.commands.create_admin")
    options = calls(command, "add_argument")
    assert options
    for option in options:
        name = str(literal(option.args[0]))
        if "password" in name:  # a flag at most (--password-stdin), never one that takes a value
            assert literal(keyword(option, "action")) == "store_true", name
    hard_coded = [
        target
        for target, value in assignments(command)
        if "password" in target.lower() and isinstance(value, ast.Constant) and value.value
    ]
    assert hard_coded == []
