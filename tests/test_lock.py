"""`trellis new` resolves the project's uv.lock before moving the project into place."""

import os
import shutil
from pathlib import Path

import pytest

from generator.new import render
from tests.anatomy import locked_packages
from tests.projects import project_environment, run, trellis


def test_lock_matches_the_rendered_options(tmp_path: Path) -> None:
    result = trellis("new", str(tmp_path / "svc"), "--yes", "--metrics", "--cache", "redis")
    assert result.returncode == 0, result.stderr
    assert {"prometheus-fastapi-instrumentator", "redis"} <= locked_packages(tmp_path / "svc")
    uv = shutil.which("uv")
    assert uv is not None
    check = run([uv, "lock", "--locked", "--offline"], tmp_path / "svc", project_environment())
    assert check.returncode == 0, check.stderr


def test_no_lock_renders_without_one(tmp_path: Path) -> None:
    result = trellis("new", str(tmp_path / "svc"), "--yes", "--no-lock")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "svc" / "pyproject.toml").is_file()
    assert not (tmp_path / "svc" / "uv.lock").exists()


def test_missing_uv_is_a_warning_and_the_project_is_rendered(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path / "empty-bin")}
    result = trellis("new", str(tmp_path / "svc"), "--yes", env=env)
    assert result.returncode == 0, result.stderr
    assert (
        "trellis: warning: uv is not on PATH: no uv.lock written; install uv and run `uv lock` in the project"
        in result.stderr.splitlines()
    )
    assert (tmp_path / "svc" / "pyproject.toml").is_file()
    assert not (tmp_path / "svc" / "uv.lock").exists()


def test_failed_resolution_is_a_one_line_warning(tmp_path: Path) -> None:
    env = {**os.environ, "UV_OFFLINE": "1", "UV_CACHE_DIR": str(tmp_path / "empty-cache")}
    result = trellis("new", str(tmp_path / "svc"), "--yes", env=env)
    assert result.returncode == 0, result.stderr
    # (a template with uncommitted changes adds a warning of its own)
    lines = [line for line in result.stderr.splitlines() if "uv lock" in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("trellis: warning: uv lock failed, no uv.lock written: ")
    assert (tmp_path / "svc" / "app" / "main.py").is_file()
    assert not (tmp_path / "svc" / "uv.lock").exists()


def test_render_returns_why_it_could_not_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    rendered = render(tmp_path / "svc", {}, lock=True)
    assert rendered.warnings[0].startswith("uv is not on PATH")
    assert (rendered.path / "pyproject.toml").is_file()
    assert not (rendered.path / "uv.lock").exists()
