import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from generator.template import load_spec
from tests.conftest import ROOT
from tests.projects import answers_of, trellis


def assert_one_line_error(result: subprocess.CompletedProcess[str], exit_code: int, *fragments: str) -> None:
    assert result.returncode == exit_code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("trellis: error: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def leftovers(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


class TestNew:
    def test_renders_defaults_without_prompts(self, tmp_path: Path) -> None:
        result = trellis("new", str(tmp_path / "svc"), "--yes")
        assert result.returncode == 0, result.stderr
        assert (tmp_path / "svc" / "app" / "main.py").is_file()
        assert answers_of(tmp_path / "svc")["database"] == "sqlite"
        assert leftovers(tmp_path) == ["svc"]

    def test_flags_set_answers(self, tmp_path: Path) -> None:
        result = trellis(
            "new", str(tmp_path / "svc"), "--yes", "--project-name", "Billing API", "--python", "3.12"
        )
        assert result.returncode == 0, result.stderr
        answers = answers_of(tmp_path / "svc")
        assert answers["project_name"] == "Billing API"
        assert answers["project_slug"] == "billing_api"
        assert answers["python_version"] == "3.12"

    def test_explicit_flags_win_over_data_and_preset(self, tmp_path: Path) -> None:
        result = trellis(
            "new",
            str(tmp_path / "svc"),
            "--yes",
            "--preset",
            "minimal",
            "--data",
            "description=from data",
            "--data",
            "author_name=Data",
            "--author-name",
            "Flag",
        )
        assert result.returncode == 0, result.stderr
        answers = answers_of(tmp_path / "svc")
        assert answers["description"] == "from data"
        assert answers["author_name"] == "Flag"

    def test_renders_into_an_existing_empty_directory(self, tmp_path: Path) -> None:
        (tmp_path / "svc").mkdir()
        assert trellis("new", str(tmp_path / "svc"), "--yes").returncode == 0
        assert (tmp_path / "svc" / "pyproject.toml").is_file()

    def test_force_renders_into_a_non_empty_directory_and_keeps_other_files(self, tmp_path: Path) -> None:
        (tmp_path / "svc").mkdir()
        (tmp_path / "svc" / "NOTES.md").write_text("mine")
        (tmp_path / "svc" / "README.md").write_text("old")
        assert trellis("new", str(tmp_path / "svc"), "--yes", "--force").returncode == 0
        assert (tmp_path / "svc" / "NOTES.md").read_text() == "mine"
        assert (tmp_path / "svc" / "README.md").read_text() != "old"
        assert leftovers(tmp_path) == ["svc"]

    def test_creates_missing_parent_directories(self, tmp_path: Path) -> None:
        assert trellis("new", str(tmp_path / "a" / "b" / "svc"), "--yes").returncode == 0
        assert (tmp_path / "a" / "b" / "svc" / "app").is_dir()


class TestBadInput:
    @pytest.mark.parametrize("slug", ["Bad-Slug", "1abc", "has space", "app", "class", "ünïcode", ""])
    def test_invalid_slug_is_refused(self, tmp_path: Path, slug: str) -> None:
        result = trellis("new", str(tmp_path / "svc"), "--yes", "--project-slug", slug)
        assert_one_line_error(result, 2, "project_slug")
        assert leftovers(tmp_path) == []

    def test_unknown_choice_is_refused(self, tmp_path: Path) -> None:
        result = trellis("new", str(tmp_path / "svc"), "--yes", "--db", "oracle")
        assert_one_line_error(result, 2, "oracle", "sqlite")
        assert leftovers(tmp_path) == []

    def test_unknown_choice_through_data_is_refused(self, tmp_path: Path) -> None:
        result = trellis("new", str(tmp_path / "svc"), "--yes", "--data", "python_version=2.7")
        assert_one_line_error(result, 2, "2.7")

    def test_unknown_data_key_is_refused(self, tmp_path: Path) -> None:
        result = trellis("new", str(tmp_path / "svc"), "--yes", "--data", "colour=blue")
        assert_one_line_error(result, 2, "colour")
        assert leftovers(tmp_path) == []

    def test_malformed_data_is_refused(self, tmp_path: Path) -> None:
        result = trellis("new", str(tmp_path / "svc"), "--yes", "--data", "novalue")
        assert_one_line_error(result, 2, "key=value")

    def test_unknown_preset_is_refused(self, tmp_path: Path) -> None:
        result = trellis("new", str(tmp_path / "svc"), "--yes", "--preset", "huge")
        assert_one_line_error(result, 2, "huge", "minimal")

    def test_unknown_flag_is_refused(self, tmp_path: Path) -> None:
        result = trellis("new", str(tmp_path / "svc"), "--yes", "--colour", "blue")
        assert_one_line_error(result, 2, "--colour")

    def test_non_empty_destination_is_refused_without_force(self, tmp_path: Path) -> None:
        (tmp_path / "svc").mkdir()
        (tmp_path / "svc" / "keep.txt").write_text("precious")
        result = trellis("new", str(tmp_path / "svc"), "--yes")
        assert_one_line_error(result, 2, "not empty", "--force")
        assert leftovers(tmp_path / "svc") == ["keep.txt"]
        assert (tmp_path / "svc" / "keep.txt").read_text() == "precious"

    def test_destination_that_is_a_file_is_refused(self, tmp_path: Path) -> None:
        (tmp_path / "svc").write_text("a file")
        result = trellis("new", str(tmp_path / "svc"), "--yes")
        assert_one_line_error(result, 2, "not a directory")

    def test_unwritable_destination_is_refused(self, tmp_path: Path) -> None:
        (tmp_path / "blocker").write_text("a file, not a folder")
        result = trellis("new", str(tmp_path / "blocker" / "svc"), "--yes")
        assert_one_line_error(result, 2, "blocker")
        assert leftovers(tmp_path) == ["blocker"]

    def test_missing_destination_argument_is_a_usage_error(self) -> None:
        result = trellis("new")
        assert_one_line_error(result, 2, "destination")


class TestOptions:
    def test_lists_every_question_choice_and_preset(self) -> None:
        result = trellis("options")
        assert result.returncode == 0
        spec = load_spec()
        for question in spec.questions:
            assert f"{question.name} (--{question.flag}" in result.stdout
            for value in question.values:
                assert str(value) in result.stdout
        for preset in spec.presets:
            assert f"  {preset}: " in result.stdout


def test_help_does_not_import_copier() -> None:
    code = (
        "import sys; from generator.cli import app; sys.argv=['trellis','--help']\n"
        "try:\n app()\nexcept SystemExit: pass\nassert 'copier' not in sys.modules, 'copier imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_plain_copier_renders_the_same_project(tmp_path: Path) -> None:
    """The CLI adds convenience, never logic the template needs."""
    assert trellis("new", str(tmp_path / "via-trellis"), "--yes", "--preset", "standard").returncode == 0
    plain = subprocess.run(
        [
            sys.executable, "-m", "copier", "copy", "--quiet", "--defaults", "--vcs-ref", "HEAD",
            "--data-file", str(ROOT / "presets" / "standard.yml"), str(ROOT), str(tmp_path / "via-copier"),
        ],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert plain.returncode == 0, plain.stderr

    def tree(root: Path) -> dict[str, str]:
        return {
            str(path.relative_to(root)): path.read_text()
            for path in sorted(root.rglob("*"))
            if path.is_file() and path.name != ".copier-answers.yml"
        }

    # trellis adds the lock file that `uv lock` would write; the rendered files are the same.
    via_trellis = tree(tmp_path / "via-trellis")
    assert "uv.lock" in via_trellis
    del via_trellis["uv.lock"]
    assert via_trellis == tree(tmp_path / "via-copier")
    trellis_answers = answers_of(tmp_path / "via-trellis")
    copier_answers = answers_of(tmp_path / "via-copier")
    assert {k: v for k, v in trellis_answers.items() if not k.startswith("_")} == {
        k: v for k, v in copier_answers.items() if not k.startswith("_")
    }


class TestMessages:
    def test_the_next_step_is_a_command_that_can_be_pasted(self, tmp_path: Path) -> None:
        destination = tmp_path / "my service's"
        result = trellis("new", str(destination), "--yes", "--no-lock")
        assert result.returncode == 0, result.stderr
        assert f"Next: cd {shlex.quote(str(destination))} && uv run pytest" in result.stdout

    def test_a_name_without_a_slug_says_to_pass_one(self, tmp_path: Path) -> None:
        result = trellis("new", str(tmp_path / "svc"), "--yes", "--no-lock", "--project-name", "🚀🚀")
        assert_one_line_error(result, 2, "project_slug", "pass --project-slug")
        assert leftovers(tmp_path) == []

    def test_ctrl_c_while_starting_is_one_line(self) -> None:
        code = (
            "import builtins, runpy\n"
            "real = builtins.__import__\n"
            "def interrupted(name, *args, **kwargs):\n"
            "    if name == 'typer':\n"
            "        raise KeyboardInterrupt\n"
            "    return real(name, *args, **kwargs)\n"
            "builtins.__import__ = interrupted\n"
            "runpy.run_module('generator', run_name='__main__')\n"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
        assert_one_line_error(result, 130, "interrupted")
