"""This repository's own code (generator, tests, bench) holds to the standard it sets for projects."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUFF = str(Path(sys.executable).parent / "ruff")


@pytest.mark.parametrize(
    "command",
    [
        pytest.param([RUFF, "check", "."], id="ruff-check"),
        pytest.param([RUFF, "format", "--check", "."], id="ruff-format"),
        pytest.param([sys.executable, "-m", "mypy"], id="mypy-strict"),
    ],
)
def test_repository_code_passes(command: list[str]) -> None:
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
