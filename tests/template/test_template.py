import re
from pathlib import Path

import pytest
import yaml
from pytest_copie.plugin import Copie

from generator.template import load_spec
from tests.anatomy import calls, documented_environment, keyword, literal, module, settings_fields
from tests.projects import Rendered

EXPECTED_FILES = [
    ".copier-answers.yml",
    ".env.example",
    ".gitignore",
    "README.md",
    "pyproject.toml",
    "app/main.py",
    "app/dependencies.py",
    "app/api/v1/router.py",
    "app/api/v1/endpoints/users.py",
    "app/api/v1/endpoints/posts.py",
    "app/api/health.py",
    "app/core/config.py",
    "app/core/exceptions.py",
    "app/db/base.py",
    "app/db/session.py",
    "app/db/models/user.py",
    "app/db/models/post.py",
    "app/schemas/user.py",
    "app/schemas/post.py",
    "app/services/user_service.py",
    "app/services/post_service.py",
    "tests/conftest.py",
    "tests/test_api/test_users.py",
    "tests/test_api/test_posts.py",
]

# `${{ ... }}` is GitHub Actions' own expression syntax, meant to reach the rendered workflow.
JINJA_LEFTOVER = re.compile(r"(?<!\$)\{\{|\{%|%\}|\{#")


def rendered_files(project: Path) -> list[Path]:
    return [path for path in project.rglob("*") if path.is_file()]


def test_default_render_has_the_seed_layout(rendered: Rendered) -> None:
    project = rendered()
    for name in EXPECTED_FILES:
        assert (project / name).is_file(), name


def test_no_jinja_is_left_in_rendered_files(rendered: Rendered) -> None:
    project = rendered()
    for path in rendered_files(project):
        text = path.read_text(encoding="utf-8")
        assert not JINJA_LEFTOVER.search(text), path
        assert not path.name.endswith(".jinja"), path


def test_rendered_files_have_no_blank_line_runs_or_trailing_spaces(rendered: Rendered) -> None:
    project = rendered()
    for path in rendered_files(project):
        text = path.read_text(encoding="utf-8")
        assert "\n\n\n\n" not in text, path
        assert not re.search(r"[ \t]+\n", text), path
        assert text.endswith("\n") or text == "", path


# An option that needs more than a few lines of its own owns a file (a conditional file name).
MAX_TAGS_PER_PYTHON_TEMPLATE = 12


def test_python_templates_keep_few_template_tags() -> None:
    template = load_spec().root / "template"
    # A conditional file name ends in `{% endif %}`: its rendered name is the rest.
    sources = [
        path
        for path in template.rglob("*")
        if re.sub(r"{%.*?%}", "", path.name).endswith((".py", ".py.jinja"))
    ]
    assert len(sources) > 80
    crowded = {
        str(path.relative_to(template)): count
        for path in sources
        if (count := path.read_text(encoding="utf-8").count("{%")) > MAX_TAGS_PER_PYTHON_TEMPLATE
    }
    assert crowded == {}


def test_answers_file_records_the_answers(rendered: Rendered) -> None:
    project = rendered(project_name="Order Service", python_version="3.12")
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["project_name"] == "Order Service"
    assert answers["project_slug"] == "order_service"
    assert answers["python_version"] == "3.12"
    assert "_src_path" in answers
    computed = {"sqlalchemy", "database_server", "default_database_url", "database_packages"}
    assert computed.isdisjoint(answers)


def test_project_name_and_description_with_quotes_reach_the_app_as_written(rendered: Rendered) -> None:
    project = rendered(project_name='The "Best" Service', project_slug="best", description='Say "hi"')
    assert literal(settings_fields(project)["project_name"]) == 'The "Best" Service'
    [app] = calls(module(project, "app.main"), "FastAPI")
    assert literal(keyword(app, "description")) == 'Say "hi"'


@pytest.mark.parametrize("preset", sorted(load_spec().presets))
def test_every_documented_variable_is_a_setting(rendered: Rendered, preset: str) -> None:
    """.env.example sets (or shows) only variables the settings read: none misspelt or left over."""
    project = rendered(**load_spec().preset(preset))
    settings = {name.upper() for name in settings_fields(project)}
    # The tests' database, read by tests/conftest.py, and OpenTelemetry's own variables, read
    # by its SDK, rather than by the application's settings.
    unread = {name for name in documented_environment(project) - settings if not name.startswith("OTEL_")}
    assert unread <= {"TEST_DATABASE_URL"}


@pytest.mark.parametrize("slug", ["Bad", "9lives", "with-dash", "app", "import"])
def test_invalid_slug_is_refused_by_the_template(copie: Copie, slug: str) -> None:
    result = copie.copy(extra_answers={"project_slug": slug})
    assert result.exit_code != 0
    assert "project_slug" in str(result.exception)


@pytest.mark.parametrize("email", ["nobody", "a@b", "two words@example.com"])
def test_invalid_author_email_is_refused(copie: Copie, email: str) -> None:
    result = copie.copy(extra_answers={"author_email": email})
    assert result.exit_code != 0


@pytest.mark.parametrize(
    ("answers", "question"),
    [
        ({"project_name": "   "}, "project_name"),
        ({"author_name": ""}, "author_name"),
        ({"description": "two\nlines"}, "description"),
    ],
)
def test_empty_or_multiline_text_is_refused(copie: Copie, answers: dict[str, str], question: str) -> None:
    result = copie.copy(extra_answers=answers)
    assert result.exit_code != 0
    assert question in str(result.exception)
