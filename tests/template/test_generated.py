"""Render presets and run each generated project's own checks in a fresh environment."""

from pathlib import Path

import pytest

from tests.databases import database_environment
from tests.projects import check_project, render_project

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("preset", ["minimal", "standard"])
def test_preset_passes_its_own_checks(tmp_path: Path, preset: str) -> None:
    project = render_project(tmp_path / preset, preset=preset)
    with database_environment(project) as env:
        check_project(project, env)


def test_python_312_floor_passes_its_own_checks(tmp_path: Path) -> None:
    project = render_project(tmp_path / "py312", {"python_version": "3.12", "project_name": "Py Twelve"})
    check_project(project)
