"""The auth and rbac options: refused combinations, rendered structure, and (slow) each project's checks."""

import re
from pathlib import Path

import copier
import pytest
import yaml
from pytest_copie.plugin import Copie

from generator.template import load_spec
from tests.projects import assert_one_line_error, trellis
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
# Words that only an auth module, dependency, import or setting would bring.
AUTH_WORDS = re.compile(
    r"\b(jwt|pyjwt|secret_key|SECRET_KEY|CurrentUser|security|Bearer|access_token|Role)\b"
)


def python_sources(project: Path) -> dict[Path, str]:
    return {path: path.read_text(encoding="utf-8") for path in project.rglob("*.py")}


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
def test_each_combination_renders_exactly_its_files(copie: Copie, auth: str, rbac: bool) -> None:
    project = render(copie, auth=auth, rbac=rbac)
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


def test_auth_none_renders_no_trace_of_auth(copie: Copie) -> None:
    project = render(copie, auth="none")
    for path, text in python_sources(project / "app").items():
        assert not AUTH_WORDS.search(text), (path, AUTH_WORDS.search(text))
    pyproject = (project / "pyproject.toml").read_text()
    assert "pyjwt" not in pyproject
    assert "python-multipart" not in pyproject
    assert '"limits>=' not in pyproject
    assert "SECRET_KEY" not in (project / ".env.example").read_text()
    assert "LOGIN_ATTEMPTS" not in (project / ".env.example").read_text()
    assert "author_id: Id" in (project / "app" / "schemas" / "post.py").read_text()


@pytest.mark.parametrize("auth", ["jwt", "oauth2"])
def test_each_flow_has_its_own_login_route_and_scheme(copie: Copie, auth: str) -> None:
    project = render(copie, auth=auth)
    endpoints = (project / "app" / "api" / "v1" / "endpoints" / "auth.py").read_text()
    dependencies = (project / "app" / "core" / "auth.py").read_text()
    pyproject = (project / "pyproject.toml").read_text()
    if auth == "jwt":
        assert '@router.post("/login"' in endpoints
        assert "HTTPBearer(" in dependencies
        assert "python-multipart" not in pyproject
    else:
        assert '@router.post("/token"' in endpoints
        assert "Annotated[PasswordGrant, Form()]" in endpoints
        assert 'OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token"' in dependencies
        assert "python-multipart" in pyproject
    assert '@router.post("/refresh"' in endpoints
    assert "pyjwt" in pyproject
    assert "author_id: Id" not in (project / "app" / "schemas" / "post.py").read_text()


def test_rbac_brings_roles_and_admin_only_routes(copie: Copie) -> None:
    project = render(copie, auth="jwt", rbac=True)
    users = (project / "app" / "api" / "v1" / "endpoints" / "users.py").read_text()
    assert '"/{user_id:int}/access"' in users
    assert "AdminUser" in users
    assert "def require_role(*roles: Role)" in (project / "app" / "core" / "auth.py").read_text()
    readme = (project / "README.md").read_text()
    assert "python -m app.commands.create_admin" in readme


def test_the_first_admin_password_is_never_in_the_code(copie: Copie) -> None:
    project = render(copie, auth="oauth2", rbac=True)
    command = (project / "app" / "commands" / "create_admin.py").read_text()
    assert "getpass" in command
    assert "--password-stdin" in command
    assert not re.search(r"password\s*=\s*[\"']", command)
