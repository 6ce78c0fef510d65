import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.errors import UsageError
from generator.new import render, resolve_answers
from generator.template import TemplateSpec, load_spec, parse_answers
from tests.projects import answers_of


def test_interrupt_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(spec: TemplateSpec, staging: Path, answers: Any, *, interactive: bool) -> None:
        (staging / "half-written.py").write_text("")
        raise KeyboardInterrupt

    monkeypatch.setattr("generator.render.copy_template", interrupted)
    with pytest.raises(KeyboardInterrupt):
        render(tmp_path / "deep" / "svc", {})
    assert list(tmp_path.iterdir()) == []


def test_failed_render_leaves_existing_destination_untouched(tmp_path: Path) -> None:
    destination = tmp_path / "svc"
    destination.mkdir()
    (destination / "mine.txt").write_text("mine")
    with pytest.raises(UsageError):
        render(destination, {"project_slug": "Not Valid"}, force=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["svc"]
    assert [p.name for p in destination.iterdir()] == ["mine.txt"]


def test_resolve_answers_layers_preset_data_and_flags() -> None:
    spec = load_spec()
    answers = resolve_answers(
        spec,
        preset="minimal",
        data={"description": "d", "author_name": "data"},
        flags={"author_name": "flag"},
    )
    assert answers["author_name"] == "flag"
    assert answers["description"] == "d"
    assert answers["database"] == spec.presets["minimal"]["database"]


def test_parse_data_types_values_by_question() -> None:
    spec = load_spec()
    assert parse_answers(spec, ["python_version=3.12", "description=a=b"], option="--data") == {
        "python_version": "3.12",
        "description": "a=b",
    }


# Names at the edges of each layout of a long default (one line, parenthesized, split), and
# the longest accepted, in ASCII and escaped: each renders a project that passes its own lint.
NAMES = {
    "fits-one-line": "N" * 86,
    "parenthesized": "N" * 87,
    "longest": "Billing " * 12 + "Reco",
    "escaped": "Ünïcödé Sérvïcé " * 6 + "Ünïc",
}


@pytest.mark.slow
@pytest.mark.parametrize("database", ["sqlite", "postgresql", "mysql"])
@pytest.mark.parametrize("name", sorted(NAMES))
def test_the_longest_accepted_answers_render_a_project_that_passes_its_lint(
    tmp_path: Path, name: str, database: str
) -> None:
    project = render(tmp_path / "svc", {"project_name": NAMES[name], "database": database}).path
    assert len(str(answers_of(project)["project_slug"])) <= 63
    ruff = Path(sys.executable).with_name("ruff")
    for check in (["check", "."], ["format", "--check", "."]):
        result = subprocess.run([ruff, *check], cwd=project, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("project_name", "N" * 101, "at most 100 characters, got 101"),
        ("project_slug", "s" * 64, "at most 63 characters, got 64"),
    ],
)
def test_answers_over_their_bound_are_refused_in_one_line(
    tmp_path: Path, name: str, value: str, says: str
) -> None:
    with pytest.raises(UsageError, match=re.escape(says)) as raised:
        render(tmp_path / "svc", {name: value})
    assert "\n" not in raised.value.message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_the_project_folder_follows_the_umask(tmp_path: Path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        project = render(tmp_path / "svc", {}).path
    finally:
        os.umask(previous)
    assert project.stat().st_mode & 0o777 == 0o777 & ~umask
    assert (project / "app").stat().st_mode & 0o777 == 0o777 & ~umask


def test_an_existing_empty_folder_keeps_its_mode(tmp_path: Path) -> None:
    (tmp_path / "svc").mkdir(mode=0o750)
    render(tmp_path / "svc", {})
    assert (tmp_path / "svc").stat().st_mode & 0o777 == 0o750


def test_the_generated_readme_starts_the_server_through_uv(tmp_path: Path) -> None:
    """Pasted outside the image, a bare `python -m app.server` has none of the dependencies."""
    readme = (render(tmp_path / "svc", {}).path / "README.md").read_text()
    commands = re.findall(r"`((?:uv run )?python -m app\.server)`", readme)
    assert "uv run python -m app.server" in commands
    before_the_image = readme.split("the image's command is", 1)[0]
    assert "python -m app.server" not in before_the_image.replace("uv run python", "")
