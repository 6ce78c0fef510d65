from pathlib import Path

import pytest
import yaml

from generator.add import add_resource
from generator.template import load_spec
from generator.update import update
from tests.versions import NEW, commit_all, git, make_template_repo, render_at

NEWER = "v0.3.0"
OLD_LINE = '    """Fetch one {{ label }}."""'
NEW_LINE = '    """Fetch one {{ label }} by its id."""'
ENDPOINTS = "resource/template/app/api/v1/endpoints/{{ resource_plural }}.py.jinja"


def newer_resource_template(root: Path) -> None:
    path = root / ENDPOINTS
    text = path.read_text()
    assert OLD_LINE in text, "the anchor of this test moved"
    path.write_text(text.replace(OLD_LINE, NEW_LINE))


@pytest.mark.usefixtures("own_copier_cache")
def test_an_update_brings_added_resources_along_and_keeps_their_owners_edits(tmp_path: Path) -> None:
    repo = make_template_repo(tmp_path / "public")
    checkout = repo.checkout(NEW, tmp_path / "checkout")
    project = render_at(checkout, tmp_path / "service", {"database": "sqlite", "auth": "jwt"})
    commit_all(project, "Generated project")
    add_resource(project, "book", ["title:str"], spec=load_spec(checkout))
    commit_all(project, "Add books")
    endpoints = project / "app/api/v1/endpoints/books.py"
    endpoints.write_text(
        endpoints.read_text().replace('"""Create a book."""', '"""Create a book (owners edit)."""')
    )
    commit_all(project, "Owner's edit")
    repo.tag(NEWER, newer_resource_template)

    report = update(project, lock=False)

    assert report.resources == ("book",)
    assert not report.conflicted
    text = endpoints.read_text()
    assert '"""Fetch one book by its id."""' in text
    assert '"""Create a book (owners edit)."""' in text
    answers = yaml.safe_load((project / ".copier-answers.resource-book.yml").read_text())
    assert (answers["_commit"], answers["resource"]) == (NEWER, "book")
    assert git(project, "log", "--format=%s", "-1").strip() == "Owner's edit", "its steps are undone"
    assert ("M", "app/api/v1/endpoints/books.py") in report.changes
