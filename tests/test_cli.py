import importlib.metadata
import json
import os
import pty
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from generator import cli
from generator import update as updating
from generator.matrix import combinations
from generator.template import load_spec
from generator.update import Report as UpdateReport
from tests.conftest import ROOT
from tests.projects import answers_of, assert_one_line_error, trellis


def leftovers(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


class TestNew:
    def test_renders_defaults_without_prompts(self, tmp_path: Path) -> None:
        result = trellis("new", str(tmp_path / "svc"), "--yes", "--no-lock")
        assert result.returncode == 0, result.stderr
        assert (tmp_path / "svc" / "app" / "main.py").is_file()
        assert answers_of(tmp_path / "svc")["database"] == "sqlite"
        assert leftovers(tmp_path) == ["svc"]

    def test_flags_set_answers(self, tmp_path: Path) -> None:
        result = trellis(
            "new",
            str(tmp_path / "svc"),
            "--yes",
            "--no-lock",
            "--project-name",
            "Billing API",
            "--python",
            "3.12",
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
            "--no-lock",
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
        assert trellis("new", str(tmp_path / "svc"), "--yes", "--no-lock").returncode == 0
        assert (tmp_path / "svc" / "pyproject.toml").is_file()

    def test_force_renders_into_a_non_empty_directory_and_keeps_other_files(self, tmp_path: Path) -> None:
        (tmp_path / "svc").mkdir()
        (tmp_path / "svc" / "NOTES.md").write_text("mine")
        (tmp_path / "svc" / "README.md").write_text("old")
        assert trellis("new", str(tmp_path / "svc"), "--yes", "--no-lock", "--force").returncode == 0
        assert (tmp_path / "svc" / "NOTES.md").read_text() == "mine"
        assert (tmp_path / "svc" / "README.md").read_text() != "old"
        assert leftovers(tmp_path) == ["svc"]

    def test_creates_missing_parent_directories(self, tmp_path: Path) -> None:
        assert trellis("new", str(tmp_path / "a" / "b" / "svc"), "--yes", "--no-lock").returncode == 0
        assert (tmp_path / "a" / "b" / "svc" / "app").is_dir()


class TestBadInput:
    @pytest.mark.parametrize("slug", ["Bad-Slug", "1abc", "has space", "app", "class", "ünïcode", ""])
    def test_invalid_slug_is_refused(self, tmp_path: Path, slug: str) -> None:
        result = trellis("new", str(tmp_path / "svc"), "--yes", "--no-lock", "--project-slug", slug)
        assert_one_line_error(result, 2, "project_slug")
        assert leftovers(tmp_path) == []

    def test_unknown_choice_is_refused(self, tmp_path: Path) -> None:
        result = trellis("new", str(tmp_path / "svc"), "--yes", "--no-lock", "--db", "oracle")
        assert_one_line_error(result, 2, "oracle", "sqlite")
        assert leftovers(tmp_path) == []

    def test_unknown_choice_through_data_is_refused(self, tmp_path: Path) -> None:
        result = trellis("new", str(tmp_path / "svc"), "--yes", "--no-lock", "--data", "python_version=2.7")
        assert_one_line_error(result, 2, "2.7")

    def test_unknown_data_key_is_refused(self, tmp_path: Path) -> None:
        result = trellis("new", str(tmp_path / "svc"), "--yes", "--no-lock", "--data", "colour=blue")
        assert_one_line_error(result, 2, "colour")
        assert leftovers(tmp_path) == []

    def test_malformed_data_is_refused(self, tmp_path: Path) -> None:
        result = trellis("new", str(tmp_path / "svc"), "--yes", "--no-lock", "--data", "novalue")
        assert_one_line_error(result, 2, "key=value")

    def test_unknown_preset_is_refused(self, tmp_path: Path) -> None:
        result = trellis("new", str(tmp_path / "svc"), "--yes", "--no-lock", "--preset", "huge")
        assert_one_line_error(result, 2, "huge", "minimal")

    def test_unknown_flag_is_refused(self, tmp_path: Path) -> None:
        result = trellis("new", str(tmp_path / "svc"), "--yes", "--no-lock", "--colour", "blue")
        assert_one_line_error(result, 2, "--colour")

    def test_non_empty_destination_is_refused_without_force(self, tmp_path: Path) -> None:
        (tmp_path / "svc").mkdir()
        (tmp_path / "svc" / "keep.txt").write_text("precious")
        result = trellis("new", str(tmp_path / "svc"), "--yes", "--no-lock")
        assert_one_line_error(result, 2, "not empty", "--force")
        assert leftovers(tmp_path / "svc") == ["keep.txt"]
        assert (tmp_path / "svc" / "keep.txt").read_text() == "precious"

    def test_destination_that_is_a_file_is_refused(self, tmp_path: Path) -> None:
        (tmp_path / "svc").write_text("a file")
        result = trellis("new", str(tmp_path / "svc"), "--yes", "--no-lock")
        assert_one_line_error(result, 2, "not a directory")

    def test_unwritable_destination_is_refused(self, tmp_path: Path) -> None:
        (tmp_path / "blocker").write_text("a file, not a folder")
        result = trellis("new", str(tmp_path / "blocker" / "svc"), "--yes", "--no-lock")
        assert_one_line_error(result, 2, "blocker")
        assert leftovers(tmp_path) == ["blocker"]

    def test_missing_destination_argument_is_a_usage_error(self) -> None:
        result = trellis("new")
        assert_one_line_error(result, 2, "DESTINATION")


class TestOptions:
    def test_a_table_of_every_question_choice_need_and_preset(self) -> None:
        result = trellis("options")
        assert result.returncode == 0
        spec = load_spec()
        for question in spec.questions:
            assert re.search(rf"│ {question.name} +│ --{question.flag} +│", result.stdout), question.name
            for value in question.values:
                assert str(value) in result.stdout
        assert "* sqlite" in result.stdout
        assert "3.11  3.11" not in result.stdout
        assert "{{" not in result.stdout
        for text in spec.needs.values():
            assert text.split()[0] in result.stdout
        for preset in spec.presets:
            assert f"│ {preset} " in result.stdout

    def test_json_for_scripts(self) -> None:
        result = trellis("options", "--json")
        document = json.loads(result.stdout)
        spec = load_spec()
        by_name = {question["name"]: question for question in document["questions"]}
        assert [c["value"] for c in by_name["database"]["choices"]] == spec.question("database").values
        assert by_name["database"]["default"] == "sqlite"
        assert by_name["project_slug"]["derived_default"] is True
        assert by_name["rbac"]["needs"] == spec.needs["rbac"]
        assert by_name["deploy"]["choice_needs"] == {"kubernetes": spec.needs["deploy=kubernetes"]}
        assert document["presets"] == spec.presets


class TestAtATerminal:
    def test_new_shows_what_it_does_while_it_renders(self, tmp_path: Path) -> None:
        output = at_a_terminal(["new", str(tmp_path / "svc"), "--yes", "--no-lock"])
        assert "Rendering the project" in output
        assert "Rendered " in output

    def test_new_says_nothing_more_when_read_by_a_program(self, tmp_path: Path) -> None:
        result = trellis("new", str(tmp_path / "svc"), "--yes", "--no-lock")
        assert result.returncode == 0, result.stderr
        assert "Rendering" not in result.stdout + result.stderr
        assert result.stdout.splitlines()[0] == f"Rendered {tmp_path / 'svc'}"

    def test_version_is_the_packages(self) -> None:
        result = trellis("--version")
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"trellis {importlib.metadata.version('fastapi-trellis')}\n"

    def test_help_names_values_not_python_types(self) -> None:
        for command in ("new", "update", "validate", "matrix"):
            result = trellis(command, "--help")
            assert result.returncode == 0, result.stderr
            assert not re.search(r"<(str|int|int range|list\[str\])>", result.stdout), result.stdout
        new = trellis("new", "--help").stdout
        assert "-d, --data KEY=VALUE" in new
        assert "(full, minimal, standard)" in new
        for question in load_spec().questions:  # a flag for each question, from copier.yml
            assert f"--{question.flag} " in new, question.name

    def test_command_summaries_are_whole(self) -> None:
        result = trellis("--help")
        commands = result.stdout.split("Commands:", 1)[1]
        assert "..." not in commands
        assert "--version" in result.stdout


def at_a_terminal(args: list[str]) -> str:
    """What `trellis ARGS` shows on a terminal (a pseudo-terminal for stdout and stderr)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", *args], stdout=follower, stderr=follower, stdin=subprocess.DEVNULL
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the process has ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=60) == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode(errors="replace")


def test_help_does_not_import_copier() -> None:
    code = (
        "import sys; from generator.cli import app; sys.argv=['trellis','--help']\n"
        "try:\n app()\nexcept SystemExit: pass\nassert 'copier' not in sys.modules, 'copier imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_plain_copier_renders_the_same_project(tmp_path: Path) -> None:
    """The CLI adds convenience, never logic the template needs."""
    via = trellis("new", str(tmp_path / "via-trellis"), "--yes", "--no-lock", "--preset", "standard")
    assert via.returncode == 0, via.stderr
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

    assert tree(tmp_path / "via-trellis") == tree(tmp_path / "via-copier")
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


class TestMatrixCommand:
    def test_list_prints_presets_and_the_pairwise_set(self) -> None:
        result = trellis("matrix", "--list")
        assert result.returncode == 0, result.stderr
        names = [line.split()[0] for line in result.stdout.splitlines()]
        assert names == [item.name for item in combinations(load_spec())]
        assert set(load_spec().presets) <= set(names)

    def test_list_of_one_shard(self) -> None:
        everything = trellis("matrix", "--list").stdout.splitlines()
        assert trellis("matrix", "--list", "--shard", "2/2").stdout.splitlines() == everything[1::2]

    def test_github_matrix_is_json(self) -> None:
        result = trellis("matrix", "--github-matrix", "--shards", "2")
        assert result.returncode == 0, result.stderr
        assert [entry["shard"] for entry in json.loads(result.stdout)["include"]] == ["1/2", "2/2"]

    @pytest.mark.parametrize(
        ("args", "fragment"), [(("--shard", "3/2"), "I/N"), (("--only", "colour=blue"), "colour")]
    )
    def test_bad_input_is_one_line(self, args: tuple[str, ...], fragment: str) -> None:
        result = trellis("matrix", "--list", *args)
        assert result.returncode == 2
        assert result.stderr.strip().splitlines() == [result.stderr.strip()]
        assert fragment in result.stderr
        assert "Traceback" not in result.stderr


class TestUpdatePrinting:
    """How `trellis update` tells the verb's report, from reports made here: tests/test_update.py
    runs the verb itself, and the command end to end."""

    def run_update(
        self, report: UpdateReport, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> tuple[int, str, str]:
        monkeypatch.setattr(updating, "update", lambda *args, **kwargs: report)
        monkeypatch.setattr(sys, "argv", ["trellis", "update", str(report.project)])
        code = 0
        try:
            cli.main()  # returns on success, as the console script does
        except SystemExit as exited:
            code = int(exited.code or 0)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    def test_a_relocked_update_with_a_new_question(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        report = UpdateReport(
            project=tmp_path,
            old_version="v0.1.0",
            new_version="v0.2.0",
            changes=(("M", "pyproject.toml"), ("M", "uv.lock")),
            conflicts=(),
            rejects=(),
            answers={"metrics": (False, True), "tracing": (None, "otlp")},
            relocked=True,
            resources=("book",),
        )
        code, out, err = self.run_update(report, monkeypatch, capsys)
        assert (code, err) == (0, "")
        assert out == (
            f"Updated {tmp_path} from template v0.1.0 to v0.2.0\n"
            "  metrics: False -> True\n"
            "  tracing: (new question) -> otlp\n"
            "Added resources brought along: book\n"
            "Changed files:\n"
            "  M  pyproject.toml\n"
            "  M  uv.lock\n"
            "Re-locked uv.lock: the update changed the project's dependencies.\n"
            "Review with `git status` and `git diff`, then commit.\n"
        )

    def test_a_pretend_update_with_conflicts_and_a_warning(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        report = UpdateReport(
            project=tmp_path,
            old_version="v0.1.0",
            new_version="v0.2.0",
            changes=(("UU", "README.md"), ("??", "app/main.py")),
            conflicts=("README.md",),
            rejects=("app/core/config.py.rej",),
            pretend=True,
            warnings=("the template has no version tags",),
        )
        code, out, err = self.run_update(report, monkeypatch, capsys)
        assert code == 1
        assert err == (
            "trellis: warning: the template has no version tags\n"
            "trellis: error: the update would leave 2 conflicted file(s): resolve them, then commit\n"
        )
        assert out == (
            f"Would update {tmp_path} from template v0.1.0 to v0.2.0\n"
            "Files it would change:\n"
            "  UU README.md\n"
            "  ?? app/main.py\n"
            "Conflicts to resolve before committing:\n"
            "  README.md  (conflict markers)\n"
            "  app/core/config.py.rej  (your changes that did not apply: redo them by hand, then delete it)\n"
        )

    def test_an_update_that_changed_nothing(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        report = UpdateReport(
            project=tmp_path, old_version="v0.2.0", new_version="v0.2.0", changes=(), conflicts=(), rejects=()
        )
        code, out, err = self.run_update(report, monkeypatch, capsys)
        assert (code, err) == (0, "")
        assert out == f"Updated {tmp_path} from template v0.2.0 to v0.2.0\nNo file changed.\n"
