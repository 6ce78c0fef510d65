"""What every verb reads of a generated project (generator/project.py), and the facts of the
template it reads them with."""

import subprocess
from pathlib import Path

import pytest
from copier._tools import cast_to_bool

from generator.errors import UsageError
from generator.project import Project, resource_answers_file
from generator.template import FALSE_WORDS, TRUE_WORDS, load_spec
from tests.projects import render_project


@pytest.mark.parametrize("word", sorted(TRUE_WORDS | FALSE_WORDS - {""}))
def test_a_yes_or_no_flag_reads_each_word_as_copier_does(word: str) -> None:
    rbac = load_spec().question("rbac")
    if word in {"~", "null", "none"}:
        with pytest.raises(UsageError, match="expects yes or no"):
            rbac.parse(word)
    else:
        assert rbac.parse(word.upper()) is cast_to_bool(word)


def test_a_project_reads_its_answers_computed_values_and_resources(tmp_path: Path) -> None:
    spec = load_spec()
    path = render_project(tmp_path / "svc", {"database": "none", "auth": "jwt"})
    (path / resource_answers_file("book")).write_text("resource: book\nresource_plural: books\n")
    project = Project.open(path, spec)
    assert (project.answers["database"], project.sqlalchemy, project.database_server) == (
        "none",
        False,
        False,
    )
    assert project.recorded["_commit"]
    assert project.resources() == {"book": {"resource": "book", "resource_plural": "books"}}


def test_a_project_must_be_committed(tmp_path: Path) -> None:
    path = render_project(tmp_path / "svc", {})
    project = Project.open(path, load_spec())
    with pytest.raises(UsageError, match="is not in a git repository"):
        project.require_clean()
    subprocess.run(["git", "init", "-q"], cwd=path, check=True)
    with pytest.raises(UsageError, match="has uncommitted changes"):
        project.require_clean()


def test_a_folder_without_answers_is_no_project(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"is not a trellis project: it has no \.copier-answers\.yml"):
        Project.open(tmp_path, load_spec())
