import shutil
from pathlib import Path

import pytest
import yaml

from generator.add import add_resource
from generator.add.resource import alembic_head
from generator.add.sample import EVERY_TYPE
from generator.errors import UsageError
from generator.project import Project
from generator.template import load_spec
from tests.projects import assert_one_line_error, render_project, trellis
from tests.versions import commit_all, git


def committed(project: Path) -> Path:
    commit_all(project, "Generated project")
    return project


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("rendered")
    return {
        "sqlite": render_project(folder / "sqlite", {"database": "sqlite", "auth": "jwt", "rbac": True}),
        "none": render_project(folder / "none", {"database": "none", "auth": "none"}),
    }


@pytest.fixture
def project(rendered: dict[str, Path], tmp_path: Path) -> Path:
    """A committed sqlite project with jwt and rbac."""
    return committed(Path(shutil.copytree(rendered["sqlite"], tmp_path / "service")))


@pytest.fixture
def store_project(rendered: dict[str, Path], tmp_path: Path) -> Path:
    return committed(Path(shutil.copytree(rendered["none"], tmp_path / "memory")))


class TestAddResource:
    def test_writes_every_layer_and_registers_it(self, project: Path) -> None:
        added = add_resource(project, "book", EVERY_TYPE)
        assert added.created == (
            ".copier-answers.resource-book.yml",
            "alembic/versions/0002_create_books.py",
            "app/api/v1/endpoints/books.py",
            "app/db/models/book.py",
            "app/repositories/book_repository.py",
            "app/schemas/book.py",
            "app/services/book_service.py",
            "tests/fixtures/books.py",
            "tests/test_api/test_books.py",
        )
        assert added.edited == (
            "app/api/v1/router.py",
            "app/db/models/__init__.py",
            "app/dependencies.py",
            "app/services/providers.py",
        )
        router = (project / "app/api/v1/router.py").read_text()
        assert "import auth, books, posts, users" in router
        assert router.endswith("    app.include_router(books.router, prefix=prefix)\n")
        assert "from app.db.models.book import Book\n" in (project / "app/db/models/__init__.py").read_text()
        providers = (project / "app/services/providers.py").read_text()
        assert "Books = Annotated[BookRepository, Depends(get_book_repository)]\n" in providers
        assert providers.endswith(
            "async def get_book_service(books: Books) -> BookService:\n    return BookService(books)\n"
        )
        dependencies = (project / "app/dependencies.py").read_text()
        assert "BookServiceDep = Annotated[BookService, Depends(get_book_service)]\n" in dependencies
        assert "from app.services.book_service import BookService\n" in dependencies

    def test_records_its_answers_with_the_projects_source(self, project: Path) -> None:
        add_resource(project, "book", ["title:str"])
        answers = yaml.safe_load((project / ".copier-answers.resource-book.yml").read_text())
        project_answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
        assert answers["_src_path"] == project_answers["_src_path"]
        assert answers["database"] == "sqlite"
        assert (answers["resource"], answers["resource_plural"], answers["resource_owned"]) == (
            "book",
            "books",
            False,
        )
        assert answers["resource_fields"][0]["name"] == "title"
        assert Project.read(project, load_spec()).resources()["book"]["resource_revision"] == "0002"

    def test_chains_its_migration_after_the_head(self, project: Path) -> None:
        add_resource(project, "book", ["title:str"])
        committed_again(project)
        add_resource(project, "review", ["book:ref:books"], owned=True)
        migration = (project / "alembic/versions/0003_create_reviews.py").read_text()
        assert 'down_revision: str | Sequence[str] | None = "0002"' in migration
        assert alembic_head(project / "alembic/versions") == "0003"

    def test_an_owned_resource_refers_to_its_owner(self, project: Path) -> None:
        add_resource(project, "note", ["body:text"], owned=True)
        model = (project / "app/db/models/note.py").read_text()
        assert (
            'owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)'
            in model
        )
        service = (project / "app/services/note_service.py").read_text()
        # Who else may change it is the permissions module's to say, as for posts.
        assert "if not may_manage(actor, note.owner_id):" in service

    def test_the_in_memory_store_gets_a_table(self, store_project: Path) -> None:
        added = add_resource(store_project, "note", ["title:str", "author:ref:users"])
        assert "alembic/versions" not in " ".join(added.created)
        assert added.edited == (
            "app/api/v1/router.py",
            "app/db/models/__init__.py",
            "app/db/store.py",
            "app/dependencies.py",
            "app/services/providers.py",
        )
        assert "self.notes = Table[Note]()" in (store_project / "app/db/store.py").read_text()


def committed_again(project: Path) -> None:
    commit_all(project, "Added")


