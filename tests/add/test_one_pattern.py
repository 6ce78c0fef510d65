"""Posts and an added resource come from one template: an added `book` with posts' own fields
reads as posts do, file by file, and is wired where posts are."""

import re
from pathlib import Path

import pytest

from generator.add import add_resource
from tests.projects import render_project
from tests.versions import commit_all

# What a resource is, as posts show it: the files of `post`, each with its book counterpart.
POST_FILES = (
    "app/api/v1/endpoints/posts.py",
    "app/db/models/post.py",
    "app/repositories/post_repository.py",
    "app/schemas/post.py",
    "app/services/post_service.py",
    "tests/fixtures/posts.py",
    "tests/test_api/test_posts.py",
)


def as_posts(text: str) -> str:
    return re.sub(
        r"\bbooks\b", "posts", re.sub(r"book", "post", re.sub(r"Book", "Post", text.replace("BOOK", "POST")))
    )


def imports_sorted(text: str) -> str:
    """The text with each import's names, and each run of imports, in one order: a resource's
    name decides where isort puts it among the others."""
    text = re.sub(
        r"import \(\n([^)]*)\)", lambda m: "import " + " ".join(m.group(1).split()).rstrip(","), text
    )
    lines = [
        f"{line.split(' import ')[0]} import {', '.join(sorted(line.split(' import ')[1].split(', ')))}"
        if line.startswith("from ")
        else line
        for line in text.splitlines()
    ]
    runs: list[list[str]] = []
    for line in lines:
        if runs and line.startswith("from ") and runs[-1][-1].startswith("from "):
            runs[-1].append(line)
        else:
            runs.append([line])
    return "\n".join(line for run in runs for line in (sorted(run) if run[0].startswith("from ") else run))


def committed(project: Path) -> Path:
    commit_all(project, "Generated project")
    return project


@pytest.mark.parametrize(
    ("answers", "fields", "owned"),
    [
        pytest.param({"database": "sqlite", "auth": "jwt", "rbac": True}, [], True, id="sqlite-jwt-rbac"),
        pytest.param({"database": "none", "auth": "none"}, ["author:ref:users"], False, id="none-none"),
        pytest.param(
            {"database": "postgresql", "auth": "oauth2", "errors": "problem"},
            [],
            True,
            id="postgresql-oauth2",
        ),
    ],
)
def test_an_added_resource_with_posts_fields_reads_as_posts_do(
    tmp_path: Path, answers: dict[str, object], fields: list[str], owned: bool
) -> None:
    project = committed(render_project(tmp_path / "service", answers))
    specs = ["title:str:max=200", "body:text", *fields]
    added = add_resource(project, "book", specs, owned=owned, owner="author" if owned else "owner")
    for post_file in POST_FILES:
        book_file = post_file.replace("posts", "books").replace("post", "book")
        assert book_file in added.created
        book, post = as_posts((project / book_file).read_text()), (project / post_file).read_text()
        assert imports_sorted(book) == imports_sorted(post), book_file


def test_an_added_resource_is_wired_where_posts_are(tmp_path: Path) -> None:
    project = committed(render_project(tmp_path / "service", {"database": "sqlite", "auth": "jwt"}))
    add_resource(project, "book", ["title:str"])
    providers = (project / "app/services/providers.py").read_text()
    dependencies = (project / "app/dependencies.py").read_text()
    repositories = {
        name: (project / f"app/repositories/{name}_repository.py").read_text() for name in ("post", "book")
    }
    for name, model in (("post", "Post"), ("book", "Book")):
        plural = f"{name}s"
        assert (
            f"async def get_{name}_repository(session: SessionDep) -> {model}Repository:"
            in repositories[name]
        )
        assert (
            f"{plural.capitalize()} = Annotated[{model}Repository, Depends(get_{name}_repository)]"
            in providers
        )
        assert (
            f"async def get_{name}_service({plural}: {plural.capitalize()}) -> {model}Service:" in providers
        )
        assert f"{model}ServiceDep = Annotated[{model}Service, Depends(get_{name}_service)]" in dependencies
        endpoints = (project / f"app/api/v1/endpoints/{plural}.py").read_text()
        assert f"{model}ServiceDep" in endpoints
        assert "Depends(" not in endpoints  # providers and aliases live where the Conventions say
        assert (
            f"app.include_router({plural}.router, prefix=prefix)"
            in (project / "app/api/v1/router.py").read_text()
        )
        assert (
            f"from app.db.models.{name} import {model}" in (project / "app/db/models/__init__.py").read_text()
        )
