"""What `trellis new` records as the template's source and version, from a checkout or a wheel."""

import importlib.metadata
import shutil
import subprocess
import sys
from pathlib import Path

import copier
import pytest

from generator import origin
from generator.template import load_spec
from tests.projects import answers_of, run
from tests.versions import NEW, ROOT, TemplateRepo, git, render_at, tree

pytestmark = pytest.mark.usefixtures("own_copier_cache")


@pytest.fixture
def checkout(repo: TemplateRepo, tmp_path: Path) -> Path:
    return repo.checkout(NEW, tmp_path / "checkout")


class TestCheckout:
    def test_tagged_checkout_records_the_public_url_at_the_tag(
        self, repo: TemplateRepo, checkout: Path
    ) -> None:
        assert origin.template_source(load_spec(checkout)) == origin.TemplateSource(
            repo.url, NEW, dirty=False
        )

    def test_render_equals_plain_copier_from_the_public_url(self, repo: TemplateRepo, tmp_path: Path) -> None:
        checkout = repo.checkout(NEW, tmp_path / "checkout")
        ours = render_at(checkout, tmp_path / "trellis", {"project_name": "Same Service"})
        copier.run_copy(
            repo.url,
            str(tmp_path / "copier"),
            data={"project_name": "Same Service"},
            vcs_ref=NEW,
            defaults=True,
            quiet=True,
        )
        assert tree(ours) == tree(tmp_path / "copier")
        assert answers_of(ours)["_src_path"] == repo.url
        assert answers_of(ours)["_commit"] == NEW

    def test_untagged_commit_records_its_description(self, checkout: Path) -> None:
        (checkout / "presets" / "extra.yml").write_text("{}\n")
        git(checkout, "add", "-A")
        git(checkout, "commit", "--quiet", "-m", "Another preset")
        head = git(checkout, "rev-parse", "--short", "HEAD").strip()
        assert origin.template_source(load_spec(checkout)).commit == f"{NEW}-1-g{head}"

    def test_uncommitted_template_changes_are_rendered_and_flagged(
        self, checkout: Path, tmp_path: Path
    ) -> None:
        readme = checkout / "template" / "README.md.jinja"
        readme.write_text(readme.read_text() + "\nDraft paragraph.\n")
        source = origin.template_source(load_spec(checkout))
        assert source.dirty
        assert source.commit == NEW
        assert "carry those changes over" in origin.caveats(source)[0]

        project = render_at(checkout, tmp_path / "svc")
        assert (project / "README.md").read_text().endswith("Draft paragraph.\n")
        assert answers_of(project)["_commit"] == NEW

    def test_untracked_template_file_is_a_change_but_an_ignored_one_is_not_rendered(
        self, checkout: Path, tmp_path: Path
    ) -> None:
        (checkout / "template" / "NOTES.md").write_text("new file\n")
        (checkout / ".git" / "info" / "exclude").write_text("scratch.txt\n")
        (checkout / "template" / "scratch.txt").write_text("ignored\n")
        assert origin.template_source(load_spec(checkout)).dirty
        project = render_at(checkout, tmp_path / "svc")
        assert (project / "NOTES.md").is_file()
        assert not (project / "scratch.txt").exists()

    def test_changes_outside_the_template_do_not_count(self, checkout: Path) -> None:
        (checkout / "presets" / "minimal.yml").write_text("{}\n")
        assert not origin.template_source(load_spec(checkout)).dirty
        assert origin.caveats(origin.template_source(load_spec(checkout))) == []


class TestPackaged:
    @pytest.fixture
    def plain(self, checkout: Path, tmp_path: Path) -> Path:
        """The template as a wheel carries it: files, no git."""
        plain = tmp_path / "_template"
        plain.mkdir()
        for name in ("copier.yml", "template", "presets"):
            source = checkout / name
            if source.is_dir():
                shutil.copytree(source, plain / name)
            else:
                shutil.copy2(source, plain / name)
        return plain

    @pytest.mark.parametrize(
        ("version", "commit", "dirty"),
        [
            ("0.2.0", "v0.2.0", False),
            ("1.0.0rc1", "v1.0.0rc1", False),
            ("0.2.1.dev3+gabc1234", "abc1234", False),
            ("0.2.1.dev3+gabc1234.d20260101", "abc1234", True),
        ],
    )
    def test_version_of_the_wheel_names_the_template_version(
        self, plain: Path, monkeypatch: pytest.MonkeyPatch, version: str, commit: str, dirty: bool
    ) -> None:
        monkeypatch.setattr(importlib.metadata, "version", lambda name: version)
        source = origin.template_source(load_spec(plain))
        assert source == origin.TemplateSource(load_spec(plain).repository, commit, dirty=dirty)

    def test_without_a_version_the_project_cannot_be_updated_and_says_so(
        self, plain: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def missing(name: str) -> str:
            raise importlib.metadata.PackageNotFoundError(name)

        monkeypatch.setattr(importlib.metadata, "version", missing)
        source = origin.template_source(load_spec(plain))
        assert source.commit is None
        assert "cannot update" in origin.caveats(source)[0]


@pytest.mark.slow
def test_installed_wheel_records_the_public_url_and_the_commit_it_was_built_from(tmp_path: Path) -> None:
    built = run(["uv", "build", "--wheel", "--out-dir", str(tmp_path / "dist"), str(ROOT)], ROOT)
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("*.whl"))
    venv = tmp_path / "venv"
    assert run(["uv", "venv", "--quiet", "--python", sys.executable, str(venv)], tmp_path).returncode == 0
    installed = run(
        ["uv", "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), str(wheel)], tmp_path
    )
    assert installed.returncode == 0, installed.stderr

    rendered = subprocess.run(
        [str(venv / "bin" / "trellis"), "new", str(tmp_path / "svc"), "--yes"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )

    assert rendered.returncode == 0, rendered.stderr
    answers = answers_of(tmp_path / "svc")
    assert answers["_src_path"] == load_spec(ROOT).repository
    head = git(ROOT, "rev-parse", "HEAD").strip()
    assert git(ROOT, "rev-parse", f"{answers['_commit']}^{{commit}}").strip() == head