class TestRefusals:
    """One line, exit 2, and the project as it was."""

    @pytest.mark.parametrize(
        ("args", "fragment"),
        [
            (["users"], "exists"),
            (["post"], "exists"),
            (["class"], "Python keyword"),
            (["select"], "reserved SQL word"),
            (["Book"], "snake_case"),
            (["book", "--field", "title:string"], "unknown type 'string'"),
            (["book", "--field", "title:str:wide"], "unknown option 'wide'"),
            (["book", "--field", "writer:ref:writers"], "refers to 'writers'"),
            (["book", "--field", "title:str", "--field", "title:text"], "given twice"),
            (["a" * 41], "has 41 characters: at most 40"),
            (["book", "--field", "total:int"], "one every resource has or uses itself"),
            (["book", "--field", "changes:str"], "one every resource has or uses itself"),
            (["book", "--field", "model_name:str"], "one every resource has or uses itself"),
            (["book", "--owned", "--owner", "data"], "is a name the generated code uses for itself"),
            (["book", "--owner", "author"], "--owner names the column of --owned"),
            (["principal", "--field", "title:str"], "would name Principals in app/services/providers.py"),
        ],
    )
    def test_bad_input(self, project: Path, args: list[str], fragment: str) -> None:
        name, *rest = args
        result = trellis("add", "resource", name, str(project), *rest)
        assert_one_line_error(result, 2, fragment)
        assert git(project, "status", "--porcelain") == ""

    def test_a_name_added_before(self, project: Path) -> None:
        add_resource(project, "book", ["title:str"])
        committed_again(project)
        result = trellis("add", "resource", "book", str(project), "--field", "title:str")
        assert_one_line_error(result, 2, "exists")
        assert git(project, "status", "--porcelain") == ""

    def test_uncommitted_changes(self, project: Path) -> None:
        (project / "README.md").write_text("edited\n")
        result = trellis("add", "resource", "book", str(project), "--field", "title:str")
        assert_one_line_error(result, 2, "uncommitted changes")
        assert git(project, "status", "--porcelain") == " M README.md\n"

    def test_pretend_needs_no_commit(self, project: Path) -> None:
        (project / "README.md").write_text("edited\n")
        result = trellis("add", "resource", "book", str(project), "--field", "title:str", "--pretend")
        assert result.returncode == 0, result.stderr
        assert "Nothing was changed (--pretend)." in result.stdout
        assert git(project, "status", "--porcelain") == " M README.md\n"

    def test_a_project_older_than_the_pattern(self, project: Path) -> None:
        (project / "app/schemas/patch.py").unlink()
        committed_again(project)
        result = trellis("add", "resource", "book", str(project), "--field", "title:str")
        assert_one_line_error(
            result, 2, "older template (it has no app/schemas/patch.py): `trellis update` it first"
        )
        assert git(project, "status", "--porcelain") == ""

    def test_a_directory_that_is_no_trellis_project(self, tmp_path: Path) -> None:
        result = trellis("add", "resource", "book", str(tmp_path), "--field", "title:str")
        assert_one_line_error(result, 2, "is not a trellis project")
        assert list(tmp_path.iterdir()) == []

    def test_owned_without_authentication(self, store_project: Path) -> None:
        result = trellis("add", "resource", "note", str(store_project), "--owned", "--field", "title:str")
        assert_one_line_error(result, 2, "--owned needs authentication")
        assert git(store_project, "status", "--porcelain") == ""

    def test_nothing_is_left_when_registration_fails(self, project: Path) -> None:
        (project / "app/api/v1/router.py").write_text("from fastapi import APIRouter\n")
        committed_again(project)
        with pytest.raises(UsageError, match=r"app\.api\.v1\.endpoints"):
            add_resource(project, "book", ["title:str"])
        assert git(project, "status", "--porcelain") == ""


def test_the_command_says_what_it_added(project: Path) -> None:
    result = trellis("add", "resource", "comment", str(project), "--field", "body:text")
    assert result.returncode == 0, result.stderr
    assert "served at /api/v1/comments" in result.stdout
    assert "  M  app/api/v1/router.py" in result.stdout


def test_the_matrix_adds_the_pair_before_it_validates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator import matrix
    from generator.matrix.combinations import Combination
    from generator.validate import Report

    seen: list[Path] = []

    def validated(project: Path, *_: object, **__: object) -> Report:
        seen.append(project)
        return Report(str(project), (), 0.0)

    monkeypatch.setattr("generator.matrix.validation.validate", validated)
    answers = {"database": "sqlite", "auth": "jwt"}
    combination = Combination("sqlite-jwt", answers, answers)
    report = matrix.run_matrix([combination], jobs=1, workdir=tmp_path, keep=True, with_resource=True)
    assert report.passed
    [project] = seen
    answers = yaml.safe_load((project / ".copier-answers.resource-review.yml").read_text())
    assert answers["resource_owned"] is True
    assert git(project, "status", "--porcelain") == ""
