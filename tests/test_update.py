"""Golden tests of `trellis update`: projects rendered at an older tagged version of a throwaway
copy of this repository, edited by their owner, then updated."""

import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from generator.lock import lock_project
from generator.template import load_spec
from tests.projects import answers_of, assert_one_line_error, project_environment, run, trellis
from tests.versions import (
    ADDED,
    NEW,
    NEW_HEADING,
    OLD,
    OLD_HEADING,
    REMOVED,
    TemplateRepo,
    commit_all,
    git,
    make_template_repo,
    render_at,
    tree,
)

PING = """from fastapi import APIRouter

router = APIRouter(prefix="/ping", tags=["ping"])


@router.get("")
async def ping() -> dict[str, str]:
    return {"ping": "pong"}
"""


pytestmark = pytest.mark.usefixtures("own_copier_cache")


def generated(checkout: Path, destination: Path, **answers: object) -> Path:
    """A project as its owner gets it: rendered, then committed."""
    project = render_at(checkout, destination, answers)
    commit_all(project, "Generated project")
    return project


def owner_edits(project: Path) -> None:
    """A new endpoint, and a changed setting."""
    (project / "app" / "api" / "v1" / "endpoints" / "ping.py").write_text(PING)
    router = project / "app" / "api" / "v1" / "router.py"
    router.write_text(
        router.read_text()
        + "\nfrom app.api.v1.endpoints import ping  # noqa: E402\n\napi_router.include_router(ping.router)\n"
    )
    config = project / "app" / "core" / "config.py"
    assert 'log_level: str = "INFO"' in config.read_text()
    config.write_text(config.read_text().replace('log_level: str = "INFO"', 'log_level: str = "DEBUG"'))


def switches() -> Sequence[object]:
    """Each question with choices, from its default to another choice; the database switch, which
    changes the most files, runs in the fast set and the others with the slow tests.

    Choices with a validator of their own depend on other answers (kubernetes needs a
    database server): switched alone they could be refused, so they are left out.
    """
    found = []
    for question in load_spec().questions:
        if question.condition is not None or "{{" in str(question.default):
            continue
        others = [c.value for c in question.choices if c.value != question.default and c.validator is None]
        if others:
            marks = () if question.name == "database" else (pytest.mark.slow,)
            found.append(
                pytest.param(question.name, question.default, others[-1], marks=marks, id=question.name)
            )
    return found


