"""Helpers to render projects and run their own checks, shared by the test modules."""

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest_copie.plugin import Copie

from generator.new import render
from generator.template import load_spec
from generator.validate.environment import interpreter

# The `rendered` fixture (tests/conftest.py): a shared project for each set of answers.
Rendered = Callable[..., Path]

CHECKS = (
    ("ruff", "check", "."),
    ("ruff", "format", "--check", "."),
    ("mypy", "app", "tests"),
    ("pytest", "-q", "-p", "no:cacheprovider"),
)


def render_with_copie(copie: Copie, **answers: Any) -> Path:
    """A project rendered by pytest-copie with these answers, which must render."""
    result = copie.copy(extra_answers=answers)
    assert result.exit_code == 0, result.exception
    assert result.project_dir is not None
    return Path(result.project_dir)


def render_project(
    destination: Path, answers: Mapping[str, Any] | None = None, preset: str | None = None
) -> Path:
    spec = load_spec()
    resolved = {**(spec.preset(preset) if preset else {}), **(answers or {})}
    return render(destination, resolved, spec=spec).path


def project_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VIRTUAL_ENV", "COV_", "PYTEST_"))
    }
    env.pop("COPIER_SETTINGS_PATH", None)
    env.update(extra or {})
    return env


def run(
    command: tuple[str, ...] | list[str],
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command),
        cwd=cwd,
        env=dict(env or project_environment()),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def install(project: Path, env: Mapping[str, str] | None = None) -> None:
    """A fresh virtual environment with the project's dependencies, from uv's cache."""
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    version = str(answers["python_version"])
    python = interpreter(version)
    if python is None:
        pytest.skip(f"Python {version} is not installed on this machine")
    result = run(["uv", "sync", "--quiet", "--python", python], project, env)
    assert result.returncode == 0, f"uv sync failed:\n{result.stdout}\n{result.stderr}"


def check_project(project: Path, env: Mapping[str, str] | None = None) -> None:
    """Install the project, then run its own lint, format check, type check and tests."""
    install(project, env)
    for check in CHECKS:
        result = run(["uv", "run", "--no-sync", *check], project, env)
        assert result.returncode == 0, (
            f"{' '.join(check)} failed in {project}:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
        )


def trellis(
    *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The `trellis` command line, run as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=None if env is None else dict(env),
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], exit_code: int, *fragments: str) -> None:
    """trellis failed with `exit_code` and said why in one line holding each fragment, no traceback."""
    assert result.returncode == exit_code, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("trellis: error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def answers_of(project: Path) -> dict[str, object]:
    loaded: dict[str, object] = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return loaded
