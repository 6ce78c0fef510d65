"""`trellis remove resource` takes out what `add resource` put in: the project is again as it
was before, in `git status` as in its files."""

import shutil
from pathlib import Path

import pytest

from generator.add import add_resource
from generator.add.remove import remove_resource
from generator.add.sample import EVERY_TYPE, REFERRING
from generator.errors import UsageError
from generator.validate import validate
from tests.projects import assert_one_line_error, render_project, trellis
from tests.versions import commit_all as commit
from tests.versions import git


def unchanged_since(project: Path, revision: str) -> bool:
    """The files are as `revision` left them, and `git status` shows only the removal."""
    git(project, "add", "-A")
    return git(project, "diff", "--cached", "--stat", revision) == ""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("rendered")
    return {
        "sqlite": render_project(folder / "sqlite", {"database": "sqlite", "auth": "jwt", "rbac": True}),
        "none": render_project(folder / "none", {"database": "none", "auth": "jwt"}),
    }


@pytest.fixture(params=["sqlite", "none"])
def project(rendered: dict[str, Path], tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    project = Path(shutil.copytree(rendered[request.param], tmp_path / "service"))
    commit(project, "Generated project")
    return project


def test_removing_each_resource_undoes_its_add(project: Path) -> None:
    add_resource(project, "book", EVERY_TYPE)
    commit(project, "Add books")
    add_resource(project, "review", REFERRING, owned=True)
    commit(project, "Add reviews")
    removed = remove_resource(project, "review")
    assert removed.changed == ()
    assert "tests/test_api/test_reviews.py" in removed.change.deleted
    assert unchanged_since(project, "HEAD~1")
    commit(project, "Remove reviews")
    remove_resource(project, "book")
    assert unchanged_since(project, "HEAD~3")
    assert not (project / "tests/fixtures/books.py").exists()


def test_the_longest_names_come_out_as_they_went_in(project: Path) -> None:
    """ruff wraps what registers a name this long: remove finds it all the same."""
    name = "annotation_of_a_catalogue_entry_revision"
    add_resource(project, name, ["post:ref:posts", "a_rather_long_field_name_that_fills_a_ln:str"])
    assert (
        f"{name.title().replace('_', '')}ServiceDep = Annotated[\n"
        in (project / "app/dependencies.py").read_text()
    )
    commit(project, "Add annotations")
    remove_resource(project, name)
    assert unchanged_since(project, "HEAD~1")


def test_pretend_says_what_it_would_do_and_changes_nothing(project: Path) -> None:
    added = add_resource(project, "book", ["title:str"], pretend=True)
    assert "app/services/book_service.py" in added.created
    assert any("+from app.services.book_service import BookService" in diff for diff in added.change.diffs())
    assert git(project, "status", "--porcelain") == ""
    add_resource(project, "book", ["title:str"])
    commit(project, "Add books")
    removed = remove_resource(project, "book", pretend=True)
    assert ".copier-answers.resource-book.yml" in removed.change.deleted
    assert git(project, "status", "--porcelain") == ""


def test_a_file_changed_since_add_is_kept_unless_forced(project: Path) -> None:
    add_resource(project, "book", ["title:str"])
    service = project / "app/services/book_service.py"
    service.write_text(service.read_text() + "\n# An owner's rule.\n")
    commit(project, "Add books, with a rule of the owner's")
    with pytest.raises(
        UsageError, match=r"app/services/book_service\.py changed since `add resource` wrote it"
    ):
        remove_resource(project, "book")
    assert git(project, "status", "--porcelain") == ""
    removed = remove_resource(project, "book", force=True)
    assert removed.changed == ("app/services/book_service.py",)
    assert unchanged_since(project, "HEAD~1")


def test_a_resource_others_refer_to_stays(project: Path) -> None:
    add_resource(project, "book", ["title:str"])
    commit(project, "Add books")
    add_resource(project, "review", ["book:ref:books"])
    commit(project, "Add reviews")
    result = trellis("remove", "resource", "book", str(project))
    assert_one_line_error(result, 2, "reviews refer to books: remove review first")
    assert git(project, "status", "--porcelain") == ""


def test_a_name_never_added(project: Path) -> None:
    result = trellis("remove", "resource", "post", str(project))
    assert_one_line_error(result, 2, "no resource 'post' was added")


def test_drop_table_keeps_the_migration_and_adds_its_reverse(
    rendered: dict[str, Path], tmp_path: Path
) -> None:
    project = Path(shutil.copytree(rendered["sqlite"], tmp_path / "service"))
    commit(project, "Generated project")
    add_resource(project, "book", ["title:str"])
    commit(project, "Add books")
    removed = remove_resource(project, "book", drop_table=True)
    assert list(removed.change.created) == ["alembic/versions/0003_drop_books.py"]
    drop = (project / "alembic/versions/0003_drop_books.py").read_text()
    assert 'down_revision: str | Sequence[str] | None = "0002"' in drop
    assert 'op.drop_table("books")' in drop
    assert 'op.create_table(\n        "books",' in drop
    assert (project / "alembic/versions/0002_create_books.py").is_file()
    assert not (project / "app/db/models/book.py").exists()


@pytest.mark.slow
def test_after_a_remove_the_project_passes_its_checks(rendered: dict[str, Path], tmp_path: Path) -> None:
    """The migration that drops the table runs, and `alembic check` finds nothing left of it."""
    project = Path(shutil.copytree(rendered["sqlite"], tmp_path / "service"))
    commit(project, "Generated project")
    add_resource(project, "book", EVERY_TYPE)
    commit(project, "Add books")
    add_resource(project, "review", REFERRING, owned=True)
    commit(project, "Add reviews")
    remove_resource(project, "review", drop_table=True)
    commit(project, "Remove reviews")
    report = validate(project)
    assert report.passed, [f"{step.name}: {step.detail}\n{step.output}" for step in report.failures]
