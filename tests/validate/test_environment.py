"""What a project's commands run with: the project's own environment, nothing of the caller's."""

from pathlib import Path

import pytest

from generator.validate.environment import project_environment


def test_the_callers_environment_stays_out_and_byte_code_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIRTUAL_ENV", "/elsewhere/.venv")
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("LANG", "C.UTF-8")
    venv = tmp_path / ".venv"

    env = project_environment(venv, {"PYTHONPYCACHEPREFIX": str(tmp_path / "pycache")})

    assert env["VIRTUAL_ENV"] == str(venv)
    assert env["PATH"].startswith(f"{venv / 'bin'}:")
    assert env["PYTHONPYCACHEPREFIX"] == str(tmp_path / "pycache")
    assert env["LANG"] == "C.UTF-8"
    assert "PYTEST_XDIST_WORKER" not in env
    assert "PYTHONDONTWRITEBYTECODE" not in env