class TestUpdate:
    def test_owner_edits_survive_and_new_content_arrives(
        self, checkouts: dict[str, Path], tmp_path: Path
    ) -> None:
        project = generated(checkouts[OLD], tmp_path / "svc")
        assert answers_of(project)["_commit"] == OLD
        owner_edits(project)
        commit_all(project, "Owner edits")

        result = trellis("update", str(project))

        assert result.returncode == 0, result.stdout + result.stderr
        assert f"from template {OLD} to {NEW}" in result.stdout
        expected = render_at(checkouts[NEW], tmp_path / "fresh")
        owner_edits(expected)
        assert tree(project) == tree(expected)
        assert NEW_HEADING in (project / "README.md").read_text()
        assert (project / ADDED).is_file()
        assert not (project / REMOVED).exists()
        assert answers_of(project)["_commit"] == NEW

    def test_conflicting_edit_is_reported_with_inline_markers(
        self, checkouts: dict[str, Path], tmp_path: Path
    ) -> None:
        project = generated(checkouts[OLD], tmp_path / "svc")
        readme = project / "README.md"
        readme.write_text(readme.read_text().replace(OLD_HEADING, "## Checks"))
        commit_all(project, "Owner renames a heading the template renames too")

        result = trellis("update", str(project))

        assert_one_line_error(result, 1, "1 conflicted file")
        assert "Conflicts to resolve before committing:\n  README.md  (conflict markers)\n" in result.stdout
        text = readme.read_text()
        assert "<<<<<<< before updating" in text
        assert "## Checks" in text
        assert NEW_HEADING in text
        assert "UU README.md" in git(project, "status", "--porcelain")

    def test_conflicting_edit_in_rej_mode_lists_the_rej_file(
        self, checkouts: dict[str, Path], tmp_path: Path
    ) -> None:
        project = generated(checkouts[OLD], tmp_path / "svc")
        readme = project / "README.md"
        readme.write_text(readme.read_text().replace(OLD_HEADING, "## Checks"))
        commit_all(project, "Owner renames a heading the template renames too")

        result = trellis("update", str(project), "--conflict", "rej")

        assert_one_line_error(result, 1, "1 conflicted file")
        assert "  README.md.rej  (your changes that did not apply" in result.stdout
        assert "## Checks" in (project / "README.md.rej").read_text()
        assert NEW_HEADING in readme.read_text()

    @pytest.mark.parametrize(("name", "before", "after"), switches())
    def test_set_switches_an_option_as_if_chosen_from_the_start(
        self, checkouts: dict[str, Path], tmp_path: Path, name: str, before: object, after: object
    ) -> None:
        project = generated(checkouts[NEW], tmp_path / "svc", **{name: before})
        owner_edits(project)
        commit_all(project, "Owner edits")

        result = trellis("update", str(project), "--set", f"{name}={after}")

        assert result.returncode == 0, result.stdout + result.stderr
        assert f"  {name}: {before} -> {after}" in result.stdout
        expected = render_at(checkouts[NEW], tmp_path / "fresh", {name: after})
        owner_edits(expected)
        assert tree(project) == tree(expected)

    def test_a_locked_project_is_relocked_when_its_dependencies_change(
        self, checkouts: dict[str, Path], tmp_path: Path
    ) -> None:
        project = render_at(checkouts[NEW], tmp_path / "svc", {"metrics": False})
        lock_project(project)
        commit_all(project, "Generated project")
        assert 'name = "prometheus-fastapi-instrumentator"' not in (project / "uv.lock").read_text()

        result = trellis("update", str(project), "--set", "metrics=true")

        assert result.returncode == 0, result.stdout + result.stderr
        assert "  M  uv.lock" in result.stdout.splitlines()
        assert "Re-locked uv.lock" in result.stdout
        assert 'name = "prometheus-fastapi-instrumentator"' in (project / "uv.lock").read_text()
        uv = shutil.which("uv")
        assert uv is not None
        check = run([uv, "lock", "--locked", "--offline"], project, project_environment())
        assert check.returncode == 0, check.stderr

    def test_no_lock_leaves_the_lock_as_it_was(self, checkouts: dict[str, Path], tmp_path: Path) -> None:
        project = render_at(checkouts[NEW], tmp_path / "svc", {"metrics": False})
        lock_project(project)
        commit_all(project, "Generated project")
        locked = (project / "uv.lock").read_bytes()

        result = trellis("update", str(project), "--set", "metrics=true", "--no-lock")

        assert result.returncode == 0, result.stdout + result.stderr
        assert "uv.lock" not in result.stdout
        assert (project / "uv.lock").read_bytes() == locked

    @pytest.mark.slow  # the default answers' update runs in the fast set
    @pytest.mark.parametrize("preset", sorted(load_spec().presets))
    def test_every_preset_renders_a_project_that_can_be_updated(
        self, checkouts: dict[str, Path], tmp_path: Path, preset: str
    ) -> None:
        answers = load_spec(checkouts[OLD]).preset(preset)
        project = generated(checkouts[OLD], tmp_path / "svc", **answers)

        result = trellis("update", str(project))

        assert result.returncode == 0, result.stdout + result.stderr
        assert tree(project) == tree(render_at(checkouts[NEW], tmp_path / "fresh", answers))

    def test_to_goes_to_the_given_version(self, checkouts: dict[str, Path], tmp_path: Path) -> None:
        project = generated(checkouts[OLD], tmp_path / "svc")
        result = trellis("update", str(project), "--to", OLD, "--set", "description=Renamed")
        assert result.returncode == 0, result.stdout + result.stderr
        assert answers_of(project)["_commit"] == OLD
        assert "Renamed" in (project / "README.md").read_text()
        assert OLD_HEADING in (project / "README.md").read_text()

    def test_project_in_a_subfolder_of_a_repository(self, checkouts: dict[str, Path], tmp_path: Path) -> None:
        project = render_at(checkouts[OLD], tmp_path / "mono" / "services" / "svc")
        (tmp_path / "mono" / "README.md").write_text("# Monorepo\n")
        commit_all(tmp_path / "mono", "Monorepo with a generated service")

        result = trellis("update", "services/svc", cwd=tmp_path / "mono")

        assert result.returncode == 0, result.stdout + result.stderr
        assert f"  D  {REMOVED}\n" in result.stdout
        assert tree(project) == tree(render_at(checkouts[NEW], tmp_path / "fresh"))

    def test_downgrade_is_refused(self, checkouts: dict[str, Path], tmp_path: Path) -> None:
        project = generated(checkouts[NEW], tmp_path / "svc")
        assert_one_line_error(trellis("update", str(project), "--to", OLD), 2, "owngrad")
        assert git(project, "status", "--porcelain") == ""


