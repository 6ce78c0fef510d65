"""copier's worker compiling each templated string once: the same files as copier, fewer compiles."""

from collections import Counter
from pathlib import Path
from typing import Any

import copier
import jinja2
import pytest

from generator import render
from generator.git import git


@pytest.fixture
def template(tmp_path: Path) -> Path:
    """Two folders from one `yield` tag, each holding the same templated name."""
    root = tmp_path / "template"
    folder = root / "{% yield name from names %}{{ name }}{% endyield %}"
    folder.mkdir(parents=True)
    (folder / "{{ greeting }}.txt.jinja").write_text("{{ greeting }}, {{ name }}\n")
    (root / "copier.yml").write_text(
        "_templates_suffix: .jinja\nnames: {type: yaml, default: [ada, bob]}\ngreeting: {default: hello}\n"
    )
    return root


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Every source Jinja compiles, counted."""
    sources: Counter[str] = Counter()
    compile_source = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: Any, *args: Any, **kwargs: Any) -> Any:
        sources[str(source)] += 1
        return compile_source(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return sources


def files(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): path.read_text()
        for path in root.rglob("*")
        if path.is_file() and path.name != ".copier-answers.yml"
    }


def test_renders_what_copier_renders_yield_tags_included(template: Path, tmp_path: Path) -> None:
    render.run_copy(str(template), tmp_path / "ours", defaults=True, quiet=True)
    copier.run_copy(str(template), tmp_path / "copier", defaults=True, quiet=True)

    assert files(tmp_path / "ours") == files(tmp_path / "copier")
    assert files(tmp_path / "ours") == {"ada/hello.txt": "hello, ada\n", "bob/hello.txt": "hello, bob\n"}


def test_compiles_each_string_once(template: Path, tmp_path: Path, compiled: Counter[str]) -> None:
    parts = ("{% yield name from names %}{{ name }}{% endyield %}", "{{ greeting }}.txt")
    copier.run_copy(str(template), tmp_path / "copier", defaults=True, quiet=True)
    by_copier = [compiled[part] for part in parts]
    compiled.clear()

    render.run_copy(str(template), tmp_path / "ours", defaults=True, quiet=True)

    assert [compiled[part] for part in parts] == [1, 1]
    assert min(by_copier) > 1


def test_an_executable_file_keeps_its_bit_in_a_repository_that_ignores_file_modes(tmp_path: Path) -> None:
    template = tmp_path / "template"
    template.mkdir()
    (template / "copier.yml").write_text("name: {default: service}\n")
    script = template / "run.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    project = tmp_path / "project"
    project.mkdir()
    for command in (["init", "-q"], ["config", "core.fileMode", "false"]):
        git(project, *command)
    (project / "run.sh").write_text("#!/bin/sh\n")
    git(project, "add", "run.sh")

    render.run_copy(str(template), project, defaults=True, quiet=True, overwrite=True)

    assert git(project, "ls-files", "--stage", "run.sh").startswith("100755 ")


def test_git_is_asked_for_core_file_mode_once_per_render(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[str, ...]] = []

    def recording_git(cwd: Path, *args: str) -> str:
        asked.append(args)
        return git(cwd, *args)

    monkeypatch.setattr(render, "git", recording_git)

    render.run_copy(str(template), tmp_path / "ours", defaults=True, quiet=True)

    assert len(files(tmp_path / "ours")) == 2
    assert asked == [("config", "--type=bool", "--get", "core.fileMode")]
    # The override stands in for copier's own method of that name, checked against copier 9.19.
    assert "_sync_git_index_executable_bit" in vars(render.CompilingOnceWorker.__mro__[1])
