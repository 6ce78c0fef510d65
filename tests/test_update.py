"""Golden tests of `trellis update`: projects rendered at an older tagged version of a throwaway
copy of this repository, edited by their owner, then updated.

The verb runs in-process and the tests read its `Report`; the few at the end run the command
line as a user does, for its parsing, printing and exit codes."""

import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from generator.errors import TrellisError, UsageError
from generator.template import load_spec, parse_answers
from generator.update import update
from tests.anatomy import locked_packages
from tests.projects import answers_of, assert_one_line_error, project_environment, run, trellis
from tests.versions import (
    ADDED,
    NEW,
    NEW_HEADING,
    OLD,
    OLD_HEADING,
    REMOVED,
    Renders,
    TemplateRepo,
    commit_all,
    git,
    make_template_repo,
    tree,
)

PING = """from fastapi import APIRouter

router = APIRouter(prefix="/ping", tags=["ping"])


@router.get("")
async def ping() -> dict[str, str]:
    return {"ping": "pong"}
"""


pytestmark = pytest.mark.usefixtures("own_copier_cache")


def owner_edits(project: Path) -> None:
    """A new endpoint, and a changed setting."""
    (project / "app" / "api" / "v1" / "endpoints" / "ping.py").write_text(PING)
    router = project / "app" / "api" / "v1" / "router.py"
    router.write_text(
        "from app.api.v1.endpoints import ping\n"
        + router.read_text()
        + "    app.include_router(ping.router, prefix=prefix)\n"
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
        self, checkouts: dict[str, Path], renders: Renders, tmp_path: Path
    ) -> None:
        project = renders.generated(checkouts[OLD], tmp_path / "svc")
        assert answers_of(project)["_commit"] == OLD
        owner_edits(project)
        commit_all(project, "Owner edits")

        report = update(project)

        assert (report.project, report.old_version, report.new_version) == (project, OLD, NEW)
        assert (report.conflicts, report.rejects, report.answers) == ((), (), {})
        assert ("D", REMOVED) in report.changes
        assert ("??", ADDED) in report.changes
        assert not report.relocked
        assert report.warnings == ()
        expected = renders.rendered(checkouts[NEW], tmp_path / "fresh")
        owner_edits(expected)
        assert tree(project) == tree(expected)
        assert NEW_HEADING in (project / "README.md").read_text()
        assert (project / ADDED).is_file()
        assert not (project / REMOVED).exists()
        assert answers_of(project)["_commit"] == NEW

    def test_conflicting_edit_is_reported_with_inline_markers(
        self, checkouts: dict[str, Path], renders: Renders, tmp_path: Path
    ) -> None:
        project = renders.generated(checkouts[OLD], tmp_path / "svc")
        readme = project / "README.md"
        readme.write_text(readme.read_text().replace(OLD_HEADING, "## Checks"))
        commit_all(project, "Owner renames a heading the template renames too")

        report = update(project)

        assert report.conflicted
        assert (report.conflicts, report.rejects) == (("README.md",), ())
        text = readme.read_text()
        assert "<<<<<<< before updating" in text
        assert "## Checks" in text
        assert NEW_HEADING in text
        assert "UU README.md" in git(project, "status", "--porcelain")

    def test_conflicting_edit_in_rej_mode_lists_the_rej_file(
        self, checkouts: dict[str, Path], renders: Renders, tmp_path: Path
    ) -> None:
        project = renders.generated(checkouts[OLD], tmp_path / "svc")
        readme = project / "README.md"
        readme.write_text(readme.read_text().replace(OLD_HEADING, "## Checks"))
        commit_all(project, "Owner renames a heading the template renames too")

        report = update(project, conflict="rej")

        assert report.conflicted
        assert (report.conflicts, report.rejects) == ((), ("README.md.rej",))
        assert "## Checks" in (project / "README.md.rej").read_text()
        assert NEW_HEADING in readme.read_text()

    @pytest.mark.parametrize(("name", "before", "after"), switches())
    def test_set_switches_an_option_as_if_chosen_from_the_start(
        self,
        checkouts: dict[str, Path],
        renders: Renders,
        tmp_path: Path,
        name: str,
        before: object,
        after: object,
    ) -> None:
        project = renders.generated(checkouts[NEW], tmp_path / "svc", **{name: before})
        owner_edits(project)
        commit_all(project, "Owner edits")

        report = update(project, data={name: after})

        assert not report.conflicted
        assert report.answers[name] == (before, after)
        # Besides, only the questions the new choice asks, answered with their defaults.
        assert all(was is None for other, (was, _) in report.answers.items() if other != name)
        expected = renders.rendered(checkouts[NEW], tmp_path / "fresh", {name: after})
        owner_edits(expected)
        assert tree(project) == tree(expected)

    def test_a_locked_project_is_relocked_when_its_dependencies_change(
        self, checkouts: dict[str, Path], renders: Renders, tmp_path: Path
    ) -> None:
        project = renders.locked(checkouts[NEW], tmp_path / "svc", metrics=False)
        assert "prometheus-fastapi-instrumentator" not in locked_packages(project)

        report = update(project, data={"metrics": True})

        assert report.relocked
        assert ("M", "uv.lock") in report.changes
        assert report.warnings == ()
        assert "prometheus-fastapi-instrumentator" in locked_packages(project)
        uv = shutil.which("uv")
        assert uv is not None
        check = run([uv, "lock", "--locked", "--offline"], project, project_environment())
        assert check.returncode == 0, check.stderr

    def test_no_lock_leaves_the_lock_as_it_was(
        self, checkouts: dict[str, Path], renders: Renders, tmp_path: Path
    ) -> None:
        project = renders.locked(checkouts[NEW], tmp_path / "svc", metrics=False)
        locked = (project / "uv.lock").read_bytes()

        report = update(project, data={"metrics": True}, lock=False)

        assert ("M", "pyproject.toml") in report.changes
        assert not report.relocked
        assert "uv.lock" not in {path for _, path in report.changes}
        assert (project / "uv.lock").read_bytes() == locked

    @pytest.mark.slow  # the default answers' update runs in the fast set
    @pytest.mark.parametrize("preset", sorted(load_spec().presets))
    def test_every_preset_renders_a_project_that_can_be_updated(
        self, checkouts: dict[str, Path], renders: Renders, tmp_path: Path, preset: str
    ) -> None:
        answers = load_spec(checkouts[OLD]).preset(preset)
        project = renders.generated(checkouts[OLD], tmp_path / "svc", **answers)

        report = update(project)

        assert not report.conflicted
        assert report.new_version == NEW
        assert tree(project) == tree(renders.rendered(checkouts[NEW], tmp_path / "fresh", answers))

    def test_to_goes_to_the_given_version(
        self, checkouts: dict[str, Path], renders: Renders, tmp_path: Path
    ) -> None:
        project = renders.generated(checkouts[OLD], tmp_path / "svc")
        described = answers_of(project)["description"]

        report = update(project, to=OLD, data={"description": "Renamed"})

        assert (report.old_version, report.new_version) == (OLD, OLD)
        assert report.answers == {"description": (described, "Renamed")}
        assert answers_of(project)["_commit"] == OLD
        assert "Renamed" in (project / "README.md").read_text()
        assert OLD_HEADING in (project / "README.md").read_text()

    def test_project_in_a_subfolder_of_a_repository(
        self, checkouts: dict[str, Path], renders: Renders, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        project = renders.rendered(checkouts[OLD], tmp_path / "mono" / "services" / "svc")
        (tmp_path / "mono" / "README.md").write_text("# Monorepo\n")
        commit_all(tmp_path / "mono", "Monorepo with a generated service")
        monkeypatch.chdir(tmp_path / "mono")

        report = update(Path("services/svc"))

        assert report.project == project.resolve()
        assert ("D", REMOVED) in report.changes
        assert tree(project) == tree(renders.rendered(checkouts[NEW], tmp_path / "fresh"))
        assert (tmp_path / "mono" / "README.md").read_text() == "# Monorepo\n"

    def test_downgrade_is_refused(self, checkouts: dict[str, Path], renders: Renders, tmp_path: Path) -> None:
        project = renders.generated(checkouts[NEW], tmp_path / "svc")
        with pytest.raises(UsageError, match="owngrad"):
            update(project, to=OLD)
        assert git(project, "status", "--porcelain") == ""


class TestPretend:
    def test_pretend_changes_nothing_and_reports_what_would_change(
        self, checkouts: dict[str, Path], renders: Renders, tmp_path: Path
    ) -> None:
        project = renders.generated(checkouts[OLD], tmp_path / "svc")
        before = tree(project)
        head = git(project, "rev-parse", "HEAD")

        report = update(project, pretend=True)

        assert report.pretend
        assert (report.project, report.old_version, report.new_version) == (project, OLD, NEW)
        assert ("D", REMOVED) in report.changes
        assert ("??", ADDED) in report.changes
        assert not report.conflicted
        assert tree(project) == before
        assert git(project, "rev-parse", "HEAD") == head
        assert git(project, "status", "--porcelain") == ""

    def test_pretend_reports_conflicts_it_would_leave(
        self, checkouts: dict[str, Path], renders: Renders, tmp_path: Path
    ) -> None:
        project = renders.generated(checkouts[OLD], tmp_path / "svc")
        readme = project / "README.md"
        readme.write_text(readme.read_text().replace(OLD_HEADING, "## Checks"))
        commit_all(project, "Owner edit")

        report = update(project, pretend=True)

        assert report.pretend
        assert (report.conflicts, report.rejects) == (("README.md",), ())
        assert git(project, "status", "--porcelain") == ""


class TestSource:
    def test_template_override_fetches_from_elsewhere_and_keeps_the_recorded_source(
        self, repo: TemplateRepo, checkouts: dict[str, Path], renders: Renders, tmp_path: Path
    ) -> None:
        project = renders.generated(checkouts[OLD], tmp_path / "svc")
        mirror = tmp_path / "mirror"
        git(tmp_path, "clone", "--quiet", str(repo.root), mirror.name)
        later = TemplateRepo(mirror)
        later.tag("v0.3.0", lambda root: (root / "template" / "CHANGELOG.md").write_text("# Changes\n"))

        report = update(project, template=str(mirror))

        assert (report.old_version, report.new_version) == (OLD, "v0.3.0")
        assert ("??", "CHANGELOG.md") in report.changes
        assert (project / "CHANGELOG.md").read_text() == "# Changes\n"
        assert answers_of(project)["_commit"] == "v0.3.0"
        assert answers_of(project)["_src_path"] == repo.url

    def test_unreachable_source_says_how_to_override_it(
        self, checkouts: dict[str, Path], renders: Renders, tmp_path: Path
    ) -> None:
        project = renders.generated(checkouts[OLD], tmp_path / "svc")
        answers = project / ".copier-answers.yml"
        gone = (tmp_path / "gone.git").as_uri()
        answers.write_text(answers.read_text().replace(str(answers_of(project)["_src_path"]), gone))
        commit_all(project, "Source moved")

        with pytest.raises(TrellisError, match="cannot fetch the template") as raised:
            update(project)

        assert raised.value.exit_code == 1
        assert gone in raised.value.message
        assert "--template" in raised.value.message
        assert "\n" not in raised.value.message

    def test_unknown_version_is_refused(
        self, checkouts: dict[str, Path], renders: Renders, tmp_path: Path
    ) -> None:
        project = renders.generated(checkouts[OLD], tmp_path / "svc")
        with pytest.raises(UsageError, match=r"v9\.9\.9 is not in"):
            update(project, to="v9.9.9")
        assert git(project, "status", "--porcelain") == ""


class TestRefusals:
    def test_dirty_tree_is_refused(
        self, checkouts: dict[str, Path], renders: Renders, tmp_path: Path
    ) -> None:
        project = renders.generated(checkouts[OLD], tmp_path / "svc")
        (project / "README.md").write_text("work in progress\n")
        (project / "notes.txt").write_text("untracked\n")

        with pytest.raises(UsageError, match=r"uncommitted changes \(.*README\.md.*\): commit or stash"):
            update(project)

        assert (project / "README.md").read_text() == "work in progress\n"
        assert answers_of(project)["_commit"] == OLD

    def test_project_outside_git_is_refused(
        self, checkouts: dict[str, Path], renders: Renders, tmp_path: Path
    ) -> None:
        project = renders.rendered(checkouts[OLD], tmp_path / "svc")
        with pytest.raises(UsageError, match=r"not in a git repository.*git init"):
            update(project)

    def test_directory_without_answers_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(UsageError, match="not a generated project"):
            update(tmp_path)

    @pytest.mark.parametrize(
        ("item", "fragment"),
        [
            ("colour=blue", "unknown --set key 'colour'"),
            ("python_version=2.7", "2.7"),
            ("novalue", "--set expects key=value"),
        ],
    )
    def test_bad_set_is_refused(self, item: str, fragment: str) -> None:
        with pytest.raises(UsageError, match=re.escape(fragment)):
            parse_answers(load_spec(), [item], option="--set")

    def test_bad_conflict_mode_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(UsageError, match="inline or rej"):
            update(tmp_path, conflict="merge")


UNTAGGED = "the template has no version tags: its newest commit stands in for one"


@pytest.fixture(scope="module")
def untagged_checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A developer's clone of a template repository that has no version tags."""
    untagged = make_template_repo(tmp_path_factory.mktemp("untagged"))
    git(untagged.root, "tag", "-d", OLD, NEW)
    return untagged.checkout("HEAD~1", untagged.root.parent / "checkout")


def test_a_template_without_tags_is_said_once_and_new_files_are_named_for_review(
    untagged_checkout: Path, renders: Renders, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Copier says `No git tags found` each time it looks for the newest version."""
    project = renders.generated(untagged_checkout, tmp_path / "svc")

    report = update(project)

    assert report.warnings == (UNTAGGED,)
    assert capsys.readouterr().err == ""
    assert ("??", ADDED) in report.changes
    assert not report.conflicted


class TestCommandLine:
    """`trellis update` as a user runs it: its flags reach the verb, and it prints the report."""

    def test_success_prints_the_answers_the_changes_and_the_warnings(
        self, untagged_checkout: Path, renders: Renders, tmp_path: Path
    ) -> None:
        project = renders.generated(untagged_checkout, tmp_path / "svc")
        described = answers_of(project)["description"]

        result = trellis("update", str(project), "--set", "description=Renamed", "--no-lock")

        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stderr == f"trellis: warning: {UNTAGGED}\n"
        lines = result.stdout.splitlines()
        assert lines[0].startswith(f"Updated {project} from template ")
        assert f"  description: {described} -> Renamed" in lines
        assert "Changed files:" in lines
        assert f"  ?? {ADDED}" in lines
        assert lines[-1] == "Review with `git status` and `git diff`, then commit."
        assert answers_of(project)["description"] == "Renamed"

    def test_conflicts_are_listed_and_exit_1(
        self, checkouts: dict[str, Path], renders: Renders, tmp_path: Path
    ) -> None:
        project = renders.generated(checkouts[OLD], tmp_path / "svc")
        readme = project / "README.md"
        readme.write_text(readme.read_text().replace(OLD_HEADING, "## Checks"))
        commit_all(project, "Owner renames a heading the template renames too")

        result = trellis("update", str(project), "--conflict", "rej")

        assert_one_line_error(result, 1, "the update left 1 conflicted file")
        assert "Conflicts to resolve before committing:\n" in result.stdout
        assert (
            "  README.md.rej  (your changes that did not apply: redo them by hand, then delete it)\n"
            in result.stdout
        )
        assert "Review with" not in result.stdout

    def test_a_bad_set_is_one_line_and_exit_2(self, tmp_path: Path) -> None:
        result = trellis("update", str(tmp_path), "--set", "colour=blue")
        assert_one_line_error(result, 2, "unknown --set key 'colour'")
        assert result.stdout == ""