class TestPretend:
    def test_pretend_changes_nothing_and_reports_what_would_change(
        self, checkouts: dict[str, Path], tmp_path: Path
    ) -> None:
        project = generated(checkouts[OLD], tmp_path / "svc")
        before = tree(project)
        head = git(project, "rev-parse", "HEAD")

        result = trellis("update", str(project), "--pretend")

        assert result.returncode == 0, result.stdout + result.stderr
        assert f"Would update {project} from template {OLD} to {NEW}" in result.stdout
        assert f"  D  {REMOVED}" in result.stdout
        assert f"  ?? {ADDED}" in result.stdout
        assert tree(project) == before
        assert git(project, "rev-parse", "HEAD") == head
        assert git(project, "status", "--porcelain") == ""

    def test_pretend_reports_conflicts_it_would_leave(
        self, checkouts: dict[str, Path], tmp_path: Path
    ) -> None:
        project = generated(checkouts[OLD], tmp_path / "svc")
        readme = project / "README.md"
        readme.write_text(readme.read_text().replace(OLD_HEADING, "## Checks"))
        commit_all(project, "Owner edit")

        result = trellis("update", str(project), "--pretend")

        assert_one_line_error(result, 1, "would leave 1 conflicted file")
        assert "  README.md  (conflict markers)" in result.stdout
        assert git(project, "status", "--porcelain") == ""


class TestSource:
    def test_template_override_fetches_from_elsewhere_and_keeps_the_recorded_source(
        self, repo: TemplateRepo, checkouts: dict[str, Path], tmp_path: Path
    ) -> None:
        project = generated(checkouts[OLD], tmp_path / "svc")
        mirror = tmp_path / "mirror"
        git(tmp_path, "clone", "--quiet", str(repo.root), mirror.name)
        later = TemplateRepo(mirror)
        later.tag("v0.3.0", lambda root: (root / "template" / "CHANGELOG.md").write_text("# Changes\n"))

        result = trellis("update", str(project), "--template", str(mirror))

        assert result.returncode == 0, result.stdout + result.stderr
        assert (project / "CHANGELOG.md").read_text() == "# Changes\n"
        assert answers_of(project)["_commit"] == "v0.3.0"
        assert answers_of(project)["_src_path"] == repo.url

    def test_unreachable_source_says_how_to_override_it(
        self, checkouts: dict[str, Path], tmp_path: Path
    ) -> None:
        project = generated(checkouts[OLD], tmp_path / "svc")
        answers = project / ".copier-answers.yml"
        gone = (tmp_path / "gone.git").as_uri()
        answers.write_text(answers.read_text().replace(str(answers_of(project)["_src_path"]), gone))
        commit_all(project, "Source moved")

        result = trellis("update", str(project))

        assert_one_line_error(result, 1, "cannot fetch the template", gone, "--template")

    def test_unknown_version_is_refused(self, checkouts: dict[str, Path], tmp_path: Path) -> None:
        project = generated(checkouts[OLD], tmp_path / "svc")
        result = trellis("update", str(project), "--to", "v9.9.9")
        assert_one_line_error(result, 2, "v9.9.9", "is not in")
        assert git(project, "status", "--porcelain") == ""


class TestRefusals:
    def test_dirty_tree_is_refused(self, checkouts: dict[str, Path], tmp_path: Path) -> None:
        project = generated(checkouts[OLD], tmp_path / "svc")
        (project / "README.md").write_text("work in progress\n")
        (project / "notes.txt").write_text("untracked\n")

        result = trellis("update", str(project))

        assert_one_line_error(result, 2, "uncommitted changes", "README.md", "commit or stash")
        assert (project / "README.md").read_text() == "work in progress\n"
        assert answers_of(project)["_commit"] == OLD

    def test_project_outside_git_is_refused(self, checkouts: dict[str, Path], tmp_path: Path) -> None:
        project = render_at(checkouts[OLD], tmp_path / "svc")
        assert_one_line_error(trellis("update", str(project)), 2, "not in a git repository", "git init")

    def test_directory_without_answers_is_refused(self, tmp_path: Path) -> None:
        assert_one_line_error(trellis("update", str(tmp_path)), 2, "not a generated project")

    @pytest.mark.parametrize(
        ("item", "fragment"),
        [
            ("colour=blue", "unknown --set key 'colour'"),
            ("python_version=2.7", "2.7"),
            ("novalue", "key=value"),
        ],
    )
    def test_bad_set_is_refused(self, tmp_path: Path, item: str, fragment: str) -> None:
        assert_one_line_error(trellis("update", str(tmp_path), "--set", item), 2, fragment)

    def test_bad_conflict_mode_is_refused(self, tmp_path: Path) -> None:
        assert_one_line_error(trellis("update", str(tmp_path), "--conflict", "merge"), 2, "inline or rej")


def test_a_template_without_tags_is_said_once_and_new_files_are_named_for_review(tmp_path: Path) -> None:
    """Copier says `No git tags found` each time it looks for the newest version."""
    untagged = make_template_repo(tmp_path / "public")
    git(untagged.root, "tag", "-d", OLD, NEW)
    checkout = untagged.checkout("HEAD~1", tmp_path / "checkout")
    project = generated(checkout, tmp_path / "svc")

    result = trellis("update", str(project))

    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        result.stderr
        == "trellis: warning: the template has no version tags: its newest commit stands in for one\n"
    )
    assert f"  ?? {ADDED}" in result.stdout
    assert "Review with `git status` and `git diff`, then commit." in result.stdout
